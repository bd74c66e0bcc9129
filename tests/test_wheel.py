"""The package as a wheel, installed normally (not editable), as the hub image and a learner's copy install it:
built from the working tree's files alone, it holds every module, finds its datasets as package data, runs the
lessons and answers the self-checks from a folder that is not the repository."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from course_helpers import REPO

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "mlroles", "datasets")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a copy of the sources (no build/ left over from an earlier install)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(REPO / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("mlroles-*.whl")
    return built


def test_the_wheel_holds_every_module_and_dataset(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(REPO)) for p in (REPO / "mlroles").rglob("*.py")}
    assert modules and modules <= names, sorted(modules - names)
    datasets = {f"mlroles/datasets/{p.relative_to(REPO / 'datasets')}" for p in (REPO / "datasets").rglob("*.csv")}
    assert datasets <= names, sorted(datasets - names)
    assert {f"mlroles/manifests/{p.name}" for p in (REPO / "mlroles" / "manifests").glob("*.toml")} <= names
    templates = {f"mlroles/instructor/templates/{p.name}" for p in (REPO / "mlroles/instructor/templates").iterdir()}
    assert templates and templates <= names, sorted(templates - names)
    assert not any(n.startswith("mlroles/") and "/" not in n[8:] and n[8:] in ("ex1.py", "feedback.py") for n in names)


RUN = r"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import mlroles
assert Path(mlroles.__file__).is_relative_to(Path(sys.argv[1])), mlroles.__file__

from mlroles import data
from mlroles.exercises import ex1, ex2, ex3, ex4
print("datasets:", len(data.load_responsibilities()), len(data.load_job_ads()))
practice = ex1.practice_items()
print("ex1:", ex1.practice.check(dict(zip(practice["responsibility_id"], practice["owner"]))).status)
print("ex2:", ex2.serving.check(lambda row: "batch").status)
print("ex3:", ex3.practice.check({}).status)
print("ex4:", ex4.practice.check(lambda team: "ml_engineer").status)
for name in sys.argv[2:]:
    nb = nbformat.read(Path("course") / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": "course"}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    print(name, "errors:", len(errors))
"""


def test_a_normal_install_runs_the_lessons_and_answers_the_self_checks(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    copy = tmp_path / "copy"            # a learner's copy: lessons and releases, no package, no repository
    shutil.copytree(REPO / "course", copy / "course", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(REPO / "exercises", copy / "exercises")
    lessons = ["00_start_here.ipynb", "01_two_roles_two_risks.ipynb", "04_production_handoff.ipynb"]
    # the installed wheel comes first on the path, before the checkout's editable install
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", RUN, str(site), *lessons], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "ex1: correct" in out and "ex2: not yet right" in out and "ex3: not attempted" in out, out
    assert "ex4: not yet right" in out, out
    for lesson in lessons:
        assert f"{lesson} errors: 0" in out, out


def test_cohort_commands_outside_a_course_root_say_where_to_run(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mlroles.instructor.cli", "report"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "is not inside a course root" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
