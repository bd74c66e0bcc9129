"""Figure 1b, the grading sandbox: per exercise, the solution notebook graded with ``NbGraderAPI.autograde``
with every kernel under bwrap (as nbgrader_config.py sets it) and without (``SandboxedKernelManager.sandbox
= False``), alternating; both must give the same score, and each pair gives a ratio.
"""
from __future__ import annotations

import copy
import statistics
import time
from pathlib import Path

from .core import figure, measuring, report, say
from .grading import STUDENT, submitted_solution


def bench(work: Path, runs: int) -> None:
    say("\n1b. The grading sandbox: NbGraderAPI.autograde with every kernel under bwrap against without it")
    from nbgrader.apps import NbGraderAPI

    from mlroles import course as course_parts

    for part in course_parts.EXERCISES:
        a = part.id
        fig = figure(f"sandbox.{a}", "sandbox", f"autograde in the sandbox / without it, {a}", "ratio", "<= 1.10")
        with measuring(fig):
            course, _ = submitted_solution(a, work / "sandbox" / a / "course")
            open_config = copy.deepcopy(course.config)
            open_config.SandboxedKernelManager.sandbox = False
            apis = {"sandboxed": course.api, "open": NbGraderAPI(config=open_config)}
            scores = {}

            def autograde(key):
                result = apis[key].autograde(a, STUDENT, force=True, create=True)
                if not result["success"]:
                    raise RuntimeError(f"autograde ({key}) failed: {result['error']}\n{result['log'][-1500:]}")
                scores[key] = course.score(a, STUDENT)

            for key in apis:      # warm-up, untimed
                autograde(key)
            took = {"sandboxed": [], "open": []}
            for i in range(runs):
                for key in (("sandboxed", "open") if i % 2 == 0 else ("open", "sandboxed")):
                    start = time.perf_counter()
                    autograde(key)
                    took[key].append(time.perf_counter() - start)
            if scores["sandboxed"] != scores["open"]:
                raise RuntimeError(f"the sandbox changed the score: {scores}")
            fig.values = [s / o for s, o in zip(took["sandboxed"], took["open"])]
            fig.extra = {"sandboxed_s": took["sandboxed"], "open_s": took["open"], "score": scores["sandboxed"]}
            fig.note = (f"in the sandbox {statistics.median(took['sandboxed']):.2f} s, without it "
                        f"{statistics.median(took['open']):.2f} s (medians); same score ({scores['open']:g})")
        report(fig)
