"""Benchmark of the course: grading, lessons, imports, self-checks and widgets, set-up, tests, memory,
a graded cohort, JupyterLab in a real browser, the items' keyword baseline and the cohort hub.

    make bench                                     the full protocol (see benchmarks/README.md)
    make bench BENCH_ARGS="--quick --cohort-students 4"
    .venv/bin/python -m benchmarks --help

Every figure is measured several times and reported with min, median and max beside its aim,
in benchmarks/RESULTS.md (for people) and benchmarks/results.json (for programs). A figure
that misses its aim is profiled and the profile goes into RESULTS.md. The run exits non-zero
only when a measurement broke (an exception, a failed run), never because a figure missed its aim.

Everything runs in a temporary folder (course roots, cohorts, venvs, Jupyter and IPython
settings), so the repository and your own settings are left as they were.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import browser, calls, cohort, content, fresh_setup, grading, hub, imports, lessons, memory, sandbox, suite
from .core import FIGURES, GROUPS, HERE, error_text, figure, isolate, machine, quiet_stderr, say
from .render import render_only, write_results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5; the protocol needs >= 5)")
    parser.add_argument("--quick", action="store_true", help="run the slow figures (fresh set-up, test suite) once")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the fresh set-up and the test suite")
    parser.add_argument("--cohort-students", type=int, default=100, help="students in the cohort (default 100)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="measure only these groups (for development)")
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md and results.json go (default: benchmarks/)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed at the start)")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: rewrite RESULTS.md from the results.json in --out")
    args = parser.parse_args(argv)
    if not args.render_only and (args.runs < 1 or args.cohort_students < 1):
        parser.error("--runs and --cohort-students must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        return render_only(args.out)

    # Isolation: a temporary folder for everything, and this process's environment pointed into it.
    started = time.perf_counter()
    environ = dict(os.environ)               # as started: the fresh set-up runs with it
    work = Path(tempfile.mkdtemp(prefix="mlroles-bench-"))
    isolate(work)

    wanted = set(args.only or GROUPS)
    if args.skip_slow:
        wanted -= {"setup", "tests"}
    slow_runs = 1 if args.quick else args.runs
    slow_note = "--quick" if args.quick else ""
    protocol = {"command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]),
                "runs": args.runs, "quick": args.quick, "skip_slow": args.skip_slow, "slow_runs": slow_runs,
                "cohort_students": args.cohort_students, "groups": sorted(wanted),
                "left_out": [g for g in GROUPS if g not in wanted], "workdir": str(work)}
    info = machine()
    say(f"Benchmark: {info['cpu_count']} x {info['cpu_model']}, {info['memory_GiB']} GiB, Python {info['python']}, "
        f"commit {info['git_commit'][:10]}; runs {args.runs}, slow runs {slow_runs if not args.skip_slow else 0}, "
        f"cohort {args.cohort_students}; temporary folder {work}")

    # The groups, in the order they run (RESULTS.md shows them in the order of GROUPS).
    steps = [
        ("grading", lambda: grading.bench(work, args.runs)),
        ("sandbox", lambda: sandbox.bench(work, args.runs)),
        ("lessons", lambda: lessons.bench(work, args.runs, memory="memory" in wanted)),
        ("imports", lambda: imports.bench(work, args.runs)),
        ("calls", lambda: calls.bench(work, args.runs)),
        ("memory", lambda: memory.bench(work, args.runs)),
        ("browser", lambda: browser.bench(work, args.runs)),
        ("cohort", lambda: cohort.bench(work, args.cohort_students)),
        ("setup", lambda: fresh_setup.bench(work, slow_runs, slow_note, environ)),
        ("tests", lambda: suite.bench(work, slow_runs, slow_note)),
        ("content", content.bench),
        ("hub", lambda: hub.bench(work)),
    ]

    def save() -> None:
        info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        info["benchmark_minutes"] = round((time.perf_counter() - started) / 60, 1)
        write_results(args.out, info, protocol, FIGURES)

    try:
        for group, step in steps:
            if group not in wanted:
                continue
            try:
                with quiet_stderr(work / "stderr.log"):
                    step()
            except Exception as exc:  # noqa: BLE001 -- a step that broke outside its figures
                figure(f"{group}.step", group, f"{group} (the whole step)", "s").error = error_text(exc)
                say(f"  BROKEN step {group}: {exc}")
            save()                   # partial results survive a later crash
    finally:
        save()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    broken = [f for f in FIGURES if f.error]
    missed = [f for f in FIGURES if f.met is False]
    say(f"\nWrote {args.out / 'RESULTS.md'} and {args.out / 'results.json'} "
        f"({(time.perf_counter() - started) / 60:.1f} min). {len(missed)} figure(s) miss their aim; "
        f"{len(broken)} measurement(s) broken.")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
