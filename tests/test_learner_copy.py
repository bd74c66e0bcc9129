"""``make learner-copy``: what a cohort receives holds the course and no key, and it builds."""
import subprocess
import sys
import zipfile

import pytest

from mlroles.instructor import learner_copy


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    dest = tmp_path_factory.mktemp("cohort") / "mlroles-course"
    learner_copy.write(dest, out=lambda *_: None)
    return dest


def test_the_copy_holds_the_course_and_none_of_the_instructor_side(copy, repo):
    for part in ("course", "exercises", "datasets", "mlroles", "pyproject.toml", "README.md", "Makefile", "LICENSE"):
        assert (copy / part).exists(), part
    lessons = sorted(p.name for p in (repo / "course").glob("*.ipynb"))
    assert sorted(p.name for p in (copy / "course").glob("*.ipynb")) == lessons
    names = {p.name for p in copy.rglob("*")}
    for never in ("solutions", "graded_keys.csv", "tests", "benchmarks", "hub", "nbgrader_config.py", "cohort.toml", "gradebook.db"):
        assert never not in names, never
    assert not [p for p in copy.rglob("*.choices.json")]
    readme = (copy / "README.md").read_text()
    assert "## For learners" in readme and "## For instructors" not in readme and "make check-work" not in readme
    assert "holds no answer keys" in readme


def test_the_copy_builds_as_a_package_with_its_datasets(copy, tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(copy)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next(tmp_path.glob("mlroles-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    assert "mlroles/datasets/responsibilities.csv" in inside and "mlroles/manifests/ex1_responsibilities.toml" in inside
    assert not [n for n in inside if "graded_keys" in n or n.startswith("solutions/")]


def test_a_copy_that_would_hold_a_key_is_removed(repo, tmp_path, monkeypatch):
    keys = (repo / "solutions" / "graded_keys.csv").read_text().splitlines()
    rationale = next(line for line in keys if ",rationale," in line).split(",rationale,", 1)[1].strip('"')
    planted = tmp_path / "repo"
    for part in learner_copy.PARTS + ("README.md", "solutions"):
        src = repo / part
        if src.is_dir():
            import shutil

            shutil.copytree(src, planted / part, ignore=learner_copy.IGNORE)
        elif src.is_file():
            (planted / part).parent.mkdir(parents=True, exist_ok=True)
            (planted / part).write_bytes(src.read_bytes())
    (planted / "course" / "notes.md").write_text(f"A reminder: {rationale}")
    dest = tmp_path / "out"
    with pytest.raises(learner_copy.CopyError, match="would give away keys") as err:
        learner_copy.write(dest, repo=planted, out=lambda *_: None)
    assert "notes.md: holds the graded rationale" in str(err.value)
    assert not dest.exists()


def test_a_folder_with_other_files_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(learner_copy.CopyError, match="not empty and is not an earlier learner's copy"):
        learner_copy.write(tmp_path, out=lambda *_: None)
    assert (tmp_path / "keep.txt").read_text() == "mine"
