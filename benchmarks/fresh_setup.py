"""Figure 5a, fresh set-up: a new venv, ``pip install --upgrade pip``, ``pip install -e .[test]`` (pip's cache
on), with the environment as ``make`` would see it, not the benchmark's isolated one.
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
from pathlib import Path

from .core import REPO, figure, measuring, report, run_command, say, tail


def bench(work: Path, runs: int, runs_note: str, environ: dict[str, str]) -> None:
    """``environ``: the environment the benchmark was started with."""
    say(f"\n5a. Fresh set-up: new venv + upgraded pip + pip install -e .[test] ({runs} run(s))")
    fig = figure("setup.fresh", "setup", "fresh set-up (venv, pip upgrade, pip install -e .[test])", "s", "< 120",
                 runs_note=runs_note)
    base_python = getattr(sys, "_base_executable", None) or shutil.which("python3", path=environ.get("PATH"))
    env = dict(environ)
    env.pop("VIRTUAL_ENV", None)
    phases = {"venv": [], "pip upgrade": [], "install": []}
    with measuring(fig):
        for i in range(runs):
            target = work / f"setup-{i}"
            venv = target / "venv"
            log = work / f"setup-{i}.log"
            total = 0.0
            for phase, cmd in (("venv", [base_python, "-m", "venv", str(venv)]),
                               ("pip upgrade", [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                                "--upgrade", "pip"]),
                               ("install", [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                            "-e", f"{REPO}[test]"])):
                took, rc = run_command(cmd, cwd=target if target.exists() else work, env=env, log=log)
                if rc:
                    raise RuntimeError(f"{phase} exited with {rc}:\n{tail(log)}")
                phases[phase].append(took)
                total += took
            fig.values.append(total)
            shutil.rmtree(target, ignore_errors=True)
        fig.extra = {"phases_s": phases, "python": base_python,
                     "pip_cache": "on (pip's default cache; the first run may fill it)",
                     "PIP_FIND_LINKS": environ.get("PIP_FIND_LINKS")}
        fig.note = "; ".join(f"{k} {statistics.median(v):.1f} s" for k, v in phases.items())
        if not fig.met:
            fig.profile = "Phases (median s): " + fig.note + ". Phase times of every run: " + json.dumps(
                {k: [round(x, 1) for x in v] for k, v in phases.items()})
    report(fig)
