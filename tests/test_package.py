"""The package installs its datasets as package data and imports cheaply."""
import subprocess
import sys
from importlib import resources

import nbformat


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


def test_course_map_points_at_real_files_in_the_order_to_take_them(repo):
    from mlroles import course

    table = course.contents(repo)
    assert list(table["kind"]).count("lesson") == 7 and list(table["kind"]).count("exercise") == 4
    # each title is the one its notebook opens with (a lesson's "# Lesson 1: Two roles, two risks")
    for where, title in zip(table["where"], table["title"]):
        notebook = repo / where if where.endswith(".ipynb") else next((repo / where).glob("*.ipynb"))
        heading = nbformat.read(notebook, as_version=4).cells[0].source.splitlines()[0]
        assert heading.startswith("# ") and title in heading, (where, heading, title)
    assert table.iloc[0]["where"] == "course/00_start_here.ipynb"
    assert table.iloc[5]["where"] == "exercises/ex1_responsibilities/"
    assert set(table["in this copy"]) == {"yes"}
    assert sorted(course.PATH) == sorted(part.id for part in course.LESSONS + course.EXERCISES)


def test_course_map_tells_what_a_copy_lacks(tmp_path, repo):
    import shutil

    from mlroles import course

    shutil.copytree(repo / "course", tmp_path / "course")
    (tmp_path / "exercises").mkdir()
    table = course.contents(tmp_path)
    assert set(table.loc[table["kind"] == "lesson", "in this copy"]) == {"yes"}
    assert set(table.loc[table["kind"] == "exercise", "in this copy"]) == {"not yet"}
    # a lesson's notebook runs in <copy>/course: that copy is the one checked
    assert course.copy_root(tmp_path / "course") == tmp_path
    assert course.copy_root(tmp_path / "course" / "figures") == tmp_path    # from anywhere inside it
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    outside.mkdir()
    assert course.copy_root(outside) == outside                           # no copy above: where it runs
