"""Real nbgrader, in a temporary course root configured from the repository's nbgrader_config.py."""
import shutil
from pathlib import Path

import nbformat
from traitlets.config import Config

from mlroles.manifest import cell_by_grade_id

REPO = Path(__file__).resolve().parents[1]
# A wrong owner for each owner: the answer a test gives when it wants an item wrong.
OTHER = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}


def load_course_config(root: Path) -> Config:
    """The repository's nbgrader configuration, pointed at ``root``.

    Loaded as the instructor's tools load it (mlroles.instructor.course_root), without a cohort.toml: its own
    SQLite gradebook and exchange in ``root``.
    """
    from mlroles.instructor.course_root import load_config

    config = load_config(root, config_dir=REPO, settings=False)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.Exchange.root = str(root / "exchange")
    return config


class TempCourse:
    """A throw-away course root with a configured ``NbGraderAPI`` (``self.api``)."""

    def __init__(self, root: Path):
        from nbgrader.apps import NbGraderAPI

        self.root = Path(root)
        (self.root / "exchange").mkdir(parents=True)
        self.config = load_course_config(self.root)
        self.api = NbGraderAPI(config=self.config)

    def path(self, *parts) -> Path:
        return self.root.joinpath(*parts)

    def add_source(self, assignment: str, notebook: nbformat.NotebookNode, name: str) -> Path:
        dest = self.path("solutions", assignment, f"{name}.ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, dest)
        return dest

    def copy_source(self, assignment: str) -> None:
        """The assignment's source folder and the instructor's keys, which the scorer reads."""
        shutil.copytree(REPO / "solutions" / assignment, self.path("solutions", assignment))
        keys = self.path("solutions", "graded_keys.csv")
        if not keys.exists():
            shutil.copy(REPO / "solutions" / "graded_keys.csv", keys)

    def submit(self, student: str, assignment: str, notebook: nbformat.NotebookNode, name: str) -> Path:
        dest = self.path("submitted", student, assignment, f"{name}.ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, dest)
        return dest

    def release_notebook(self, assignment: str, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.path("exercises", assignment, f"{name}.ipynb"), as_version=4)

    def generate(self, assignment: str) -> None:
        result = self.api.generate_assignment(assignment)
        assert result["success"], result["error"] + result["log"]

    def autograde(self, assignment: str, student: str) -> None:
        result = self.api.autograde(assignment, student)
        assert result["success"], result["error"] + result["log"]

    def feedback(self, assignment: str, student: str) -> str:
        result = self.api.generate_feedback(assignment, student)
        assert result["success"], result["error"] + result["log"]
        files = list(self.path("feedback", student, assignment).glob("*.html"))
        assert files, "nbgrader wrote no feedback file"
        return "\n".join(f.read_text(encoding="utf-8") for f in files)

    def scores(self, assignment: str, student: str) -> dict:
        """Automatic score of every grade cell, keyed by grade id."""
        from nbgrader.api import Gradebook

        with Gradebook(self.config.CourseDirectory.db_url) as gb:
            submission = gb.find_submission(assignment, student)
            return {
                grade.name: grade.score
                for notebook in submission.notebooks
                for grade in notebook.grades
            }


def nbgrader_cell(kind: str, source: str, grade_id: str, *, points: float = 0, solution=False,
                  grade=False, locked=False) -> nbformat.NotebookNode:
    """A cell with nbgrader metadata, as the Create Assignment sidebar would write it."""
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata["nbgrader"] = {
        "grade": grade, "solution": solution, "locked": locked,
        "grade_id": grade_id, "schema_version": 3,
        **({"points": points} if grade else {}),
    }
    return cell


def tiny_assignment() -> nbformat.NotebookNode:
    """One function to write, one visible test (1 point), one hidden partial-credit test (3 points)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("Write `double(x)`."),
        nbgrader_cell("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                      "double", solution=True),
        nbgrader_cell("code", "assert double(2) == 4, 'double(2) should be 4'", "visible_double",
                      points=1, grade=True, locked=True),
        nbgrader_cell(
            "code",
            "score = 0\n### BEGIN HIDDEN TESTS\nfor x, want in ((1, 2), (5, 10), (-3, -6)):\n"
            "    try:\n        score += double(x) == want\n    except Exception:\n        pass\n"
            "### END HIDDEN TESTS\nscore",
            "hidden_double", points=3, grade=True, locked=True),
    ]
    return nb


# --- exercise notebooks -------------------------------------------------------------------

def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


cell_by_id = cell_by_grade_id     # the package's own (mlroles.manifest)


def with_source(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the cell ``grade_id`` rewritten, as a learner would edit it."""
    import copy

    nb = copy.deepcopy(nb)
    cell_by_id(nb, grade_id).source = source
    return nb


def grade_cells(nb: nbformat.NotebookNode) -> dict:
    """grade id -> points for every graded cell (the one place points live)."""
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def auto_graded_ids(nb: nbformat.NotebookNode) -> set:
    """Grade cells scored by tests (code), as opposed to written answers graded by hand."""
    return {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def validate(course: "TempCourse", path: Path, invert: bool = False) -> dict:
    """nbgrader's own Validator (what the Validate button runs), with the course's configuration."""
    from nbgrader.validator import Validator

    return Validator(config=course.config, invert=invert).validate(str(path))


def normalized(nb: nbformat.NotebookNode) -> dict:
    """A notebook as a comparable structure, without what changes from run to run."""
    return {
        "metadata": {k: v for k, v in nb.metadata.items() if k not in ("language_info", "widgets")},
        "cells": [{"cell_type": c.cell_type, "source": c.source,
                   "nbgrader": c.metadata.get("nbgrader"),
                   "outputs": c.get("outputs", [])} for c in nb.cells],
    }
