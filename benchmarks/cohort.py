"""Figure 7, the cohort: a synthetic clean cohort graded by ``cohort.grade(jobs=2)``, then the same cohort by
``nbgrader autograde <assignment> --student <id>`` one invocation after another; and figure 7b, its
throughput against the floor the machine's cores set. One run, because it is long.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .core import BIN, HERE, REPO, TreeSampler, execute_notebook, figure, measuring, report, run_command, say, tail

CLEAN_PROFILES = ["full", "partial", "swapped", "always_shared", "blank"]
GRADE_RUNNER = HERE / "grade_runner.py"


def build_cohort(course: Path, students: int) -> list[str]:
    """A demo cohort of clean profiles (no traps) at ``course``; the students' ids."""
    from mlroles.instructor import demo as cohort_demo

    profiles = [CLEAN_PROFILES[i % len(CLEAN_PROFILES)] for i in range(students)]
    with contextlib.redirect_stdout(io.StringIO()):
        cohort = cohort_demo.build(course, students=students, profiles=profiles, source=REPO)
    return [s for s, _ in cohort]


def grade_in_subprocess(course: Path, jobs: int, log: Path) -> dict:
    """``cohort.grade(course, jobs=jobs)`` in its own interpreter (benchmarks/grade_runner.py), timed inside
    it, with the memory of its workers and their kernels sampled from here."""
    out = course.parent / f"{course.name}-grade.json"
    with open(log, "a") as logf:
        # -P: the runner's folder (this package) stays off the child's sys.path; it needs only mlroles
        proc = subprocess.Popen([sys.executable, "-P", str(GRADE_RUNNER), str(course), str(jobs), str(out)],
                                stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=course)
        with TreeSampler(root=proc.pid, interval=0.05) as sampler:
            rc = proc.wait()
    if rc:
        raise RuntimeError(f"cohort.grade exited with {rc}:\n{tail(log)}")
    result = json.loads(out.read_text())
    bad = [o for o in result["outcomes"] if o["status"] != "ok"]
    if bad:
        raise RuntimeError(f"{len(bad)} submission(s) of a clean cohort were not graded: "
                           + "; ".join(f"{o['student']}/{o['assignment']}: {o['status']}" for o in bad[:5]))
    result.update(peak_workers=sampler.peak, peak_parent=sampler.peak_root, samples=sampler.samples)
    return result


def compare_scores(course_a: Path, course_b: Path) -> list[str]:
    from nbgrader.api import Gradebook

    def scores(course):
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {(s.student.id, s.assignment.name): round(float(s.score), 6)
                    for a in gb.assignments for s in a.submissions}

    a, b = scores(course_a), scores(course_b)
    return [f"{k}: {a.get(k)} vs {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def bench(work: Path, students: int, jobs: int = 2) -> None:
    say(f"\n7. A synthetic cohort of {students} students x every exercise: cohort.grade(jobs={jobs}) "
        "against `nbgrader autograde` run one submission after another (1 run)")
    why = "1 run by design"
    speed = figure("cohort.speedup", "cohort", f"cohort: sequential nbgrader CLI time / cohort.grade(jobs={jobs}) time",
                   "x faster", ">= 1.7", runs_note=why)
    ours = figure("cohort.ours_s", "cohort", f"cohort: cohort.grade(jobs={jobs}) wall time", "s", runs_note=why)
    rate = figure("cohort.ours_rate", "cohort", f"cohort: cohort.grade(jobs={jobs}) throughput", "notebooks/s",
                  runs_note=why)
    cli = figure("cohort.cli_s", "cohort", "cohort: nbgrader autograde CLI, sequential, wall time", "s", runs_note=why)
    mem = figure("memory.cohort_per_job", "memory", f"cohort grading peak RSS per job (jobs={jobs})", "MB",
                 runs_note=why)
    floor = figure("cohort.share_of_floor", "cohort", "cohort: cohort.grade throughput / the floor (cores / one "
                   "notebook's plain nbclient time, averaged over the exercises), every kernel in the sandbox",
                   "share", ">= 0.9", runs_note=why)
    figs = (speed, ours, rate, floor, cli, mem)
    with measuring(*figs):
        import nbformat

        from mlroles.instructor.course_root import source_assignments

        base = work / "cohort"
        course = base / "ours"
        say("  building the cohort ...")
        names = build_cohort(course, students)
        cli_course = base / "cli"
        shutil.copytree(course, cli_course)
        assignments = source_assignments(course)
        notebooks = len(names) * len(assignments)

        say(f"  cohort.grade: {notebooks} notebooks ...")
        result = grade_in_subprocess(course, jobs, base / "ours.log")
        ours.values = [result["seconds"]]
        rate.values = [notebooks / result["seconds"]]
        mem.values = [result["peak_workers"] / jobs / 2**20]
        per_notebook = [o["seconds"] for o in result["outcomes"]]
        ours.note = (f"{notebooks} notebooks; one submission takes {statistics.median(per_notebook):.2f} s "
                     f"(median) inside a worker")
        ours.extra = {"notebooks": notebooks, "per_submission_s": per_notebook}
        report(ours)
        report(rate)

        # The floor: what the cores could do if grading cost nothing beyond running each notebook.
        plain = []
        for a in assignments:
            solution = nbformat.read(str(REPO / "solutions" / a / f"{a}.ipynb"), as_version=4)
            folder = base / "plain" / a
            folder.mkdir(parents=True, exist_ok=True)
            execute_notebook(copy.deepcopy(solution), folder)          # warm-up, untimed
            start = time.perf_counter()
            execute_notebook(copy.deepcopy(solution), folder)
            plain.append(time.perf_counter() - start)
        ceiling = (os.cpu_count() or 1) / statistics.mean(plain)
        floor.values = [rate.values[0] / ceiling]
        floor.note = (f"{rate.values[0]:.2f} notebooks/s against {ceiling:.2f} ({os.cpu_count()} cores / "
                      f"{statistics.mean(plain):.2f} s, the mean plain nbclient run of the {len(plain)} solutions)")
        floor.extra = {"plain_nbclient_s": dict(zip(assignments, plain)), "floor_notebooks_per_s": ceiling}
        report(floor)

        say(f"  nbgrader autograde CLI: {notebooks} invocations, one after another ...")
        cli_log = base / "cli.log"
        cli_times = []
        start = time.perf_counter()
        for student in names:
            for a in assignments:
                took, rc = run_command([str(BIN / "nbgrader"), "autograde", a, "--student", student],
                                       cwd=cli_course, log=cli_log)
                if rc:
                    raise RuntimeError(f"nbgrader autograde {a} --student {student} exited with {rc}:\n{tail(cli_log)}")
                cli_times.append(took)
        cli.values = [time.perf_counter() - start]
        cli.extra = {"per_invocation_s": cli_times}
        cli.note = f"one invocation takes {statistics.median(cli_times):.2f} s (median)"
        report(cli)
        speed.values = [cli.values[0] / ours.values[0]]
        speed.note = (f"{notebooks} notebooks: {ours.values[0]:.0f} s against {cli.values[0]:.0f} s; "
                      f"{rate.values[0]:.2f} notebooks/s")
        mismatches = compare_scores(course, cli_course)
        speed.extra = {"students": students, "jobs": jobs, "notebooks": notebooks, "profiles": CLEAN_PROFILES,
                       "score_mismatches": mismatches}
        if mismatches:
            speed.note += f"; WARNING: {len(mismatches)} score(s) differ between the two gradings"
        mem.note = f"peak during the cohort run: workers and kernels together {result['peak_workers'] / 2**20:.0f} MB"
        if not speed.met:
            startup = [run_command([str(BIN / "nbgrader"), "--version"], cwd=cli_course)[0] for _ in range(3)]
            speed.profile = (
                f"Per submission: {statistics.median(per_notebook):.2f} s inside a cohort.grade worker (median) "
                f"against {statistics.median(cli_times):.2f} s per CLI invocation; `nbgrader --version` alone "
                f"takes {statistics.median(startup):.2f} s. With {jobs} jobs on {os.cpu_count()} cores the "
                f"pipeline's ideal speed-up over its own sequential rate is {jobs}x.")
        report(speed)
        report(mem)
