"""What every group of figures shares: the figures themselves, printing them, recording a broken
measurement, sampling memory, running commands and notebooks, the isolated environment and the
description of the machine.

Importing this module changes nothing: ``isolate`` is called by the driver when a run starts.
"""
from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import threading
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent          # not resolved: a venv's python is a symlink
PACKAGES = ("jupyterlab", "nbgrader", "pandas", "ipywidgets", "nbclient", "nbval",
            "notebook", "nbconvert", "jupyter_client", "ipykernel", "psutil", "playwright")
# The groups of figures, in the order RESULTS.md shows them (the driver runs them in its own order).
GROUPS = ("grading", "sandbox", "lessons", "imports", "calls", "setup", "tests", "memory", "cohort", "browser",
          "content", "hub")


# --- the isolated environment ----------------------------------------------------------------

def isolate(work: Path) -> None:
    """Make this process, and everything it starts, use settings in ``work``: Jupyter, IPython and
    matplotlib folders of their own (as tests/conftest.py does), the environment's bin first on PATH
    (nbgrader runs alembic by name), and bytecode caching on.

    Bytecode caching is on even where PYTHONDONTWRITEBYTECODE=1 is set, because a learner's machine
    caches: without the caches every kernel recompiles the (editable) mlroles package. They go to a
    PYTHONPYCACHEPREFIX in ``work``, so nothing is written into the repository.
    """
    for var, sub in {"JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data",
                     "JUPYTER_RUNTIME_DIR": "jupyter-runtime", "IPYTHONDIR": "ipython",
                     "MPLCONFIGDIR": "matplotlib"}.items():
        (work / "env" / sub).mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(work / "env" / sub)
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    os.environ.pop("MPLBACKEND", None)
    os.environ["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(work / "pycache")
    warnings.filterwarnings("ignore")


# --- figures ---------------------------------------------------------------------------------

@dataclass
class Figure:
    id: str
    group: str
    name: str
    unit: str                      # "s", "ms", "ratio", "x faster", "MB", "notebooks/s", "share", "count"
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

    @classmethod
    def from_json(cls, d: dict) -> Figure:
        """A figure as ``as_json`` wrote it (the derived keys are computed again, not read)."""
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in names})


FIGURES: list[Figure] = []       # every figure of this run, in the order it was made


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
    """One line on the console for a figure just measured."""
    s = f.stats
    if f.error:
        say(f"  BROKEN  {f.name}: {f.error.splitlines()[0][:200]}")
        return
    verdict = {True: "meets", False: "MISSES", None: ""}[f.met]
    aim = f"aim {f.aim} {f.unit}" if f.aim else "no aim"
    say(f"  {f.name}: median {fmt(s['median'], f.unit)} {f.unit} (min {fmt(s['min'], f.unit)}, "
        f"max {fmt(s['max'], f.unit)}; {len(f.values)} run(s)); {aim} {verdict}")


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"


@contextlib.contextmanager
def measuring(*figs: Figure):
    """Record an exception as a broken measurement of ``figs``, and go on with the next figure."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 -- a broken measurement is reported, never hidden
        text = error_text(exc)
        for f in figs:
            if f.error is None:
                f.error = text


@contextlib.contextmanager
def quiet_stderr(log: Path):
    """Send this process's stderr, and so the kernels' start-up warnings, to ``log``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log, "a") as out:
        os.dup2(out.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


# --- processes, memory, profiles ----------------------------------------------------------------

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


# --- notebooks ------------------------------------------------------------------------------------

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


# --- the machine ----------------------------------------------------------------------------------

def machine() -> dict:
    """The machine, the package versions and the commit a run measured."""
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
