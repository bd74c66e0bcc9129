"""Benchmark of the course: grading, lessons, imports, self-checks and widgets, set-up, tests, memory,
a graded cohort and (when its helpers are there) JupyterLab in a real browser.

    make bench                                     the full protocol (see benchmarks/README.md)
    make bench BENCH_ARGS="--quick --cohort-students 4"
    .venv/bin/python benchmarks/run.py --help

Every figure is measured several times and reported with min, median and max beside its aim,
in benchmarks/RESULTS.md (for people) and benchmarks/results.json (for programs). A figure
that misses its aim is profiled and the profile goes into RESULTS.md. The script exits
non-zero only when a measurement broke (an exception, a failed run), never because a
figure missed its aim.

Everything runs in a temporary folder (course roots, cohorts, venvs, Jupyter and IPython
settings), so the repository and your own settings are left as they were.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent          # not resolved: a venv's python is a symlink
ORIGINAL_ENV = dict(os.environ)
PACKAGES = ("jupyterlab", "nbgrader", "pandas", "ipywidgets", "nbclient", "nbval",
            "notebook", "nbconvert", "jupyter_client", "ipykernel", "psutil", "playwright")
CLEAN_PROFILES = ["full", "partial", "swapped", "always_shared", "blank"]
GROUPS = ("grading", "sandbox", "lessons", "imports", "calls", "setup", "tests", "memory", "cohort", "browser",
          "content", "hub")


# --- an isolated environment for everything this script starts -----------------------------

WORK = Path(tempfile.mkdtemp(prefix="mlroles-bench-"))


def _isolate() -> None:
    """Jupyter, IPython and matplotlib settings in temporary folders (as tests/conftest.py does),
    the environment's bin first on PATH (nbgrader runs alembic by name), and bytecode caching on.

    This workplace sets PYTHONDONTWRITEBYTECODE=1, which a learner's machine does not: without
    bytecode caches every kernel recompiles the (editable) mlroles package. Caches go to a
    temporary PYTHONPYCACHEPREFIX, so nothing is written into the repository.
    """
    for var, sub in {"JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data",
                     "JUPYTER_RUNTIME_DIR": "jupyter-runtime", "IPYTHONDIR": "ipython",
                     "MPLCONFIGDIR": "matplotlib"}.items():
        (WORK / "env" / sub).mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(WORK / "env" / sub)
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    os.environ.pop("MPLBACKEND", None)
    os.environ["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(WORK / "pycache")


_isolate()
warnings.filterwarnings("ignore")


# --- figures -------------------------------------------------------------------------------

@dataclass
class Figure:
    id: str
    group: str
    name: str
    unit: str                      # "s", "ms", "ratio", "x faster", "MB", "notebooks/s"
    aim: str | None = None         # e.g. "<= 1.15"; None: no aim (reported for sizing)
    values: list = field(default_factory=list)
    runs_note: str = ""            # why fewer runs than the protocol's, when so
    note: str = ""
    extra: dict = field(default_factory=dict)
    error: str | None = None
    profile: str = ""              # filled when the aim is missed

    @property
    def stats(self) -> dict | None:
        if not self.values:
            return None
        return {"min": min(self.values), "median": statistics.median(self.values), "max": max(self.values)}

    @property
    def met(self) -> bool | None:
        if self.aim is None or not self.values or self.error:
            return None
        op, target = self.aim.split()
        median, target = statistics.median(self.values), float(target)
        return {"<=": median <= target, "<": median < target, ">=": median >= target, ">": median > target}[op]

    def as_json(self) -> dict:
        d = asdict(self)
        d.update(runs=len(self.values), stats=self.stats, met=self.met)
        return d


FIGURES: list[Figure] = []


def figure(*args, **kwargs) -> Figure:
    f = Figure(*args, **kwargs)
    FIGURES.append(f)
    return f


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    if unit in ("ratio", "x faster"):
        return f"{value:.2f}"
    if unit == "MB":
        return f"{value:.0f}"
    if unit == "notebooks/s":
        return f"{value:.2f}"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def say(text: str = "") -> None:
    print(text, flush=True)


def report(f: Figure) -> None:
    s = f.stats
    if f.error:
        say(f"  BROKEN  {f.name}: {f.error.splitlines()[0][:200]}")
        return
    verdict = {True: "meets", False: "MISSES", None: ""}[f.met]
    aim = f"aim {f.aim} {f.unit}" if f.aim else "no aim"
    say(f"  {f.name}: median {fmt(s['median'], f.unit)} {f.unit} (min {fmt(s['min'], f.unit)}, "
        f"max {fmt(s['max'], f.unit)}; {len(f.values)} run(s)); {aim} {verdict}")


@contextlib.contextmanager
def quiet_stderr():
    """Send this process's stderr, and so the kernels' start-up warnings, to a log file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(WORK / "stderr.log", "a") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def measuring(*figs: Figure):
    """Record an exception as a broken measurement of ``figs``, and go on with the next figure."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 -- a broken measurement is reported, never hidden
        text = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
        for f in figs:
            if f.error is None:
                f.error = text


# --- helpers -------------------------------------------------------------------------------

class TreeSampler:
    """Samples the resident memory (RSS) of a process tree every ``interval`` seconds in a thread.

    ``root``: the pid whose *descendants* are summed (by default this process's children);
    ``include_root`` adds the root itself; processes already there when sampling starts are left out
    (a kernel of an earlier run still shutting down). ``peak`` is the largest sum seen, in bytes.
    """

    def __init__(self, root: int | None = None, include_root: bool = False, interval: float = 0.05):
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(root or os.getpid())
        self.include_root = include_root
        self.interval = interval
        self.peak = 0
        self.peak_root = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._before = {p.pid for p in self.root.children(recursive=True)}

    def _sample(self) -> None:
        total = 0
        try:
            procs = self.root.children(recursive=True)
        except self.psutil.Error:
            return
        for p in procs:
            if p.pid in self._before:
                continue
            try:
                total += p.memory_info().rss
            except self.psutil.Error:
                pass
        try:
            root_rss = self.root.memory_info().rss
            self.peak_root = max(self.peak_root, root_rss)
            if self.include_root:
                total += root_rss
        except self.psutil.Error:
            pass
        self.peak = max(self.peak, total)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_command(cmd, *, cwd=None, env=None, log: Path | None = None, timeout: float | None = None) -> tuple[float, int]:
    """Run ``cmd``; return (wall seconds, exit code). Output goes to ``log`` (or is dropped)."""
    start = time.perf_counter()
    with (open(log, "a") if log else open(os.devnull, "w")) as out:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout)
    return time.perf_counter() - start, proc.returncode


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def cprofile_top(fn, limit: int = 14, sort: str = "cumulative") -> str:
    """Run ``fn`` once under cProfile; the top of its profile as text."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    body = text.getvalue()
    start = body.find("   ncalls")
    return body[start:].rstrip() if start >= 0 else body.rstrip()


def execute_notebook(nb, path: Path, timeout: int = 600):
    """Run a notebook top to bottom in a fresh kernel with nbclient, in-process. Returns the run notebook."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path)}})
    return client.execute()


def notebook_errors(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {str(out.get('evalue'))[:120]}")
    return found


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


def solution_function(assignment: str, grade_id: str, name: str):
    """The reference solution a solution notebook defines in cell ``grade_id`` (markers dropped)."""
    import nbformat
    import pandas as pd

    nb = nbformat.read(str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    code = "\n".join(l for l in cell.source.splitlines() if "### BEGIN SOLUTION" not in l and "### END SOLUTION" not in l)
    namespace = {"pd": pd}
    exec(compile(code, f"<{assignment}:{grade_id}>", "exec"), namespace)
    return namespace[name]


INLINE_BACKEND = "import matplotlib_inline.backend_inline"   # what %matplotlib inline imports


def profile_imports(module: str, prelude: str = "") -> str:
    """``python -X importtime -c 'import module'``: the imports that cost the most (self time)."""
    code = f"{prelude}; import {module}" if prelude else f"import {module}"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True,
                          text=True, cwd=WORK)
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


# --- 9. items that test judgement ------------------------------------------------------------

def bench_content() -> None:
    say("\n9. Keyword baseline: naive Bayes on the practice pool's words, scored on the graded pool")
    from keyword_baseline import measure

    for bank, r in measure(REPO).items():
        fig = figure(f"content.keywords.{bank}", "content", f"keyword baseline accuracy, {r['exercise']} ({bank})",
                     "share", "<= 0.45", runs_note="deterministic: one run")
        fig.values = [r["accuracy"]]
        fig.extra = {"majority_class": r["majority"], "practice_items": r["train"], "graded_items": r["graded"]}
        fig.note = f"majority class {r['majority']:.2f}"
        report(fig)


def bench_hub(learners: int = 20) -> None:
    say(f"\n10. The cohort hub: {learners} learners log in through the REST API, start their servers and run lesson 1")
    from hub_load import measure

    r = measure(learners, out=say)
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


# --- 1. grading overhead -------------------------------------------------------------------

def solution_submitted(assignment: str, root: Path):
    """A temporary course root (tests/course_helpers.TempCourse) with ``assignment`` released and its
    solution submitted by student "bench"; returns the course and the solution notebook."""
    import nbformat

    sys.path.insert(0, str(REPO / "tests"))
    from course_helpers import TempCourse

    tc = TempCourse(root)
    tc.copy_source(assignment)
    tc.generate(assignment)
    solution = nbformat.read(str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
    tc.submit("bench", assignment, solution, assignment)
    return tc, solution


def bench_grading(runs: int) -> None:
    say("\n1. Grading overhead: NbGraderAPI.autograde against plain nbclient execution")
    from mlroles import course

    for part in course.EXERCISES:
        a = part.id
        fig = figure(f"grading.{a}", "grading", f"autograde / nbclient, {a}", "ratio", "<= 1.15")
        with measuring(fig):
            tc, solution = solution_submitted(a, WORK / "grading" / a / "course")
            plain = WORK / "grading" / a / "plain"
            plain.mkdir(parents=True)
            timeout = int(tc.config.Execute.timeout) if "timeout" in tc.config.Execute else 30

            def autograde():
                result = tc.api.autograde(a, "bench", force=True, create=True)
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


def bench_sandbox(runs: int) -> None:
    say("\n1b. The grading sandbox: NbGraderAPI.autograde with every kernel under bwrap against without it")
    from nbgrader.apps import NbGraderAPI

    from mlroles import course

    for part in course.EXERCISES:
        a = part.id
        fig = figure(f"sandbox.{a}", "sandbox", f"autograde in the sandbox / without it, {a}", "ratio", "<= 1.10")
        with measuring(fig):
            tc, _ = solution_submitted(a, WORK / "sandbox" / a / "course")
            open_config = copy.deepcopy(tc.config)
            open_config.SandboxedKernelManager.sandbox = False
            apis = {"sandboxed": tc.api, "open": NbGraderAPI(config=open_config)}
            scores = {}

            def autograde(key):
                result = apis[key].autograde(a, "bench", force=True, create=True)
                if not result["success"]:
                    raise RuntimeError(f"autograde ({key}) failed: {result['error']}\n{result['log'][-1500:]}")
                scores[key] = sum(tc.scores(a, "bench").values())

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


# --- 2 and 6a. lessons, and the memory of one lesson's kernel --------------------------------

def bench_lessons(runs: int, memory: bool) -> None:
    say("\n2. Lessons top to bottom from a fresh kernel (nbclient)" + (" and 6. kernel memory" if memory else ""))
    import nbformat

    from mlroles import course

    folder = WORK / "lessons" / "course"
    shutil.copytree(REPO / "course", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.choices.json"))
    for part in course.LESSONS:
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
                    lines += ["", profile_imports(f"mlroles.lessons.{module.group(1)}", prelude=INLINE_BACKEND)]
                fig.profile = "\n".join(lines)
        report(fig)
        if mem:
            mem.note = "kernel process (and any children), RSS sampled every 20 ms"
            report(mem)


# --- 3. imports ------------------------------------------------------------------------------

def bench_imports(runs: int) -> None:
    say("\n3. Imports in a fresh interpreter (subprocess wall time)")
    commands = {"mlroles": "import mlroles", "mlroles.exercises.ex1": "import mlroles.exercises.ex1",
                "baseline": "import pandas, ipywidgets"}
    figs = {
        "mlroles": figure("imports.mlroles", "imports", "import mlroles / import pandas, ipywidgets", "ratio", "<= 1.3"),
        "mlroles.exercises.ex1": figure("imports.mlroles.exercises.ex1", "imports", "import mlroles.exercises.ex1 / import pandas, ipywidgets",
                              "ratio", "<= 1.3"),
    }
    with measuring(*figs.values()):
        def once(code):
            took, rc = run_command([sys.executable, "-c", code], cwd=WORK)
            if rc:
                raise RuntimeError(f"{code!r} exited with {rc}")
            return took

        for code in commands.values():   # warm-up: bytecode caches and the disk cache
            once(code)
        times = {k: [] for k in commands}
        keys = list(commands)
        for i in range(runs):
            for k in keys[i % 3:] + keys[:i % 3]:      # rotate the order every run
                times[k].append(once(commands[k]))
        for k, fig in figs.items():
            fig.values = [t / b for t, b in zip(times[k], times["baseline"])]
            fig.extra = {"seconds": times[k], "baseline_seconds": times["baseline"]}
            fig.note = (f"{statistics.median(times[k]) * 1000:.0f} ms against "
                        f"{statistics.median(times['baseline']) * 1000:.0f} ms")
            if not fig.met:
                fig.profile = profile_imports(k)
            report(fig)


# --- 4. self-checks and widgets ---------------------------------------------------------------

def bench_calls(runs: int) -> None:
    say("\n4. Self-check calls on a full answer set, and building each widget (in-process, warm)")
    cwd = Path.cwd()
    scratch = WORK / "calls"
    scratch.mkdir()
    os.chdir(scratch)          # boards save their choices files next to the notebook, i.e. here
    try:
        import ipywidgets as widgets

        from mlroles.exercises import ex1, ex2, ex3, ex4
        from mlroles.checks import base as feedback
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


# --- 5. set-up and the test suite --------------------------------------------------------------

def bench_setup(runs: int, runs_note: str) -> None:
    say(f"\n5a. Fresh set-up: new venv + upgraded pip + pip install -e .[test] ({runs} run(s))")
    fig = figure("setup.fresh", "setup", "fresh set-up (venv, pip upgrade, pip install -e .[test])", "s", "< 120",
                 runs_note=runs_note)
    base_python = getattr(sys, "_base_executable", None) or shutil.which("python3", path=ORIGINAL_ENV.get("PATH"))
    env = dict(ORIGINAL_ENV)           # as `make` would run it, not this script's isolated settings
    env.pop("VIRTUAL_ENV", None)
    phases = {"venv": [], "pip upgrade": [], "install": []}
    with measuring(fig):
        for i in range(runs):
            target = WORK / f"setup-{i}"
            venv = target / "venv"
            log = WORK / f"setup-{i}.log"
            total = 0.0
            for phase, cmd in (("venv", [base_python, "-m", "venv", str(venv)]),
                               ("pip upgrade", [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                                "--upgrade", "pip"]),
                               ("install", [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                            "-e", f"{REPO}[test]"])):
                took, rc = run_command(cmd, cwd=target if target.exists() else WORK, env=env, log=log)
                if rc:
                    raise RuntimeError(f"{phase} exited with {rc}:\n{tail(log)}")
                phases[phase].append(took)
                total += took
            fig.values.append(total)
            shutil.rmtree(target, ignore_errors=True)
        fig.extra = {"phases_s": phases, "python": base_python,
                     "pip_cache": "on (pip's default cache; the first run may fill it)",
                     "PIP_FIND_LINKS": ORIGINAL_ENV.get("PIP_FIND_LINKS")}
        fig.note = "; ".join(f"{k} {statistics.median(v):.1f} s" for k, v in phases.items())
        if not fig.met:
            fig.profile = "Phases (median s): " + fig.note + ". Phase times of every run: " + json.dumps(
                {k: [round(x, 1) for x in v] for k, v in phases.items()})
    report(fig)


def bench_tests(runs: int, runs_note: str) -> None:
    say(f"\n5b. The full test suite (make test, as CI runs it; {runs} run(s))")
    fig = figure("tests.suite", "tests", "full test suite (make test)", "s", "< 360", runs_note=runs_note)
    with measuring(fig):
        summaries, durations = [], ""
        for i in range(runs):
            log = WORK / f"pytest-{i}.log"
            # exactly the README's test command (pytest-xdist, one worker per core), with durations
            took, rc = run_command(["make", "--no-print-directory", "test", "PYTEST_ARGS=--durations=0",
                                    f"BIN={BIN}"], cwd=REPO, log=log)
            text = log.read_text(errors="replace")
            summary = next((l.strip("= ") for l in reversed(text.splitlines()) if re.search(r"\d+ (passed|failed)", l)),
                           "(no summary line)")
            summaries.append(summary)
            fig.values.append(took)
            m = re.search(r"=+ slowest durations =+\n(.*?)\n(?:\n|=)", text, re.S)
            if m:
                durations = m.group(1)
            say(f"  run {i + 1}: {took:.0f} s, {summary}")
            if rc:
                fig.error = (f"the test suite failed (exit {rc}): {summary}\n"
                             + "\n".join(l for l in text.splitlines() if l.startswith(("FAILED", "ERROR")))[:3000])
        rows = [(float(m.group(1)), m.group(2), m.group(3)) for m in
                re.finditer(r"^([\d.]+)s (setup|call|teardown)\s+(\S+)", durations, re.M)]
        per_file: dict[str, float] = {}
        for seconds, _, test in rows:
            per_file[test.split("::")[0]] = per_file.get(test.split("::")[0], 0.0) + seconds
        fig.extra = {"summaries": summaries, "seconds_per_file": per_file,
                     "slowest_tests": [f"{s:.1f}s {phase} {t}" for s, phase, t in sorted(rows, reverse=True)[:25]]}
        fig.note = summaries[-1] if summaries else ""
        if not fig.met and rows:
            fig.profile = "\n".join(
                ["pytest --durations=0 (last run), seconds per test file (setup, call and teardown added up):"]
                + [f"  {v:7.1f}  {k}" for k, v in sorted(per_file.items(), key=lambda kv: -kv[1])[:12]]
                + ["slowest single phases:"] + [f"  {x}" for x in fig.extra["slowest_tests"][:12]])
    report(fig)


# --- 6b. memory of a parallel grading run ---------------------------------------------------------

GRADE_RUNNER = r"""
import json, sys, time, warnings
from pathlib import Path
warnings.filterwarnings("ignore")
from mlroles.instructor import cohort
course, jobs, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
outcomes = cohort.grade(course, jobs=jobs)
seconds = time.perf_counter() - start
out.write_text(json.dumps({"seconds": seconds, "outcomes": [o.__dict__ for o in outcomes]}))
"""


def grade_in_subprocess(course: Path, jobs: int, log: Path) -> dict:
    """``cohort.grade(course, jobs=jobs)`` in its own interpreter (as `python -m mlroles.instructor.cli grade`
    would run), timed inside it, with the memory of its workers and their kernels sampled from here."""
    out = course.parent / f"{course.name}-grade.json"
    with open(log, "a") as logf:
        proc = subprocess.Popen([sys.executable, "-c", GRADE_RUNNER, str(course), str(jobs), str(out)],
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


def build_cohort(course: Path, students: int) -> list[str]:
    from mlroles.instructor import demo as cohort_demo

    profiles = [CLEAN_PROFILES[i % len(CLEAN_PROFILES)] for i in range(students)]
    with contextlib.redirect_stdout(io.StringIO()):
        cohort = cohort_demo.build(course, students=students, profiles=profiles)
    return [s for s, _ in cohort]


def bench_grading_memory(runs: int, jobs: int = 2, students: int = 3) -> None:
    say(f"\n6b. Memory of a parallel grading run (cohort.grade, jobs={jobs}, {students} students x every exercise)")
    fig = figure("memory.grading_per_job", "memory", f"parallel grading peak RSS per job (jobs={jobs})", "MB")
    with measuring(fig):
        course = WORK / "grading-memory" / "course"
        build_cohort(course, students)
        totals, parents = [], []
        for _ in range(runs):
            result = grade_in_subprocess(course, jobs, WORK / "grading-memory.log")
            fig.values.append(result["peak_workers"] / jobs / 2**20)
            totals.append(result["peak_workers"] / 2**20)
            parents.append(result["peak_parent"] / 2**20)
        fig.extra = {"peak_workers_and_kernels_MB": totals, "peak_parent_MB": parents, "jobs": jobs,
                     "notebooks": students * 4}
        fig.note = (f"workers and their kernels together peak at {statistics.median(totals):.0f} MB (median); "
                    f"the parent process adds {statistics.median(parents):.0f} MB. RSS counts memory shared "
                    "between forked workers once per process, so this errs high")
    report(fig)


# --- 7. the cohort -----------------------------------------------------------------------------

def bench_cohort(students: int, jobs: int = 2) -> None:
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

        from mlroles.instructor.cohort import source_assignments

        base = WORK / "cohort"
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


def compare_scores(course_a: Path, course_b: Path) -> list[str]:
    from nbgrader.api import Gradebook

    def scores(course):
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {(s.student.id, s.assignment.name): round(float(s.score), 6)
                    for a in gb.assignments for s in a.submissions}

    a, b = scores(course_a), scores(course_b)
    return [f"{k}: {a.get(k)} vs {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


# --- 8. the browser ------------------------------------------------------------------------------

BROWSER_NAMES = {
    "ready": ("browser.server_ready", "JupyterLab server start to ready", "s", None),
    "open": ("browser.open", "notebook open to kernel idle (lesson 01)", "s", None),
    "run_lesson": ("browser.run_all_lesson", "Run All to widgets visible (lesson 01)", "s", None),
    "run_ex2": ("browser.run_all_ex2", "Run All to widgets visible (ex2 solution)", "s", None),
    "round_trip": ("browser.round_trip", "widget round trip (serving explorer: tick, untick, choose)", "ms", "< 150"),
}


def browser_helpers():
    """tests/browser_support.py's helpers, or the reason they cannot be used."""
    path = REPO / "tests" / "browser_support.py"
    if not path.exists():
        return None, "browser helpers absent (tests/browser_support.py does not exist)"
    try:
        sys.path.insert(0, str(REPO / "tests"))
        import browser_support as bs
    except Exception as exc:  # noqa: BLE001
        return None, f"browser helpers do not import: {type(exc).__name__}: {exc}"
    needed = ("LabServer", "LabBrowser", "open_notebook", "run_all", "round_trip", "find_chromium")
    missing = [n for n in needed if not hasattr(bs, n)]
    if missing:
        return None, f"browser helpers lack {', '.join(missing)}"
    if bs.find_chromium() is None:
        return None, "Chromium is missing (apt-get install -y chromium)"
    return bs, None


def bench_browser(runs: int) -> None:
    say("\n8. JupyterLab in Chromium (tests/browser_support.py)")
    bs, reason = browser_helpers()
    figs = {k: figure(i, "browser", n, u, a) for k, (i, n, u, a) in BROWSER_NAMES.items()}
    if bs is None:
        for f in figs.values():
            f.note = f"not measured: {reason}"
        say(f"  not measured: {reason}")
        return
    lesson = "course/01_two_roles_two_risks.ipynb"
    ex2 = "solutions/ex2_serving_handoff/ex2_serving_handoff.ipynb"
    with measuring(*figs.values()):
        browser = bs.LabBrowser(viewport=(1400, 1000))
        try:
            for _ in range(runs):
                # the solution of ex2 is on the instructor side: make instructor, as graders open it
                server = bs.LabServer(workdir=Path(tempfile.mkdtemp(prefix="lab-", dir=WORK)), instructor=True)
                try:
                    figs["ready"].values.append(server.start())
                    page = browser.new_page()
                    try:
                        figs["open"].values.append(bs.open_notebook(page, server, lesson))
                        figs["run_lesson"].values.append(bs.run_all(page))
                    finally:
                        page.close()
                        server.shutdown_sessions(lesson)
                    page = browser.new_page()
                    try:
                        bs.open_notebook(page, server, ex2)
                        figs["run_ex2"].values.append(bs.run_all(page))
                        figs["round_trip"].values.extend(t * 1000 for t in explorer_round_trips(bs, page))
                    finally:
                        page.close()
                        server.shutdown_sessions(ex2)
                finally:
                    server.stop()
        finally:
            browser.close()
        figs["round_trip"].note = "3 round trips per run, all runs pooled: control change to the decision redrawn"
        figs["round_trip"].runs_note = "samples: 3 per run"
        if not figs["round_trip"].met and figs["round_trip"].values:
            figs["round_trip"].profile = (
                "Round trips in ms, in order: " + ", ".join(f"{v:.0f}" for v in figs["round_trip"].values)
                + ". A round trip is browser -> server -> kernel (the explorer calls choose_serving_mode and "
                "redraws its HTML) -> server -> browser; the kernel's own work is a few ms (see section 4), so the "
                "rest is messaging and rendering on a loaded 2-core machine.")
    for f in figs.values():
        report(f)


def explorer_round_trips(bs, page) -> list[float]:
    """Tick, untick, choose in a dropdown on the serving explorer: seconds until the decision changes."""
    p = page.page
    explorer = p.locator(bs.WIDGET_OUTPUT).filter(has_text="Serving mode explorer").first
    box = explorer.locator(".widget-checkbox", has_text="only known at request time").locator("input")
    panel = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').textContent"
    online = f"() => {panel}.includes('decides: online')"
    batch = f"() => {panel}.includes('decides: batch')"
    times = [bs.round_trip(p, box.check, online), bs.round_trip(p, box.uncheck, batch)]
    select = explorer.locator(".widget-dropdown select")
    times.append(bs.round_trip(p, lambda: select.select_option(label="seconds"), online))
    return times


# --- the machine and the report ----------------------------------------------------------------

def machine() -> dict:
    import importlib.metadata as md

    import psutil

    model = ""
    with contextlib.suppress(OSError):
        model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                      if l.startswith("model name")), "")
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = md.version(p)
        except md.PackageNotFoundError:
            versions[p] = None

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    dirty = [l for l in git("status", "--porcelain").splitlines() if l.strip()]
    return {
        "cpu_count": os.cpu_count(), "cpu_model": model or platform.processor(),
        "memory_GiB": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(), "python": platform.python_version(), "python_executable": sys.executable,
        "packages": versions,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"), "git_branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "git_uncommitted_files": len(dirty), "git_uncommitted": dirty[:40],
    }


def write_results(info: dict, protocol: dict, out_dir: Path, started: float) -> None:
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    info["benchmark_minutes"] = round((time.perf_counter() - started) / 60, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"machine": info, "protocol": protocol, "figures": [f.as_json() for f in FIGURES]}
    (out_dir / "results.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    (out_dir / "RESULTS.md").write_text(render_markdown(info, protocol), encoding="utf-8")


GROUP_TITLES = {
    "grading": "1. Grading overhead: nbgrader's autograde against plain nbclient execution, per solution notebook",
    "sandbox": "1b. The grading sandbox: autograde with every kernel under bwrap against without it, per solution notebook",
    "lessons": "2. Lessons, top to bottom from a fresh kernel (nbclient, in-process; kernel launch to the last cell's reply)",
    "imports": "3. Imports in a fresh interpreter (subprocess wall time, ratio run by run)",
    "calls": "4. Self-checks on a full answer set and widget builds (in-process, after one untimed call)",
    "setup": "5a. Fresh set-up",
    "tests": "5b. The full test suite",
    "memory": "6. Memory (peak resident set size)",
    "cohort": "7. The cohort",
    "browser": "8. JupyterLab in Chromium",
    "content": "9. Items that test judgement: a keyword classifier trained on the practice pool, scored on the graded pool",
    "hub": "10. The cohort hub on one machine: 20 learners start their servers and run lesson 1 at once (benchmarks/hub_load.py)",
}

# What costs the time and what could be done, per group, written from the profiles these runs print;
# shown under a figure that misses its aim, after that run's own numbers (analysis()).
ADVICE = {
    "content": (
        "What it means: the words that name a topic (\"endpoint\", \"experiment\", \"dashboard\") decide too many "
        "graded items, so matching keywords scores well without judging the situation. What could be done: "
        "rewrite graded items as contrastive pairs, two items on the same topic whose owners differ by one "
        "deciding detail, and move items a practitioner could answer either way to written questions "
        "(`python benchmarks/keyword_baseline.py` re-measures in a second)."),
    "grading": (
        "What costs the time: the kernel does the same work on both sides of a pair (same notebook, same "
        "cells). On top of it, autograde does nbgrader's own per-notebook work in this process: it reads, "
        "validates and writes the notebook twice (a sanitising pass, then the grading pass), validates the "
        "cells' nbgrader metadata against its JSON schema in both passes (CheckCellMetadata), and reads and "
        "writes the SQLite gradebook through SQLAlchemy (OverwriteCells, SaveAutoGrades). What could be "
        "done: nothing in the course's notebooks would change the ratio, since their cost is on both sides. "
        "In nbgrader_config.py, CheckCellMetadata could be dropped from one of the two passes "
        "(`c.Autograde.sanitize_preprocessors` or `c.Autograde.autograde_preprocessors`), saving one schema "
        "validation per notebook. cohort.grade already overlaps this fixed cost with other submissions' "
        "kernels in its parallel workers. Before acting, re-measure on a quiet machine "
        "(`benchmarks/run.py --only grading --runs 9`): when the ratio's min and max lie far apart, other "
        "work on the machine slowed one side of some pairs."),
    "sandbox": (
        "What costs the time: starting bwrap (new namespaces, the bind mounts of the environment and the "
        "package) and the kernel's IPC sockets instead of TCP; the notebook's own work is the same on both "
        "sides. What could be done: fewer bind mounts (one read-only bind of the environment instead of one "
        "per site folder); re-measure on a quiet machine first (`benchmarks/run.py --only sandbox --runs 9`)."),
    "lessons": (
        "What costs the time: the kernel's launch (about 0.5 to 0.8 s) and the first cell's imports "
        "(`%matplotlib inline`, pandas, the lesson's module) are paid by every lesson; the slowest cells "
        "above are the rest. What could be done: import matplotlib only when a chart is drawn, keep loaded "
        "datasets cached (lru_cache in mlroles.data), draw fewer or smaller charts."),
    "imports": (
        "What costs the time: see the import profile; the cost of `import mlroles.exercises.ex1` beyond pandas is "
        "the modules it pulls in at import time and the question objects it builds from the datasets. What "
        "could be done: import ipywidgets and matplotlib only inside the functions that build widgets and "
        "charts, and build the question objects on first use."),
    "calls": (
        "What costs the time: see the profile under each figure. Widget builds are dominated by "
        "ipywidgets' own construction (traitlets validation, one comm per widget), so a board with many "
        "rows builds many widgets. What could be done: fewer widgets per row (one HTML for label and mark), "
        "or build rows lazily."),
    "setup": (
        "What costs the time: the install phase downloads and unpacks about 500 MB (jupyterlab, nbgrader, "
        "pandas, matplotlib, playwright). What could be done: little in the repository; pip's cache (on by "
        "default) makes later set-ups faster."),
    "tests": (
        "What costs the time: a few files hold nearly all of it (see the profile). The browser tests run "
        "Run All on every lesson, solution and release in Chromium; test_assignments autogrades several "
        "submissions of every exercise (one generated course root per exercise); test_cohort and "
        "test_hostile build and grade whole cohorts. make test runs the files on one pytest-xdist worker "
        "per core (--dist loadfile), so the longest file bounds the run from below. What could be done: "
        "Run All in the browser on one notebook per kind of widget rather than on all of them (the lessons "
        "already run under nbval); grade the hostile cases and the synthetic cohort in one pass. "
        "Other work on the machine slows this figure more than any other."),
    "cohort": (
        "What costs the time: cohort.grade runs 2 workers on 2 cores, so its ceiling is about 2x its own "
        "sequential rate; the command line pays Python's start and nbgrader's import on every invocation, "
        "which cohort.grade pays once per worker. When the machine is shared with other work, the 2 "
        "workers do not get 2 free cores and the speed-up shrinks. What could be done: more jobs than "
        "cores does not help on 2 cores; a shorter notebook helps both sides."),
    "browser": (
        "What costs the time: a widget round trip crosses the browser, the Jupyter server and the kernel "
        "twice; on a 2-core machine shared with other work, scheduling adds tens of ms. What could be done: "
        "lighter HTML redraws in the explorer; check the figure again on a quiet machine."),
}


def analysis(f: Figure) -> str:
    """What this run's own numbers say about a figure that misses its aim."""
    e = f.extra or {}
    if f.group == "grading" and e.get("autograde_s"):
        med = statistics.median
        extra_cpu = med(e["autograde_cpu_s"]) - med(e["nbclient_cpu_s"])
        return (f"In this run: autograde {med(e['autograde_s']):.2f} s and nbclient {med(e['nbclient_s']):.2f} s "
                f"(medians; the ratio of the medians is {med(e['autograde_s']) / med(e['nbclient_s']):.2f}); "
                f"per-pair ratios from {min(f.values):.2f} to {max(f.values):.2f}. Autograde used "
                f"{extra_cpu:.2f} s more CPU in this process than nbclient (median), "
                f"{100 * extra_cpu / med(e['nbclient_s']):.0f}% of the notebook's plain run time: that is "
                "nbgrader's fixed cost per notebook; the rest of any gap is waiting (on the kernel, or for a core "
                "taken by other work).")
    if f.group == "tests" and e.get("seconds_per_file"):
        per_file = sorted(e["seconds_per_file"].items(), key=lambda kv: -kv[1])
        total = sum(v for _, v in per_file)
        top = per_file[:4]
        return (f"In this run: {f.note}; {', '.join(k.split('/')[-1] for k, _ in top)} took "
                f"{sum(v for _, v in top):.0f} s of the {total:.0f} s spent in tests "
                f"({100 * sum(v for _, v in top) / total:.0f}%).")
    return ""


def render_markdown(info: dict, protocol: dict) -> str:
    p = info["packages"]
    lines = [
        "# Benchmark results", "",
        f"Written by `benchmarks/run.py` on {info['date']} (took {info['benchmark_minutes']} minutes). "
        "Every figure: min, median and max over its runs, beside its aim; a figure meets its aim when its "
        "median does. See `benchmarks/README.md` for what each figure means.", "",
        "## Machine", "",
        f"- CPU: {info['cpu_count']} x {info['cpu_model']}; memory {info['memory_GiB']} GiB; "
        f"load average (1, 5, 15 min) {info['load_average_at_start']} at the start, "
        f"{info['load_average_at_end']} at the end (other work shares this machine)",
        f"- {info['os']}; Python {info['python']} ({info['python_executable']})",
        "- Packages: " + ", ".join(f"{k} {v}" for k, v in p.items() if v),
        f"- git commit {info['git_commit']} ({info['git_branch']})"
        + (f", with {info['git_uncommitted_files']} uncommitted file(s) in the working tree"
           if info["git_uncommitted_files"] else ", clean working tree"),
        "",
        "## Protocol", "",
        f"- Command: `{protocol['command']}`",
        f"- Runs per figure: {protocol['runs']}"
        + (f"; slow figures (set-up, test suite): {protocol['slow_runs']} run{'s' if protocol['slow_runs'] != 1 else ''}"
           + (" (--quick)" if protocol["quick"] else "") if not protocol["skip_slow"] else
           "; slow figures (set-up, test suite) left out (--skip-slow)")
        + f"; cohort: 1 run of {protocol['cohort_students']} students x every exercise (by design: it grades "
        "the cohort twice, once with cohort.grade and once with nbgrader's command line one submission after "
        "another, which takes tens of minutes; --cohort-students sets its size).",
        "- Self-checks and widget builds: max(runs, 10) calls each, after one untimed call; browser round "
        "trips: 3 per run, pooled.",
        "- Jupyter, IPython and matplotlib settings in temporary folders; bytecode caching on "
        "(PYTHONPYCACHEPREFIX in a temporary folder: this workplace sets PYTHONDONTWRITEBYTECODE=1, which a "
        "learner's machine does not). The fresh set-up runs with the environment unchanged.",
    ]
    if protocol.get("left_out"):
        lines.append(f"- Left out in this run: {', '.join(protocol['left_out'])}.")
    measured = [f for f in FIGURES if f.values and not f.error]
    meets = sum(f.met is True for f in measured)
    misses = [f.name for f in measured if f.met is False]
    broken_n = sum(bool(f.error) for f in FIGURES)
    lines += ["", "## Summary", "",
              f"{len(measured)} figures measured: {meets} meet their aim, {len(misses)} miss it"
              + (f" ({'; '.join(misses)})" if misses else "")
              + f", {len(measured) - meets - len(misses)} have no aim (memory, absolute times); "
              f"{broken_n} measurement(s) broken.", ""]
    lines += ["## Figures", ""]
    missed = []
    for group in GROUPS:
        figs = [f for f in FIGURES if f.group == group]
        if not figs:
            continue
        lines += [f"### {GROUP_TITLES[group]}", "",
                  "| figure | aim | min | median | max | runs | verdict | note |", "|---|---|---|---|---|---|---|---|"]
        for f in figs:
            s = f.stats or {}
            aim = f"{f.aim} {f.unit}" if f.aim else f"— ({f.unit})"
            if f.error:
                verdict = "BROKEN: " + f.error.splitlines()[0][:160].replace("|", "/")
            elif not f.values:
                verdict = "not measured"
            else:
                verdict = {True: "meets", False: "**misses**", None: "(no aim)"}[f.met]
            runs = str(len(f.values)) + (f" ({f.runs_note})" if f.runs_note and f.values else "")
            note = (f.note or "").replace("|", "/")
            lines.append(f"| {f.name} | {aim} | {fmt(s.get('min'), f.unit)} | {fmt(s.get('median'), f.unit)} | "
                         f"{fmt(s.get('max'), f.unit)} | {runs} | {verdict} | {note} |")
            if f.met is False:
                missed.append(f)
        lines.append("")
    lines += ["## Figures that miss their aim: profiles and what could be done", ""]
    if not missed:
        lines += ["None: every measured figure meets its aim.", ""]
    advised = set()
    for f in missed:
        s = f.stats
        lines += [f"### {f.name}: median {fmt(s['median'], f.unit)} {f.unit}, aim {f.aim} {f.unit}", ""]
        if f.profile:
            lines += ["```", f.profile, "```", ""]
        if analysis(f):
            lines += [analysis(f), ""]
        if f.group in ADVICE and f.group not in advised:
            lines += [ADVICE[f.group], ""]
            advised.add(f.group)
    broken = [f for f in FIGURES if f.error]
    if broken:
        lines += ["## Broken measurements", ""]
        for f in broken:
            lines += [f"### {f.name}", "", "```", f.error.strip()[:4000], "```", ""]
    lines += ["Machine-readable: `benchmarks/results.json` (every run's value, per-phase and per-cell detail).", ""]
    return "\n".join(lines)


def render_only(out_dir: Path) -> int:
    """RESULTS.md again from results.json (e.g. after the notes in this script changed); figures unchanged."""
    data = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    names = {f.name for f in Figure.__dataclass_fields__.values()}
    for d in data["figures"]:
        FIGURES.append(Figure(**{k: v for k, v in d.items() if k in names}))
    (out_dir / "RESULTS.md").write_text(render_markdown(data["machine"], data["protocol"]), encoding="utf-8")
    say(f"Rewrote {out_dir / 'RESULTS.md'} from {out_dir / 'results.json'}.")
    return 0


# --- main --------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5; the protocol needs >= 5)")
    parser.add_argument("--quick", action="store_true", help="run the slow figures (fresh set-up, test suite) once")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the fresh set-up and the test suite")
    parser.add_argument("--cohort-students", type=int, default=100, help="students in the cohort (default 100)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="measure only these groups (for development)")
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md and results.json go (default: benchmarks/)")
    parser.add_argument("--keep", action="store_true", help=f"keep the temporary folder ({WORK})")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: rewrite RESULTS.md from the results.json in --out")
    args = parser.parse_args(argv)
    if args.render_only:
        shutil.rmtree(WORK, ignore_errors=True)
        return render_only(args.out)
    if args.runs < 1 or args.cohort_students < 1:
        parser.error("--runs and --cohort-students must be at least 1")

    started = time.perf_counter()
    wanted = set(args.only or GROUPS)
    slow_runs = 1 if args.quick else args.runs
    slow_note = "--quick" if args.quick else ""
    if args.skip_slow:
        wanted -= {"setup", "tests"}
    protocol = {"command": " ".join(["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
                "runs": args.runs, "quick": args.quick, "skip_slow": args.skip_slow, "slow_runs": slow_runs,
                "cohort_students": args.cohort_students, "groups": sorted(wanted),
                "left_out": [g for g in GROUPS if g not in wanted], "workdir": str(WORK)}
    info = machine()
    say(f"Benchmark: {info['cpu_count']} x {info['cpu_model']}, {info['memory_GiB']} GiB, Python {info['python']}, "
        f"commit {info['git_commit'][:10]}; runs {args.runs}, slow runs {slow_runs if not args.skip_slow else 0}, "
        f"cohort {args.cohort_students}; temporary folder {WORK}")
    try:
        steps = [
            ("grading", lambda: bench_grading(args.runs)),
            ("sandbox", lambda: bench_sandbox(args.runs)),
            ("lessons", lambda: bench_lessons(args.runs, memory="memory" in wanted)),
            ("imports", lambda: bench_imports(args.runs)),
            ("calls", lambda: bench_calls(args.runs)),
            ("memory", lambda: bench_grading_memory(args.runs)),
            ("browser", lambda: bench_browser(args.runs)),
            ("cohort", lambda: bench_cohort(args.cohort_students)),
            ("setup", lambda: bench_setup(slow_runs, slow_note)),
            ("tests", lambda: bench_tests(slow_runs, slow_note)),
            ("content", bench_content),
            ("hub", bench_hub),
        ]
        for group, step in steps:
            if group in wanted:
                try:
                    with quiet_stderr():
                        step()
                except Exception as exc:  # noqa: BLE001 -- a step that broke outside its figures
                    figure(f"{group}.step", group, f"{group} (the whole step)", "s").error = (
                        f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}")
                    say(f"  BROKEN step {group}: {exc}")
                write_results(info, protocol, args.out, started)     # partial results survive a later crash
    finally:
        write_results(info, protocol, args.out, started)
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    broken = [f for f in FIGURES if f.error]
    missed = [f for f in FIGURES if f.met is False]
    say(f"\nWrote {args.out / 'RESULTS.md'} and {args.out / 'results.json'} "
        f"({(time.perf_counter() - started) / 60:.1f} min). {len(missed)} figure(s) miss their aim; "
        f"{len(broken)} measurement(s) broken.")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
