"""Hostile and broken submissions (tests/hostile/cases.csv): each one gets exactly the points and
the status written in the table, the run completes for everyone, feedback is produced where a
notebook exists, and no feedback page shows a graded key, a hidden-test line or a rubric."""
import codecs
import csv
import hashlib
import select
import shutil
import socket
import time
from pathlib import Path

import nbformat
import pytest

from course_helpers import REPO
from mlroles.instructor import cohort, report as cohort_report
from mlroles.instructor.answer_keys import load_graded_keys

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent / "hostile"
CASES = list(csv.DictReader(open(HERE / "cases.csv", encoding="utf-8")))


def load_recipes():
    from hostile import submissions

    return submissions


def machine_state(course: Path) -> dict:
    """What the attacks on the grading machine try to change, outside their own folders."""
    import os
    import sqlite3
    import sysconfig

    import mlroles

    package = Path(mlroles.__file__).parent
    ipython = [Path(os.environ.get("IPYTHONDIR", "~/.ipython")).expanduser(), Path("~/.ipython").expanduser()]
    state = {
        "package": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(package.glob("*.py"))},
        "sitecustomize": Path(sysconfig.get_paths()["purelib"], "sitecustomize.py").exists(),
        "ipython startup": sorted(str(p) for d in ipython for p in d.glob("profile_*/startup/00-mlroles-hostile.py")),
        "submissions": sorted(p.name for p in (course / "submitted").iterdir()),
        "keys": hashlib.sha256((course / "solutions" / "graded_keys.csv").read_bytes()).hexdigest(),
    }
    if (course / "gradebook.db").exists():
        with sqlite3.connect(course / "gradebook.db") as db:
            state["manual scores"] = db.execute("SELECT count(*) FROM grade WHERE manual_score IS NOT NULL").fetchone()[0]
    return state


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from mlroles.instructor.sandbox import unavailable_reason

    assert unavailable_reason() is None, unavailable_reason()   # never run these attacks unsandboxed
    course = tmp_path_factory.mktemp("hostile") / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions", course / "solutions", ignore=shutil.ignore_patterns("*.choices.json"))
    api = cohort.make_api(course)
    for assignment in cohort.source_assignments(course):
        assert api.generate_assignment(assignment, force=True)["success"]
    keys = load_graded_keys(course / "solutions" / "graded_keys.csv")
    module = load_recipes()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    module.LISTEN_PORT = listener.getsockname()[1]
    recipes = module.recipes(keys)
    for case in CASES:
        release = nbformat.read(str(course / "exercises" / case["exercise"] / f"{case['exercise']}.ipynb"), 4)
        nb = recipes[case["case"]](release)
        module.write(case["case"], nb, course / "submitted" / case["case"] / case["exercise"], case["exercise"], keys)
    before = machine_state(course)
    outcomes = cohort.grade(course, jobs=2, timeout=5)
    GRADED_AT.append(time.monotonic())
    readable, _, _ = select.select([listener], [], [], 0)
    CONNECTIONS.append(bool(readable))
    listener.close()
    MACHINE.update(before=before, after=machine_state(course))
    yield course, {(o.student, o.assignment): o for o in outcomes}


GRADED_AT: list = []
CONNECTIONS: list = []
MACHINE: dict = {}


def test_the_table_has_every_kind_of_attack():
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
    assert cohort.feedback(course, allow_pending=True) == 0                          # the leak scan found nothing
    for case in CASES:      # graded or not, every submission gets a page; one that failed says why
        page = course / "feedback" / case["case"] / case["exercise"] / f"{case['exercise']}.html"
        assert page.exists(), f"no feedback for {case['case']}"
        autograded = course / "autograded" / case["case"] / case["exercise"] / f"{case['exercise']}.ipynb"
        lost = case["expected_status"] == "board answers missing"
        assert ("Board answers missing" in page.read_text()) == lost, f"{case['case']}: the board notice is {not lost}"
        if not autograded.exists():        # nbgrader could not grade it: our page says why
            assert "could not be graded" in page.read_text() and case["expected_status"] in page.read_text()
    # the sandbox hides the key file: the attacks that print it find nothing to print
    key_lines = [line for line in (course / "solutions" / "graded_keys.csv").read_text().splitlines()[1:] if line]
    for case in ("print_grading_files", "print_keys_rot13"):
        shown = (course / "autograded" / case / "ex1_responsibilities" / "ex1_responsibilities.ipynb").read_text()
        assert not any(line in shown or codecs.encode(line, "rot13") in shown for line in key_lines), case
    # output wearing the mark of the course's item list is dropped from a learner's cell, whatever it says
    forged = course / "feedback" / "forged_item_feedback" / "ex1_responsibilities" / "ex1_responsibilities.html"
    assert "FORGED-ITEM-LIST" not in forged.read_text()
    million = course / "feedback" / "million_lines" / "ex1_responsibilities" / "ex1_responsibilities.html"
    assert million.stat().st_size < 2_000_000                    # runaway output was cut


def test_attacks_on_the_grading_machine_change_nothing_outside_their_folder(graded):
    before, after = MACHINE["before"], MACHINE["after"]
    assert after["package"] == before["package"], "a submission changed the mlroles package"
    assert after["sitecustomize"] == before["sitecustomize"], "a submission wrote sitecustomize.py"
    assert after["ipython startup"] == before["ipython startup"] == [], after["ipython startup"]
    assert after["submissions"] == before["submissions"], "a submission deleted another student's work"
    assert after["keys"] == before["keys"]
    assert after["manual scores"] == 0, "a submission wrote manual scores into the gradebook"
    assert CONNECTIONS == [False], "a submission connected to a port on the grading machine"


def test_nothing_a_submission_started_outlives_its_notebook(graded):
    LATE_WRITE = load_recipes().LATE_WRITE
    course, _ = graded
    time.sleep(max(0.0, GRADED_AT[0] + 18 - time.monotonic()))   # the detached process would write at 15 s
    places = [Path("/tmp"), course, *course.parents]
    assert not [str(p / LATE_WRITE) for p in places if (p / LATE_WRITE).exists()]
    running = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and LATE_WRITE.encode() in (proc / "cmdline").read_bytes():
                running.append(proc.name)
        except OSError:
            pass
    assert not running, f"processes left behind by a submission: {running}"


KERNEL_ATTACKS = ("fake_verified", "patched_call_safely", "score_as_last_value", "forged_recording",
                  "extra_recordings", "monkeypatch_grading", "zz_full_after_attacks")


def test_kernel_attacks_earn_nothing_through_nbgrader_autograde(tmp_path):
    """The same attacks through nbgrader's own command line (as an instructor without our cohort
    command runs it): nbgrader_config.py puts the sandbox and the scorer in its path too."""
    import subprocess
    import sys

    from mlroles.instructor.sandbox import unavailable_reason

    assert unavailable_reason() is None, unavailable_reason()
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions", course / "solutions", ignore=shutil.ignore_patterns("*.choices.json"))
    cases = [c for c in CASES if c["case"] in KERNEL_ATTACKS]
    assert {c["case"] for c in cases} == set(KERNEL_ATTACKS)
    keys = load_graded_keys(course / "solutions" / "graded_keys.csv")
    module = load_recipes()
    recipes = module.recipes(keys)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    api = cohort.make_api(course)    # the release as any instructor makes it; what is under test is the autograde
    for exercise in sorted({c["exercise"] for c in cases}):
        assert api.generate_assignment(exercise, force=True)["success"]
        release = nbformat.read(str(course / "exercises" / exercise / f"{exercise}.ipynb"), 4)
        for case in (c for c in cases if c["exercise"] == exercise):
            module.write(case["case"], recipes[case["case"]](release),
                         course / "submitted" / case["case"] / exercise, exercise, keys)
        done = subprocess.run(nbgrader + ["autograde", exercise, "--create"], cwd=course, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    _, cells = cohort_report.gradebook_tables(course)
    for case in cases:
        mine = cells[(cells["student"] == case["case"]) & cells["auto"]]
        assert float(mine["score"].sum()) == float(case["expected_points"]), case["case"]
