"""Every kernel that grades a submission runs in a sandbox (Debian's bubblewrap, ``bwrap``).

nbgrader runs a learner's code in the grading kernel, as the instructor, inside the course
root: without a sandbox that code can read the keys, write the gradebook, change the package
that grades everyone after it, delete another student's work, or leave a process behind.
Here the kernel sees:

- the system, the Python environment and the course package, read-only;
- its own submission folder (``autograded/<student>/<assignment>/``), writable, with the
  notebook being graded masked (nbgrader writes it there, with any hidden tests, before the kernel starts);
- a private, empty ``/tmp`` and home;
- nothing of the course root (solutions, keys, gradebook, other submissions, feedback), of
  the repository the package comes from, of the exchange or of the instructor's home;
- no network (it talks to nbgrader over IPC sockets in a private folder), its own process
  namespace (nothing outlives the notebook), and limits on memory, CPU time, file size and
  open files.

``nbgrader_config.py`` names ``SandboxedExecute`` in nbgrader's autograde preprocessors, so the
cohort command, ``nbgrader autograde`` and the formgrader's autograde button all grade this way.
Where ``bwrap`` cannot run, grading stops with one line saying why and how to fix it;
``SandboxedKernelManager.sandbox = False`` (``--no-sandbox`` on the cohort command) grades
without it, and says so.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

UNSANDBOXED = "graded without the sandbox"
INSTALL_HINT = ("install bubblewrap (Debian and Ubuntu: apt-get install -y bubblewrap; Fedora: dnf install "
                "bubblewrap), or grade without the sandbox with --no-sandbox on a machine that holds nothing "
                "else of value")


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create its namespaces here; the message says what to do."""


@lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when bwrap runs here; otherwise one line: why not, and how to fix it."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return f"The grading sandbox needs bubblewrap (bwrap), which is not installed: {INSTALL_HINT}."
    try:
        probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                "--unshare-all", "--die-with-parent", "--", "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"The grading sandbox (bwrap) could not start: {exc}. {INSTALL_HINT[0].upper()}{INSTALL_HINT[1:]}."
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        return (f"The grading sandbox (bwrap) cannot create its namespaces on this machine ({why}). "
                "Unprivileged user namespaces may be switched off (sysctl kernel.unprivileged_userns_clone=1, "
                "or grade as root), or grade with --no-sandbox on a machine that holds nothing else of value.")
    return None


def _package_dirs() -> list[Path]:
    """The folders the course package is imported from (an editable install points into the repository)."""
    import importlib.util

    dirs = []
    for name in ("mlroles", "mlroles.datasets"):
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            dirs.append(Path(folder).resolve())
    return dirs


def _environment_dirs() -> list[Path]:
    """The interpreter and its environment: the kernel runs from them."""
    import site
    import sysconfig

    found = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        found.add(Path(sysconfig.get_paths()[key]).resolve())
    found.update(Path(p).resolve() for p in site.getsitepackages())
    found.add(Path(sys.executable).resolve().parent)
    # compiled bytecode kept apart from the sources: without it every import in the kernel compiles afresh
    if os.environ.get("PYTHONPYCACHEPREFIX"):
        found.add(Path(os.environ["PYTHONPYCACHEPREFIX"]).resolve())
    return sorted(p for p in found if p.exists())


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def bwrap_command(kernel_cmd: list[str], *, own: Path, ipc: Path, hide: list[Path], limits: dict,
                  mask: list[Path] = ()) -> list[str]:
    """The kernel's argv, wrapped: see the module docstring for what it sees."""
    own, ipc = own.resolve(), ipc.resolve()
    hidden = {p.resolve() for p in hide if p.exists()} | {Path("/tmp"), Path(tempfile.gettempdir()).resolve()}
    # a folder inside another hidden one is hidden with it
    hidden = sorted((h for h in hidden if not any(_inside(h, o) and o != h for o in hidden)), key=lambda p: len(p.parts))
    # never re-expose a folder that holds a hidden one (the repository root is on sys.path in some runs)
    visible = [p for p in _environment_dirs() + _package_dirs()
               if not any(_inside(h, p) and h != p for h in hidden) and p != Path("/")]
    cmd = [shutil.which("bwrap") or "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for folder in hidden:
        cmd += ["--tmpfs", str(folder)]
    for folder in visible:
        if any(_inside(folder, h) for h in hidden):
            cmd += ["--ro-bind", str(folder), str(folder)]
    cmd += ["--bind", str(ipc), str(ipc), "--bind", str(own), str(own)]
    if mask:
        empty = ipc / "masked"
        empty.write_bytes(b"")
        for path in mask:   # reads as an empty file
            cmd += ["--ro-bind", str(empty), str(path.resolve())]
    home = "/tmp/home"
    cmd += ["--dir", home, "--chdir", str(own),
            "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--setenv", "HOME", home, "--setenv", "TMPDIR", "/tmp",
            "--setenv", "IPYTHONDIR", "/tmp/ipython", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
            "--setenv", "JUPYTER_CONFIG_DIR", "/tmp/jupyter/config", "--setenv", "JUPYTER_DATA_DIR",
            "/tmp/jupyter/data", "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp/jupyter/runtime",
            "--unsetenv", "JPY_PARENT_PID", "--unsetenv", "PYTHONSTARTUP", "--unsetenv", "PYTHONPATH"]
    prlimit = shutil.which("prlimit")
    if prlimit:
        cmd = [prlimit, f"--as={limits['memory_bytes']}", f"--cpu={limits['cpu_seconds']}",
               f"--fsize={limits['file_bytes']}", f"--nofile={limits['open_files']}",
               f"--nproc={limits['processes']}", "--"] + cmd
    return cmd + ["--"] + list(kernel_cmd)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs under bwrap, talking over IPC sockets in a private folder."""

    sandbox = Bool(True, help="Run grading kernels in the bwrap sandbox.").tag(config=True)
    memory_gb = Float(6.0, help="Address space limit of the kernel, in GB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU time limit of the whole kernel, in seconds.").tag(config=True)
    file_mb = Integer(256, help="Largest file the kernel may write, in MB.").tag(config=True)
    open_files = Integer(1024, help="Open files limit of the kernel.").tag(config=True)
    processes = Integer(256, help="Process limit (enforced where the grader is not root).").tag(config=True)

    _scratch: str | None = None

    def _hidden(self, cwd: Path) -> list[Path]:
        """The course root (from nbgrader's configuration, else the folder above autograded/),
        the repository the package comes from, the exchange and the instructor's home."""
        hide = [Path.home()]
        root = self.config.get("CourseDirectory", {}).get("root")
        if root:
            hide.append(Path(root))
        for parent in cwd.resolve().parents:
            if (parent / "autograded").is_dir() or (parent / "nbgrader_config.py").is_file():
                hide.append(parent)
        exchange = self.config.get("Exchange", {}).get("root")
        if exchange:
            hide.append(Path(exchange))
        import mlroles

        checkout = Path(mlroles.__file__).resolve().parents[1]   # the package imported from a course checkout
        if (checkout / "solutions").is_dir():
            hide.append(checkout)
        return hide

    async def _async_pre_start_kernel(self, **kw):
        if not self.sandbox:
            return await super()._async_pre_start_kernel(**kw)
        reason = unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)
        # IPC sockets and the connection file in a private folder, bound into the sandbox
        self._scratch = tempfile.mkdtemp(prefix="mlroles-kernel-")
        self.transport = "ipc"
        self.ip = os.path.join(self._scratch, "kernel")
        self.connection_file = os.path.join(self._scratch, "connection.json")
        # A signal would reach bwrap, not the kernel inside: interrupt a cell that runs too long
        # with a message instead (ipykernel then interrupts its own process group).
        self.kernel_spec.interrupt_mode = "message"
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        own = Path(kw.get("cwd") or os.getcwd())
        limits = {"memory_bytes": int(self.memory_gb * 1024 ** 3), "cpu_seconds": self.cpu_seconds,
                  "file_bytes": self.file_mb * 1024 ** 2, "open_files": self.open_files,
                  "processes": self.processes}
        wrapped = bwrap_command(kernel_cmd, own=own, ipc=Path(self._scratch), hide=self._hidden(own),
                                limits=limits, mask=sorted(own.glob("*.ipynb")))
        # ipykernel prints its connection details and a Ctrl-C note on stdout: not the instructor's business
        kw.setdefault("stdout", subprocess.DEVNULL)
        return wrapped, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._scratch and not restart:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


class SandboxedExecute(Execute):
    """nbgrader's Execute with every kernel in the sandbox (configured in nbgrader_config.py)."""

    def __init__(self, *args, **kwargs):
        # nbgrader's Execute passes its kernel manager class as an argument, which config cannot
        # override: name ours here instead.
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
