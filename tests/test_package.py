"""The package installs its datasets as package data and imports cheaply."""
import subprocess
import sys
from importlib import resources


def test_datasets_ship_inside_the_package(repo):
    folder = resources.files("mlroles.datasets")
    assert folder.joinpath("README.md").is_file()
    shipped = {p.name for p in folder.iterdir() if p.name.endswith(".csv")}
    in_checkout = {p.name for p in (repo / "datasets").glob("*.csv")}
    assert shipped == in_checkout


def test_import_mlroles_loads_no_heavy_libraries():
    code = "import sys, mlroles; print(sorted(m for m in ('pandas', 'ipywidgets', 'nbgrader') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_course_map_points_at_real_files(repo):
    from mlroles import course

    table = course.contents()
    assert list(table["kind"]).count("lesson") == 7 and list(table["kind"]).count("exercise") == 4
    start = table.iloc[0]
    assert start["open"] == "course/00_start_here.ipynb" and start["in this copy"] == "yes"
    for part in course.LESSONS + course.EXERCISES:
        assert part.ready == (repo / part.path).exists()
