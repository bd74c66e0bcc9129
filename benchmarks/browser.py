"""Figure 8, JupyterLab in Chromium: server start to ready, lesson 01 open to kernel idle, Run All to widgets
visible (lesson 01, ex2 solution), and the serving explorer's round trip.

The measuring is done by benchmarks/browser_session.py in a child process, because it drives the browser
with the browser tests' own helpers (tests/browser_support.py): the child gets the tests folder on its
PYTHONPATH, and this process's import path stays as it is.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .core import HERE, REPO, figure, measuring, report, run_command, say, tail

SESSION = HERE / "browser_session.py"
NAMES = {
    "ready": ("browser.server_ready", "JupyterLab server start to ready", "s", None),
    "open": ("browser.open", "notebook open to kernel idle (lesson 01)", "s", None),
    "run_lesson": ("browser.run_all_lesson", "Run All to widgets visible (lesson 01)", "s", None),
    "run_ex2": ("browser.run_all_ex2", "Run All to widgets visible (ex2 solution)", "s", None),
    "round_trip": ("browser.round_trip", "widget round trip (serving explorer: tick, untick, choose)", "ms", "< 150"),
}


def run_session(work: Path, runs: int) -> dict:
    """browser_session.py's measurements (see its docstring for the keys)."""
    out, log = work / "browser.json", work / "browser.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "tests"), env.get("PYTHONPATH")) if p)
    _, rc = run_command([sys.executable, "-P", str(SESSION), "--runs", str(runs), "--workdir", str(work),
                         "--out", str(out)], cwd=REPO, env=env, log=log)
    if rc or not out.exists():
        raise RuntimeError(f"the browser session exited with {rc}:\n{tail(log)}")
    return json.loads(out.read_text(encoding="utf-8"))


def bench(work: Path, runs: int) -> None:
    say("\n8. JupyterLab in Chromium (tests/browser_support.py)")
    figs = {k: figure(i, "browser", n, u, a) for k, (i, n, u, a) in NAMES.items()}
    with measuring(*figs.values()):
        result = run_session(work, runs)
        if result["unavailable"]:
            for f in figs.values():
                f.note = f"not measured: {result['unavailable']}"
            say(f"  not measured: {result['unavailable']}")
            return
        for key, f in figs.items():
            f.values = result["values"][key]
        if result["error"]:
            for f in figs.values():
                f.error = result["error"]
        else:
            trips = figs["round_trip"]
            trips.note = "3 round trips per run, all runs pooled: control change to the decision redrawn"
            trips.runs_note = "samples: 3 per run"
            if not trips.met and trips.values:
                trips.profile = "Round trips in ms, in order: " + ", ".join(f"{v:.0f}" for v in trips.values) + "."
    for f in figs.values():
        report(f)
