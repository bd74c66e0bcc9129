"""The short self-check at the end of every lesson: multiple choice, with feedback on every option.

Questions live in ``datasets/quizzes/<lesson>.csv``. ``lesson_quiz(lesson)`` builds the
widget; ``lesson_questions(lesson)`` gives the same questions for checking in code
(``questions["L1-Q1"].check("b")``).
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from mlroles.checks.base import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED, CheckResult, Question, is_placeholder


class ChoiceQuestion(Question):
    """One multiple-choice question. ``check(option_id)`` explains the option chosen, right or wrong; its one
    hint names the passages the question rests on."""

    def __init__(self, quiz_id: str, prompt: str, options: list[dict], sources: list[str] = ()):
        self.quiz_id = self.name = quiz_id
        self.prompt = prompt
        self.options = {o["option_id"]: o for o in options}   # id -> {option, correct, feedback}
        self.sources = list(sources)
        self.how_to_write = f"Choose one of {', '.join(repr(o) for o in self.options)}."

    @property
    def _hints(self) -> list[str]:
        if not self.sources:
            return []
        from mlroles.sources import cite

        return ["Reread what the episodes say before you choose: " + "; ".join(cite(s) for s in self.sources) + "."]

    @property
    def answer(self) -> str:
        return next(i for i, o in self.options.items() if o["correct"])

    def _check(self, option_id) -> CheckResult:
        if is_placeholder(option_id):
            return CheckResult(NOT_ATTEMPTED, f"{self.quiz_id}: not attempted yet; choose one of "
                               f"{', '.join(self.options)}.", total=1)
        if not isinstance(option_id, str) or option_id.strip().lower() not in self.options:
            return CheckResult(INVALID, f"{self.quiz_id}: {option_id!r} is not an option; choose one of "
                               f"{', '.join(repr(o) for o in self.options)}.", total=1)
        option = self.options[option_id.strip().lower()]
        if option["correct"]:
            return CheckResult(CORRECT, f"{self.quiz_id}: right. {option['feedback']}", correct=1, total=1)
        return CheckResult(INCORRECT, f"{self.quiz_id}: not this one. {option['feedback']}", total=1,
                           wrong=[self.quiz_id])

    def solution(self) -> str:
        o = self.options[self.answer]
        return f"{self.quiz_id}: ({self.answer}) {o['option']}. {o['feedback']}"


def lesson_questions(lesson: str) -> dict[str, ChoiceQuestion]:
    from mlroles.data import load_quiz

    quiz = load_quiz(lesson)
    questions = {}
    for quiz_id, rows in quiz.groupby("quiz_id", sort=False):
        options = rows[["option_id", "option", "correct", "feedback"]].to_dict("records")
        sources = sorted({s for ids in rows["source_ids"] for s in ids})
        questions[quiz_id] = ChoiceQuestion(quiz_id, rows["question"].iloc[0], options, sources)
    return questions


def lesson_quiz(lesson: str):
    """The lesson's self-check as a widget: radio buttons per question and one Check button."""
    return QuizWidget(list(lesson_questions(lesson).values()))


class QuizWidget(widgets.VBox):
    """Radio buttons for each question; Check explains every chosen option (keyboard: Tab, arrow keys)."""

    def __init__(self, questions: list[ChoiceQuestion]):
        self.questions = {q.quiz_id: q for q in questions}
        self.choices: dict[str, widgets.RadioButtons] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        blocks = []
        for q in questions:
            # Option texts are shown as wrapping HTML; the radio buttons carry only the letters,
            # because a radio button's label does not wrap and long options would overlap.
            listing = "".join(f"<div style='margin:2px 0 2px 1em'><b>({html.escape(i)})</b> "
                              f"{html.escape(o['option'])}</div>" for i, o in q.options.items())
            radio = widgets.RadioButtons(options=[(f"({i})", i) for i in q.options], value=None,
                                         orientation="horizontal", description="Your answer:",
                                         style={"description_width": "initial"},
                                         layout=widgets.Layout(width="auto"))
            self.choices[q.quiz_id] = radio
            self.feedback[q.quiz_id] = widgets.HTML()
            blocks.append(widgets.VBox([
                widgets.HTML(f"<b>{html.escape(q.quiz_id)}.</b> {html.escape(q.prompt)}{listing}"),
                radio, self.feedback[q.quiz_id]], layout=widgets.Layout(margin="0 0 10px 0")))
        self.check_button = widgets.Button(description="Check my answers", button_style="primary",
                                           icon="check", layout=widgets.Layout(width="auto"))
        self.check_button.on_click(lambda _: self.check())
        super().__init__([*blocks, self.check_button], layout=widgets.Layout(max_width="60em"))

    def choose(self, quiz_id: str, option_id: str | None) -> None:
        """Pick an option, as a click would (``None`` clears it)."""
        self.choices[quiz_id].value = option_id

    def check(self) -> dict[str, CheckResult]:
        """Explain every chosen option with the question's own check()."""
        results = {}
        for quiz_id, q in self.questions.items():
            result = q.check(self.choices[quiz_id].value)
            self.feedback[quiz_id].value = result._repr_html_()
            results[quiz_id] = result
        return results
