"""Grade your own exercise notebooks the way a cohort is graded, and see every graded item.

    make check-work                               every exercise in my-work/exercises/
    python -m mlroles.selfgrade NOTEBOOK ...      the notebooks named

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

from mlroles.course import REPO_ROOT

STUDENT = "me"
# The lesson each item bank is taught in, where the keys file names none per item.
LESSON_OF = {"serving_scenarios": "04_production_handoff", "handoff_artifacts": "04_production_handoff",
             "job_ads": "05_skills_and_interview_signals", "team_scenarios": "06_one_person_coverage"}


def _why(keys, part, item: str) -> str:
    """The key's reason for ``item`` and where to read more, in one line (empty when unknown)."""
    from mlroles import course
    from mlroles.sources import read_more

    table = keys.get(part.dataset) if part.dataset else None
    if table is None or item not in table.index:
        return ""
    row = table.loc[item]
    sources = [s for s in str(row.get("source_ids", "")).split(";") if s]
    lesson = row.get("lesson") or LESSON_OF.get(part.dataset, "")
    where = f"lesson “{course.lesson_title(lesson)}”"
    return f"{row['rationale']} Read: {read_more(where, sources)}."


def _label(keys, part, item: str) -> str:
    table = keys.get(part.dataset) if part.dataset else None
    if table is None or item not in table.index:
        return item
    field = part.field or "real_role"
    return f"{item} (the key: {table.at[item, field]})"


def report_lines(autograded_nb, assignment: str, keys) -> list[str]:
    """What the learner reads for one graded notebook: per test cell its score, per item ✓ or ✗."""
    from mlroles import manifest

    lines = []
    for part in manifest.load(assignment).autograded:
        lines += part_lines(autograded_nb, part, keys)
    return lines


def part_lines(autograded_nb, part, keys, every_item: bool = False) -> list[str]:
    """One graded part: its score, then per item ✓ or ✗ with, for a wrong one, the key's reason and where to
    read. ``every_item``: the reason and where to read for the right ones too (an instructor's "items" feedback,
    after the deadline; mlroles.nbgrader_plugins.DropScoringDetails)."""
    from mlroles.cohort_report import cell_results, item_name, scored_items

    results = cell_results(autograded_nb, part)
    if not results:
        return [f"{part.grade_id}: not graded (the notebook stopped before this cell)."]
    lines = [f"{part.grade_id}: {results['score']:g} of {results['points']:g} "
             f"point{'' if results['points'] == 1 else 's'}"
             + ("" if results["status"] == "scored" else f" ({results['status']})")]
    items = scored_items(autograded_nb, part) or []
    if part.kind.endswith("format") or part.kind == "schema":     # one check: only say what to fix
        return lines + [f"  ✗ {i['note']}" for i in items if not i.get("right") and i.get("note")]
    dataset_items = part.kind in ("labels", "function_labels", "reviews")
    if every_item and dataset_items:
        for item in items:
            name = item_name(item)
            note = f" ({item['note']})" if item.get("note") and item["note"] not in ("wrong", "right") else ""
            mark = "✓" if item.get("right") else "✗"
            lines.append(f"  {mark} {_label(keys, part, name)}{note}. {_why(keys, part, name)}".rstrip())
        return lines
    right = [item_name(i) for i in items if i.get("right")]
    if right and len(right) < len(items):
        lines.append(f"  ✓ {len(right)} right: {', '.join(right)}")
    elif right:
        lines.append(f"  ✓ all {len(right)} right")
    for item in items:
        if item.get("right"):
            continue
        name = item_name(item)
        note = f" ({item['note']})" if item.get("note") and item["note"] != "wrong" else ""
        if dataset_items:
            lines.append(f"  ✗ {_label(keys, part, name)}{note}. {_why(keys, part, name)}".rstrip())
        else:
            lines.append(f"  ✗ {name}{note}")
    return lines


def assignment_of(notebook: Path) -> str | None:
    from mlroles import manifest

    for assignment in manifest.assignments():
        if notebook.name == manifest.load(assignment).notebook:
            return assignment
    return None


def grade_notebook(notebook: Path, *, sandbox: bool = True, out=None) -> int:
    """Grade one of the learner's exercise notebooks in a temporary course; print the verdict."""
    import json

    from mlroles import cohort
    from mlroles.answer_keys import AnswerKeyError, load_graded_keys
    from mlroles.course import put_environment_on_path

    put_environment_on_path()   # nbgrader runs alembic and kernels by name
    out = out or sys.stdout
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
        keys = load_graded_keys(REPO_ROOT / "solutions" / "graded_keys.csv")
    except AnswerKeyError:
        print("Self-grading needs the course's graded keys (solutions/graded_keys.csv), which this copy of the "
              "course does not hold: in a cohort, your instructor's feedback is the verdict.", file=out)
        return 2
    with tempfile.TemporaryDirectory(prefix="mlroles-selfgrade-") as tmp:
        course = Path(tmp) / "course"
        (course / "solutions").mkdir(parents=True)
        shutil.copy(REPO_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(REPO_ROOT / "solutions" / assignment, course / "solutions" / assignment,
                        ignore=shutil.ignore_patterns("*.choices.json", ".ipynb_checkpoints"))
        shutil.copy(REPO_ROOT / "solutions" / "graded_keys.csv", course / "solutions" / "graded_keys.csv")
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
            for line in report_lines(json.loads(graded.read_text(encoding="utf-8")), assignment, keys):
                print("  " + line, file=out)
        print("  Written answers are not scored here: compare yours with the rubric in the exercise.", file=out)
    return 0 if outcome.status == "ok" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlroles.selfgrade", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="exercise notebooks to grade (default: every one in my-work/exercises/)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without bubblewrap (your own notebook, on your own machine)")
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")   # the gradebook's SQLAlchemy chatter
    warnings.filterwarnings("ignore", message=".*not in session.*")
    notebooks = args.notebooks or sorted((REPO_ROOT / "my-work" / "exercises").glob("*/ex*.ipynb"))
    notebooks = [n for n in notebooks if not n.name.endswith(".course-update.ipynb")]
    if not notebooks:
        print("No exercise notebooks to grade: open the course with `make lab` (it makes my-work/), work an "
              "exercise and save it, or name a notebook.")
        return 2
    from mlroles.sandbox import unavailable_reason

    if not args.no_sandbox and unavailable_reason():
        print(unavailable_reason())
        return 2
    codes = [grade_notebook(n, sandbox=not args.no_sandbox) for n in notebooks]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
