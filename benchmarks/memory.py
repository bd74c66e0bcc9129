"""Figure 6b, the memory of a parallel grading run: ``cohort.grade(jobs=2)`` on a small clean cohort, the peak
resident memory of its workers and their kernels together divided by the jobs (what one more ``--jobs``
costs). The lessons' kernels (figure 6a) are measured with the lessons.
"""
from __future__ import annotations

import statistics
from pathlib import Path

from .cohort import build_cohort, grade_in_subprocess
from .core import figure, measuring, report, say


def bench(work: Path, runs: int, jobs: int = 2, students: int = 3) -> None:
    say(f"\n6b. Memory of a parallel grading run (cohort.grade, jobs={jobs}, {students} students x every exercise)")
    fig = figure("memory.grading_per_job", "memory", f"parallel grading peak RSS per job (jobs={jobs})", "MB")
    with measuring(fig):
        course = work / "grading-memory" / "course"
        build_cohort(course, students)
        totals, parents = [], []
        for _ in range(runs):
            result = grade_in_subprocess(course, jobs, work / "grading-memory.log")
            fig.values.append(result["peak_workers"] / jobs / 2**20)
            totals.append(result["peak_workers"] / 2**20)
            parents.append(result["peak_parent"] / 2**20)
        fig.extra = {"peak_workers_and_kernels_MB": totals, "peak_parent_MB": parents, "jobs": jobs,
                     "notebooks": students * 4}
        fig.note = (f"workers and their kernels together peak at {statistics.median(totals):.0f} MB (median); "
                    f"the parent process adds {statistics.median(parents):.0f} MB. RSS counts memory shared "
                    "between forked workers once per process, so this errs high")
    report(fig)
