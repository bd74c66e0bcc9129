"""Real JupyterLab in real Chromium, for the browser tests and for benchmarks.

``LabServer`` starts JupyterLab through ``mlroles.launch.lab``, the code behind ``make lab`` and
``make instructor``, on a free loopback port with a known token, in isolated Jupyter and
IPython folders, over a temporary learner workspace or a temporary copy of the course root
(so clicking widgets never writes choices files into the repository). ``LabBrowser`` drives one Chromium for all tests and
gives a fresh page per notebook. The notebook helpers (open, Run All, wait for widgets,
click and wait for feedback) each return how long they took, and ``Timings`` collects
those numbers into a JSON file: a benchmark can import the same helpers. ``run_axe`` runs
axe-core (pinned in the root package.json) on the page, and tells the course's own outputs from
JupyterLab's chrome.

Nothing here asserts on speed.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from course_helpers import REPO

ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TIMINGS_FILE = ARTIFACTS / "browser_timings.json"
CONSOLE_FILE = ARTIFACTS / "browser_console.json"
ACCESSIBILITY_FILE = ARTIFACTS / "accessibility.json"

# What a learner opens: copied into the server's temporary root, nothing else.
COURSE_PARTS = ("course", "exercises", "solutions", "nbgrader_config.py")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_MISSING = ("Chromium is missing: install it with `apt-get install -y chromium` (Debian) "
                    "and run the tests again.")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Selectors found by trying them in JupyterLab 4.6 with ipywidgets 8.1.
KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
ERROR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
# a widget view has no data-mime-type: it is a top-level output that holds a .jupyter-widgets node
WIDGET_OUTPUT = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:not([data-mime-type])"
NOTEBOOK_SCROLLER = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"


def find_chromium(candidates=(CHROMIUM,), which=shutil.which) -> str | None:
    """The Chromium to drive: Debian's /usr/bin/chromium, else ``chromium`` on PATH, else None."""
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(dest: Path, repo: Path = REPO) -> Path:
    """Copy the parts of the course a learner or instructor opens into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.choices.json", "gradebook.db")
    for name in COURSE_PARTS:
        src = repo / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


# --- timings -----------------------------------------------------------------------------

@dataclass
class Timings:
    """Named durations in seconds, written as JSON (a list of records) for later comparison."""

    records: list = field(default_factory=list)

    def add(self, what: str, seconds: float, **labels) -> float:
        self.records.append({"what": what, "seconds": round(seconds, 3), **labels})
        return seconds

    @contextmanager
    def measure(self, what: str, **labels):
        start = time.perf_counter()
        yield
        self.add(what, time.perf_counter() - start, **labels)

    def summary(self) -> dict:
        out: dict[str, dict] = {}
        for r in self.records:
            s = out.setdefault(r["what"], {"n": 0, "min": None, "max": None, "total": 0.0})
            s["n"] += 1
            s["total"] = round(s["total"] + r["seconds"], 3)
            s["min"] = r["seconds"] if s["min"] is None else min(s["min"], r["seconds"])
            s["max"] = r["seconds"] if s["max"] is None else max(s["max"], r["seconds"])
        return out

    def write(self, path: Path = TIMINGS_FILE, **meta) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**meta, "summary": self.summary(), "records": self.records}, indent=1),
                        encoding="utf-8")
        return path


# --- the server --------------------------------------------------------------------------

class LabServer:
    """JupyterLab started the way ``make lab`` (or, with ``instructor=True``, ``make instructor``)
    starts it: through ``python -m mlroles.launch.lab``, from ``sys.executable``'s environment.

    A learner's server serves a fresh workspace in a temporary folder, which ``mlroles.launch.lab``
    fills from the course exactly as it fills ``my-work/``; an instructor's serves a temporary
    copy of the course root. Only what a test needs on top is added: a free port, a known token,
    isolated Jupyter folders and ``window.jupyterapp``.

    ``start()`` returns the seconds from launch to ``/api/status`` answering;
    ``stop()`` deletes every session through the REST API, then ends the server by its PID.
    """

    def __init__(self, workdir: Path | None = None, repo: Path = REPO, instructor: bool = False,
                 env: dict | None = None):
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="mlroles-lab-"))
        self.repo = repo
        self.instructor = instructor
        self.root = self.workdir / ("root" if instructor else "my-work")
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "lab.log"
        self.ready_seconds: float | None = None

    # -- set-up ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict:
        env = dict(os.environ)
        for var, sub in {"JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data",
                         "JUPYTER_RUNTIME_DIR": "jupyter-runtime", "IPYTHONDIR": "ipython",
                         "MPLCONFIGDIR": "matplotlib"}.items():
            (self.workdir / sub).mkdir(exist_ok=True)
            env[var] = str(self.workdir / sub)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env.pop("MPLBACKEND", None)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "mlroles.launch.lab", "--no-browser", f"--port={self.port}", f"--token={self.token}",
               f"--root={self.root}", f"--course={self.repo}"]
        if self.instructor:
            cmd.append("--instructor")
        # passed on to JupyterLab: the tests' own settings and workspaces, and window.jupyterapp,
        # which lets a test compare the notebook's model with what is drawn
        return cmd + [f"--LabApp.user_settings_dir={self.workdir / 'lab-user-settings'}",
                      f"--LabApp.workspaces_dir={self.workdir / 'lab-workspaces'}",
                      "--LabApp.expose_app_in_browser=True"]

    def start(self, timeout: float = 90) -> float:
        if self.instructor:
            copy_course(self.root, self.repo)
        (self.workdir / "lab-workspaces").mkdir(exist_ok=True)
        started = time.perf_counter()
        with open(self.log_path, "w") as log:
            # mlroles.launch.lab moves into the folder it serves and execs JupyterLab: the PID is the server's
            self.proc = subprocess.Popen(self.command(), env=self._env(), cwd=self.workdir,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode} before it was ready:\n"
                                   + self.log_tail())
            try:
                self.api("GET", "/api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.perf_counter() - started > timeout:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not answer /api/status in {timeout} s:\n" + self.log_tail())
                time.sleep(0.1)
        self.ready_seconds = time.perf_counter() - started
        return self.ready_seconds

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- REST API -------------------------------------------------------------------------
    def api(self, method: str, path: str, body=None, timeout: float = 10):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def shutdown_sessions(self, path: str | None = None) -> int:
        """Delete sessions (and their kernels): all, or those of one notebook path. Returns how many."""
        n = 0
        for s in self.sessions():
            if path is None or s.get("path") == path:
                self.api("DELETE", f"/api/sessions/{s['id']}", timeout=30)
                n += 1
        return n

    def __enter__(self) -> "LabServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- tear-down ------------------------------------------------------------------------
    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                try:
                    self.shutdown_sessions()
                    for k in self.api("GET", "/api/kernels"):
                        self.api("DELETE", f"/api/kernels/{k['id']}", timeout=30)
                except (OSError, urllib.error.URLError, ValueError):
                    pass
                self.proc.terminate()   # SIGTERM to this PID: the server itself (no shell in between)
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
        finally:
            self.proc = None
            if self._own_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    # -- URLs -----------------------------------------------------------------------------
    def tree_url(self, path: str) -> str:
        # ?reset: open only this document, not every document earlier pages left in the workspace
        return f"{self.base_url}/lab/tree/{path}?reset&token={self.token}"

    def lab_url(self) -> str:
        return f"{self.base_url}/lab?reset&token={self.token}"


# --- the browser -------------------------------------------------------------------------

class ChromiumMissing(RuntimeError):
    pass


class LabBrowser:
    """One headless Chromium for a whole test module; ``new_page()`` per notebook.

    Nothing is launched until the first page is asked for, so a missing Chromium shows up
    as a failure in the test that needed it.
    """

    def __init__(self, viewport=(1280, 1000)):
        self.viewport = {"width": viewport[0], "height": viewport[1]}
        self._pw = None
        self._browser = None
        self._context = None

    def launch(self):
        if self._browser is None:
            path = find_chromium()
            if path is None:
                raise ChromiumMissing(CHROMIUM_MISSING)
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            # one context for all pages: JupyterLab's scripts come from the HTTP cache after the first page
            self._context = self._browser.new_context(viewport=self.viewport)
        return self._browser

    def new_page(self) -> "LabPage":
        self.launch()
        return LabPage(self._context.new_page())

    def close(self):
        if self._context is not None:
            self._context.close()
            self._context = None
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None


@dataclass
class ConsoleMessage:
    type: str
    text: str
    url: str = ""

    def as_dict(self):
        return {"type": self.type, "text": self.text, "url": self.url}


class LabPage:
    """A Playwright page that records its console messages and uncaught page errors."""

    def __init__(self, page):
        self.page = page
        self.console: list[ConsoleMessage] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console.append(ConsoleMessage("pageerror", str(exc))))

    def _on_console(self, msg):
        loc = msg.location or {}
        self.console.append(ConsoleMessage(msg.type, msg.text, loc.get("url", "")))

    @property
    def errors(self) -> list[ConsoleMessage]:
        return [m for m in self.console if m.type in ("error", "pageerror")]

    def close(self):
        try:
            self.page.close()
        except Exception:
            pass


def new_page_or_fail(browser: LabBrowser) -> "LabPage":
    """``browser.new_page()``, or a test failure of one line when Chromium is missing."""
    import pytest

    try:
        return browser.new_page()
    except ChromiumMissing as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)   # outside the except: no chained traceback


# --- notebook helpers (each returns seconds) ----------------------------------------------

# The current notebook as JupyterLab holds it (window.jupyterapp, see --LabApp.expose_app_in_browser):
# how many cells the model has and how many are drawn, and per code cell its execution count
# and outputs. Outputs drawn inside widgets (ipywidgets.Output) are not in this model; the
# DOM checks see those.
NOTEBOOK_STATE_JS = """() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    if (!w || !w.content || !w.content.model) return null;
    const panel = w.node;
    const cells = w.content.model.cells;
    const code = [];
    for (let i = 0; i < cells.length; i++) {
        const c = cells.get(i);
        if (c.type !== 'code') continue;
        const outputs = c.outputs.toJSON().map(o => ({
            type: o.output_type, name: o.name || null, mimes: Object.keys(o.data || {}),
            ename: o.ename || null, evalue: o.evalue || null,
            text: (o.text || (o.data && o.data['text/plain']) || '').toString().slice(0, 300)}));
        code.push({index: i, empty: c.sharedModel.getSource().trim() === '',
                   count: c.executionCount, running: c.executionState === 'running', outputs});
    }
    const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
        .map(e => e.textContent.trim());
    return {path: w.context.path, cells: cells.length,
            drawn: panel.querySelectorAll('.jp-Notebook .jp-Cell').length,
            kernel: w.sessionContext.session && w.sessionContext.session.kernel
                    ? w.sessionContext.session.kernel.status : null,
            busy: prompts.some(p => p.includes('*')), code};
}"""

# Top-level outputs of cells that hold a widget view, and whether a widget was drawn there.
WIDGETS_DRAWN_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget.node;
    const outs = Array.from(panel.querySelectorAll("WIDGET_OUTPUT"));
    return outs.map(o => ({drawn: o.querySelector(':scope > .jupyter-widgets') !== null,
                           failed: o.textContent.includes('Error displaying widget'),
                           text: o.textContent.slice(0, 200)}));
}""".replace("WIDGET_OUTPUT", WIDGET_OUTPUT)


def notebook_state(lab: "LabPage") -> dict | None:
    return lab.page.evaluate(NOTEBOOK_STATE_JS)


def widget_outputs_in_model(state: dict) -> int:
    return sum(WIDGET_MIME in o["mimes"] for c in state["code"] for o in c["outputs"])


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def open_notebook(lab: LabPage, server: LabServer, path: str, timeout: float = 90) -> float:
    """Open ``path`` (relative to the course root); wait until every cell is drawn and the
    kernel is idle. Returns the seconds from navigation."""
    start = time.perf_counter()
    lab.page.goto(server.tree_url(path))
    wait_for_notebook(lab, path, timeout)
    return time.perf_counter() - start


def wait_for_notebook(lab: LabPage, path: str, timeout: float = 90) -> None:
    """Wait until ``path`` is the notebook in front, every cell drawn and its kernel idle
    (after opening it by URL, or by clicking a link to it)."""
    lab.page.wait_for_function(f"""() => {{
        const s = ({NOTEBOOK_STATE_JS})();
        return s !== null && s.path === {json.dumps(path)} && s.cells > 0 && s.drawn === s.cells
            && s.kernel === 'idle' && document.querySelector("{KERNEL_IDLE}") !== null;
    }}""", timeout=timeout * 1000, polling=100)


def board_row(page, board, item: str):
    """The row of item ``item`` (its id in bold) on a classification board."""
    return board.locator(".widget-hbox:has(> .widget-toggle-buttons)").filter(
        has=page.locator(".widget-html-content b", has_text=re.compile(f"^{re.escape(item)}$")))


def click_menu(page, menu: str, item: str) -> None:
    """Menu bar ``menu`` -> ``item``, as a learner clicks it."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).first.click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel").get_by_text(item, exact=True).first.click()


def clear_outputs(lab: LabPage) -> None:
    """Edit -> Clear Outputs of All Cells: saved outputs and counts go, so after Run All every
    count and output is from this run."""
    click_menu(lab.page, "Edit", "Clear Outputs of All Cells")
    lab.page.wait_for_function(f"""() => ({NOTEBOOK_STATE_JS})().code
        .every(c => c.count === null && c.outputs.length === 0)""", timeout=10000)


def wait_until_run(lab: LabPage, timeout: float = 120) -> dict:
    """Wait until no cell waits or runs ([*]) and the kernel is idle; return the notebook state."""
    lab.page.wait_for_function(f"""() => {{
        const s = ({NOTEBOOK_STATE_JS})();
        return s.kernel === 'idle' && !s.busy && !s.code.some(c => c.running)
            && document.querySelector("{KERNEL_IDLE}") !== null;
    }}""", timeout=timeout * 1000, polling=100)
    return notebook_state(lab)


def run_all(lab: LabPage, timeout: float = 120) -> float:
    """Run -> Run All Cells; wait until every cell ran (or the run stopped at an error), the
    kernel is idle and every widget output is drawn. Returns the seconds from the click."""
    page = lab.page
    start = time.perf_counter()
    click_menu(page, "Run", "Run All Cells")
    # Lab marks the queued cells [*] as soon as it handles the click; wait for that first,
    # so the idle kernel from *before* the run is not taken for its end.
    try:
        page.wait_for_function(f"() => ({NOTEBOOK_STATE_JS})().busy", timeout=5000, polling="raf")
    except Exception:
        pass  # a very short notebook may be done before the first poll
    wait_until_run(lab, timeout)
    wait_for_widgets(lab, timeout=30)
    return time.perf_counter() - start


def wait_for_widgets(lab: LabPage, timeout: float = 30) -> int:
    """Wait until every widget output of the model is drawn (as a widget or as an error).
    Returns how many widget outputs there are."""
    lab.page.wait_for_function(f"""() => {{
        const s = ({NOTEBOOK_STATE_JS})();
        const want = s.code.reduce((n, c) => n + c.outputs.filter(o => o.mimes.includes('{WIDGET_MIME}')).length, 0);
        const outs = ({WIDGETS_DRAWN_JS})();
        return outs.filter(o => o.drawn || o.failed).length >= want;
    }}""", timeout=timeout * 1000, polling=100)
    return widget_outputs_in_model(notebook_state(lab))


def round_trip(page, action, done, timeout: float = 15) -> float:
    """Seconds from ``action()`` (a click) to ``done``: a locator becoming visible, or a JS predicate."""
    start = time.perf_counter()
    action()
    if isinstance(done, str):
        page.wait_for_function(done, timeout=timeout * 1000, polling=20)
    else:
        done.wait_for(state="visible", timeout=timeout * 1000)
    return time.perf_counter() - start


def screenshot_notebook(lab: LabPage, stem: str, folder: Path = SCREENSHOTS, height: int = 1800) -> list[Path]:
    """Screenshots of the whole notebook panel, top to bottom, as ``stem-01.png``, ``stem-02.png``...

    The viewport is made tall and the notebook scrolled a screen at a time (with a small
    overlap), so every cell is on some picture; the last picture ends below the last cell,
    not in the empty space JupyterLab leaves to scroll past the end.
    """
    page = lab.page
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{stem}-[0-9][0-9].png"):
        old.unlink()
    old_viewport = page.viewport_size
    page.set_viewport_size({"width": old_viewport["width"], "height": height})
    page.mouse.move(1, height - 1)   # no hover highlight on any cell
    scroller = page.locator(NOTEBOOK_SCROLLER).first
    scroller.evaluate("e => e.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    paths = []
    for i in range(1, 60):
        # where the content ends, in the scroller's coordinates (cells may still be settling)
        view = scroller.evaluate("""e => {
            const top = e.getBoundingClientRect().top;
            const cells = e.querySelectorAll('.jp-Notebook .jp-Cell');
            let end = 0;
            for (const c of cells) end = Math.max(end, c.getBoundingClientRect().bottom - top + e.scrollTop);
            return {scrollTop: e.scrollTop, clientHeight: e.clientHeight, end: end + 16};
        }""")
        box = scroller.bounding_box()
        visible = min(view["clientHeight"], max(1.0, view["end"] - view["scrollTop"]))
        path = folder / f"{stem}-{i:02d}.png"
        page.screenshot(path=str(path), clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": visible})
        paths.append(path)
        if view["scrollTop"] + view["clientHeight"] >= view["end"] - 40:
            break   # what is left is less than the overlap of the next picture
        moved = scroller.evaluate("""e => {
            const before = e.scrollTop;
            e.scrollTop = before + e.clientHeight - 60;
            return e.scrollTop > before;
        }""")
        if not moved:
            break
        page.wait_for_timeout(60)
    page.set_viewport_size(old_viewport)
    return paths


def screenshot_widget(lab: LabPage, locator, path: Path, max_height: int = 4000) -> Path:
    """A picture of one output (a widget) in full: the viewport is made tall enough for it and
    the notebook scrolled so the widget's top is at the top of the panel."""
    page = lab.page
    path.parent.mkdir(parents=True, exist_ok=True)
    old_viewport = page.viewport_size
    height = locator.evaluate("e => e.getBoundingClientRect().height")
    page.set_viewport_size({"width": old_viewport["width"],
                            "height": int(min(max_height, max(old_viewport["height"], height + 300)))})
    page.mouse.move(1, 1)
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(100)
    locator.screenshot(path=str(path))
    page.set_viewport_size(old_viewport)
    return path


# --- accessibility (axe-core) ---------------------------------------------------------------

# axe-core from the root package.json (make test installs it with npm ci); injected into the page.
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = ("axe-core is missing: run `npm ci` in the repository root (`make test` does it) "
               "and run the tests again.")
# The course's own part of a notebook page: what its cells show (outputs and widgets) and its
# rendered markdown. Everything else on the page is JupyterLab's chrome.
COURSE_PARTS_SELECTOR = ".jp-OutputArea, .jp-MarkdownOutput"
NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# What fails a test inside the course's part: axe's serious and critical violations, and headings
# out of order, which axe rates moderate.
AXE_BLOCKING_IMPACTS = ("serious", "critical")
AXE_BLOCKING_RULES = ("heading-order",)
# Findings inside the course's part that JupyterLab's own styling causes, whatever the course writes:
# (rule, a CSS selector the element matches, why). They are recorded apart ("theme") and fail nothing.
LAB_THEME_FINDINGS = (
    ("link-in-text-block", ".jp-RenderedHTMLCommon a",
     "JupyterLab's light theme tells links in rendered markdown from the text around them by colour "
     "alone (#0d47a1 beside #212121, 1.86:1), without an underline"),
    ("color-contrast", ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] span",
     "a traceback (a release stops at one by design): IPython's colours for code and names on "
     "JupyterLab's pink error background"),
)

# One axe run over ``root``. Each violation's nodes are split by where they are: inside the
# course's part of the open notebook, or elsewhere (JupyterLab's chrome). ``passes`` lists, per
# rule, the course nodes that passed, so a test can tell a rule that was checked from one that
# found nothing to check. The contrast check also weighs text of one character and text made only
# of symbols (axe leaves both undecided by default): the ✓ and ✗ marks are both, and their colour
# carries meaning. JupyterLab's <body> is
# 0 px tall (its shell is absolutely positioned) with overflow: hidden, which axe takes for a clip
# that hides every text: for the run, the body gets the viewport's height, which changes no pixel.
AXE_RUN_JS = """async ([root, course, theme]) => {
    const context = root === null ? document : {include: Array.from(document.querySelectorAll(root))};
    const contrast = {...axe._audit.checks['color-contrast'].options, ignoreUnicode: false, ignoreLength: true};
    const height = document.body.style.height;
    document.body.style.height = '100vh';
    let result;
    try {
        result = await axe.run(context, {elementRef: true, resultTypes: ['violations', 'passes'],
                                         checks: {'color-contrast': {options: contrast}}});
    } finally {
        document.body.style.height = height;
    }
    const panel = document.querySelector(PANEL);
    const inCourse = el => !!(el && el.closest && el.closest(course) && panel && panel.contains(el));
    const cells = panel ? Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell')) : [];
    const cellOf = el => cells.findIndex(c => c.contains(el));
    const node = n => ({target: n.target.join(' '), html: n.html.slice(0, 300), course: inCourse(n.element),
                        cell: inCourse(n.element) ? cellOf(n.element) : null,
                        summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300)});
    return {
        cells_out_of_view: cells.filter(c => c.getBoundingClientRect().bottom > window.innerHeight).length,
        violations: result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => {
            const out = node(n);
            const known = theme.find(([rule, selector]) => rule === v.id && n.element && n.element.matches(selector));
            return {...out, theme: out.course && known ? known[2] : null};
        })})),
        passes: Object.fromEntries(result.passes.map(p => [p.id, p.nodes.filter(n => inCourse(n.element))
                                                                  .map(n => n.html.slice(0, 300))])),
    };
}""".replace("PANEL", json.dumps(NOTEBOOK_PANEL))


@contextmanager
def notebook_in_view(lab: "LabPage", max_height: int = 60000):
    """The viewport made as tall as the notebook in front, scrolled to its top, so that every cell
    is drawn at once (JupyterLab skips drawing the cells out of view, and axe checks colours only on
    what is drawn); the viewport is put back on leaving."""
    page = lab.page
    old = page.viewport_size
    scroller = page.locator(NOTEBOOK_SCROLLER).first
    if page.locator(NOTEBOOK_SCROLLER).count():
        chrome = old["height"] - scroller.evaluate("e => e.clientHeight")    # menus, tabs, toolbar
        height = int(min(max_height, old["height"] + scroller.evaluate("e => e.scrollHeight - e.clientHeight")))
        page.set_viewport_size({"width": old["width"], "height": height})
        scroller.evaluate("e => e.scrollTo(0, 0)")
        # JupyterLab lays the panel out again a frame later, and draws the cells now in view after that
        page.wait_for_function("([e, h, chrome]) => window.innerHeight === h && e.scrollTop === 0"
                               " && e.clientHeight >= h - chrome - 2", arg=[scroller.element_handle(), height, chrome],
                               timeout=10000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    try:
        yield
    finally:
        page.set_viewport_size(old)


def run_axe(lab: "LabPage", root: str | None = None) -> dict:
    """axe-core on the page (or only inside the elements ``root`` selects), after injecting it once,
    with the whole notebook in view.

    Returns ``{"violations": [...], "passes": {...}, "cells_out_of_view": n, "seconds": s}``; every
    violation node says whether it lies in the course's part of the open notebook (``course``),
    and if so whether it is one of ``LAB_THEME_FINDINGS`` (``theme``: why, else None).
    """
    if not AXE_JS.is_file():
        import pytest

        pytest.fail(AXE_MISSING, pytrace=False)   # one line, as for a missing Chromium
    start = time.perf_counter()
    if not lab.page.evaluate("() => typeof window.axe === 'object'"):
        lab.page.add_script_tag(path=str(AXE_JS))
    with notebook_in_view(lab):
        result = lab.page.evaluate(AXE_RUN_JS, [root, COURSE_PARTS_SELECTOR, [list(t) for t in LAB_THEME_FINDINGS]])
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def axe_course_problems(result: dict) -> list[str]:
    """The violations that fail a test, in words: blocking ones inside the course's part, not caused
    by JupyterLab's theme (and cells axe could not see whole, as the notebook outgrew the viewport)."""
    problems = []
    if result["cells_out_of_view"]:
        problems.append(f"{result['cells_out_of_view']} cell(s) lay below the tallest viewport: not checked")
    for v in result["violations"]:
        nodes = [n for n in v["nodes"] if n["course"] and not n["theme"]]
        if nodes and (v["impact"] in AXE_BLOCKING_IMPACTS or v["rule"] in AXE_BLOCKING_RULES):
            problems.append(f"{v['rule']} ({v['impact']}: {v['help']}), {len(nodes)} element(s): "
                            + " | ".join(f"cell {n['cell']}: {n['html'][:140]} -> {n['summary'][:160]}"
                                         for n in nodes[:3]))
    return problems


def axe_counts(result: dict, where: str) -> dict[str, dict]:
    """Per violated rule, its impact and how many elements break it: ``where`` is "course" (the
    course's part, JupyterLab's theme aside), "theme" (``LAB_THEME_FINDINGS``) or "chrome" (the rest
    of JupyterLab's page)."""
    def place(node):
        return "chrome" if not node["course"] else "theme" if node["theme"] else "course"

    counts = {}
    for v in result["violations"]:
        nodes = [n for n in v["nodes"] if place(n) == where]
        if nodes:
            counts[v["rule"]] = {"impact": v["impact"], "elements": len(nodes), "help": v["help"],
                                 "cells": sorted({n["cell"] for n in nodes if n["cell"] is not None}),
                                 "examples": [n["html"][:160] for n in nodes[:2]]}
    return dict(sorted(counts.items()))
