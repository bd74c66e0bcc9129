"""A course root and nbgrader's API on it: the one place the instructor's side loads the configuration,
finds a cell by its grade id and reads nbgrader's solution, hidden-test and mark-scheme regions.

A course root is a folder with ``nbgrader_config.py``, ``solutions/`` (the source notebooks and the
graded keys) and, once released, ``exercises/``: this repository, or a cohort's own folder
(``COURSE=cohort-demo``). It is always an argument or the working directory, never where the
package happens to be installed.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"


class NoCourseRoot(RuntimeError):
    """No course root here: the message says where to run the command from."""


def is_root(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() and (folder / "solutions").is_dir()


def find(start: Path | str | None = None) -> Path:
    """The course root at ``start`` (default: the working directory) or the nearest folder above it."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if is_root(folder):
            return folder
    raise NoCourseRoot(f"{start} is not inside a course root (a folder with {CONFIG_FILE} and solutions/). "
                       "Run the command from the course's folder, or name it: COURSE=<folder>.")


def put_environment_on_path() -> None:
    """nbgrader runs tools such as ``alembic`` by name: the running environment's bin comes first, so the
    course's commands work whether or not the virtual environment was activated."""
    bin_dir = os.path.dirname(sys.executable)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


def load_config(course: Path, *, config_dir: Path | None = None, timeout: int | None = None,
                sandbox: bool = True, settings: bool = True):
    """The course's nbgrader configuration pointed at ``course`` (nbgrader's Python API does not read
    ``nbgrader_config.py`` by itself). The file comes from ``config_dir``, else from the course root.
    ``settings`` applies the cohort's cohort.toml (gradebook URL, late policy); ``sandbox=False`` grades
    without the bwrap sandbox (mlroles.instructor.sandbox)."""
    from traitlets.config.loader import PyFileConfigLoader

    put_environment_on_path()
    course = Path(course)
    folder = Path(config_dir) if config_dir else course
    if not (folder / CONFIG_FILE).is_file():
        raise NoCourseRoot(f"{folder} has no {CONFIG_FILE}: copy the repository's into it.")
    config = PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()
    config.CourseDirectory.root = str(course)
    if settings:
        from mlroles.instructor import settings as cohort_settings

        cohort_settings.apply(config, course)
    if timeout is not None:
        config.Execute.timeout = timeout
    if not sandbox:
        config.SandboxedKernelManager.sandbox = False
    if "root" not in config.Exchange:
        config.Exchange.root = str(course / ".exchange")
    return config


def make_api(course: Path, **options):
    """nbgrader's API on ``course``, configured by ``load_config(course, **options)``."""
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=load_config(course, **options))


def source_assignments(course: Path) -> list[str]:
    folder = Path(course) / "solutions"
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def source_notebooks(course: Path, assignment: str) -> list[str]:
    return sorted(p.stem for p in (Path(course) / "solutions" / assignment).glob("*.ipynb"))


# --- cells --------------------------------------------------------------------------------------------

def _delimiter(cls: str, trait: str, config=None) -> str:
    """One of nbgrader's region markers as ``config`` (the course's nbgrader configuration) sets it, else
    nbgrader's default."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

    classes = {"ClearSolutions": ClearSolutions, "ClearHiddenTests": ClearHiddenTests,
               "ClearMarkScheme": ClearMarkScheme}
    return str(getattr(classes[cls](**({"config": config} if config else {})), trait))


def solution_markers(config=None) -> tuple[str, str]:
    return (_delimiter("ClearSolutions", "begin_solution_delimeter", config),
            _delimiter("ClearSolutions", "end_solution_delimeter", config))


def secret_markers(config=None) -> list[tuple[str, str]]:
    """(begin, end) of the regions a learner never sees: hidden tests and mark schemes."""
    return [(_delimiter("ClearHiddenTests", "begin_test_delimeter", config),
             _delimiter("ClearHiddenTests", "end_test_delimeter", config)),
            (_delimiter("ClearMarkScheme", "begin_mark_scheme_delimeter", config),
             _delimiter("ClearMarkScheme", "end_mark_scheme_delimeter", config))]


def without_solution_markers(source: str, config=None) -> str:
    """A solution cell's code without its BEGIN/END SOLUTION marker lines (the worked solution itself)."""
    begin, end = solution_markers(config)
    return "\n".join(line for line in source.splitlines() if begin not in line and end not in line)


def hidden_lines(course: Path, config=None) -> set[str]:
    """Distinctive lines of hidden tests and mark schemes in the source notebooks.

    A line that also stands outside the hidden regions (in a solution a learner may have written the same
    way) is not a secret, and is left out.
    """
    import nbformat

    markers = secret_markers(config)
    lines, public = set(), set()
    for nb_path in sorted((Path(course) / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if any(begin in line for begin, _ in markers):
                    inside = True
                elif any(end in line for _, end in markers):
                    inside = False
                elif inside and len(line.strip()) >= 30:
                    lines.add(line.strip())
                elif not inside:
                    public.add(line.strip())
    return lines - public
