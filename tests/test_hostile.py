"""Hostile and broken submissions (tests/hostile/cases.csv): each one gets exactly the points and
the status written in the table, the run completes for everyone, feedback is produced where a
notebook exists, and no feedback page shows a graded key, a hidden-test line or a rubric."""
import csv
import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest

from mlroles import cohort, cohort_report
from mlroles.answer_keys import load_graded_keys

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent / "hostile"
REPO = HERE.parents[1]
CASES = list(csv.DictReader(open(HERE / "cases.csv", encoding="utf-8")))


def load_recipes():
    spec = importlib.util.spec_from_file_location("hostile_submissions", HERE / "submissions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("hostile") / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions", course / "solutions", ignore=shutil.ignore_patterns("*.choices.json"))
    api = cohort.make_api(course)
    for assignment in cohort.source_assignments(course):
        assert api.generate_assignment(assignment, force=True)["success"]
    keys = load_graded_keys(course / "solutions" / "graded_keys.csv")
    module = load_recipes()
    recipes = module.recipes(keys)
    for case in CASES:
        release = nbformat.read(str(course / "exercises" / case["exercise"] / f"{case['exercise']}.ipynb"), 4)
        nb = recipes[case["case"]](release)
        module.write(case["case"], nb, course / "submitted" / case["case"] / case["exercise"], case["exercise"], keys)
    outcomes = cohort.grade(course, jobs=2, timeout=5)
    return course, {(o.student, o.assignment): o for o in outcomes}


def test_the_table_has_every_kind_of_attack():
    assert len(CASES) >= 30
    assert {c["case"] for c in CASES} == set(load_recipes().recipes(load_graded_keys(
        REPO / "solutions" / "graded_keys.csv")))


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_each_case_gets_exactly_its_points_and_status(graded, case):
    course, outcomes = graded
    outcome = outcomes[(case["case"], case["exercise"])]
    if case["expected_status"] == "ok":
        assert outcome.status == "ok", outcome.status
    else:
        assert case["expected_status"] in outcome.status
    _, cells = cohort_report.gradebook_tables(course)
    mine = cells[(cells["student"] == case["case"]) & cells["auto"]]
    assert float(mine["score"].sum()) == float(case["expected_points"])
    assert (mine["score"] <= mine["max_score"]).all()           # no inflated points, whatever the metadata says


def test_every_run_completed_and_feedback_is_clean(graded):
    course, outcomes = graded
    assert len(outcomes) == len(CASES)                           # nobody's failure stopped anyone else
    assert cohort.feedback(course) == 0                          # the leak scan found nothing
    for case in CASES:      # graded or not, every submission gets a page; one that failed says why
        page = course / "feedback" / case["case"] / case["exercise"] / f"{case['exercise']}.html"
        assert page.exists(), f"no feedback for {case['case']}"
        autograded = course / "autograded" / case["case"] / case["exercise"] / f"{case['exercise']}.ipynb"
        if not autograded.exists():        # nbgrader could not grade it: our page says why
            assert "could not be graded" in page.read_text() and case["expected_status"] in page.read_text()
    printed = (course / "feedback" / "print_grading_files" / "ex1_responsibilities" / "ex1_responsibilities.html")
    assert "[output removed from this feedback: it showed grading material]" in printed.read_text()
    million = course / "feedback" / "million_lines" / "ex1_responsibilities" / "ex1_responsibilities.html"
    assert million.stat().st_size < 2_000_000                    # runaway output was cut
