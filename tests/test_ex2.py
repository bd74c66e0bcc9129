"""Exercise 2's self-checks, explorer and log tools, with right, wrong and broken answers."""
import time

import pandas as pd
import pytest

from mlroles import prediction_log
from mlroles.checks.base import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED, READY
from mlroles.checks.functions import call_safely
from mlroles.exercises import ex2


def reference_like(scenario):
    if scenario["inputs_at_request_time"] or scenario["freshness"] == "seconds":
        return "online"
    if scenario["freshness"] == "minutes" and scenario["late_cost"] == "high":
        return "online"
    return "batch"


def test_serving_right_function_agrees_everywhere():
    result = ex2.serving.check(reference_like)
    assert result.status == CORRECT and result.correct == len(ex2.practice_scenarios())


def test_serving_wrong_function_lists_disagreements_with_reasons():
    result = ex2.serving.check(lambda s: "batch")
    online = ex2.practice_scenarios().query("expected_mode == 'online'").index
    assert result.status == INCORRECT and sorted(result.wrong) == sorted(online)
    first = next(line for line in result.lines if line.startswith(online[0]))
    assert "says batch, the reference says online" in first and "Read: lesson" in first


@pytest.mark.parametrize("fn, expected", [
    (lambda s: "Online ", "returned 'Online ', which is not a label; return exactly 'online'"),
    (lambda s: "real-time", "returned 'real-time', which is not a label; return exactly 'online'"),
    (lambda s: None, "returned None: did you forget a return statement?"),
    (lambda s: 1 / 0, "raised ZeroDivisionError: division by zero"),
    (lambda s: s["no_such_column"], "raised KeyError"),
    (lambda s: ["batch"], "returned ['batch'] (a list)"),
])
def test_serving_bad_functions_get_learner_worded_messages(fn, expected):
    result = ex2.serving.check(fn)
    assert result.status == INVALID
    assert expected in result.lines[0]


def test_a_function_that_hangs_is_stopped_per_call():
    def slow(scenario):
        if scenario["freshness"] == "weekly":
            while True:
                pass
        return "batch"
    question = ex2.serving
    start = time.perf_counter()
    out = question.run(slow)
    assert time.perf_counter() - start < 1.5 * question.timeout * max(1, (question.rows["freshness"] == "weekly").sum()) + 3
    weekly = question.rows.index[question.rows["freshness"] == "weekly"]
    assert all(out.loc[i, "problem"] == "took longer than 1 s" for i in weekly)
    assert (out.drop(index=weekly)["answer"] == "batch").all()


def test_serving_hints_start_from_the_first_scenario_the_function_gets_wrong():
    question = ex2.ServingQuestion("Serving", ex2.serving.rows, ex2.MODE_LABELS, key=ex2.serving.key,
                                   hints=ex2.SERVING_HINTS, function_name="choose_serving_mode")
    assert question.hint(1) == f"Hint 1 of 3: {ex2.SERVING_HINTS[0]} (ask again for a stronger hint)"
    result = question.check(lambda s: "online" if s["inputs_at_request_time"] else "batch")
    first = result.wrong[0]
    assert question.hint().startswith(f"Hint 1 of 3: {len(result.wrong)} practice scenarios disagree with the reference. "
                                      f"Start with {first}: your function says batch for a latency budget of ")
    assert question.hint() == f"Hint 2 of 3: {ex2.SERVING_HINTS[2]} (ask again for a stronger hint)"
    assert question.hint() == (f'Hint 3 of 3: Try your function on that scenario alone: '
                               f'choose_serving_mode(ex2.practice_scenarios().loc["{first}"]).')
    question.check(lambda s: s["freshnes"])
    assert question.hint().startswith(f"Hint 1 of 2: Start with {question.rows.index[0]}: choose_serving_mode raised "
                                      "KeyError: 'freshnes'.")
    question.check(reference_like)
    assert question.hint().startswith("Hint 1 of 1: Your function agrees on every practice scenario.")


def test_not_written_and_not_a_function():
    def stub(scenario):
        raise NotImplementedError()
    assert ex2.serving.check(stub).status == NOT_ATTEMPTED
    assert ex2.serving.check(None).status == NOT_ATTEMPTED
    result = ex2.serving.check("online")
    assert result.status == INVALID and "expected a function" in result.headline


def test_graded_serving_check_reports_validity_only():
    assert ex2.serving_graded.check(reference_like).status == READY
    assert ex2.serving_graded.check(lambda s: "Batch").status == INVALID


def test_calls_are_quiet(capfd):
    def noisy(_):
        import sys, warnings
        print("hello"); print("oops", file=sys.stderr); warnings.warn("careful")
        return "batch"
    assert call_safely(noisy, None) == ("batch", None)
    assert capfd.readouterr().err == ""


def test_explorer_runs_the_learners_function_and_updates():
    explorer = ex2.serving_explorer(reference_like)
    explorer.set(inputs_at_request_time=False, freshness="daily", late_cost="high")
    assert "decides: <b>batch</b>" in explorer.decision.value
    explorer.set(inputs_at_request_time=True)
    assert "decides: <b>online</b>" in explorer.decision.value
    broken = ex2.serving_explorer(lambda s: 1 / 0)
    assert "raised ZeroDivisionError" in broken.decision.value


def test_handoff_questions_right_and_wrong():
    key = ex2.handoff.key
    assert ex2.handoff.check(dict(key)).status == CORRECT
    first = next(iter(key))
    other = {"data_scientist": "shared", "ml_engineer": "shared", "shared": "ml_engineer"}
    assert ex2.handoff.check(dict(key, **{first: other[key[first]]})).wrong == [first]
    assert len(ex2.handoff_graded.items) >= 10
    assert ex2.handoff_graded.check({i: "shared" for i in ex2.handoff_graded.items}).status == READY


GOOD_SCHEMA = {"request_id": "str", "use_case": "str", "model_version": "str", "serving_mode": "str",
               "requested_at": "datetime64[us, UTC]", "scored_at": "datetime64[us, UTC]", "entity_id": "str",
               "score": "float64", "prediction": "int64", "latency_ms": "float64", "label": "Int64",
               "label_at": "datetime64[us, UTC]"}


def unify_like_the_solution(batch_output, online_requests, schema=GOOD_SCHEMA):
    started = pd.to_datetime(batch_output["run_started"], utc=True)
    written = pd.to_datetime(batch_output["written_at"], utc=True)
    batch = pd.DataFrame({
        "request_id": "batch-" + batch_output["run_started"].str[:10] + "-" + batch_output["customer_id"],
        "use_case": "churn_weekly", "model_version": batch_output["model"], "serving_mode": "batch",
        "requested_at": started, "scored_at": written, "entity_id": batch_output["customer_id"],
        "score": batch_output["churn_score"], "prediction": batch_output["will_churn"].astype("int64"),
        "latency_ms": (written - started).dt.total_seconds() * 1000})
    received = pd.to_datetime(online_requests["received_epoch_s"], unit="s", utc=True)
    online = pd.DataFrame({
        "request_id": online_requests["request_id"], "use_case": "fraud_checkout",
        "model_version": online_requests["model_version"], "serving_mode": "online", "requested_at": received,
        "scored_at": received + pd.to_timedelta(online_requests["latency_s"], unit="s"),
        "entity_id": online_requests["order_id"], "score": online_requests["fraud_probability"],
        "prediction": online_requests["blocked"].astype("int64"), "latency_ms": online_requests["latency_s"] * 1000})
    log = pd.concat([batch, online], ignore_index=True)
    log["label"] = pd.NA if schema["label"] == "Int64" else float("nan")
    log["label_at"] = pd.Series(pd.NaT, index=log.index, dtype="datetime64[us, UTC]")
    return log.astype(schema)


@pytest.fixture(scope="module")
def unified():
    return unify_like_the_solution(*ex2.raw_inputs())


def test_schema_question_right_and_wrong():
    assert ex2.schema.check(GOOD_SCHEMA).status == CORRECT
    result = ex2.schema.check({k: v for k, v in GOOD_SCHEMA.items() if k != "model_version"} | {"score": "str"})
    assert result.status == INVALID
    assert "'model_version' is missing: it is needed to compare a metric before and after a model change." in result.lines
    assert "'score' is declared as 'str'; it needs a float dtype, such as 'float64'." in result.lines
    assert ex2.schema.check(None).status == NOT_ATTEMPTED
    assert ex2.schema.check(["score"]).status == INVALID


def test_log_validation_says_how_to_convert(unified):
    log = ex2.load_log()
    assert ex2.unified.check(unified, GOOD_SCHEMA).status == CORRECT
    broken = log.assign(score=log["score"].astype(str)).drop(columns=["label_at"])
    problems = prediction_log.validate_log(broken, GOOD_SCHEMA)
    assert "column 'label_at' is missing from the DataFrame." in problems
    assert "column 'score' is str, but the schema says float64; convert it with pd.to_numeric(...)." in problems
    assert ex2.unified.check(None, GOOD_SCHEMA).status == NOT_ATTEMPTED


def test_raw_inputs_keep_every_prediction():
    log = ex2.load_log()
    batch, online = ex2.raw_inputs(log)
    assert len(batch) + len(online) == len(log)
    assert set(batch.columns) == {"customer_id", "run_started", "written_at", "churn_score", "will_churn", "model"}
    assert (online["latency_s"] * 1000 - log.loc[log["serving_mode"] == "online", "latency_ms"].to_numpy()).abs().max() < 0.06


# --- hints for the schema and the unified log ----------------------------------------

def test_schema_hints_escalate():
    question = ex2.SchemaQuestion()
    first, second = question.hint(), question.hint()
    assert first.startswith("Hint 1 of 3: Think of two readers") and first.endswith("(ask again for a stronger hint)")
    assert second.startswith("Hint 2 of 3: ") and second != first
    assert question.hint(1) == first and question.hint(3).startswith("Hint 3 of 3: ")
    assert ex2.schema.hint(2) != ex2.schema.hint(1)


def test_log_hint_exists_before_any_check():
    assert ex2.unified.hint(1).startswith("Hint 1 of ")    # raised AttributeError before
    hint = ex2.LogQuestion().hint()
    assert hint.startswith("Hint 1 of 2: Write unify_logs and check what it returns with ex2.unified.check(")


def test_log_hints_start_from_the_first_missing_column_and_escalate():
    log = ex2.load_log()
    question = ex2.LogQuestion()
    question.check(log.drop(columns=["label_at"]), GOOD_SCHEMA)
    first, second = question.hint(), question.hint()
    assert first.startswith("Hint 1 of 3: Start with 'label_at': your DataFrame has no column of that name.")
    assert second == ('Hint 2 of 3: Create it empty, with its dtype, so that pandas does not guess one: '
                      'pd.Series(pd.NaT, index=<your DataFrame>.index, dtype="datetime64[us, UTC]"). '
                      "(ask again for a stronger hint)")
    assert question.hint().startswith("Hint 3 of 3: ") and question.hint().startswith("Hint 3 of 3: ")
    assert question.hint(1) == first
    # the learner fixes that column; the next problem is a renamed one, and the hints start again from hint 1
    question.check(log.drop(columns=["entity_id"]), GOOD_SCHEMA)
    assert question.hint() == ("Hint 1 of 3: Start with 'entity_id': your DataFrame has no column of that name. "
                               "In the batch output, it comes from customer_id; in the online log, it comes from "
                               "order_id. (ask again for a stronger hint)")


def test_log_hints_start_from_the_first_column_with_another_dtype(unified):
    log = unified
    question = ex2.LogQuestion()
    question.check(log.assign(scored_at=log["scored_at"].dt.as_unit("ns")), GOOD_SCHEMA)
    assert question.hint().startswith("Hint 1 of 3: Start with 'scored_at': it is datetime64[ns, UTC] in your "
                                      "DataFrame, and the schema says datetime64[us, UTC]. The kind is right; the "
                                      "unit is ns instead of us.")
    assert question.hint().startswith("Hint 2 of 3: For 'scored_at', only the unit differs: add "
                                      '.dt.as_unit("us"), or use .astype("datetime64[us, UTC]").')
    question.check(log.assign(prediction=log["prediction"].astype(bool)), GOOD_SCHEMA)
    assert question.hint(2).startswith('Hint 2 of 3: For \'prediction\', convert True and False to 1 and 0 with '
                                       '.astype("int64").')
    question.check(log, GOOD_SCHEMA)
    assert question.hint(1).startswith("Hint 1 of 2: Your DataFrame has every column with its declared dtype, and its "
                                       "ids, values, times and latencies agree with the course log.")


def test_log_check_survives_repeated_columns():
    log = ex2.load_log()
    twice = pd.concat([log, log[["score"]]], axis=1)
    result = ex2.LogQuestion().check(twice, GOOD_SCHEMA)
    assert result.status == INVALID and "column 'score' appears 2 times; keep one of them." in result.lines


# --- dtype advice that pandas can follow ---------------------------------------------

def _one_column(values, dtype):
    (problem,) = prediction_log.validate_log(pd.DataFrame({"c": values}), {"c": dtype})
    return problem


def test_dtype_advice_when_only_the_unit_differs():
    values = pd.to_datetime(pd.Series(["2024-03-01 10:00:00"] * 3), utc=True).dt.as_unit("ns")
    assert _one_column(values, "datetime64[us, UTC]") == (
        "column 'c' is datetime64[ns, UTC], but the schema says datetime64[us, UTC]; only the unit differs: "
        'add .dt.as_unit("us"), or use .astype("datetime64[us, UTC]").')
    assert str(values.dt.as_unit("us").dtype) == str(values.astype("datetime64[us, UTC]").dtype) == "datetime64[us, UTC]"
    assert 'add .dt.as_unit("ms")' in _one_column(values, "datetime64[ms, UTC]")


@pytest.mark.parametrize("have, want", [("int64", "Int64"), ("Int64", "int64")])
def test_dtype_advice_when_only_the_nullability_differs(have, want):
    values = pd.Series([1, 0, 1], dtype=have)
    assert _one_column(values, want) == (f"column 'c' is {have}, but the schema says {want}; only the nullability "
                                         f'differs: convert it with .astype("{want}").')
    assert str(values.astype(want).dtype) == want


def test_dtype_advice_for_a_column_of_missing_times_without_a_time_zone():
    values = pd.Series(pd.NaT, index=range(3))              # what log["label_at"] = pd.NaT gives
    with pytest.raises(TypeError):
        values.astype("datetime64[us, UTC]")                 # so .astype alone is not advice for this column
    problem = _one_column(values, "datetime64[us, UTC]")
    assert problem == (
        "column 'c' is datetime64[ns], but the schema says datetime64[us, UTC]; it holds only missing times and has "
        "no time zone, and .astype cannot add one to a datetime column: make it with "
        'pd.Series(pd.NaT, index=<your DataFrame>.index, dtype="datetime64[us, UTC]"), or add '
        '.dt.tz_localize("UTC").dt.as_unit("us").')
    assert str(pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]").dtype) == "datetime64[us, UTC]"
    assert str(values.dt.tz_localize("UTC").dt.as_unit("us").dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("values", [pd.Series([None] * 3), pd.Series([float("nan")] * 3)])
def test_dtype_advice_for_a_column_of_missing_values_of_another_kind(values):
    problem = _one_column(values, "datetime64[us, UTC]")
    assert 'it holds only missing values: convert it with .astype("datetime64[us, UTC]")' in problem
    assert str(values.astype("datetime64[us, UTC]").dtype) == "datetime64[us, UTC]"


def test_dtype_advice_for_times_without_a_time_zone_and_for_text_times():
    naive = pd.to_datetime(pd.Series(["2024-03-01 10:00:00"] * 3)).dt.as_unit("ns")
    assert _one_column(naive, "datetime64[us, UTC]").endswith(
        'its times have no time zone, and .astype cannot add one: if they are in UTC, add '
        '.dt.tz_localize("UTC").dt.as_unit("us").')
    assert str(naive.dt.tz_localize("UTC").dt.as_unit("us").dtype) == "datetime64[us, UTC]"
    text = pd.Series(["2024-03-01 10:00:00"] * 3)
    assert _one_column(text, "datetime64[us, UTC]").endswith('convert it with pd.to_datetime(..., utc=True).dt.as_unit("us").')


# --- the graded scenarios table --------------------------------------------------------

def test_modes_table_shows_the_graded_drivers_and_what_the_function_decides():
    table = ex2.modes_table(reference_like)
    graded = ex2.graded_scenarios()
    assert list(table.index) == list(graded.index) and len(table) == 14
    assert list(table.columns) == ex2.SCENARIO_COLUMNS + ["your function decides"]   # no problem, no column
    pd.testing.assert_frame_equal(pd.DataFrame(table[ex2.SCENARIO_COLUMNS]), graded)
    assert not {"expected_mode", "rationale", "pool"} & set(table.columns)       # never the answers
    assert table["your function decides"].tolist() == graded.apply(reference_like, axis=1).tolist()
    assert table.answers == dict(table["your function decides"])
    broken = ex2.modes_table(lambda s: 1 / 0)
    assert set(broken["your function decides"]) == {"—"} and broken["problem"].str.startswith("raised").all()

    def not_written(scenario):
        raise NotImplementedError()
    blank = ex2.modes_table(not_written)     # the check says it once; the table stays narrow
    assert "problem" not in blank.columns and set(blank["your function decides"]) == {"—"}


# --- the unified log's values, the schema's label ---------------------------------------

def sloppy_unify(batch_output, online_requests):
    """What a learner in a hurry writes: customer ids as request ids, seconds as milliseconds, no online latency."""
    log = unify_like_the_solution(batch_output, online_requests)
    batch, online = log["serving_mode"] == "batch", log["serving_mode"] == "online"
    log.loc[batch, "request_id"] = log.loc[batch, "entity_id"]
    log["latency_ms"] = log["latency_ms"] / 1000
    log.loc[online, "scored_at"] = log.loc[online, "requested_at"]
    return log


def test_log_check_reads_values_times_and_latencies_not_only_dtypes():
    question = ex2.LogQuestion()
    result = question.check(sloppy_unify(*ex2.raw_inputs()), GOOD_SCHEMA)
    assert result.status == INVALID or result.status == INCORRECT
    assert not result.passed
    text = "\n".join(result.lines)
    assert "3,254 rows have a request_id that is missing or shared with another row (for example 'cust-00093')" in text
    assert ("3,280 of the 3,280 batch rows have a latency_ms that is not the time from run_started to written_at in "
            "milliseconds: they are 1,000 times too small, as seconds would be, so multiply by 1000.") in text
    assert "9,680 of the 9,680 online rows have a latency_ms that is not latency_s in milliseconds" in text
    assert "online rows have another scored_at than the raw log: they equal requested_at, so add the latency." in text
    # the hints start from the rows that fail, then say where the value comes from
    first, second = question.hint(), question.hint()
    assert first.startswith("Hint 1 of 3: Start with 'request_id': 3,254 rows have a request_id")
    assert '"batch-" + batch_output["run_started"].str[:10] + "-" + batch_output["customer_id"]' in second


def test_log_check_finds_shifted_times_labels_and_missing_rows(unified):
    shifted = unified.assign(requested_at=unified["requested_at"] + pd.Timedelta(hours=2))
    (line,) = [l for l in ex2.LogQuestion().check(shifted, GOOD_SCHEMA).lines if "requested_at" in l and "batch" in l]
    assert line == ("3,280 of the 3,280 batch rows have another requested_at than the raw log: they are 2 hour(s) later "
                    "than the raw times, which are UTC, so read them with utc=True and do not shift them.")
    orders = unified.assign(entity_id=unified["entity_id"].where(unified["serving_mode"] == "batch", unified["request_id"]))
    assert ex2.LogQuestion().check(orders, GOOD_SCHEMA).lines == [
        "9,680 of the 9,680 online rows have an entity_id that is not one of the raw log's order_id values."]
    labelled = unified.assign(label=pd.array([0] * len(unified), dtype="Int64"))
    assert any("have a label, which should still be missing" in l for l in ex2.LogQuestion().check(labelled, GOOD_SCHEMA).lines)
    question = ex2.LogQuestion()
    result = question.check(unified.iloc[::2], GOOD_SCHEMA)
    assert result.lines == ["your DataFrame has 1,640 of churn_weekly / batch, 4,840 of fraud_checkout / online; the two "
                            "raw logs hold 3,280 of churn_weekly / batch, 9,680 of fraud_checkout / online. Each raw row "
                            "becomes one row, with use_case and serving_mode named as the task says."]
    assert question.hint().startswith("Hint 1 of 2: Start with the row counts: your DataFrame has 1,640")


def test_a_float_label_does_not_pass_where_the_course_log_uses_Int64():
    floats = dict(GOOD_SCHEMA, label="float64")
    result = ex2.SchemaQuestion().check(floats)
    assert result.status == INVALID and result.lines == [
        "'label' is declared as 'float64'; it needs a nullable integer dtype, such as 'Int64' (a float label turns 1 "
        "into 1.0 and would also hold 0.5)."]
    assert prediction_log.check_schema(dict(GOOD_SCHEMA, label="int64"))[0].endswith(
        "(int64 cannot hold a missing value, and most labels are still missing).")
    question = ex2.LogQuestion()
    result = question.check(unify_like_the_solution(*ex2.raw_inputs(), schema=floats), floats)
    assert not result.passed and result.lines[0].startswith("In LOG_SCHEMA, 'label' is declared as 'float64'")
    assert question.hint().startswith("Hint 1 of 2: Start with LOG_SCHEMA itself: 'label' is declared as 'float64'")


def test_the_solution_log_passes_and_matches_what_grading_reads(unified):
    from mlroles import graded_inputs

    assert prediction_log.compare_with_log(unified, ex2.load_log()) == []
    (batch, online), = graded_inputs.unify().values()          # other rows, the same checks
    assert prediction_log.compare_with_log(unify_like_the_solution(batch, online), graded_inputs.unify_reference()) == []


def test_schema_hints_start_from_the_fields_that_fail():
    question = ex2.SchemaQuestion()
    assert question.hint(1).startswith("Hint 1 of 3: Think of two readers")       # before any check: the rule
    question.check({k: v for k, v in GOOD_SCHEMA.items() if k not in ("model_version", "label_at")})
    assert question.hint() == ("Hint 1 of 3: Start with 'model_version': your schema has no such field, and it is needed "
                               "to compare a metric before and after a model change. In the batch output, it comes from "
                               "model; in the online log, it comes from model_version. (ask again for a stronger hint)")
    assert question.hint().startswith("Hint 2 of 3: 1 more field(s) to fix after that: 'label_at'.")
    question.check(dict(GOOD_SCHEMA, label="float64"))
    assert question.hint().startswith("Hint 1 of 3: Start with 'label': you declared 'float64', but it is a 0 or 1 that "
                                      'stays missing until the outcome arrives: "Int64"')
    question.check(GOOD_SCHEMA)
    assert question.hint().startswith("Hint 1 of 1: Your schema holds every field")


# --- log_metrics and compare_versions: shape, figures, hints ----------------------------

def metrics_like_the_solution(log, thresholds):
    out = {}
    for (use_case, mode), rows in log.groupby(["use_case", "serving_mode"]):
        labelled = rows[rows["label"].notna()]
        flagged = labelled["score"] >= thresholds[use_case]
        positive = labelled["label"] == 1
        caught = (flagged & positive).sum()
        out[(use_case, mode)] = {
            "rows": len(rows), "label_coverage": len(labelled) / len(rows),
            "precision": caught / flagged.sum() if flagged.sum() else float("nan"),
            "recall": caught / positive.sum() if positive.sum() else float("nan"),
            "latency_p50": rows["latency_ms"].quantile(0.5), "latency_p95": rows["latency_ms"].quantile(0.95)}
    return pd.DataFrame.from_dict(out, orient="index").rename_axis(["use_case", "serving_mode"])


def versions_like_the_solution(log, use_case, threshold):
    table = metrics_like_the_solution(log[log["use_case"] == use_case].assign(use_case="x", serving_mode=log["model_version"]),
                                      {"x": threshold})
    return table.droplevel("use_case").rename_axis("model_version")[ex2.VERSION_COLUMNS]


def test_the_checks_figures_are_the_lessons():
    from mlroles.lessons import l3_ml_engineer as l3
    from mlroles.lessons import l4_handoff as l4

    fraud = ex2._course_figures("versions", "fraud_checkout at 0.7")
    lesson4 = l4.version_metrics(ex2.load_log(), 0.7)
    assert fraud["rows"].tolist() == lesson4["orders"].tolist()
    for mine, theirs in (("label_coverage", "coverage"), ("precision", "precision"), ("recall", "recall")):
        assert (fraud[mine] - lesson4[theirs]).abs().max() < 1e-12
    metrics = ex2._course_figures("metrics", "the course log at ex2.THRESHOLDS")
    churn, online = metrics.loc[("churn_weekly", "batch")], metrics.loc[("fraud_checkout", "online")]
    assert (round(churn["precision"], 2), round(churn["recall"], 2)) == (0.70, 0.77)          # lesson 2's figures
    latency = l3.online_requests(ex2.load_log())["latency_ms"]
    assert (online["latency_p50"], online["latency_p95"]) == (latency.quantile(0.5), latency.quantile(0.95))  # lesson 3's
    assert online["rows"] == lesson4["orders"].sum()


def test_the_worked_solutions_pass_the_checks_and_give_the_stated_shape(repo):
    import nbformat

    nb = nbformat.read(repo / "solutions" / "ex2_serving_handoff" / "ex2_serving_handoff.ipynb", as_version=4)
    namespace = {"pd": pd}
    for grade_id in ("metrics_answer", "versions_answer"):
        (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
        exec(cell.source, namespace)
    assert ex2.metrics.check(namespace["log_metrics"]).status == CORRECT
    assert ex2.versions.check(namespace["compare_versions"]).status == CORRECT
    table = namespace["log_metrics"](ex2.load_log(), ex2.THRESHOLDS)
    assert table.index.names == ["use_case", "serving_mode"] and list(table.columns) == ex2.METRIC_COLUMNS
    assert str(table["rows"].dtype) == "int64" and all(str(table[c].dtype) == "float64" for c in ex2.METRIC_COLUMNS[1:])
    versions = namespace["compare_versions"](ex2.load_log(), "fraud_checkout", 0.95)
    assert versions.index.name == "model_version" and versions["precision"].isna().all() and (versions["recall"] == 0).all()


def test_metric_checks_right_answers():
    assert ex2.metrics.check(metrics_like_the_solution).status == CORRECT
    assert ex2.versions.check(versions_like_the_solution).status == CORRECT
    assert ex2.MetricTableQuestion("m", "metrics", "log_metrics", ex2.METRIC_CALLS, ex2.METRIC_INDEX,
                                   ex2.METRIC_COLUMNS, "").hint().startswith("Hint 1 of 2: Write log_metrics and check it")


def test_a_flat_table_and_a_division_by_zero_are_named():
    def flat(log, thresholds):
        rows = []
        for (use_case, mode), g in log.groupby(["use_case", "serving_mode"]):
            labelled = g[g["label"].notna()]
            flagged, fraud = labelled["score"] >= thresholds[use_case], labelled["label"] == 1
            rows.append({"use_case": use_case, "serving_mode": mode, "rows": len(g),
                         "label_coverage": len(labelled) / len(g),
                         "precision": int((flagged & fraud).sum()) / int(flagged.sum()),
                         "recall": int((flagged & fraud).sum()) / int(fraud.sum()),
                         "latency_p50": g["latency_ms"].quantile(0.5), "latency_p95": g["latency_ms"].quantile(0.95)})
        return pd.DataFrame(rows)
    question = ex2.metrics
    result = question.check(flat)
    assert result.status == INVALID and result.lines == [
        "On the course log: use_case and serving_mode are columns, and the index holds 0, 1: grading finds each row by "
        "its index, so end with .set_index(['use_case', 'serving_mode']).",
        "On the course log with the fraud threshold at 0.95, log_metrics raised ZeroDivisionError: division by zero (no "
        "labelled order is flagged there: return NaN for precision)."]
    assert question.hint().startswith("Hint 1 of 2: Start with the table's shape: use_case and serving_mode are columns")


def test_a_wrong_figure_gets_the_counts_behind_the_right_one():
    def unlabelled_count_as_zero(log, thresholds):
        table = metrics_like_the_solution(log, thresholds)
        for (use_case, mode), rows in log.groupby(["use_case", "serving_mode"]):
            flagged = rows["score"] >= thresholds[use_case]
            table.loc[(use_case, mode), "precision"] = (flagged & (rows["label"] == 1).fillna(False)).sum() / flagged.sum()
        return table
    question = ex2.MetricTableQuestion("log_metrics", "metrics", "log_metrics", ex2.METRIC_CALLS, ex2.METRIC_INDEX,
                                       ex2.METRIC_COLUMNS, "build")
    result = question.check(unlabelled_count_as_zero)
    assert result.status == INCORRECT
    assert result.lines[0] == "On the course log, churn_weekly / batch: precision is 0.5180; it should be 0.7000."
    assert question.hint() == (
        "Hint 1 of 3: Start with precision for churn_weekly / batch: 2,234 of the 3,280 predictions of churn_weekly / "
        "batch have a label; 370 of those have a score of 0.5 or more, and 259 of these have label 1, so precision is "
        "259 / 370 = 0.7000. Yours is 0.5180, which is what dividing by all 500 flagged predictions gives, unlabelled "
        "ones counted as label 0: keep only the labelled predictions first. (ask again for a stronger hint)")
    assert question.hint().startswith('Hint 2 of 3: Keep the labelled rows first: labelled = rows[rows["label"].notna()]')


def test_zero_instead_of_nan_and_figures_typed_in_by_hand_are_caught():
    def zero_when_nothing_flagged(log, thresholds):
        return metrics_like_the_solution(log, thresholds).fillna(0.0)
    question = ex2.MetricTableQuestion("log_metrics", "metrics", "log_metrics", ex2.METRIC_CALLS, ex2.METRIC_INDEX,
                                       ex2.METRIC_COLUMNS, "build")
    result = question.check(zero_when_nothing_flagged)
    assert result.lines == ["On the course log with the fraud threshold at 0.95, fraud_checkout / online: precision is "
                            "0.0000; it should be NaN."]
    assert "none of the 6,485 labelled predictions of fraud_checkout / online is flagged" in question.hint()
    typed_in = metrics_like_the_solution(ex2.load_log(), ex2.THRESHOLDS)
    assert ex2.metrics.check(lambda log, thresholds: typed_in).status == INCORRECT


def test_version_shapes_that_grading_cannot_read():
    def two_levels(log, use_case, threshold):
        return versions_like_the_solution(log, use_case, threshold).assign(use_case=use_case) \
            .set_index("use_case", append=True).swaplevel()
    assert ex2.versions.check(two_levels).lines == [
        "On the course log: the index has 2 level(s) (['use_case', 'model_version']) and holds ('fraud_checkout', "
        "'fraud-v7'), ('fraud_checkout', 'fraud-v8'); it needs 1: 'model_version' (.droplevel('use_case') removes "
        "the other)."]
    def transposed(log, use_case, threshold):           # pd.DataFrame(dict_of_dicts).T: every column float64
        return versions_like_the_solution(log, use_case, threshold).astype("float64")
    assert ex2.versions.check(transposed).lines == [
        "On the course log: column 'rows' is float64; make it int64 (counts are whole numbers): "
        '.astype({"rows": "int64"}).']
    unnamed = ex2.versions.check(lambda log, u, t: versions_like_the_solution(log, u, t).rename_axis(None))
    assert unnamed.lines == ["On the course log: the index levels are named [None]; name them 'model_version' with "
                             ".rename_axis('model_version')."]
    every_use_case = ex2.versions.check(lambda log, u, t: versions_like_the_solution(log.assign(use_case=u), u, t))
    assert every_use_case.lines == ["On the course log: the index also holds 'churn-v3': one row per version of the use "
                                    "case asked for: keep only its rows first."]


def test_figures_from_the_prediction_column_are_caught_where_the_threshold_moves():
    def from_the_decision(log, use_case, threshold):
        table = versions_like_the_solution(log, use_case, threshold)
        for version, rows in log[(log["use_case"] == use_case) & log["label"].notna()].groupby("model_version"):
            decided, fraud = rows["prediction"] == 1, rows["label"] == 1
            table.loc[version, "precision"] = (decided & fraud).sum() / decided.sum()
            table.loc[version, "recall"] = (decided & fraud).sum() / fraud.sum()
        return table.rename_axis("model_version")
    question = ex2.MetricTableQuestion("compare_versions", "versions", "compare_versions", ex2.VERSION_CALLS,
                                       ["model_version"], ex2.VERSION_COLUMNS, "build")
    result = question.check(from_the_decision)
    assert result.status == INCORRECT and all(line.startswith("On fraud_checkout at 0.95, ") for line in result.lines)
    assert "Yours is 0.7744, which is what the prediction column gives" in question.hint()


def test_the_figures_of_a_table_in_another_shape_are_checked_too():
    result = ex2.metrics.check(lambda log, t: metrics_like_the_solution(log, t).reset_index().assign(precision=0.5))
    assert result.lines[0].startswith("On the course log: use_case and serving_mode are columns")
    assert "On the course log, churn_weekly / batch: precision is 0.5000; it should be 0.7000." in result.lines


def test_metric_checks_survive_functions_that_change_their_input_or_hang():
    def vandal(log, thresholds):
        log["label"] = pd.NA
        log.drop(log.index, inplace=True)
        return metrics_like_the_solution(ex2.load_log(), thresholds)
    assert ex2.metrics.check(vandal).status == CORRECT         # each call gets its own copy of the log

    def hangs(log, thresholds):
        while True:
            pass
    quick = ex2.MetricTableQuestion("log_metrics", "metrics", "log_metrics", ex2.METRIC_CALLS, ex2.METRIC_INDEX,
                                    ex2.METRIC_COLUMNS, "build", timeout=0.5)
    start = time.perf_counter()
    result = quick.check(hangs)
    assert time.perf_counter() - start < 5 and "took longer than 0.5 s" in result.lines[0]

    def stub(log, thresholds):
        raise NotImplementedError()
    assert ex2.metrics.check(stub).status == NOT_ATTEMPTED


# --- the handoff note's draft check ------------------------------------------------------

def test_note_draft_check_points_at_the_part_a_draft_leaves_out(repo):
    import nbformat

    nb = nbformat.read(repo / "solutions" / "ex2_serving_handoff" / "ex2_serving_handoff.ipynb", as_version=4)
    (exemplar,) = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "handoff_note"]
    assert ex2.NOTE.check(exemplar).status == READY
    assert ex2.NOTE.check("YOUR ANSWER HERE").status == NOT_ATTEMPTED
    one_sided = ("The data scientist owns the label, the metric and the evaluation of version 8 before it ships, and "
                 "reads what its precision and recall mean once outcomes arrive (Data Team Roles Explained, 25:27). ") * 6
    result = ex2.NOTE.check(one_sided)
    assert not result.passed
    assert any("how it runs, changes and fails" in line for line in result.lines)
    assert any("what the two must agree on together" in line for line in result.lines)
    assert not any("what the model means" in line for line in result.lines)
