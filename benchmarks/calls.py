"""Figure 4, self-checks and widgets: in-process, in a scratch folder, ``check()`` on a full answer set
(ex1, ex3) or on the reference function (ex2, ex4), and building each widget; after one untimed call,
at least 10 calls each.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from .core import REPO, cprofile_top, figure, measuring, report, say


def solution_function(assignment: str, grade_id: str, name: str):
    """The reference solution a solution notebook defines in cell ``grade_id`` (markers dropped)."""
    import nbformat
    import pandas as pd

    from mlroles.instructor.course_root import without_solution_markers

    nb = nbformat.read(str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    namespace = {"pd": pd}
    exec(compile(without_solution_markers(cell.source), f"<{assignment}:{grade_id}>", "exec"), namespace)
    return namespace[name]


def bench(work: Path, runs: int) -> None:
    say("\n4. Self-check calls on a full answer set, and building each widget (in-process, warm)")
    cwd = Path.cwd()
    scratch = work / "calls"
    scratch.mkdir()
    os.chdir(scratch)          # boards save their choices files next to the notebook, i.e. here
    try:
        import ipywidgets as widgets

        from mlroles.checks import base as feedback
        from mlroles.exercises import ex1, ex2, ex3, ex4
        from mlroles.widgets import quiz

        choose_serving_mode = solution_function("ex2_serving_handoff", "choose_serving_mode", "choose_serving_mode")
        next_need = solution_function("ex4_team_coverage", "next_need", "next_need")
        ex3_full = {ad: {"role": row["real_role"], "flags": list(row["red_flags"])}
                    for ad, row in ex3.practice_ads().iterrows()}
        ex1_full = dict(ex1.practice.key)

        def status(result):
            if result.status != feedback.CORRECT:
                raise RuntimeError(f"a full answer set was not judged correct: {result.status}: {result}")

        cases = [
            ("check.ex1", "ex1.practice.check(full answers)", lambda: status(ex1.practice.check(ex1_full))),
            ("check.ex2", "ex2.serving.check(solution function)", lambda: status(ex2.serving.check(choose_serving_mode))),
            ("check.ex3", "ex3.practice.check(full answers)", lambda: status(ex3.practice.check(ex3_full))),
            ("check.ex4", "ex4.practice.check(solution function)", lambda: status(ex4.practice.check(next_need))),
            ("widget.ex1_practice", "build ex1.practice_board()", ex1.practice_board),
            ("widget.ex1_graded", "build ex1.graded_board()", ex1.graded_board),
            ("widget.ex2_explorer", "build ex2.serving_explorer(fn)", lambda: ex2.serving_explorer(choose_serving_mode)),
            ("widget.ex3_reviewer", "build ex3.practice_reviewer()", ex3.practice_reviewer),
            ("widget.ex4_explorer", "build ex4.team_explorer(fn)", lambda: ex4.team_explorer(next_need)),
            ("widget.quiz", "build quiz.lesson_quiz('01_two_roles_two_risks')",
             lambda: quiz.lesson_quiz("01_two_roles_two_risks")),
        ]
        n = max(runs, 10)
        for key, name, fn in cases:
            fig = figure(f"calls.{key}", "calls", name, "ms", "< 50")
            with measuring(fig):
                start = time.perf_counter()
                fn()                                   # first call: caches filled, untimed in the figure
                fig.extra["first_call_ms"] = (time.perf_counter() - start) * 1000
                widgets.Widget.close_all()
                for _ in range(n):
                    start = time.perf_counter()
                    fn()
                    fig.values.append((time.perf_counter() - start) * 1000)
                    widgets.Widget.close_all()
                fig.note = f"first call {fig.extra['first_call_ms']:.0f} ms (fills caches)"
                if not fig.met:
                    fig.profile = cprofile_top(fn, 16)
                    widgets.Widget.close_all()
            report(fig)
        leftovers = sorted(p.name for p in scratch.iterdir())
        if leftovers:
            say(f"  (files written in the scratch folder: {', '.join(leftovers)})")
    finally:
        os.chdir(cwd)
