"""Test harness shared by every test.

Jupyter and IPython write into the home folder by default. Every test session gets
its own empty config, data, runtime and IPython folders instead, so runs are
repeatable and never touch a learner's settings. The kernelspec stays reachable
because it lives in the environment's own share/jupyter.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

_ISOLATED = Path(tempfile.mkdtemp(prefix="mlroles-tests-"))
for _var, _sub in {
    "JUPYTER_CONFIG_DIR": "jupyter-config",
    "JUPYTER_DATA_DIR": "jupyter-data",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
    "IPYTHONDIR": "ipython",
}.items():
    (_ISOLATED / _sub).mkdir()
    os.environ[_var] = str(_ISOLATED / _sub)
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
# nbgrader runs `alembic` and kernels by name: the environment's own bin comes first,
# whether or not the environment was activated.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
# A learner's matplotlib settings must not change what the notebooks print.
os.environ.pop("MPLBACKEND", None)
os.environ["MPLCONFIGDIR"] = str(_ISOLATED / "matplotlib")

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_helpers import REPO  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_ISOLATED, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def alembic_head_asked_once():
    """nbgrader stamps each new gradebook with its migrations' head, which it asks of ``alembic heads`` in a
    subprocess: 2 to 5 s per gradebook, and the suite makes dozens of course roots. The head is a constant of
    the installed nbgrader, so each test process asks nbgrader's own function once and keeps the answer; every
    gradebook is still created by nbgrader's own code. (A command-line nbgrader run in a subprocess asks again.)"""
    import functools

    import nbgrader.api

    original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = functools.cache(original)
    yield
    nbgrader.api.get_alembic_version = original


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def keys():
    """The instructor's graded keys (solutions/graded_keys.csv), read once; tests must not change them."""
    from mlroles.instructor.answer_keys import load_graded_keys

    return load_graded_keys(REPO / "solutions" / "graded_keys.csv")


@pytest.fixture
def course_root(tmp_path):
    """A temporary nbgrader course root configured like the real one."""
    from course_helpers import TempCourse

    return TempCourse(tmp_path / "course")


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for a browser test module (launched on the first page asked for)."""
    from browser_support import LabBrowser

    browser = LabBrowser(viewport=(1400, 1000))
    yield browser
    browser.close()
