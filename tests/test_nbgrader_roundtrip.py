"""The harness drives real nbgrader: generate, autograde, feedback, with exact scores."""
import copy

import pytest

from course_helpers import tiny_assignment
from mlroles.manifest import cell_by_grade_id

pytestmark = pytest.mark.slow


def answered(release, body):
    nb = copy.deepcopy(release)
    cell_by_grade_id(nb, "double").source = f"def double(x):\n    {body}"
    return nb


def test_generate_autograde_feedback_round_trip(course_root):
    course_root.add_source("tiny", tiny_assignment(), "tiny")
    course_root.generate("tiny")
    release = course_root.release_notebook("tiny", "tiny")
    released_source = "\n".join(cell.source for cell in release.cells)
    assert "raise NotImplementedError" in released_source
    assert "HIDDEN TESTS" not in released_source and "(5, 10)" not in released_source

    course_root.submit("correct", "tiny", answered(release, "return 2 * x"), "tiny")
    course_root.submit("empty", "tiny", release, "tiny")
    course_root.submit("partial", "tiny", answered(release, "return 2 * x if x > 0 else 0"), "tiny")
    for student in ("correct", "empty", "partial"):
        course_root.autograde("tiny", student)

    assert course_root.scores("tiny", "correct") == {"visible_double": 1.0, "hidden_double": 3.0}
    assert course_root.scores("tiny", "empty") == {"visible_double": 0.0, "hidden_double": 0.0}
    assert course_root.scores("tiny", "partial") == {"visible_double": 1.0, "hidden_double": 2.0}

    # Feedback is produced, and the hidden test region is not in it.
    html = course_root.feedback("tiny", "partial")
    # the partial student's scores, per test cell, as nbgrader's feedback page lists them
    assert '<a href="#visible_double">Test cell</a> (Score: 1.0 / 1.0)' in html, html[:3000]
    assert '<a href="#hidden_double">Test cell</a> (Score: 2.0 / 3.0)' in html, html[:3000]
    assert "(5, 10)" not in html and "HIDDEN TESTS" not in html


def test_feedback_cuts_tracebacks_of_test_cells(course_root):
    """A failing visible test shows its error line, never the code around it."""
    course_root.add_source("tiny", tiny_assignment(), "tiny")
    course_root.generate("tiny")
    release = course_root.release_notebook("tiny", "tiny")
    course_root.submit("wrong", "tiny", answered(release, "return x"), "tiny")
    course_root.autograde("tiny", "wrong")
    html = course_root.feedback("tiny", "wrong")
    assert "AssertionError" in html and "double(2) should be 4" in html
    assert "Traceback (most recent call last)" not in html
    assert "Cell In[" not in html


def test_deleted_test_cell_is_restored_and_scored(course_root):
    course_root.add_source("tiny", tiny_assignment(), "tiny")
    course_root.generate("tiny")
    nb = answered(course_root.release_notebook("tiny", "tiny"), "return 2 * x")
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "hidden_double"]
    course_root.submit("deleter", "tiny", nb, "tiny")
    course_root.autograde("tiny", "deleter")
    assert course_root.scores("tiny", "deleter") == {"visible_double": 1.0, "hidden_double": 3.0}
