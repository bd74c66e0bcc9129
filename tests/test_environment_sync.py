"""pyproject.toml and environment.yml name the same packages with the same version ranges."""
import re
import tomllib

import yaml

# The conda environment names Python and pip itself and installs the course with pip.
CONDA_ONLY = {"python", "pip"}


def requirement(spec: str) -> tuple[str, str]:
    """(name, version range); a pip extra such as ``psycopg[binary]`` is pip's alone (conda-forge's package
    is built with it), so it is left out of the comparison."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)(\[[A-Za-z0-9_,\-]+\])?\s*(.*?)\s*", spec)
    assert match, f"cannot read requirement {spec!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(3).replace(" ", "")


def test_environment_yml_matches_pyproject(repo):
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    extras = [spec for group in project["optional-dependencies"].values() for spec in group]   # test, hub
    pip_side = dict(requirement(s) for s in project["dependencies"] + extras)

    env = yaml.safe_load((repo / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda_side = dict(requirement(d) for d in env["dependencies"] if isinstance(d, str))
    conda_side = {k: v for k, v in conda_side.items() if k not in CONDA_ONLY}

    only_pip = sorted(set(pip_side) - set(conda_side))
    only_conda = sorted(set(conda_side) - set(pip_side))
    assert not only_pip, f"add to environment.yml: {only_pip}"
    assert not only_conda, f"add to pyproject.toml: {only_conda}"
    differ = {k: (pip_side[k], conda_side[k]) for k in pip_side if pip_side[k] != conda_side[k]}
    assert not differ, f"version ranges differ (pyproject, environment.yml): {differ}"


def test_environment_yml_installs_the_course_and_python_version_agrees(repo):
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((repo / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]]
    python = dict(requirement(d) for d in env["dependencies"] if isinstance(d, str))["python"]
    assert python == project["requires-python"]


def test_requirement_reader_rejects_garbage():
    name, spec = requirement("Jupyter_Lab >=4.6, <5")
    assert (name, spec) == ("jupyter-lab", ">=4.6,<5")
    assert requirement("psycopg[binary]>=3.3.9") == ("psycopg", ">=3.3.9")
