"""Regenerate the learner release (exercises/) from the instructor source (solutions/).

    python -m mlroles.release            every assignment in solutions/
    python -m mlroles.release ex1_...    only the ones named

It uses nbgrader's own generate_assignment with the repository's nbgrader_config.py,
so exercises/ is exactly what nbgrader makes: never edit it by hand.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlroles.course import REPO_ROOT


def source_assignments(root: Path = REPO_ROOT) -> list[str]:
    folder = root / "solutions"
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def make_api(root: Path = REPO_ROOT):
    """nbgrader's API configured from the course's nbgrader_config.py (the API does not read it itself)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    from mlroles.course import put_environment_on_path

    put_environment_on_path()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    config.CourseDirectory.root = str(root)
    return NbGraderAPI(config=config)


def stray_choices(assignment: str, root: Path = REPO_ROOT) -> list[Path]:
    """Saved widget choices inside a source folder (left there by trying the solution notebook)."""
    return sorted((root / "solutions" / assignment).rglob("*.choices.json"))


def release(assignments: list[str], root: Path = REPO_ROOT) -> list[str]:
    """Generate each assignment; return the error messages (empty when all went well)."""
    api = make_api(root)
    errors = []
    for assignment in assignments:
        strays = stray_choices(assignment, root)
        if strays:
            names = ", ".join(str(p.relative_to(root)) for p in strays)
            errors.append(f"{assignment}: {names} holds widget choices made while trying the solution notebook. "
                          "nbgrader would release it to learners and copy it over their own saved answers at "
                          "grading. Delete it, then release again.")
            continue
        result = api.generate_assignment(assignment, force=True)
        if result["success"]:
            print(f"released {assignment} -> exercises/{assignment}/")
        else:
            errors.append(f"{assignment}: {result['error'].strip() or result['log'].strip()}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlroles.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every folder in solutions/)")
    args = parser.parse_args(argv)
    available = source_assignments()
    unknown = [a for a in args.assignments if a not in available]
    if unknown:
        print(f"No such assignment in solutions/: {', '.join(unknown)}. Available: {', '.join(available) or 'none'}.")
        return 2
    errors = release(args.assignments or available)
    for error in errors:
        print(f"FAILED {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
