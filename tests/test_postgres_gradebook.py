"""A PostgreSQL gradebook shared by ``python -m mlroles.instructor.cli grade --jobs 4`` and a grader in the formgrader,
on a real server (tests/postgres_support.py).

With SQLite, a grader who enters scores while ``grade`` runs makes the workers hit "database is locked". Here
a small cohort (8 students) is graded in parallel, in a real subprocess, while a grader thread enters a
manual score and a comment on a written answer of a submission graded in an earlier run, over and over, as
the formgrader does. Everything goes to PostgreSQL (cohort.toml's [gradebook] url): no SQLite file appears,
no autograde is retried, the grader's score and comment survive, and ``report`` reads the same gradebook.
"""
from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from mlroles import manifest
from mlroles.instructor import demo as cohort_demo
from mlroles.instructor.answer_keys import load_graded_keys
from mlroles.instructor.report import pending_text
from postgres_support import PostgresServer, PostgresUnavailable
from course_helpers import REPO

pytestmark = pytest.mark.slow

EARLIER = "ex1_responsibilities"      # graded in an earlier run; a grader scores its written answer
CONCURRENT = "ex4_team_coverage"      # the cohort graded while the grader works
PROFILES = ["full", "partial", "swapped", "guessing", "always_shared", "blank", "full", "partial"]
STUDENTS = [f"s{n:03d}-{p}" for n, p in enumerate(PROFILES, start=1)]
MARKED = STUDENTS[0]                  # whose earlier submission the grader marks

@pytest.fixture(scope="module")
def postgres():
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def build_course(root: Path, url: str) -> None:
    """A course root with two assignments and their submissions (made as cohort_demo makes them, from the
    committed releases); cohort.toml comes first, so nothing can ever open SQLite here."""
    root.mkdir(parents=True)
    (root / "cohort.toml").write_text(f'[gradebook]\nurl = "{url}"\n', encoding="utf-8")
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "solutions").mkdir()
    shutil.copy(REPO / "solutions" / "graded_keys.csv", root / "solutions" / "graded_keys.csv")
    for assignment in (EARLIER, CONCURRENT):
        shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment,
                        ignore=shutil.ignore_patterns("*.choices.json"))
    keys = load_graded_keys(root / "solutions" / "graded_keys.csv")
    rng = random.Random(7)

    def hand_in(student: str, profile: str, assignment: str) -> None:
        solution = nbformat.read(str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
        release = nbformat.read(str(REPO / "exercises" / assignment / f"{assignment}.ipynb"), as_version=4)
        path = root / "submitted" / student / assignment / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(cohort_demo.submission(assignment, profile, solution, release, keys, rng), str(path))

    hand_in(MARKED, PROFILES[0], EARLIER)
    for student, profile in zip(STUDENTS, PROFILES):
        hand_in(student, profile, CONCURRENT)


def cohort_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "mlroles.instructor.cli", "--course", str(root), *args]


class Grader(threading.Thread):
    """A grader in the formgrader: one Gradebook (as the formgrader keeps), a manual score and a comment on one
    written answer entered and committed over and over until told to stop."""

    def __init__(self, url: str, grade_id: str, notebook: str, max_score: float):
        super().__init__(daemon=True)
        self.url, self.grade_id, self.notebook, self.max_score = url, grade_id, notebook, max_score
        self.stop = threading.Event()
        self.commits = 0
        self.last: tuple[float, str] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from nbgrader.api import Gradebook

        where = (self.grade_id, self.notebook, EARLIER, MARKED)
        steps = int(self.max_score * 2)   # half points, from 0.5 up to the cell's points
        try:
            with Gradebook(self.url) as gb:
                while not self.stop.is_set():
                    score = 0.5 * (self.commits % steps + 1)
                    text = f"Names the owner of each task; pass {self.commits + 1}."
                    grade = gb.find_grade(*where)
                    grade.manual_score = score
                    grade.needs_manual_grade = False   # as the formgrader does once a score is entered
                    gb.find_comment(*where).manual_comment = text
                    gb.db.commit()
                    self.commits += 1
                    self.last = (score, text)
                    time.sleep(0.05)
        except BaseException as exc:   # reported by the test
            self.error = exc


def test_parallel_grading_and_a_grader_share_a_postgres_gradebook(postgres, tmp_path):
    from nbgrader.api import Gradebook

    root = tmp_path / "course"
    build_course(root, postgres.url)
    env = dict(os.environ)

    # the earlier run: one submission of exercise 1, whose written answers then wait for a grader
    earlier = subprocess.run(cohort_command(root, "grade", "--assignment", EARLIER, "--jobs", "1", "--timeout", "60"),
                             env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert earlier.returncode == 0, earlier.stdout + earlier.stderr
    with Gradebook(postgres.url) as gb:
        waiting = [(g.name, nb.name, float(g.max_score)) for nb in gb.find_submission(EARLIER, MARKED).notebooks
                   for g in nb.grades if g.needs_manual_grade]
        auto_points = sum(float(g.auto_score or 0) for nb in gb.find_submission(EARLIER, MARKED).notebooks
                          for g in nb.grades)
    assert waiting, "the earlier submission has no written answer waiting for a grader"
    grader = Grader(postgres.url, *waiting[0])

    # the cohort, graded in parallel while the grader enters the score again and again
    log = tmp_path / "grade.log"
    started = time.perf_counter()
    grader.start()
    with open(log, "w") as out:
        proc = subprocess.Popen(cohort_command(root, "grade", "--assignment", CONCURRENT, "--jobs", "4",
                                               "--timeout", "60"),
                                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            code = proc.wait(timeout=900)
        finally:
            if proc.poll() is None:
                proc.kill()
            grader.stop.set()
            grader.join(60)
    seconds = time.perf_counter() - started
    output = log.read_text(errors="replace")

    assert code == 0, output
    assert grader.error is None, f"the grader's writes failed: {grader.error!r}"
    assert grader.commits >= 20, f"only {grader.commits} grader commits in the {seconds:.0f} s of grading"
    assert "database is locked" not in output.lower(), output
    # progress lines only: no SQLAlchemy or nbformat warning, no kernel log line
    assert not any(noise in output for noise in ("SAWarning", "MissingIDFieldWarning", "without encryption")), output
    assert postgres.password not in output, "the grading output shows the gradebook's password"
    # each submission's autograde ran once: the grader counts its retries ("database is locked") per submission
    status = json.loads((root / "autograded" / "cohort_status.json").read_text())
    attempts = {key: entry["attempts"] for key, entry in status.items() if key.endswith(f"/{CONCURRENT}")}
    assert attempts == {f"{s}/{CONCURRENT}": 1 for s in STUDENTS}, f"retried or missed: {attempts}\n{output}"
    assert f"Grading {len(STUDENTS)} submission(s) of {len(STUDENTS)} student(s), 4 at a time, each in the sandbox" \
           in output, output
    assert "0 with problems" in output, output

    # every submission is scored in PostgreSQL; the grader's score and comment are there
    full_points = sum(p.points for p in manifest.load(CONCURRENT).autograded)
    grade_id, notebook, max_score = waiting[0]
    with Gradebook(postgres.url) as gb:
        for student, profile in zip(STUDENTS, PROFILES):
            submission = gb.find_submission(CONCURRENT, student)
            assert submission.max_score > 0 and submission.score is not None, student
            auto = sum(float(g.auto_score or 0) for nb in submission.notebooks for g in nb.grades)
            if profile == "full":
                assert auto == full_points, (student, auto, full_points)
            if profile == "blank":
                assert auto == 0, (student, auto)
        score, text = grader.last
        grade = gb.find_grade(grade_id, notebook, EARLIER, MARKED)
        assert (float(grade.manual_score), grade.needs_manual_grade) == (score, False)
        assert gb.find_comment(grade_id, notebook, EARLIER, MARKED).manual_comment == text
        marked_total = float(gb.find_submission(EARLIER, MARKED).score)
    assert marked_total == auto_points + score
    databases = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.suffix in (".db", ".sqlite"))
    assert not (root / "gradebook.db").exists() and not databases, f"SQLite files in the course root: {databases}"

    # the other commands read the same gradebook: the report counts the grader's score
    report = subprocess.run(cohort_command(root, "report"), env=env, cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert report.returncode == 0, report.stdout + report.stderr
    with open(root / "reports" / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == STUDENTS
    assert float(rows[MARKED][EARLIER]) == marked_total
    written = sum(p.points for p in manifest.load(EARLIER).parts if p.kind == "written")
    still_waiting = pending_text(written - max_score)
    assert (still_waiting in rows[MARKED][f"{EARLIER} status"]) if still_waiting else \
        ("pending" not in rows[MARKED][f"{EARLIER} status"]), rows[MARKED]
    assert all(rows[s][CONCURRENT] != "" for s in STUDENTS)
    assert not (root / "gradebook.db").exists()
