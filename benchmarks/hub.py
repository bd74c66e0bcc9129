"""Figure 10, the cohort hub on one machine: benchmarks/hub_load.py (also alone: ``make bench-hub``) run as a
child process, its figures read back from the JSON it writes into the benchmark's temporary folder (the
committed benchmarks/hub_load.json is left as it is).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .core import HERE, REPO, figure, report, say

HUB_LOAD = HERE / "hub_load.py"


def bench(work: Path, learners: int = 20) -> None:
    say(f"\n10. The cohort hub: {learners} learners log in through the REST API, start their servers and run lesson 1")
    out = work / "hub_load.json"
    # hub_load.py prints its progress as it goes (-u: unbuffered) and exits 1 when a learner failed, which is
    # a figure here; only a missing result is a broken step
    env = dict(os.environ, PYTHONPATH=str(REPO / "tests"))     # hub_load.py uses the tests' hub helpers
    proc = subprocess.run([sys.executable, "-u", "-P", str(HUB_LOAD), "--learners", str(learners), "--out", str(out)],
                          cwd=REPO, stdin=subprocess.DEVNULL, env=env)
    if not out.exists():
        raise RuntimeError(f"benchmarks/hub_load.py exited with {proc.returncode} and wrote no results")
    r = json.loads(out.read_text(encoding="utf-8"))
    runs_note = "one load run: every learner is a sample"
    for fid, name, unit, values, aim in (
            ("hub.spawn", "server start per learner (all at once)", "s", r.get("spawn_s", []), None),
            ("hub.lesson", "lesson 1, every cell, per learner (all at once)", "s", r.get("lesson_s", []), None),
            ("hub.memory", "memory per active learner (PSS of server and kernel)", "MB", r.get("active_learner_MB", []), None),
            ("hub.failures", f"learners whose server or lesson failed, of {learners}", "count", [r["failures"]], "<= 0")):
        fig = figure(fid, "hub", name, unit, aim, runs_note=runs_note)
        fig.values = list(values)
        fig.extra = {"sizing": r.get("sizing", {}), "spawn_wall_s": r.get("spawn_wall_s"),
                     "lesson_wall_s": r.get("lesson_wall_s"), "failures": {**r.get("spawn_failures", {}),
                                                                          **r.get("lesson_failures", {})}}
        if fid == "hub.memory" and r.get("sizing"):
            fig.note = (f"{r['sizing']['learners_per_GB']} learners per GB, "
                        f"{r['sizing']['learners_per_core_lesson_within_a_minute']} per core (see benchmarks/README.md)")
        report(fig)
