"""Lesson self-checks: every lesson has one, every option has feedback, checks explain the option chosen."""
import re

import pytest

from mlroles import data
from mlroles.checks.base import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED
from mlroles.data import DatasetError
from mlroles.widgets import quiz

LESSONS = [l for l in data.LESSON_IDS]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_a_short_quiz_with_feedback_on_every_option(lesson):
    questions = quiz.lesson_questions(lesson)
    assert 2 <= len(questions) <= 4
    for q in questions.values():
        assert all(o["feedback"] for o in q.options.values())
        assert sum(bool(o["correct"]) for o in q.options.values()) == 1, q.quiz_id
        assert q.check(q.answer).status == CORRECT
        for option in q.options:
            if option != q.answer:
                result = q.check(option)
                assert result.status == INCORRECT and q.options[option]["feedback"] in result.headline, (q.quiz_id, option)
                assert "source page" not in str(result), (q.quiz_id, option)
        assert q.check(None).status == NOT_ATTEMPTED
        assert q.check("z").status == INVALID and q.check(3).status == INVALID


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_option_says_where_to_read(lesson):
    # a self-paced learner needs a place to go back to: a lesson, or the minute of an episode
    where = re.compile(r"\blesson \d|\b\d{1,2}:\d{2}\b", re.IGNORECASE)
    for q in quiz.lesson_questions(lesson).values():
        for option_id, option in q.options.items():
            assert where.search(option["feedback"]), f"{q.quiz_id} ({option_id}) names no lesson or minute"
            assert "source page" not in option["feedback"], f"{q.quiz_id} ({option_id}) talks of the source page"


def test_quiz_widget_explains_each_choice():
    lesson = LESSONS[0]
    questions = quiz.lesson_questions(lesson)
    widget = quiz.lesson_quiz(lesson)
    first = next(iter(questions.values()))
    widget.choose(first.quiz_id, first.answer)
    widget.check_button.click()
    assert "right." in widget.feedback[first.quiz_id].value
    others = [q for q in questions if q != first.quiz_id]
    assert all("not attempted" in widget.feedback[q].value for q in others)


def test_malformed_quiz_files(tmp_path, repo):
    lesson = LESSONS[0]
    text = (repo / "datasets" / "quizzes" / f"{lesson}.csv").read_text()
    bad = tmp_path / "q.csv"
    bad.write_text(text.replace(",yes,", ",no,", 1))
    with pytest.raises(DatasetError, match=r"needs exactly one option marked 'yes'"):
        data.load_quiz(lesson, bad)
    with pytest.raises(DatasetError, match="is not a lesson"):
        data.load_quiz("07_nothing")
