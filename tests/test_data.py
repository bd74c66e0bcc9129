"""Every loader accepts the shipped file and stops malformed copies with one exact, actionable message."""
import csv

import pytest

from mlroles import data
from mlroles.data import DatasetError


def rewrite(repo, tmp_path, name, edit):
    """Copy datasets/<name>, let ``edit`` change its rows (list of dicts), return the copy's path."""
    with open(repo / "datasets" / name, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns, rows = list(reader.fieldnames), list(reader)
    columns = edit(rows, columns) or columns
    out = tmp_path / name
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return out


def set_cell(index, column, value):
    def edit(rows, columns):
        rows[index][column] = value
    return edit


def first(rows, **match):
    return next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))


def expect(message, loader, path, **kwargs):
    with pytest.raises(DatasetError) as caught:
        loader(path, **kwargs)
    assert str(caught.value) == message


# --- the shipped files load and meet the course's counts ----------------------------------

def test_sources_cover_every_reference_of_the_source_page():
    sources = data.load_sources()
    page = sources[sources["cited_at"] != ""]
    assert len(page) == 28
    assert page[["episode_slug", "cited_at"]].duplicated().sum() == 0
    assert set(sources["status"]) <= {"verified", "corrected", "not_found"}
    # The known problems are recorded, not copied: the roles episode has no 40:10 ...
    roles_4010 = sources.set_index("source_id").loc["roles-4010"]
    assert roles_4010["status"] != "verified" and roles_4010["said_at"] != "40:10"
    # ... and the unified prediction schema is the host's point, not the guest's.
    schema = sources.set_index("source_id").loc["platform-5415"]
    assert schema["status"] == "corrected" and schema["speaker"] == "Alexey Grigorev"


def test_responsibilities_counts():
    items = data.load_responsibilities()
    assert len(items) >= 48
    practice, graded = items[items["pool"] == "practice"], items[items["pool"] == "graded"]
    assert len(graded) >= 16 and not graded["borderline"].any()
    assert graded["owner"].isna().all() and practice["owner"].notna().all()
    assert practice["owner"].value_counts().min() >= 6
    # at least 12 per owner over both pools: see tests/test_answer_keys.py


def test_serving_scenarios_counts():
    scenarios = data.load_serving_scenarios()
    assert len(scenarios) >= 36
    practice = scenarios[scenarios["pool"] == "practice"]
    assert set(practice["expected_mode"]) == {"batch", "online"}
    assert scenarios.loc[scenarios["pool"] == "graded", "expected_mode"].isna().all()


def test_job_ads_counts_and_references():
    ads = data.load_job_ads()
    assert len(ads) >= 30
    known = set(data.load_responsibilities()["responsibility_id"])
    assert all(set(ids) <= known for ids in ads["responsibility_ids"])
    practice = ads[ads["pool"] == "practice"]
    assert all(isinstance(flags, list) for flags in practice["red_flags"])
    assert ads.loc[ads["pool"] == "graded", "red_flags"].isna().all()


def test_team_scenarios_counts():
    teams = data.load_team_scenarios()
    assert len(teams) >= 30
    practice = teams[teams["pool"] == "practice"]
    assert set(practice["next_need"]) == {"data_scientist", "ml_engineer", "both", "one_person"}


def test_prediction_log_types_and_built_in_problems():
    log = data.load_prediction_log()
    assert len(log) >= 5000
    assert set(log["serving_mode"]) == {"batch", "online"} and log["use_case"].nunique() >= 2
    assert str(log["requested_at"].dt.tz) == "UTC" and str(log["label"].dtype) == "Int64"
    assert log["label"].isna().any()                                      # missing or late labels
    assert log.loc[log["use_case"] == "fraud_checkout", "model_version"].nunique() == 2  # a version change
    online = log.loc[log["serving_mode"] == "online", "latency_ms"]
    assert online.quantile(0.95) > 3 * online.median()                    # a latency tail


def test_prediction_log_regenerates_byte_for_byte(repo, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_prediction_log", repo / "datasets" / "make_prediction_log.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write_csv(tmp_path / "log.csv")
    assert (tmp_path / "log.csv").read_bytes() == (repo / "datasets" / "prediction_log.csv").read_bytes()


# --- malformed copies: one exact message each ---------------------------------------------

def test_sources_malformed(repo, tmp_path):
    path = rewrite(repo, tmp_path, "sources.csv", set_cell(0, "status", "checked"))
    expect("datasets/sources.csv, line 2 (roles-1117), column 'status': 'checked' is not valid; "
           "use one of: verified, corrected, not_found", data.load_sources, path)

    def verified_elsewhere(rows, columns):
        i = first(rows, source_id="roles-4010")
        rows[i]["status"] = "verified"
    path = rewrite(repo, tmp_path, "sources.csv", verified_elsewhere)
    line = first(list(csv.DictReader(open(path))), source_id="roles-4010") + 2
    expect(f"datasets/sources.csv, line {line} (roles-4010), column 'status': cited_at and said_at differ, "
           "so the status is 'corrected', not 'verified'", data.load_sources, path)

    path = rewrite(repo, tmp_path, "sources.csv", set_cell(1, "cited_at", "17.04"))
    expect("datasets/sources.csv, line 3 (roles-1210), column 'cited_at': '17.04' is not valid; "
           "write it like 25:27 or 1:02:03", data.load_sources, path)


def test_responsibilities_malformed(repo, tmp_path):
    def misspelled_owner(rows, columns):
        rows[first(rows, pool="practice")]["owner"] = "datascientist"
    path = rewrite(repo, tmp_path, "responsibilities.csv", misspelled_owner)
    rows = list(csv.DictReader(open(path)))
    i = first(rows, owner="datascientist")
    expect(f"datasets/responsibilities.csv, line {i + 2} ({rows[i]['responsibility_id']}), column 'owner': "
           "'datascientist' is not valid; use one of: data_scientist, ml_engineer, shared",
           data.load_responsibilities, path)

    def leaked_key(rows, columns):
        rows[first(rows, pool="graded")]["owner"] = "shared"
    path = rewrite(repo, tmp_path, "responsibilities.csv", leaked_key)
    rows = list(csv.DictReader(open(path)))
    i = first(rows, pool="graded")
    expect(f"datasets/responsibilities.csv, line {i + 2} ({rows[i]['responsibility_id']}), column 'owner': "
           "a graded row must leave this empty: its answer belongs in solutions/graded_keys.csv",
           data.load_responsibilities, path)

    def unknown_source(rows, columns):
        rows[first(rows, pool="practice")]["source_ids"] = "roles-9999"
    path = rewrite(repo, tmp_path, "responsibilities.csv", unknown_source)
    rows = list(csv.DictReader(open(path)))
    i = first(rows, source_ids="roles-9999")
    expect(f"datasets/responsibilities.csv, line {i + 2} ({rows[i]['responsibility_id']}), column 'source_ids': "
           "'roles-9999' is not a known source id; use an id from datasets/sources.csv",
           data.load_responsibilities, path)

    def borderline_graded(rows, columns):
        rows[first(rows, pool="graded")]["borderline"] = "yes"
    path = rewrite(repo, tmp_path, "responsibilities.csv", borderline_graded)
    rows = list(csv.DictReader(open(path)))
    i = first(rows, pool="graded")
    expect(f"datasets/responsibilities.csv, line {i + 2} ({rows[i]['responsibility_id']}), column 'borderline': "
           "a borderline item cannot be graded; move it to the practice pool", data.load_responsibilities, path)


def test_serving_scenarios_malformed(repo, tmp_path):
    path = rewrite(repo, tmp_path, "serving_scenarios.csv", set_cell(0, "latency_budget_ms", "fast"))
    expect("datasets/serving_scenarios.csv, line 2 (S01), column 'latency_budget_ms': 'fast' is not valid; "
           "write a whole number of at least 1", data.load_serving_scenarios, path)

    def drop_column(rows, columns):
        return [c for c in columns if c != "late_cost"]
    path = rewrite(repo, tmp_path, "serving_scenarios.csv", drop_column)
    expect("datasets/serving_scenarios.csv: missing column(s) late_cost. The header must be: "
           "scenario_id,product,latency_budget_ms,freshness,requests_per_day,inputs_at_request_time,late_cost,"
           "expected_mode,rationale,source_ids,pool", data.load_serving_scenarios, path)

    def duplicate_id(rows, columns):
        rows[1]["scenario_id"] = rows[0]["scenario_id"]
    path = rewrite(repo, tmp_path, "serving_scenarios.csv", duplicate_id)
    expect("datasets/serving_scenarios.csv, line 3 (S01), column 'scenario_id': 'S01' appears twice; "
           "every row needs its own id", data.load_serving_scenarios, path)


def test_job_ads_malformed(repo, tmp_path):
    path = rewrite(repo, tmp_path, "job_ads.csv", set_cell(0, "responsibility_ids", "R01;R99"))
    expect("datasets/job_ads.csv, line 2 (A01), column 'responsibility_ids': 'R99' is not a known "
           "responsibility id; use an id from datasets/responsibilities.csv", data.load_job_ads, path)

    path = rewrite(repo, tmp_path, "job_ads.csv", set_cell(0, "red_flags", "no_team; unicorn"))
    expect("datasets/job_ads.csv, line 2 (A01), column 'red_flags': 'no_team; unicorn' is not valid; list values "
           "from: title_mismatch, no_team, no_objectives, vague_responsibilities, no_data_infrastructure, "
           "no_support, unicorn_scope, none, separated by ';' with no spaces or repeats", data.load_job_ads, path)

    path = rewrite(repo, tmp_path, "job_ads.csv", set_cell(0, "red_flags", "none;no_team"))
    expect("datasets/job_ads.csv, line 2 (A01), column 'red_flags': 'none' cannot stand beside other flags",
           data.load_job_ads, path)


def test_team_scenarios_malformed(repo, tmp_path):
    path = rewrite(repo, tmp_path, "team_scenarios.csv", set_cell(1, "symptoms", "no_monitoring;burnout"))
    expect("datasets/team_scenarios.csv, line 3 (T02), column 'symptoms': 'no_monitoring;burnout' is not valid; "
           "list values from: no_metric_owner, no_statistical_validity, unclear_questions, results_not_trusted, "
           "models_stuck_in_notebooks, no_monitoring, frequent_incidents, slow_deployments, separated by ';' "
           "with no spaces or repeats", data.load_team_scenarios, path)

    path = rewrite(repo, tmp_path, "team_scenarios.csv", set_cell(1, "situation", ""))
    expect("datasets/team_scenarios.csv, line 3 (T02), column 'situation': this cell is empty; fill it in",
           data.load_team_scenarios, path)


def test_prediction_log_malformed(repo, tmp_path):
    path = rewrite(repo, tmp_path, "prediction_log.csv", set_cell(4, "score", "1.7"))
    expect("datasets/prediction_log.csv, line 6 (req-000005), column 'score': '1.7' is not valid; "
           "write a number from 0 to 1", data.load_prediction_log, path)

    path = rewrite(repo, tmp_path, "prediction_log.csv", set_cell(0, "requested_at", "2026-03-02 00:43"))
    expect("datasets/prediction_log.csv, line 2 (req-000001), column 'requested_at': '2026-03-02 00:43' is not "
           "valid; write it like 2026-03-02T14:05:09Z", data.load_prediction_log, path)

    path = rewrite(repo, tmp_path, "prediction_log.csv", set_cell(0, "label_at", ""))
    expect("datasets/prediction_log.csv, line 2 (req-000001), column 'label_at': label and label_at go "
           "together: fill both or leave both empty", data.load_prediction_log, path)


def test_unreadable_and_missing_files(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\xff\xfe\x00 not text")
    with pytest.raises(DatasetError, match=r"^datasets/sources.csv is not a readable CSV file .*restore it"):
        data.load_sources(broken)
    expect("datasets/sources.csv is missing: restore it from the course repository.",
           data.load_sources, tmp_path / "nowhere.csv")


def test_graded_ads_are_held_out_from_practice_ads():
    """A graded ad never shares more than half of its work with a practice ad (no copyable twin)."""
    ads = data.load_job_ads()
    practice = ads[ads["pool"] == "practice"]
    for _, ad in ads[ads["pool"] == "graded"].iterrows():
        mine = set(ad["responsibility_ids"])
        worst = max(len(mine & set(other)) / len(mine) for other in practice["responsibility_ids"])
        assert worst <= 0.5, f"{ad['ad_id']} shares {worst:.0%} of its responsibilities with a practice ad"
