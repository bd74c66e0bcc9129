"""Grade your own exercise notebooks the way a cohort is graded, and see every graded item.

    make check-work                               every exercise in my-work/exercises/
    python -m mlroles.instructor.selfgrade NOTEBOOK ...      the notebooks named

A self-paced learner has no instructor to return feedback. This runs the same pipeline as
``make grade`` (nbgrader's autograde, every kernel in the sandbox, the scorer outside the
kernel) on a copy of your notebook in a temporary course folder, then shows, per graded
item, whether it was right and, where it was not, the key's reason and where to read. Your
notebook and its saved choices are only read; nothing in ``my-work/`` changes.

It needs the course's graded keys (``solutions/graded_keys.csv``), which a clone of the course
holds and a cohort's copy does not: in a cohort, your instructor's feedback is the verdict.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path


STUDENT = "me"
def assignment_of(notebook: Path) -> str | None:
    from mlroles import manifest

    for assignment in manifest.assignments():
        if notebook.name == manifest.load(assignment).notebook:
            return assignment
    return None


def grade_notebook(notebook: Path, *, sandbox: bool = True, out=None, source: Path | None = None) -> int:
    """Grade one of the learner's exercise notebooks in a temporary course; print the verdict. ``source``: the
    clone of the course that holds the keys (default: the working directory's)."""

    import nbformat

    from mlroles.course import find_copy
    from mlroles.instructor import cohort
    from mlroles.instructor.item_lines import report_lines
    from mlroles.instructor.answer_keys import AnswerKeyError, load_graded_keys
    from mlroles.instructor.course_root import put_environment_on_path

    put_environment_on_path()   # nbgrader runs alembic and kernels by name
    out = out or sys.stdout
    source = Path(source or find_copy())
    notebook = Path(notebook)
    assignment = assignment_of(notebook)
    if assignment is None:
        print(f"{notebook}: not an exercise notebook of this course (expected one of "
              "ex1_responsibilities.ipynb ... ex4_team_coverage.ipynb).", file=out)
        return 2
    if not notebook.is_file():
        print(f"{notebook}: no such file.", file=out)
        return 2
    try:
        keys = load_graded_keys(source / "solutions" / "graded_keys.csv")
    except AnswerKeyError:
        print("Self-grading needs the course's graded keys (solutions/graded_keys.csv), which this copy of the "
              "course does not hold: in a cohort, your instructor's feedback is the verdict.", file=out)
        return 2
    with tempfile.TemporaryDirectory(prefix="mlroles-selfgrade-") as tmp:
        course = Path(tmp) / "course"
        (course / "solutions").mkdir(parents=True)
        shutil.copy(source / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(source / "solutions" / assignment, course / "solutions" / assignment,
                        ignore=shutil.ignore_patterns("*.choices.json", ".ipynb_checkpoints"))
        shutil.copy(source / "solutions" / "graded_keys.csv", course / "solutions" / "graded_keys.csv")
        handed_in = course / "submitted" / STUDENT / assignment
        handed_in.mkdir(parents=True)
        shutil.copy(notebook, handed_in / notebook.name)
        choices = notebook.with_name(notebook.stem + ".choices.json")
        if choices.is_file():
            shutil.copy(choices, handed_in / choices.name)
        log = open(Path(tmp) / "grade.log", "w", encoding="utf-8")
        try:
            (outcome,) = cohort.grade(course, jobs=1, assignments=[assignment], sandbox=sandbox, out=log)
        finally:
            log.close()
        title = f"{notebook}: {outcome.score if outcome.score is not None else 0:g} of " \
                f"{outcome.max_score if outcome.max_score is not None else 0:g} points"
        print(title + ("" if outcome.status == "ok" else f" — {outcome.status}"), file=out)
        graded = course / "autograded" / STUDENT / assignment / notebook.name
        if graded.exists():
            for line in report_lines(nbformat.read(graded, as_version=4), assignment, keys):
                print("  " + line, file=out)
        print("  Written answers are not scored here: compare yours with the rubric in the exercise.", file=out)
    return 0 if outcome.status == "ok" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlroles.instructor.selfgrade", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="exercise notebooks to grade (default: every one in my-work/exercises/)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without bubblewrap (your own notebook, on your own machine)")
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")   # the gradebook's SQLAlchemy chatter
    warnings.filterwarnings("ignore", message=".*not in session.*")
    from mlroles.course import NoCourseCopy, find_copy

    try:
        source = find_copy()
    except NoCourseCopy as exc:
        print(exc)
        return 2
    notebooks = args.notebooks or sorted((source / "my-work" / "exercises").glob("*/ex*.ipynb"))
    notebooks = [n for n in notebooks if not n.name.endswith(".course-update.ipynb")]
    if not notebooks:
        print("No exercise notebooks to grade: open the course with `make lab` (it makes my-work/), work an "
              "exercise and save it, or name a notebook.")
        return 2
    from mlroles.instructor.sandbox import unavailable_reason

    if not args.no_sandbox and unavailable_reason():
        print(unavailable_reason())
        return 2
    codes = [grade_notebook(n, sandbox=not args.no_sandbox, source=source) for n in notebooks]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
