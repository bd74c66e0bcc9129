"""`make release` (python -m mlroles.instructor.release) regenerates the learner release and refuses unsafe sources."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlroles.instructor import release
from mlroles.manifest import cell_by_grade_id

pytestmark = pytest.mark.slow


def new_course(tmp_path, repo, assignments=None) -> Path:
    """A course root as a clone has it: nbgrader_config.py and the source folders (all, or ``assignments``)."""
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(repo / "nbgrader_config.py", root / "nbgrader_config.py")
    for assignment in assignments or release.source_assignments(repo):
        shutil.copytree(repo / "solutions" / assignment, root / "solutions" / assignment,
                        ignore=shutil.ignore_patterns("*.choices.json"))
    return root


def test_release_command_regenerates_every_assignment(tmp_path, repo):
    root = new_course(tmp_path, repo)
    assert release.release(release.source_assignments(root), root) == []
    for assignment in release.source_assignments(root):
        assert (root / "exercises" / assignment / f"{assignment}.ipynb").is_file()


def test_release_refuses_a_stray_choices_file(tmp_path, repo, capsys):
    root = new_course(tmp_path, repo, ["ex1_responsibilities"])
    (root / "solutions" / "ex1_responsibilities" / "ex1_responsibilities.choices.json").write_text("{}")
    errors = release.release(["ex1_responsibilities"], root)
    assert len(errors) == 1 and "Delete it, then release again." in errors[0]
    assert not (root / "exercises").exists()


def test_unknown_assignment_gets_a_clear_message(repo):
    out = subprocess.run([sys.executable, "-m", "mlroles.instructor.release", "ex9_nothing"], capture_output=True, text=True,
                         cwd=repo)
    assert out.returncode == 2
    assert out.stdout.startswith("No such assignment in solutions/: ex9_nothing. Available: ex1_responsibilities")
    assert "Traceback" not in out.stdout + out.stderr


def _course_with_release(tmp_path, repo, assignments=("ex1_responsibilities",)):
    root = new_course(tmp_path, repo, list(assignments))
    assert release.release(list(assignments), root) == []
    return root


def test_release_refuses_to_overwrite_a_learners_answers(tmp_path, repo):
    root = _course_with_release(tmp_path, repo)
    notebook = root / "exercises" / "ex1_responsibilities" / "ex1_responsibilities.ipynb"
    released = notebook.read_bytes()
    assert release.release(["ex1_responsibilities"], root) == [], "an untouched release is released again"

    notebook.write_bytes(released.replace(b"= graded_board.answers", b'= {"R02": "shared"}', 1))
    choices = notebook.with_name("ex1_responsibilities.choices.json")
    choices.write_text('{"format": 1, "boards": {"graded": {"R01": "shared"}}}')
    answered = notebook.read_bytes()
    errors = release.release(["ex1_responsibilities"], root)
    assert len(errors) == 1
    assert "exercises/ex1_responsibilities/ex1_responsibilities.ipynb" in errors[0]
    assert "exercises/ex1_responsibilities/ex1_responsibilities.choices.json" in errors[0]
    assert "my-work/" in errors[0] and "then release again" in errors[0]
    assert notebook.read_bytes() == answered and choices.exists(), "nothing of the learner's was touched"


def test_release_in_a_fresh_clone_compares_with_the_committed_release(tmp_path, repo):
    root = _course_with_release(tmp_path, repo)
    (root / release.RECORD).unlink()   # a fresh clone has no record of a release: git's commit is the baseline
    git = ["git", "-C", str(root)]
    who = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git + ["init", "--quiet"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + who + ["commit", "--quiet", "-m", "course"], check=True)
    assert release.learner_changes("ex1_responsibilities", root) == []
    notebook = root / "exercises" / "ex1_responsibilities" / "ex1_responsibilities.ipynb"
    notebook.write_text(notebook.read_text().replace("= graded_board.answers", '= {"R02": "shared"}', 1))
    assert release.learner_changes("ex1_responsibilities", root) == [
        "exercises/ex1_responsibilities/ex1_responsibilities.ipynb"]
    checkpoint = notebook.parent / ".ipynb_checkpoints" / "ex1_responsibilities-checkpoint.ipynb"
    checkpoint.parent.mkdir()
    checkpoint.write_text("{}")
    assert "exercises/ex1_responsibilities/.ipynb_checkpoints/ex1_responsibilities-checkpoint.ipynb" in \
        release.learner_changes("ex1_responsibilities", root)
    subprocess.run(git + ["checkout", "--quiet", "--", "exercises"], check=True)
    shutil.rmtree(checkpoint.parent)
    assert release.learner_changes("ex1_responsibilities", root) == []


def test_grading_a_cohort_leaves_exercises_as_they_are(tmp_path, repo):
    """Only `make release` writes exercises/: grading registers assignments in the gradebook without it."""
    from mlroles.instructor import cohort

    root = _course_with_release(tmp_path, repo, ("ex4_team_coverage",))
    shutil.copy(repo / "solutions" / "graded_keys.csv", root / "solutions" / "graded_keys.csv")
    folder = root / "exercises" / "ex4_team_coverage"
    submitted = root / "submitted" / "s1" / "ex4_team_coverage"
    submitted.mkdir(parents=True)
    shutil.copy(folder / "ex4_team_coverage.ipynb", submitted / "ex4_team_coverage.ipynb")
    # a learner who answered in place, as on a clone before my-work/ existed
    notebook = folder / "ex4_team_coverage.ipynb"
    notebook.write_text(notebook.read_text().replace("raise NotImplementedError()", "pass", 1))
    (folder / "ex4_team_coverage.choices.json").write_text("{}")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    outcomes = cohort.grade(root, jobs=1, assignments=["ex4_team_coverage"])
    assert [(o.student, o.status) for o in outcomes] == [("s1", "ok")]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    # without the instructor's keys nothing can be scored: one line says so before any submission runs
    (root / "solutions" / "graded_keys.csv").unlink()
    with pytest.raises(SystemExit, match="Cannot grade: .*graded_keys.csv is missing"):
        cohort.grade(root, jobs=1, assignments=["ex4_team_coverage"])


def test_no_source_or_release_notebook_carries_saved_widget_state(repo):
    """Saved widget state would carry a board's choices: in a solution, the graded answers, into the release."""
    import nbformat

    from mlroles.widgets.choices import carried_choices

    for path in sorted((repo / "solutions").glob("*/*.ipynb")) + sorted((repo / "exercises").glob("*/*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        assert "widgets" not in nb.metadata, f"{path.relative_to(repo)} carries saved widget state"
        assert carried_choices(nb) == {}


def test_release_refuses_a_source_that_disagrees_with_its_manifest(tmp_path, repo):
    import nbformat

    root = _course_with_release(tmp_path, repo)
    source = root / "solutions" / "ex1_responsibilities" / "ex1_responsibilities.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell = cell_by_grade_id(nb, "graded_items")
    cell.metadata["nbgrader"]["points"] = 20
    cell.source = cell.source.replace('"graded_items"', '"graded_format"')
    nbformat.write(nb, source)
    errors = release.release(["ex1_responsibilities"], root)
    assert len(errors) == 1
    assert "cell 'graded_items' gives 20 points, the manifest 18" in errors[0]
    assert "test cell 'graded_items' does not record under its grade id" in errors[0]


def test_a_course_generated_by_nbgrader_itself_releases_every_assignment(tmp_path, repo):
    """A course root whose exercises/ nbgrader generated (no record of a release yet, outside git, as
    ``make grade-demo`` builds one): releasing the first assignment must not make the others look like a
    learner's work."""
    from mlroles.instructor.cohort import make_api

    names = ["ex1_responsibilities", "ex4_team_coverage"]
    root = new_course(tmp_path, repo, names)
    api = make_api(root)
    for assignment in names:
        assert api.generate_assignment(assignment, force=True)["success"]
    assert release.release(names, root) == []
    assert sorted(k.split("/")[1] for k in release.file_record.read(root / release.RECORD)) == names
