"""Figure 1, grading overhead: per exercise, the solution notebook graded with ``NbGraderAPI.autograde``
in-process against the same notebook run with nbclient in-process, alternating, a ratio per pair.

``submitted_solution`` builds the temporary course root that this group and the sandbox group grade in.
"""
from __future__ import annotations

import copy
import cProfile
import io
import os
import pstats
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from .core import REPO, Figure, execute_notebook, figure, measuring, notebook_errors, report, say

STUDENT = "bench"


@dataclass
class Course:
    """A throw-away course root configured as the test suite's ``TempCourse`` (tests/course_helpers.py)
    is: the repository's nbgrader_config.py pointed at ``root``, with its gradebook and exchange inside."""
    root: Path
    config: object            # traitlets Config
    api: object               # nbgrader's NbGraderAPI on ``config``

    @classmethod
    def create(cls, root: Path) -> Course:
        from nbgrader.apps import NbGraderAPI

        from mlroles.instructor.course_root import load_config

        (root / "exchange").mkdir(parents=True)
        config = load_config(root, config_dir=REPO, settings=False)
        config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
        config.Exchange.root = str(root / "exchange")
        return cls(root, config, NbGraderAPI(config=config))

    def score(self, assignment: str, student: str) -> float:
        """The automatic score of a graded submission, all grade cells added up."""
        from nbgrader.api import Gradebook

        with Gradebook(self.config.CourseDirectory.db_url) as gb:
            submission = gb.find_submission(assignment, student)
            return sum(grade.score for notebook in submission.notebooks for grade in notebook.grades)


def submitted_solution(assignment: str, root: Path):
    """A temporary course root at ``root`` with ``assignment`` released and its solution submitted by
    student "bench"; returns the course and the solution notebook."""
    import nbformat

    course = Course.create(root)
    shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    shutil.copy(REPO / "solutions" / "graded_keys.csv", root / "solutions" / "graded_keys.csv")
    result = course.api.generate_assignment(assignment)
    if not result["success"]:
        raise RuntimeError(f"generate_assignment {assignment} failed: {result['error']}\n{result['log'][-1500:]}")
    solution = nbformat.read(str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
    submitted = root / "submitted" / STUDENT / assignment / f"{assignment}.ipynb"
    submitted.parent.mkdir(parents=True)
    nbformat.write(solution, submitted)
    return course, solution


def bench(work: Path, runs: int) -> None:
    say("\n1. Grading overhead: NbGraderAPI.autograde against plain nbclient execution")
    from mlroles import course as course_parts

    for part in course_parts.EXERCISES:
        a = part.id
        fig = figure(f"grading.{a}", "grading", f"autograde / nbclient, {a}", "ratio", "<= 1.15")
        with measuring(fig):
            course, solution = submitted_solution(a, work / "grading" / a / "course")
            plain = work / "grading" / a / "plain"
            plain.mkdir(parents=True)
            timeout = int(course.config.Execute.timeout) if "timeout" in course.config.Execute else 30

            def autograde():
                result = course.api.autograde(a, STUDENT, force=True, create=True)
                if not result["success"]:
                    raise RuntimeError(f"autograde failed: {result['error']}\n{result['log'][-1500:]}")

            def plain_run():
                run = execute_notebook(copy.deepcopy(solution), plain, timeout=timeout)
                errors = notebook_errors(run)
                if errors:
                    raise RuntimeError(f"the solution notebook raised: {errors[:3]}")

            autograde()          # warm-up, untimed (disk caches, first kernel of this folder)
            plain_run()
            took = {"a": [], "p": []}
            cpu = {"a": [], "p": []}
            for i in range(runs):
                order = (("a", autograde), ("p", plain_run)) if i % 2 == 0 else (("p", plain_run), ("a", autograde))
                for key, fn in order:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    fn()
                    took[key].append(time.perf_counter() - start)
                    cpu[key].append(time.process_time() - start_cpu)
            fig.values = [g / p for g, p in zip(took["a"], took["p"])]
            fig.extra = {"autograde_s": took["a"], "nbclient_s": took["p"],
                         "autograde_cpu_s": cpu["a"], "nbclient_cpu_s": cpu["p"]}
            fig.note = (f"autograde {statistics.median(took['a']):.2f} s, nbclient {statistics.median(took['p']):.2f} s "
                        f"(medians); CPU in this process {statistics.median(cpu['a']):.2f} s against "
                        f"{statistics.median(cpu['p']):.2f} s")
            if not fig.met:
                fig.profile = autograde_breakdown(autograde)
        report(fig)


def autograde_breakdown(fn) -> str:
    """One autograde under cProfile, split into nbgrader's phases (kernel time shows as waiting)."""
    prof = cProfile.Profile()
    start, start_cpu = time.perf_counter(), time.process_time()
    prof.enable()
    fn()
    prof.disable()
    total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    stats = pstats.Stats(prof)

    def cum(pred):
        return sum(ct for (f, _, n), (_, _, _, ct, _) in stats.stats.items() if pred(f.replace(os.sep, "/"), n))

    execute = cum(lambda f, n: f.endswith("nbconvert/preprocessors/execute.py") and n == "preprocess")
    kernel = cum(lambda f, n: f.endswith("nbclient/client.py") and n == "setup_kernel")
    waiting = cum(lambda f, n: "select.epoll" in n)
    others = {}
    for (f, _, n), (_, _, _, ct, _) in stats.stats.items():
        f = f.replace(os.sep, "/")
        if "nbgrader/preprocessors/" in f and n == "preprocess" and not f.endswith("execute.py"):
            name = f.rsplit("/", 1)[-1][:-3]
            others[name] = others.get(name, 0) + ct
    prep = sum(others.values())
    lines = [
        f"One NbGraderAPI.autograde under cProfile: {total:.2f} s wall, {total_cpu:.2f} s CPU in this process.",
        f"  nbgrader's Execute preprocessor (nbconvert's, on nbclient: kernel start, every cell, shutdown): "
        f"{execute:.2f} s",
        f"    of which nbclient's setup_kernel (kernel start and stop): {kernel:.2f} s",
        f"  nbgrader's other preprocessors, both passes: {prep:.2f} s ("
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(others.items(), key=lambda kv: -kv[1])[:6]) + ")",
        f"  outside the preprocessors (copying files, gradebook, reading, validating and writing notebooks): "
        f"{total - execute - prep:.2f} s",
        f"  waiting on sockets (the kernel working, or starting): {waiting:.2f} s",
        "", "Top functions by own time, waiting left out:"]
    text = io.StringIO()
    ps = pstats.Stats(prof, stream=text)
    ps.strip_dirs().sort_stats("tottime").print_stats(14)
    body = text.getvalue()
    body = body[body.find("   ncalls"):]
    lines += [l for l in body.rstrip().splitlines() if "epoll" not in l]
    return "\n".join(lines)


def analysis(f: Figure) -> str:
    """What this run's own numbers say about a grading figure that misses its aim."""
    e = f.extra or {}
    if not e.get("autograde_s"):
        return ""
    med = statistics.median
    extra_cpu = med(e["autograde_cpu_s"]) - med(e["nbclient_cpu_s"])
    return (f"In this run: autograde {med(e['autograde_s']):.2f} s and nbclient {med(e['nbclient_s']):.2f} s "
            f"(medians; the ratio of the medians is {med(e['autograde_s']) / med(e['nbclient_s']):.2f}); "
            f"per-pair ratios from {min(f.values):.2f} to {max(f.values):.2f}. Autograde used "
            f"{extra_cpu:.2f} s more CPU in this process than nbclient (median), "
            f"{100 * extra_cpu / med(e['nbclient_s']):.0f}% of the notebook's plain run time: that is "
            "nbgrader's fixed cost per notebook; the rest of any gap is waiting (on the kernel, or for a core "
            "taken by other work).")
