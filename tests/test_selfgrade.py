"""`make check-work`: a self-paced learner's own notebook graded as a cohort is, item by item."""
import hashlib
import shutil

import nbformat
import pytest

from mlroles.instructor import selfgrade
from mlroles.instructor.answer_keys import load_graded_keys
from course_helpers import OTHER
from mlroles.manifest import cell_by_grade_id

pytestmark = pytest.mark.slow


def test_a_learners_notebook_gets_a_verdict_per_item_and_stays_unchanged(repo, tmp_path, capsys):
    keys = load_graded_keys(repo / "solutions" / "graded_keys.csv")["responsibilities"]
    owners = keys["owner"].to_dict()
    wrong = sorted(owners)[:3]
    answers = {i: (OTHER[o] if i in wrong else o) for i, o in owners.items()}
    nb = nbformat.read(repo / "exercises" / "ex1_responsibilities" / "ex1_responsibilities.ipynb", as_version=4)
    cell = cell_by_grade_id(nb, "graded_answers")
    cell.source = f"graded_answers = {answers!r}"
    mine = tmp_path / "my-work" / "exercises" / "ex1_responsibilities" / "ex1_responsibilities.ipynb"
    mine.parent.mkdir(parents=True)
    nbformat.write(nb, mine)
    before = hashlib.sha256(mine.read_bytes()).hexdigest()

    assert selfgrade.main([str(mine)]) == 0
    out = capsys.readouterr().out
    assert f"{mine}: {1 + len(owners) - 3:g} of 31 points" in out
    assert f"graded_items: {len(owners) - 3:g} of {len(owners)} points" in out
    for item in wrong:
        line = next(l for l in out.splitlines() if l.strip().startswith(f"✗ {item} "))
        assert f"(the key: {owners[item]})" in line and keys.at[item, "rationale"] in line and "Read: lesson" in line
    right = next(l for l in out.splitlines() if "✓" in l and "right:" in l)
    assert all(i not in right for i in wrong) and len(right.split(":")[1].split(",")) == len(owners) - 3
    assert hashlib.sha256(mine.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in mine.parent.iterdir()) == ["ex1_responsibilities.ipynb"]


def test_bad_input_says_what_to_do(tmp_path, capsys, monkeypatch, repo):
    stray = tmp_path / "notes.ipynb"
    stray.write_text("{}")
    assert selfgrade.main([str(stray)]) == 2
    assert "not an exercise notebook of this course" in capsys.readouterr().out
    # a cohort's copy of the course has no keys: say so, grade nothing
    copy = tmp_path / "copy"
    (copy / "solutions").mkdir(parents=True)
    shutil.copy(repo / "nbgrader_config.py", copy)
    release = repo / "exercises" / "ex4_team_coverage" / "ex4_team_coverage.ipynb"
    assert selfgrade.grade_notebook(release, source=copy) == 2
    assert "needs the course's graded keys" in capsys.readouterr().out
