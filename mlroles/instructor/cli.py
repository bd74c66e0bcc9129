"""The cohort commands behind make's targets: ``python -m mlroles.instructor.cli <command>``.

    roster import FILE   the cohort's students into the gradebook
    release              generate every assignment from solutions/ into exercises/ (and the exchange)
    grade                autograde every submission in submitted/, in parallel, with progress
    feedback             feedback pages, scanned for leaked keys
    report               grades.csv and the item analysis in reports/
    export               weighted grades for an LMS
    demo                 all of the above on a synthetic cohort

Each works on the course root given with ``--course`` (default: the working directory).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlroles.instructor import cohort, course_root
from mlroles.instructor.cohort import MEMORY_PER_JOB_GB


def main(argv: list[str] | None = None) -> int:
    from mlroles.instructor.settings import SettingsError

    try:
        return _main(argv)
    except SettingsError as exc:   # a mistake in cohort.toml: where, and what to write instead
        print(exc)
        return 2


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlroles.instructor.cohort",
        description="Grade a cohort with nbgrader: release, autograde in parallel, feedback, report.",
        epilog="Typical cycle: release -> learners work -> nbgrader collect (or copy into submitted/) -> "
               "grade -> grade written answers in the Formgrader -> feedback -> report.")
    parser.add_argument("--course", type=Path, default=None,
                        help="the course root (holds solutions/, submitted/, gradebook.db); default: the working directory")
    sub = parser.add_subparsers(dest="command", required=True)
    ro = sub.add_parser("roster", help="the cohort's students: import a CSV (id, first and last name, email)")
    ro.add_argument("action", choices=["import"], help="import: add or update every student of FILE")
    ro.add_argument("file", type=Path, help="CSV with a header; an LMS export works (see mlroles/instructor/roster.py)")
    rel = sub.add_parser("release", help="generate every assignment from solutions/ into exercises/ (and the exchange)")
    rel.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    rel.add_argument("--force", action="store_true", help="replace a release already in the exchange")
    g = sub.add_parser("grade", help="autograde every submission in submitted/, in parallel, with progress")
    g.add_argument("--jobs", type=int, default=0, help="submissions graded at once (default: one per core)")
    g.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    g.add_argument("--timeout", type=int, default=None, help="seconds each cell may run (default: nbgrader_config.py)")
    g.add_argument("--memory-per-job", type=float, default=MEMORY_PER_JOB_GB,
                   help=f"GB of address space each job and its kernel may use (default: {MEMORY_PER_JOB_GB}; 0: no limit)")
    g.add_argument("--no-sandbox", action="store_true",
                   help="grade without the bwrap sandbox (learner code can then reach keys and gradebook)")
    fb = sub.add_parser("feedback", help="feedback pages for graded submissions, scanned for leaked keys")
    fb.add_argument("--allow-pending", action="store_true",
                    help="write the pages although written answers still wait for a grader (they show 0 points)")
    r = sub.add_parser("report", help="grades.csv and an item analysis (CSV, PNG charts, HTML page)")
    r.add_argument("--out", type=Path, default=None, help="folder for the report (default: <course>/reports)")
    ex = sub.add_parser("export", help="weighted grades for an LMS: Canvas's grade import layout, or a plain CSV")
    ex.add_argument("--format", choices=["canvas", "csv"], default="canvas")
    ex.add_argument("--out", type=Path, default=None, help="the file to write (default: in <course>/reports/)")
    d = sub.add_parser("demo", help="build a synthetic cohort, grade it and write its report")
    d.add_argument("--dir", type=Path, default=None, help="where to build it (default: cohort-demo/ in the course root)")
    d.add_argument("--students", type=int, default=30)
    d.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        course = args.course.resolve() if args.course else course_root.find()
    except course_root.NoCourseRoot as exc:
        print(exc)
        return 2
    if args.command != "demo" and not (course / "solutions").is_dir():
        print(f"{course} has no solutions/ folder: point --course at a course root.")
        return 2
    if args.command == "roster":
        return cohort.import_roster(course, args.file)
    if args.command in ("release", "grade"):
        unknown = [a for a in (args.assignment or []) if a not in course_root.source_assignments(course)]
        if unknown:
            print(f"No such assignment: {', '.join(unknown)}. Available: {', '.join(course_root.source_assignments(course))}.")
            return 2
    if args.command == "release":
        return cohort.release(course, assignments=args.assignment, force=args.force)
    if args.command == "grade":
        outcomes = cohort.grade(course, jobs=args.jobs, assignments=args.assignment, timeout=args.timeout,
                         memory_gb=args.memory_per_job, sandbox=not args.no_sandbox)
        return 0 if outcomes else 1
    if args.command == "feedback":
        return cohort.feedback(course, allow_pending=args.allow_pending)
    if args.command == "report":
        cohort.report(course, args.out)
        return 0
    if args.command == "export":
        from mlroles.instructor import export

        return export.write(course, args.format, args.out)
    if args.command == "demo":
        from mlroles.instructor import demo as cohort_demo

        return cohort_demo.run((args.dir or course / "cohort-demo").resolve(), students=args.students, jobs=args.jobs,
                               source=course)
    return 2


if __name__ == "__main__":
    sys.exit(main())
