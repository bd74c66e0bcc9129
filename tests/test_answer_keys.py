"""Graded keys exist for every graded item on the instructor's side, and nowhere a learner can read."""
from importlib import resources

import pytest

from mlroles import data
from mlroles.instructor import leak_scan
from mlroles.instructor.answer_keys import AnswerKeyError, load_graded_keys



def test_every_graded_item_has_a_complete_key(keys):
    assert len(keys["responsibilities"]) >= 16
    assert set(keys) == {"responsibilities", "serving_scenarios", "job_ads", "team_scenarios", "handoff_artifacts"}
    assert len(keys["handoff_artifacts"]) >= 10
    for name, table in keys.items():
        assert not table.isna().any().any(), name


def test_counts_over_both_pools(keys):
    items = data.load_responsibilities()
    owners = items.set_index("responsibility_id")["owner"].fillna(keys["responsibilities"]["owner"])
    assert owners.notna().all()
    assert owners.value_counts().min() >= 12
    assert set(owners) == set(data.OWNERS)


def test_a_key_for_an_ungraded_item_is_refused(repo, tmp_path):
    text = (repo / "solutions" / "graded_keys.csv").read_text()
    practice = data.load_responsibilities().query("pool == 'practice'")["responsibility_id"].iloc[0]
    (tmp_path / "k.csv").write_text(text + f"responsibilities,{practice},owner,shared\n")
    with pytest.raises(AnswerKeyError, match=f"keys for items that are not graded: {practice}"):
        load_graded_keys(tmp_path / "k.csv")


def test_a_missing_key_is_named(repo, tmp_path):
    lines = (repo / "solutions" / "graded_keys.csv").read_text().splitlines()
    dropped = next(line for line in lines if line.startswith("team_scenarios,") and ",next_need," in line)
    (tmp_path / "k.csv").write_text("\n".join(l for l in lines if l != dropped) + "\n")
    item = dropped.split(",")[1]
    with pytest.raises(AnswerKeyError, match=f"team_scenarios {item} has no next_need"):
        load_graded_keys(tmp_path / "k.csv")


LEARNER_SIDE = ("exercises", "datasets", "mlroles")
TEXT = {".py", ".ipynb", ".csv", ".md", ".json", ".txt", ".html", ".cfg", ".toml", ".yml"}


def learner_files(repo):
    for folder in LEARNER_SIDE:
        for path in (repo / folder).rglob("*"):
            if path.is_file() and path.suffix in TEXT:
                yield path
    package = resources.files("mlroles")
    for path in package.rglob("*") if hasattr(package, "rglob") else []:
        if path.is_file() and path.suffix in TEXT:
            yield path


def test_no_graded_key_is_readable_from_what_learners_receive(repo, keys):
    """No rationale of a graded item, and no item id written next to its graded label (mlroles.instructor.leak_scan)."""
    texts = {path: path.read_text(encoding="utf-8", errors="ignore") for path in learner_files(repo)}
    assert any(p.name == "responsibilities.csv" for p in texts)  # the scan does read the datasets
    assert leak_scan.findings(texts, keys) == []
    assert not (repo / "datasets" / "graded_keys.csv").exists()
    assert not resources.files("mlroles.datasets").joinpath("graded_keys.csv").is_file()


def test_the_leak_scan_finds_a_planted_rationale_and_a_paired_label(keys, tmp_path):
    table = keys["responsibilities"]
    item = table.index[0]
    (tmp_path / "notes.md").write_text(f"Remember: {table.loc[item, 'rationale']}")
    (tmp_path / "answers.json").write_text(f'{{"{item}": "{table.loc[item, "owner"]}"}}')
    found = leak_scan.scan(tmp_path, keys)
    assert any("notes.md: holds the graded rationale" in f for f in found), found
    assert any(f"answers.json: pairs {item} with its graded owner" in f for f in found), found
