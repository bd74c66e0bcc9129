"""``cohort.grade`` on one course root in an interpreter of its own, timed inside it, as an instructor's
``python -m mlroles.instructor.cli grade`` would run it. The memory and cohort figures start it as a child
process and sample the memory of its workers and their kernels from outside:

    python -P benchmarks/grade_runner.py COURSE JOBS OUT

It writes ``{"seconds": ..., "outcomes": [...]}`` (one outcome per submission) to OUT.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/grade_runner.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("course", type=Path, help="the course root to grade")
    parser.add_argument("jobs", type=int, help="cohort.grade's jobs")
    parser.add_argument("out", type=Path, help="where the timing and the outcomes go (JSON)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    from mlroles.instructor import cohort

    start = time.perf_counter()
    outcomes = cohort.grade(args.course, jobs=args.jobs)
    seconds = time.perf_counter() - start
    args.out.write_text(json.dumps({"seconds": seconds, "outcomes": [o.__dict__ for o in outcomes]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
