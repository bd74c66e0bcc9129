"""Every self-check in the course follows one protocol (mlroles.checks.base.Question): check, hint with levels,
solution, the states; and an exercise or lesson module builds its questions when first asked, not at import."""
import subprocess
import sys

import pandas as pd
import pytest

from mlroles.checks.base import (CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY, CheckResult, Hint,
                                 Question)
from mlroles.exercises import ex1, ex2, ex3, ex4
from mlroles.lessons import l1_two_roles, l2_data_scientist, l5_signals, l6_coverage
from mlroles.widgets.quiz import lesson_questions

STATES = {NOT_ATTEMPTED, INVALID, INCOMPLETE, INCORRECT, CORRECT, READY}


def every_question() -> dict[str, Question]:
    found = {f"ex1.{n}": getattr(ex1, n) for n in ("practice", "graded")}
    found |= {f"ex2.{n}": getattr(ex2, n) for n in ("serving", "serving_graded", "handoff", "handoff_graded",
                                                    "schema", "unified", "metrics", "versions")}
    found |= {f"ex3.{n}": getattr(ex3, n) for n in ("practice", "graded", "mix")}
    found |= {f"ex4.{n}": getattr(ex4, n) for n in ("practice", "graded")}
    found |= {"ex2.NOTE": ex2.NOTE, "ex3.CRITIQUE": ex3.CRITIQUE, "ex4.CHARTER": ex4.CHARTER}
    found |= {"l1.question": l1_two_roles.question, "l2.practice": l2_data_scientist.practice,
              "l5.role_practice": l5_signals.role_practice, "l6.board_question": l6_coverage.board_question}
    found |= {f"quiz.{q}": question for q, question in lesson_questions("01_two_roles_two_risks").items()}
    return found


QUESTIONS = every_question()


class Hostile:
    """An answer built to break a check: every attribute, comparison and conversion raises."""

    def __getattr__(self, name):
        raise RuntimeError("no")

    def __eq__(self, other):
        raise RuntimeError("no")

    __hash__ = object.__hash__

    def __len__(self):
        raise RuntimeError("no")

    def __iter__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_one_protocol(name):
    question = QUESTIONS[name]
    assert isinstance(question, Question) and question.name
    for answer in (None, Hostile(), 42, "not an answer"):
        result = question.check(answer)
        assert isinstance(result, CheckResult) and result.status in STATES, (answer, result)
    assert question.check(None).status in (NOT_ATTEMPTED, INVALID)
    assert question.check(Hostile()).status == INVALID
    first = question.hint(1)
    assert isinstance(first, Hint) and (first.startswith("Hint 1 of ") or "no hint" in first)
    assert question.hint(1) == first, "hint(n) gives hint n again"
    shown = question.solution()
    assert isinstance(shown, (str, pd.DataFrame)) and len(shown) > 0


def test_hints_start_again_when_what_the_check_found_changes():
    q = ex4.practice
    q.check(lambda team: "both")
    q.hint(), q.hint()
    assert q.hint().startswith("Hint 3 of")
    q.check(lambda team: "one_person")          # another first miss: back to hint 1
    assert q.hint().startswith("Hint 1 of")


def test_modules_read_no_dataset_at_import():
    code = """
import importlib
import mlroles.data as data

def refuse(*args, **kwargs):
    raise AssertionError("a dataset was read at import")

data._read = refuse
for name in ["exercises.ex1", "exercises.ex2", "exercises.ex3", "exercises.ex4", "lessons.l1_two_roles",
             "lessons.l2_data_scientist", "lessons.l3_ml_engineer", "lessons.l4_handoff", "lessons.l5_signals",
             "lessons.l6_coverage"]:
    importlib.import_module("mlroles." + name)
from mlroles.exercises import ex1
try:
    ex1.graded
except AssertionError:
    print("built on first use")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "built on first use", "the check must see the first use read the data"
