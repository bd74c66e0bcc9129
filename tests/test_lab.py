"""JupyterLab as `make lab` and `make instructor` start it (python -m mlroles.launch.lab), checked over its REST API.

- Every relative link in every notebook opens in the JupyterLab that serves it: the learner's
  (lessons and exercises in the workspace) and the instructor's (lessons, releases, solutions).
- The learner's server has no instructor tools, and no Assignments tab without an exchange;
  the instructor's has the formgrader.
- The terminal shows one line with the address, and no first-run chatter.
"""
from __future__ import annotations

import json
import posixpath
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest

from browser_support import LabServer
from mlroles.launch import lab as mlab

pytestmark = pytest.mark.slow

LINK = re.compile(r"\]\(([^)\s]+)\)|href=[\"']([^\"']+)[\"']")


def relative_links(notebook) -> list[str]:
    """Targets of the relative links in a notebook's markdown cells (anchors dropped)."""
    out = []
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        for match in LINK.finditer(cell.source):
            target = (match.group(1) or match.group(2)).split("#")[0]
            if target and not re.match(r"^[a-z][a-z0-9+.-]*:", target):
                out.append(target)
    return out


def notebooks(root) -> list:
    return sorted(p for p in root.rglob("*.ipynb") if not {".ipynb_checkpoints", ".jupyter-course"} & set(p.parts))


def follow_links(server: LabServer) -> tuple[int, list[str]]:
    """Ask the server for every link target; returns (links followed, what failed)."""
    followed, broken = 0, []
    for nb in notebooks(server.root):
        where = nb.relative_to(server.root).as_posix()
        for target in relative_links(nb):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(where), target))
            followed += 1
            if path.startswith(".."):
                broken.append(f"{where}: {target} leaves the folder JupyterLab serves")
                continue
            try:
                model = server.api("GET", f"/api/contents/{urllib.parse.quote(path)}?content=0")
                if model["path"] != path:
                    broken.append(f"{where}: {target} opened {model['path']}")
            except urllib.error.HTTPError as err:
                broken.append(f"{where}: {target} -> {path}: HTTP {err.code}")
    return followed, broken


def status(server: LabServer, path: str) -> int:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(f"{server.base_url}{path}?token={server.token}", timeout=10).status
    except urllib.error.HTTPError as err:
        return err.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def learner():
    with LabServer() as server:
        yield server


@pytest.fixture(scope="module")
def instructor():
    with LabServer(instructor=True) as server:
        yield server


def test_every_link_in_the_learners_copy_opens(learner):
    served = {p.relative_to(learner.root).as_posix() for p in notebooks(learner.root)}
    assert "course/00_start_here.ipynb" in served and "exercises/ex1_responsibilities/ex1_responsibilities.ipynb" in served
    assert not any(p.startswith("solutions/") for p in served), "the learner's copy holds solutions"
    followed, broken = follow_links(learner)
    assert followed >= 30, f"only {followed} links found: the link pattern no longer matches the notebooks"
    assert not broken, "\n".join(broken)


def test_every_link_opens_for_the_instructor(instructor):
    followed, broken = follow_links(instructor)
    assert any(p.parts[len(instructor.root.parts)] == "solutions" for p in notebooks(instructor.root))
    assert followed >= 40, f"only {followed} links found"
    assert not broken, "\n".join(broken)


def test_start_page_links_to_every_lesson_and_exercise_in_the_order_to_take_them(repo):
    from mlroles import course

    cells = nbformat.read(str(repo / "course" / "00_start_here.ipynb"), as_version=4).cells
    the_map = next(c.source for c in cells if c.source.startswith("## The map"))
    in_map = [m.group(1) for m in LINK.finditer(the_map)]
    wanted = [posixpath.relpath(part.path, "course") for part in course.in_order()[1:]]
    assert in_map == wanted, f"the start page's map lists {in_map}, the course's order is {wanted}"
    for part in course.in_order()[1:]:
        assert f"[{part.title}]({posixpath.relpath(part.path, 'course')})" in the_map, part.title


def test_each_exercise_ends_with_a_link_to_the_next_step(repo):
    from mlroles import course

    order = [part.path for part in course.in_order()]
    for part in course.EXERCISES:
        following = order[order.index(part.path) + 1:]
        folder = posixpath.dirname(part.path)
        targets = {posixpath.normpath(posixpath.join(folder, link)) for link in relative_links(repo / part.path)}
        expected = following[0] if following else "course/00_start_here.ipynb"
        assert expected in targets, f"{part.path} does not link to what comes next ({expected})"


def test_learner_server_shows_learner_tools_only(learner):
    assert status(learner, "/formgrader") == 404
    assert status(learner, "/formgraders") == 404     # the course list
    assert status(learner, "/assignments") == 404     # no exchange here: no Assignments tab
    assert status(learner, "/nbgrader_version?version=0") != 404   # the Validate button's first call
    page = urllib.request.urlopen(f"{learner.base_url}/lab?token={learner.token}", timeout=10).read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    disabled = config["disabledExtensions"]
    for plugin in mlab.INSTRUCTOR_ONLY[0] + mlab.EXCHANGE_ONLY[0]:
        assert plugin in disabled, f"{plugin} shows in the learner's JupyterLab"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled


def test_instructor_server_has_the_formgrader(instructor):
    assert status(instructor, "/formgrader") in (200, 302)
    assert status(instructor, "/formgraders") == 200


@pytest.mark.parametrize("which", ["learner", "instructor"])
def test_news_prompt_is_off_in_the_courses_own_settings(which, request):
    server = request.getfixturevalue(which)
    settings = server.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"
    assert settings["schema"]["properties"]["checkForUpdates"]["default"] is False
    # written beside the folder it serves, not in a home folder
    assert (server.root / ".jupyter-course" / "settings" / "overrides.json").is_file()


def test_terminal_shows_one_address_and_no_chatter(learner):
    lines = [line for line in learner.log_path.read_text().splitlines() if line.strip()]
    addresses = [line for line in lines if "http://" in line]
    assert len(addresses) == 1, "\n".join(lines)
    assert f"http://127.0.0.1:{learner.port}/lab/tree/course/00_start_here.ipynb?token={learner.token}" in addresses[0]
    assert lines[0].startswith("Your own copy of the course is in "), lines[0]
    chatter = [line for line in lines if line.startswith("[I ") or "language server" in line.lower()
               or "Skipped non-installed" in line or "news" in line.lower()]
    assert not chatter, "\n".join(chatter)


def test_a_busy_port_gets_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "mlroles.launch.lab", "--no-browser", f"--port={port}",
                              f"--root={tmp_path / 'w'}"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 2
        assert out.stdout.strip() == (f"Port {port} is in use. Stop what runs there, or pick another: "
                                      "make lab LAB_ARGS='--port N'.")
        assert "Traceback" not in out.stderr
        assert not (tmp_path / "w").exists(), "nothing is set up for a server that cannot start"
        assert mlab.pick_port(port) != port


def test_the_assignments_tab_shows_where_an_exchange_exists(tmp_path, monkeypatch):
    config_dir = tmp_path / "jupyter-config"
    config_dir.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
    without = mlab.plan(root=tmp_path / "w", port=1, token="t")
    assert "@jupyter/nbgrader:assignment-list" in without.hidden_plugins
    assert "nbgrader.server_extensions.assignment_list" in without.disabled_server_extensions

    exchange = tmp_path / "exchange"
    exchange.mkdir()
    (config_dir / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n")
    with_exchange = mlab.plan(root=tmp_path / "w", port=1, token="t")
    assert "@jupyter/nbgrader:assignment-list" not in with_exchange.hidden_plugins
    assert "@jupyter/nbgrader:menu" not in with_exchange.hidden_plugins
    assert "@jupyter/nbgrader:formgrader" in with_exchange.hidden_plugins
    assert "nbgrader.server_extensions.formgrader" in with_exchange.disabled_server_extensions
    assert "nbgrader.server_extensions.assignment_list" not in with_exchange.disabled_server_extensions

    instructor = mlab.plan(instructor=True, port=1, token="t")
    assert instructor.hidden_plugins == () and instructor.disabled_server_extensions == ()


@pytest.mark.parametrize("which, saved", [("learner", True), ("instructor", False)])
def test_widget_state_is_saved_in_learners_notebooks_only(which, saved, request):
    """A learner's notebook then carries its boards' answers; a solution edited by an instructor must not."""
    server = request.getfixturevalue(which)
    settings = server.api("GET", "/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin")
    assert settings["schema"]["properties"]["saveState"]["default"] is saved


def test_a_course_root_without_lessons_opens_on_its_formgrader(tmp_path):
    """`make instructor COURSE=cohort-demo`: a cohort's course root has no course/ folder, and JupyterLab stops
    when told to open a file that is not there; it opens the formgrader instead."""
    plan = mlab.plan(instructor=True, root=tmp_path, port=9999, token="t")
    assert plan.address == "http://127.0.0.1:9999/formgrader?token=t"
    assert "--ServerApp.default_url=/formgrader" in plan.command() and mlab.START_PAGE not in plan.command()
    (tmp_path / "course").mkdir()
    (tmp_path / mlab.START_PAGE).write_text("{}")
    assert mlab.START_PAGE in mlab.plan(instructor=True, root=tmp_path, port=9999, token="t").command()
