"""Each exercise's worked solution runs top to bottom in a real kernel without an error, and a learner's first
Run All on its release stops at the first NotImplementedError (JupyterLab stops at a cell's error, as nbclient
does) only after every widget of the exercise is drawn. Counted from
the notebooks' outputs after a real kernel ran them, release against solution; no browser is needed for it
(tests/test_browser.py draws the widgets themselves)."""
import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_helpers import REPO
from mlroles import course

pytestmark = pytest.mark.slow

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def widgets_after_run_all(path, folder) -> tuple[int, str | None]:
    """Widget outputs after Run All of ``path`` run in ``folder``, and the error that stopped it (or None)."""
    nb = nbformat.read(path, as_version=4)
    stopped = None
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    except CellExecutionError as exc:
        stopped = str(exc).strip().splitlines()[-1][:200]
    count = sum(WIDGET_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    return count, stopped


@pytest.mark.parametrize("part", [pytest.param(p, id=p.id) for p in course.EXERCISES])
def test_solution_runs_clean_and_its_release_shows_every_widget(part, tmp_path):
    folder = tmp_path / part.id         # a copy, so saved choices and outputs stay out of the repository
    shutil.copytree(REPO / "exercises" / part.id, folder / "release")
    shutil.copytree(REPO / "solutions" / part.id, folder / "solution", ignore=shutil.ignore_patterns("*.choices.json"))
    solution, solution_stopped = widgets_after_run_all(folder / "solution" / f"{part.id}.ipynb", folder / "solution")
    release, release_stopped = widgets_after_run_all(folder / "release" / f"{part.id}.ipynb", folder / "release")
    assert solution_stopped is None, f"the solution stopped: {solution_stopped}"
    assert solution > 0, "the solution shows no widget"
    assert release == solution, (f"{part.path} shows {release} widget(s) after Run All (stopped at: "
                                 f"{release_stopped}), its solution {solution}")
