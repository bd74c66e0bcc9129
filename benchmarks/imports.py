"""Figure 3, import cost: ``import mlroles`` and ``import mlroles.exercises.ex1`` against
``import pandas, ipywidgets``, wall time of fresh interpreters, a ratio per run.

``profile_imports`` is also what a slow lesson's profile shows (figure 2).
"""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
from pathlib import Path

from .core import figure, measuring, report, run_command, say

COMMANDS = {"mlroles": "import mlroles", "mlroles.exercises.ex1": "import mlroles.exercises.ex1",
            "baseline": "import pandas, ipywidgets"}


def profile_imports(module: str, cwd: Path, prelude: str = "") -> str:
    """``python -X importtime -c 'import module'``: the imports that cost the most (self time)."""
    code = f"{prelude}; import {module}" if prelude else f"import {module}"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True,
                          text=True, cwd=cwd)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)), m.group(4)))
    top_level = sorted((r for r in rows if r[2] <= 3), key=lambda r: -r[1])[:10]
    by_self = sorted(rows, key=lambda r: -r[0])[:10]
    ours = sorted((r for r in rows if r[3].startswith("mlroles")), key=lambda r: -r[1])
    lines = [f"python -X importtime -c '{code}' (one run; microseconds)",
             "largest cumulative imports at the top of the tree:"]
    lines += [f"  {c:>8} cumulative  {name}" for s, c, d, name in top_level]
    lines += ["largest self times:"] + [f"  {s:>8} self  {name}" for s, c, d, name in by_self]
    lines += ["mlroles modules (cumulative):"] + [f"  {c:>8}  {name}" for s, c, d, name in ours[:8]]
    return "\n".join(lines)


def bench(work: Path, runs: int) -> None:
    say("\n3. Imports in a fresh interpreter (subprocess wall time)")
    figs = {
        "mlroles": figure("imports.mlroles", "imports", "import mlroles / import pandas, ipywidgets", "ratio", "<= 1.3"),
        "mlroles.exercises.ex1": figure("imports.mlroles.exercises.ex1", "imports",
                                        "import mlroles.exercises.ex1 / import pandas, ipywidgets", "ratio", "<= 1.3"),
    }
    with measuring(*figs.values()):
        def once(code):
            took, rc = run_command([sys.executable, "-c", code], cwd=work)
            if rc:
                raise RuntimeError(f"{code!r} exited with {rc}")
            return took

        for code in COMMANDS.values():   # warm-up: bytecode caches and the disk cache
            once(code)
        times = {k: [] for k in COMMANDS}
        keys = list(COMMANDS)
        for i in range(runs):
            for k in keys[i % 3:] + keys[:i % 3]:      # rotate the order every run
                times[k].append(once(COMMANDS[k]))
        for k, fig in figs.items():
            fig.values = [t / b for t, b in zip(times[k], times["baseline"])]
            fig.extra = {"seconds": times[k], "baseline_seconds": times["baseline"]}
            fig.note = (f"{statistics.median(times[k]) * 1000:.0f} ms against "
                        f"{statistics.median(times['baseline']) * 1000:.0f} ms")
            if not fig.met:
                fig.profile = profile_imports(k, work)
            report(fig)
