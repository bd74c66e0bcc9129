"""Start JupyterLab on the course: the one way ``make lab``, ``make instructor`` and the browser tests start it.

    python -m mlroles.launch.lab                 a learner's JupyterLab on my-work/ (made on first use)
    python -m mlroles.launch.lab --instructor    the instructor's JupyterLab on the course root, with nbgrader's tools

A learner's JupyterLab serves the learner's own workspace (``my-work/``, see
``mlroles.launch.workspace``): the lessons and exercises laid out as in the course, so every link
between them opens, and the learner's answers never touch the repository's files. It shows
what a learner uses: the notebooks and nbgrader's Validate button, plus the Assignments tab
where an nbgrader exchange exists. The instructor's tools (Create Assignment, the
formgrader, the course list) appear only with ``--instructor``.

Both modes write their JupyterLab settings (no news pop-up; which nbgrader parts show) into
``.jupyter-course/`` inside the folder they serve, never into the learner's home folder, and
print one line: the address to open.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mlroles.course import NoCourseCopy, find_copy
from mlroles.launch import workspace as ws

START_PAGE = "course/00_start_here.ipynb"
SETTINGS_FOLDER = ".jupyter-course"
DEFAULT_PORT = 8888

# The news and update pop-up covers the first notebook a learner opens and reaches for the internet.
NEWS_OFF = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}

# Widget state saved into the notebook, so a notebook handed in without its *.choices.json still
# carries the boards' answers (mlroles.widgets.choices). Learners only: where solutions are edited, saved
# widget state would carry the graded answers into the release.
SAVE_WIDGET_STATE = {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}

# nbgrader's parts that only an instructor uses: (lab plugin ids, server extension modules).
INSTRUCTOR_ONLY = (
    ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment"),
    ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"),
)
# The Assignments tab (fetch and submit) and the Nbgrader menu that opens it: useful only with an exchange.
EXCHANGE_ONLY = (
    ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"),
    ("nbgrader.server_extensions.assignment_list",),
)
NBGRADER_DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"


@dataclass
class LabPlan:
    """Everything that decides how JupyterLab starts; ``command()`` turns it into argv."""

    instructor: bool
    root: Path
    port: int
    token: str
    ip: str = "127.0.0.1"
    open_browser: bool = True
    hidden_plugins: tuple[str, ...] = ()
    disabled_server_extensions: tuple[str, ...] = ()
    extra_args: list[str] = field(default_factory=list)

    @property
    def settings_dir(self) -> Path:
        return self.root / SETTINGS_FOLDER / "settings"

    @property
    def start_page(self) -> str | None:
        """The lessons' start page, or None where the folder served has no lessons (a cohort's course root such as
        cohort-demo/, opened for its formgrader)."""
        return START_PAGE if (self.root / START_PAGE).is_file() else None

    @property
    def address(self) -> str:
        if self.start_page is None:
            return f"http://{self.ip}:{self.port}/{'formgrader' if self.instructor else 'lab'}?token={self.token}"
        return f"http://{self.ip}:{self.port}/lab/tree/{START_PAGE}?token={self.token}"

    def write_settings(self) -> Path:
        """JupyterLab's application settings for this mode: overrides (news off; for learners, widget state
        saved in the notebook) and the hidden plugins."""
        self.settings_dir.mkdir(parents=True, exist_ok=True)
        overrides = NEWS_OFF if self.instructor else {**NEWS_OFF, **SAVE_WIDGET_STATE}
        (self.settings_dir / "overrides.json").write_text(json.dumps(overrides, indent=1), encoding="utf-8")
        (self.settings_dir / "page_config.json").write_text(
            json.dumps({"disabledExtensions": list(self.hidden_plugins)}, indent=1), encoding="utf-8")
        return self.settings_dir

    def _server_flags(self) -> list[str]:
        """What both ways of starting share: the folder served, the settings, quiet logs, the hidden parts."""
        flags = [f"--ServerApp.root_dir={self.root}", f"--LabApp.app_settings_dir={self.settings_dir}",
                 # what a learner needs to see in the terminal is the one line printed before start
                 "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
                 # no language server is installed: scanning for them only prints a list of absent ones
                 "--LanguageServerManager.autodetect=False"]
        flags += [f"--ServerApp.jpserver_extensions={name}=False" for name in self.disabled_server_extensions]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--allow-root")   # JupyterLab refuses root unless told it may
        return flags

    def command(self) -> list[str]:
        jupyter = Path(sys.executable).parent / "jupyter"   # not resolved: a venv's python is a symlink
        page = [self.start_page] if self.start_page else (
            ["--ServerApp.default_url=/formgrader"] if self.instructor else [])
        cmd = [str(jupyter), "lab", *page, f"--ip={self.ip}", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}", *self._server_flags()]
        if not self.open_browser:
            cmd.append("--no-browser")
        return cmd + list(self.extra_args)

    def singleuser_command(self) -> list[str]:
        """The same server started by JupyterHub's spawner (``mlroles.launch.hub``): ``jupyterhub-singleuser`` takes
        its address, port, login and start page from the hub."""
        singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
        return [str(singleuser), *self._server_flags(), *self.extra_args]


def port_is_free(port: int, ip: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def pick_port(preferred: int = DEFAULT_PORT, ip: str = "127.0.0.1", tries: int = 20) -> int:
    """``preferred`` if free, else the next free one of the ``tries`` after it, else any free port."""
    for port in range(preferred, preferred + tries):
        if port_is_free(port, ip):
            return port
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


def learner_exchange(cwd: Path) -> Path | None:
    """The nbgrader exchange a learner's JupyterLab would use, if it exists: ``Exchange.root`` from the
    nbgrader_config files nbgrader reads (Jupyter's config path, then ``cwd``), else nbgrader's default."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

    root = NBGRADER_DEFAULT_EXCHANGE
    for folder in [*reversed(jupyter_config_path()), str(cwd)]:
        for loader in (JSONFileConfigLoader("nbgrader_config.json", path=folder),
                       PyFileConfigLoader("nbgrader_config.py", path=folder)):
            try:
                config = loader.load_config()
            except Exception:   # missing or unreadable: nbgrader would skip it too
                continue
            if "root" in config.get("Exchange", {}):
                root = config.Exchange.root
    return Path(root) if Path(root).is_dir() else None


def plan(*, instructor: bool = False, root: Path | None = None, port: int | None = None,
         token: str | None = None, ip: str = "127.0.0.1", open_browser: bool = True,
         extra_args: list[str] | None = None) -> LabPlan:
    """Decide how JupyterLab starts (nothing is written or started here)."""
    if instructor:
        root = Path(root or find_copy())
        hidden, disabled = (), ()
    else:
        root = Path(root or find_copy() / ws.DEFAULT_NAME)
        hidden, disabled = INSTRUCTOR_ONLY
        if learner_exchange(root) is None:
            hidden, disabled = hidden + EXCHANGE_ONLY[0], disabled + EXCHANGE_ONLY[1]
    return LabPlan(instructor=instructor, root=root.resolve(), port=port or pick_port(ip=ip),
                   token=token or secrets.token_hex(24), ip=ip, open_browser=open_browser,
                   hidden_plugins=tuple(hidden), disabled_server_extensions=tuple(disabled),
                   extra_args=list(extra_args or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlroles.launch.lab", description=__doc__.split("\n\n")[0],
        epilog="Arguments it does not know are passed on to `jupyter lab`.")
    parser.add_argument("--instructor", action="store_true",
                        help="the course root with nbgrader's instructor tools (formgrader, Create Assignment)")
    parser.add_argument("--root", type=Path, help="the folder to serve (default: my-work/, or the course root "
                                                  "with --instructor)")
    parser.add_argument("--course", type=Path, help="the copy of the course whose lessons and exercises go into "
                                                    "my-work/ (default: the working directory's)")
    parser.add_argument("--port", type=int, help=f"the port (default: {DEFAULT_PORT}, or the next free one)")
    parser.add_argument("--token", help="the access token (default: a new random one)")
    parser.add_argument("--ip", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args, extra = parser.parse_known_args(argv)

    if args.port is not None and not port_is_free(args.port, args.ip):
        print(f"Port {args.port} is in use. Stop what runs there, or pick another: make lab LAB_ARGS='--port N'.")
        return 2
    try:
        repo = find_copy(args.course)
    except NoCourseCopy as exc:
        print(exc)
        return 2
    lab = plan(instructor=args.instructor, root=args.root or (repo if args.instructor else repo / ws.DEFAULT_NAME),
               port=args.port, token=args.token, ip=args.ip, open_browser=not args.no_browser, extra_args=extra)
    if not lab.instructor:
        report = ws.sync(lab.root, repo)
        if report.first_time:
            print(f"Your own copy of the course is in {lab.root}: work there. "
                  "Course updates reach it on the next start; your answers are never overwritten.")
        else:
            for line in report.lines():
                print(line)
    elif not (lab.root / "nbgrader_config.py").is_file():
        print(f"{lab.root} is not a course root (no nbgrader_config.py). Run this from the course folder.")
        return 2
    lab.write_settings()
    busy = "" if args.port or lab.port == DEFAULT_PORT else f" (port {DEFAULT_PORT} is busy)"
    print(f"{'Instructor' if lab.instructor else 'Course'} JupyterLab: open {lab.address}{busy}   "
          "(Ctrl+C to stop)", flush=True)
    # exec, not a child: the PID a caller holds is the server's, and Ctrl+C reaches it directly.
    # The server's working folder is the one it serves: nbgrader reads nbgrader_config.py from there.
    os.chdir(lab.root)
    os.execv(lab.command()[0], lab.command())
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
