"""Regenerate the learner release (exercises/) from the instructor source (solutions/).

    python -m mlroles.instructor.release            every assignment in solutions/
    python -m mlroles.instructor.release ex1_...    only the ones named

It uses nbgrader's own generate_assignment with the repository's nbgrader_config.py,
so exercises/ is exactly what nbgrader makes: never edit it by hand. It is also the only
command that writes exercises/, and it refuses where exercises/ holds anything a release
did not put there (a learner's answers, saved choices), so nothing of anyone's is lost.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from mlroles import file_record
from mlroles.instructor import course_root
from mlroles.instructor.course_root import source_assignments


def stray_choices(assignment: str, root: Path) -> list[Path]:
    """Saved widget choices inside a source folder (left there by trying the solution notebook)."""
    return sorted((root / "solutions" / assignment).rglob("*.choices.json"))


# What the last release wrote (sha-256 per file), so a maintainer can release again before
# committing; git-ignored. A fresh clone has none: there the committed release is the baseline.
RECORD = ".release-record.json"


def _write_record(root: Path, assignment: str) -> None:
    record = {k: v for k, v in file_record.read(root / RECORD).items() if not k.startswith(f"exercises/{assignment}/")}
    for path in sorted((root / "exercises" / assignment).rglob("*")):
        if path.is_file():
            record[str(path.relative_to(root))] = file_record.sha256(path)
    file_record.write(root / RECORD, record)


def _differs_from_commit(root: Path, folder: str) -> list[str] | None:
    """Files under ``folder`` that differ from the last commit (changed, new or ignored), or None
    when ``root`` is not the top of a git checkout (a course folder inside another project's
    checkout has no commits of its own to compare with)."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)

    try:
        top = git("rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
            return None
        out = git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", folder)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    entries = [e for e in out.stdout.split("\0") if e]
    return [e[3:] for e in entries if len(e) > 3 and "D" not in e[:2]]


def learner_changes(assignment: str, root: Path) -> list[str]:
    """Files in ``exercises/<assignment>/`` that no release put there: what releasing would overwrite or delete.

    A file is the release's own when it matches the committed release or what the last
    ``make release`` wrote. Outside git, with no record of a release, only saved widget choices
    are known to be a learner's."""
    folder = root / "exercises" / assignment
    if not folder.is_dir():
        return []
    record = file_record.read(root / RECORD)
    candidates = _differs_from_commit(root, f"exercises/{assignment}")
    if candidates is None:
        files = [str(p.relative_to(root)) for p in sorted(folder.rglob("*")) if p.is_file()]
        # with no record of this assignment's release (a folder nbgrader itself generated), only saved widget
        # choices are known to be a learner's; a record of another assignment says nothing about this one
        released = any(k.startswith(f"exercises/{assignment}/") for k in record)
        candidates = files if released else [f for f in files if f.endswith(".choices.json")]
    changed = []
    for rel in candidates:
        path = root / rel
        if path.is_dir():   # git lists a wholly untracked folder once
            changed += [str(p.relative_to(root)) for p in sorted(path.rglob("*")) if p.is_file()]
        elif path.is_file() and record.get(rel) != file_record.sha256(path):
            changed.append(rel)
    return changed


def _manifest_mismatch(assignment: str, root: Path) -> list[str]:
    """What the exercise's manifest and its source notebook disagree on ([] without a manifest: a
    course's own extra assignment keeps nbgrader's rules)."""
    import nbformat

    from mlroles import manifest

    try:
        plan = manifest.load(assignment)
    except KeyError:
        return []
    path = root / "solutions" / assignment / plan.notebook
    if not path.exists():
        return [f"{path.relative_to(root)} is missing"]
    return manifest.differences(plan, nbformat.read(path, as_version=4))


def release(assignments: list[str], root: Path) -> list[str]:
    """Generate each assignment of the course root ``root``; return the error messages (empty when all went well)."""
    api = course_root.make_api(root)
    errors = []
    for assignment in assignments:
        strays = stray_choices(assignment, root)
        if strays:
            names = ", ".join(str(p.relative_to(root)) for p in strays)
            errors.append(f"{assignment}: {names} holds widget choices made while trying the solution notebook. "
                          "nbgrader would release it to learners and copy it over their own saved answers at "
                          "grading. Delete it, then release again.")
            continue
        changed = learner_changes(assignment, root)
        if changed:
            errors.append(f"{assignment}: exercises/{assignment}/ holds files no release put there, and releasing "
                          f"would overwrite or delete them: {', '.join(changed)}. They look like a learner's work "
                          "(make lab keeps that in my-work/, which git ignores). Move them out of exercises/ (or, "
                          f"if nobody needs them, restore the committed release: git checkout -- exercises/{assignment}"
                          " and delete the new files), then release again.")
            continue
        mismatch = _manifest_mismatch(assignment, root)
        if mismatch:
            errors.append(f"{assignment}: the source notebook and mlroles/manifests/{assignment}.toml disagree: "
                          f"{'; '.join(mismatch)}. Make them agree (the manifest is what the grader scores), "
                          "then release again.")
            continue
        result = api.generate_assignment(assignment, force=True)
        if result["success"]:
            _write_record(root, assignment)
            print(f"released {assignment} -> exercises/{assignment}/")
        else:
            errors.append(f"{assignment}: {result['error'].strip() or result['log'].strip()}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlroles.instructor.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every folder in solutions/)")
    args = parser.parse_args(argv)
    try:
        root = course_root.find()
    except course_root.NoCourseRoot as exc:
        print(exc)
        return 2
    available = source_assignments(root)
    unknown = [a for a in args.assignments if a not in available]
    if unknown:
        print(f"No such assignment in solutions/: {', '.join(unknown)}. Available: {', '.join(available) or 'none'}.")
        return 2
    errors = release(args.assignments or available, root)
    for error in errors:
        print(f"FAILED {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
