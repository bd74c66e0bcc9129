"""Figure 2, lesson run time, and figure 6a, the memory of a lesson's kernel: each lesson in course/ top to
bottom with nbclient from a fresh kernel, from the kernel's launch to the last cell's reply, after one
untimed run.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import time
from pathlib import Path

from .core import REPO, TreeSampler, execute_notebook, figure, measuring, notebook_errors, report, say
from .imports import profile_imports

INLINE_BACKEND = "import matplotlib_inline.backend_inline"   # what %matplotlib inline imports


def stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_durations(nb) -> list[tuple[float, int, str]]:
    """(seconds, index, first line) per code cell, from nbclient's timing metadata."""
    rows = []
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        a, b = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if a and b:
            seconds = (stamp(b) - stamp(a)).total_seconds()
            lines = [l.strip() for l in cell.source.splitlines() if l.strip()]
            rows.append((seconds, i, "; ".join(lines[:3])[:150]))
    return sorted(rows, reverse=True)


def bench(work: Path, runs: int, memory: bool) -> None:
    say("\n2. Lessons top to bottom from a fresh kernel (nbclient)" + (" and 6. kernel memory" if memory else ""))
    import nbformat

    from mlroles import course as course_parts

    folder = work / "lessons" / "course"
    shutil.copytree(REPO / "course", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.choices.json"))
    for part in course_parts.LESSONS:
        fig = figure(f"lesson.{part.id}", "lessons", f"lesson {part.id}", "s", "< 3")
        mem = figure(f"memory.lesson.{part.id}", "memory", f"lesson kernel peak RSS, {part.id}", "MB") if memory else None
        with measuring(*(f for f in (fig, mem) if f)):
            source = nbformat.read(str(folder / Path(part.path).name), as_version=4)
            execute_notebook(copy.deepcopy(source), folder)      # warm-up, untimed: disk and bytecode caches
            slowest, with_shutdown = None, []
            for _ in range(runs):
                with TreeSampler(interval=0.02) as sampler:
                    start = time.perf_counter()
                    wall_start = dt.datetime.now(dt.timezone.utc)
                    run = execute_notebook(copy.deepcopy(source), folder)
                    with_shutdown.append(time.perf_counter() - start)
                errors = notebook_errors(run)
                if errors:
                    raise RuntimeError(f"{part.id} raised: {errors[:3]}")
                # launch of the kernel to the last cell's reply (nbclient's own timestamps, this process's
                # clock); the kernel's shutdown afterwards is not something a learner waits for
                stamps = [c.metadata["execution"] for c in run.cells if c.get("metadata", {}).get("execution")]
                seconds = (stamp(stamps[-1]["shell.execute_reply"]) - wall_start).total_seconds()
                startup = (stamp(stamps[0]["iopub.status.busy"]) - wall_start).total_seconds()
                fig.values.append(seconds)
                if mem:
                    mem.values.append(sampler.peak / 2**20)
                if slowest is None or seconds > slowest[0]:
                    slowest = (seconds, startup, cell_durations(run))
            fig.extra["seconds_with_kernel_shutdown"] = with_shutdown
            fig.extra["kernel_start_to_first_cell_s"] = slowest[1]
            fig.extra["slowest_cells"] = [{"s": round(s, 3), "cell": i, "source": src} for s, i, src in slowest[2][:5]]
            if not fig.met:
                lines = [f"Slowest run {slowest[0]:.2f} s: kernel launch to first cell "
                         f"{slowest[1]:.2f} s; slowest cells (nbclient timing metadata):"]
                lines += [f"  {s:6.3f} s  cell {i}: {src}" for s, i, src in slowest[2][:6]]
                module = re.search(r"from mlroles\.lessons import (\w+)", "\n".join(c.source for c in source.cells))
                if module:
                    lines += ["", profile_imports(f"mlroles.lessons.{module.group(1)}", work, prelude=INLINE_BACKEND)]
                fig.profile = "\n".join(lines)
        report(fig)
        if mem:
            mem.note = "kernel process (and any children), RSS sampled every 20 ms"
            report(mem)
