"""The learner's own copy of the course (my-work/): filled on first use, kept current, never overwritten,
and invisible to git, so a learner's answers never touch the repository's files."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import nbformat
import pytest

from mlroles.launch import workspace as ws


def fake_course(root):
    """A small course root: two lessons and one exercise with a notebook."""
    (root / "course").mkdir(parents=True)
    (root / "exercises" / "ex1").mkdir(parents=True)
    (root / "course" / "01_a.ipynb").write_text("lesson a v1")
    (root / "course" / "02_b.ipynb").write_text("lesson b v1")
    (root / "exercises" / "ex1" / "ex1.ipynb").write_text("exercise v1")
    return root


def test_first_sync_copies_lessons_and_exercises_and_says_so(tmp_path):
    repo = fake_course(tmp_path / "repo")
    work = tmp_path / "my-work"
    report = ws.sync(work, repo)
    assert report.first_time
    assert sorted(report.added) == ["course/01_a.ipynb", "course/02_b.ipynb", "exercises/ex1/ex1.ipynb"]
    assert (work / "exercises" / "ex1" / "ex1.ipynb").read_text() == "exercise v1"
    again = ws.sync(work, repo)
    assert not again.first_time and again.lines() == [], "a second start with no course change says nothing"


def test_update_brings_new_lessons_and_never_touches_answers(tmp_path):
    repo = fake_course(tmp_path / "repo")
    work = tmp_path / "my-work"
    ws.sync(work, repo)
    # the learner answers the exercise and saves board choices; leaves lesson a as it was
    (work / "exercises" / "ex1" / "ex1.ipynb").write_text("exercise v1 + my answers")
    (work / "exercises" / "ex1" / "ex1.choices.json").write_text('{"format": 1, "boards": {}}')
    (work / "course" / "02_b.ipynb").write_text("lesson b v1, run with my notes")
    # the course changes: lesson a and the exercise revised, lesson b revised, a lesson added
    (repo / "course" / "01_a.ipynb").write_text("lesson a v2")
    (repo / "course" / "02_b.ipynb").write_text("lesson b v2")
    (repo / "exercises" / "ex1" / "ex1.ipynb").write_text("exercise v2")
    (repo / "course" / "03_c.ipynb").write_text("lesson c v1")

    report = ws.sync(work, repo)
    assert report.added == ["course/03_c.ipynb"]
    assert report.updated == ["course/01_a.ipynb"]
    assert sorted(report.kept) == ["course/02_b.ipynb", "exercises/ex1/ex1.ipynb"]
    assert (work / "course" / "01_a.ipynb").read_text() == "lesson a v2"
    assert (work / "course" / "02_b.ipynb").read_text() == "lesson b v1, run with my notes"
    assert (work / "exercises" / "ex1" / "ex1.ipynb").read_text() == "exercise v1 + my answers"
    assert (work / "exercises" / "ex1" / "ex1.choices.json").read_text() == '{"format": 1, "boards": {}}'
    assert (work / "exercises" / "ex1" / "ex1.course-update.ipynb").read_text() == "exercise v2"
    lines = report.lines()
    assert lines[0] == "Added to my-work/: course/03_c.ipynb"
    assert lines[1] == "Updated in my-work/ (you had not changed them): course/01_a.ipynb"
    assert ("Kept your copy of exercises/ex1/ex1.ipynb: the course changed it too. Your work is untouched; "
            "the course's new version is beside it as ex1.course-update.ipynb.") in lines
    # kept once, said once: the next start is quiet until the course changes again
    assert ws.sync(work, repo).lines() == []


def test_a_broken_record_overwrites_nothing(tmp_path):
    repo = fake_course(tmp_path / "repo")
    work = tmp_path / "my-work"
    ws.sync(work, repo)
    (work / "exercises" / "ex1" / "ex1.ipynb").write_text("my answers")
    (work / ws.RECORD).write_text("{not json")
    (repo / "exercises" / "ex1" / "ex1.ipynb").write_text("exercise v2")
    report = ws.sync(work, repo)
    assert report.kept == ["exercises/ex1/ex1.ipynb"] and report.updated == []
    assert (work / "exercises" / "ex1" / "ex1.ipynb").read_text() == "my answers"
    # a file the learner deleted comes back
    (work / "course" / "01_a.ipynb").unlink()
    assert ws.sync(work, repo).added == ["course/01_a.ipynb"]


def test_the_real_course_copies_lessons_and_releases_but_no_solutions(tmp_path, repo):
    work = tmp_path / "my-work"
    report = ws.sync(work, repo)
    assert "course/00_start_here.ipynb" in report.added
    assert all(rel.startswith(("course/", "exercises/")) for rel in report.added)
    assert not (work / "solutions").exists()
    for part in ("ex1_responsibilities", "ex2_serving_handoff", "ex3_job_ads", "ex4_team_coverage"):
        assert (work / "exercises" / part / f"{part}.ipynb").is_file()


@pytest.mark.slow
def test_git_status_stays_clean_after_a_learner_did_every_exercise(tmp_path, repo):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(repo), str(clone)], check=True)
    # the clone holds what is committed; the test is about this checkout's ignore rules
    shutil.copy(repo / ".gitignore", clone / ".gitignore")
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "-C", str(clone), "commit", "--quiet", "-am", "ignore rules under test"],
                   capture_output=True, env={**os.environ, **who})   # nothing to commit once they are committed
    before = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], capture_output=True, text=True).stdout
    work = clone / ws.DEFAULT_NAME
    ws.sync(work, clone)
    for notebook in sorted((work / "exercises").rglob("*.ipynb")):
        nb = nbformat.read(str(notebook), as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("my answer"))
        nbformat.write(nb, str(notebook))
        (notebook.with_suffix(".choices.json")).write_text(json.dumps({"format": 1, "boards": {"graded": {}}}))
        (notebook.parent / ".ipynb_checkpoints").mkdir(exist_ok=True)
        shutil.copy(notebook, notebook.parent / ".ipynb_checkpoints" / f"{notebook.stem}-checkpoint.ipynb")
    (work / ".jupyter-course" / "settings").mkdir(parents=True)
    (work / ".jupyter-course" / "settings" / "overrides.json").write_text("{}")
    after = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert after == before, f"a learner's work shows in git status:\n{after}"
