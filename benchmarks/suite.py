"""Figure 5b, the test suite: ``make test`` from the repository root, as CI runs it (one pytest-xdist worker
per core), with pytest's durations so that a slow run can be explained file by file.
"""
from __future__ import annotations

import re
from pathlib import Path

from .core import BIN, REPO, Figure, figure, measuring, report, run_command, say


def bench(work: Path, runs: int, runs_note: str) -> None:
    say(f"\n5b. The full test suite (make test, as CI runs it; {runs} run(s))")
    fig = figure("tests.suite", "tests", "full test suite (make test)", "s", "< 360", runs_note=runs_note)
    with measuring(fig):
        summaries, durations = [], ""
        for i in range(runs):
            log = work / f"pytest-{i}.log"
            # exactly the README's test command (pytest-xdist, one worker per core), with durations
            took, rc = run_command(["make", "--no-print-directory", "test", "PYTEST_ARGS=--durations=0",
                                    f"BIN={BIN}"], cwd=REPO, log=log)
            text = log.read_text(errors="replace")
            summary = next((l.strip("= ") for l in reversed(text.splitlines()) if re.search(r"\d+ (passed|failed)", l)),
                           "(no summary line)")
            summaries.append(summary)
            fig.values.append(took)
            m = re.search(r"=+ slowest durations =+\n(.*?)\n(?:\n|=)", text, re.S)
            if m:
                durations = m.group(1)
            say(f"  run {i + 1}: {took:.0f} s, {summary}")
            if rc:
                fig.error = (f"the test suite failed (exit {rc}): {summary}\n"
                             + "\n".join(l for l in text.splitlines() if l.startswith(("FAILED", "ERROR")))[:3000])
        rows = [(float(m.group(1)), m.group(2), m.group(3)) for m in
                re.finditer(r"^([\d.]+)s (setup|call|teardown)\s+(\S+)", durations, re.M)]
        per_file: dict[str, float] = {}
        for seconds, _, test in rows:
            per_file[test.split("::")[0]] = per_file.get(test.split("::")[0], 0.0) + seconds
        fig.extra = {"summaries": summaries, "seconds_per_file": per_file,
                     "slowest_tests": [f"{s:.1f}s {phase} {t}" for s, phase, t in sorted(rows, reverse=True)[:25]]}
        fig.note = summaries[-1] if summaries else ""
        if not fig.met and rows:
            fig.profile = "\n".join(
                ["pytest --durations=0 (last run), seconds per test file (setup, call and teardown added up):"]
                + [f"  {v:7.1f}  {k}" for k, v in sorted(per_file.items(), key=lambda kv: -kv[1])[:12]]
                + ["slowest single phases:"] + [f"  {x}" for x in fig.extra["slowest_tests"][:12]])
    report(fig)


def analysis(f: Figure) -> str:
    """What this run's own numbers say about a test-suite figure that misses its aim."""
    e = f.extra or {}
    if not e.get("seconds_per_file"):
        return ""
    per_file = sorted(e["seconds_per_file"].items(), key=lambda kv: -kv[1])
    total = sum(v for _, v in per_file)
    top = per_file[:4]
    return (f"In this run: {f.note}; {', '.join(k.split('/')[-1] for k, _ in top)} took "
            f"{sum(v for _, v in top):.0f} s of the {total:.0f} s spent in tests "
            f"({100 * sum(v for _, v in top) / total:.0f}%).")
