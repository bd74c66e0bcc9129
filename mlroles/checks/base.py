"""Self-checks for learners: one object per question, with check(), hint() and solution().

In the spirit of Kaggle's learntools: a question knows its items, its expected answers
(for practice items only), its hints and where to read more. ``check()`` never raises
on a learner's input: whatever it is given, it returns a ``CheckResult`` that says, in
a learner's words, what is right, what is wrong and what to do next. "Not attempted"
is reported apart from "wrong".

Graded items have no key here: for them a question checks only that the answers are
complete and well formed, and says that the score comes after grading.
"""
from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from mlroles.checks.scoring import label_right
from mlroles.data import LabelSet

NOT_ATTEMPTED = "not attempted"
INVALID = "needs fixing"
INCOMPLETE = "incomplete"
INCORRECT = "not yet right"
CORRECT = "correct"
READY = "ready to submit"

_ICONS = {NOT_ATTEMPTED: "○", INVALID: "⚠", INCOMPLETE: "◐", INCORRECT: "✗", CORRECT: "✓", READY: "✓"}
_COLORS = {NOT_ATTEMPTED: "#555", INVALID: "#a15c00", INCOMPLETE: "#a15c00", INCORRECT: "#b00020",
           CORRECT: "#1b7a1b", READY: "#1b7a1b"}


@dataclass
class CheckResult:
    """What a check found. Shows itself as a short report in a notebook; ``str()`` gives plain text."""

    status: str
    headline: str
    lines: list[str] = field(default_factory=list)
    correct: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)       # ids of items answered wrongly
    missing: list[str] = field(default_factory=list)     # ids of items not answered

    @property
    def passed(self) -> bool:
        return self.status in (CORRECT, READY)

    def __str__(self) -> str:
        body = "\n".join(f"  - {line}" for line in self.lines)
        return f"{_ICONS[self.status]} {self.headline}" + (f"\n{body}" if body else "")

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines)
        color = _COLORS[self.status]
        return (f'<div class="mlroles-check" style="border-left:4px solid {color};padding:4px 10px">'
                f'<b style="color:{color}">{_ICONS[self.status]} {html.escape(self.headline)}</b>'
                + (f"<ul style='margin:4px 0'>{items}</ul>" if items else "") + "</div>")


def built_when_asked(namespace: dict, **builders):
    """A module's ``__getattr__`` that builds each of its questions the first time it is asked for (reading
    the datasets then, not at import) and keeps it: ``ex1.graded`` is built once, on first use. The module
    reads its own questions through the function this returns, as ``_asked("graded")``."""
    def asked(name: str):
        if name in builders:
            if name not in namespace:
                namespace[name] = builders[name]()
            return namespace[name]
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
    return asked


def _describe(value: Any) -> str:
    kind = type(value).__name__
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{text} (a {kind})"


def is_placeholder(value: Any) -> bool:
    """The blanks a notebook hands out before the learner answers: None, ..., ____ and empty containers."""
    if value is None or value is Ellipsis:
        return True
    if isinstance(value, str) and value.strip("_ ") == "":
        return True
    try:
        return len(value) == 0 and isinstance(value, (dict, list, tuple, set, str))
    except TypeError:
        return False


def why_and_where(text: str, item_id: str, why: Mapping[str, str], read: Mapping[str, str]) -> str:
    """A feedback line completed with the item's reason and where to read about it."""
    if item_id in why:
        text += f" {why[item_id]}"
    if item_id in read:
        text += f" Read: {read[item_id]}."
    return text


class Hint(str):
    """A hint's text: a plain ``str`` for code and tests, shown as text (not as a quoted string) in a notebook."""

    __slots__ = ()

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's text/plain: the text itself, without quotes
        p.text(str(self))

    def _repr_html_(self) -> str:  # JupyterLab: wraps between words, like the checks' reports
        return f'<div class="mlroles-hint" style="white-space:pre-wrap">{html.escape(str(self))}</div>'


class Question:
    """The one protocol every self-check follows, whatever the kind of answer.

    - ``check(answer)`` returns a ``CheckResult`` in one of the states: not attempted, needs fixing,
      incomplete, not yet right, correct, or (graded items) ready to submit. It never raises on a
      learner's input: an answer it cannot read at all is "needs fixing", with what to write instead.
      A question that checks an answer against something else the learner declared takes that too
      (the unified log is checked with its schema: ``check(unified, LOG_SCHEMA)``).
    - ``hint(level=None)`` gives the next, stronger hint; ``hint(n)`` gives hint n again. Hints come
      from ``_hints``: a fixed list, or a property that reads ``_found``, what the last check found.
    - ``solution()`` gives practice items' answers with their reasons; graded items have none here.

    A kind of question subclasses this and writes ``_check``; hints that follow the last check call
    ``_remember`` with what it found.
    """

    name: str = ""
    reading: str = "this answer"        # what check() could not read, in "could not read <reading>"
    how_to_write: str = ""             # what to write instead, said when an answer cannot be read
    _hints: Sequence[str] = ()
    _hints_given: int = 0
    _found: Any = None

    def check(self, answer: Any = None, *given: Any) -> CheckResult:
        """Check the answer and say what to fix. Never raises on a learner's input."""
        try:
            return self._check(answer, *given)
        except Exception as exc:  # a crafted or broken object: report it, do not crash the notebook
            return CheckResult(INVALID, f"{self.name}: could not read {self.reading} ({type(exc).__name__}). "
                               f"{self.how_to_write}".rstrip(), total=len(getattr(self, "items", ()) or ()))

    def _check(self, answer: Any, *given: Any) -> CheckResult:
        raise NotImplementedError

    def hint(self, level: int | None = None) -> Hint:
        hints = list(self._hints)
        if not hints:
            return Hint("There is no hint for this question.")
        if level is None:
            self._hints_given = min(self._hints_given + 1, len(hints))
            level = self._hints_given
        level = max(1, min(int(level), len(hints)))
        more = " (ask again for a stronger hint)" if level < len(hints) else ""
        return Hint(f"Hint {level} of {len(hints)}: {hints[level - 1]}{more}")

    def _remember(self, found) -> None:
        """Hints that start from what the last check found: when that changes, they start again at
        level 1 (``found`` is kept in ``_found`` for the question's ``_hints`` to read)."""
        if found != self._found:
            self._found, self._hints_given = found, 0

    def solution(self):
        return "This question has no worked answer to show: its hints lead you to one."


class LabelQuestion(Question):
    """Give each item one label (for example an owner). Checks a dict ``{item_id: label}``.

    ``key`` maps item ids to expected labels for practice items; leave it out for graded
    items, and the check only confirms the answers are complete and well formed.
    """

    def __init__(self, name: str, items: Mapping[str, str], labels: LabelSet, *,
                 key: Mapping[str, str] | None = None, why: Mapping[str, str] | None = None,
                 read: Mapping[str, str] | None = None, hints: Sequence[str] = (),
                 other_ids: Sequence[str] = (), example: str | None = None):
        self.name = name
        self.items = dict(items)            # id -> text shown to the learner
        self.labels = labels
        self.key = dict(key) if key is not None else None
        self.why = dict(why or {})          # id -> one-line reason (practice only)
        self.read = dict(read or {})        # id -> where to read (lesson and citation)
        self._hints = list(hints)
        self._hints_given = 0
        self.other_ids = set(other_ids)     # ids that exist but belong to another question
        first = next(iter(self.items), "R01")
        # The example pairs an id with a placeholder, never with a real label: for graded items
        # a real label next to a real id would read like a hint, or a leaked key.
        self.example = example or f"{{{first!r}: <one of {self.labels.listing()}>, ...}}"

    @property
    def graded(self) -> bool:
        return self.key is None

    # -- reading the answer -------------------------------------------------------
    def _as_mapping(self, answers: Any) -> tuple[dict | None, CheckResult | None]:
        if is_placeholder(answers):
            return None, CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Give each item a label, "
                                     f"for example {self.example}, or use the board above.", total=len(self.items))
        if hasattr(answers, "answers") and isinstance(getattr(answers, "answers"), dict):
            answers = answers.answers  # a board was passed in: read its choices
        if hasattr(answers, "to_dict") and hasattr(answers, "index") and not hasattr(answers, "columns"):
            answers = answers.to_dict()  # a pandas Series indexed by item id
        if not isinstance(answers, Mapping):
            return None, CheckResult(INVALID, f"{self.name}: expected a dict that maps item ids to labels, like "
                                     f"{self.example}, but got {_describe(answers)}.", total=len(self.items))
        return dict(answers), None

    def _validate(self, answers: dict) -> tuple[dict, list[str], list[str]]:
        """Split answers into valid ones and learner-worded problems; also list missing ids."""
        valid, problems = {}, []
        for item_id, label in answers.items():
            if item_id not in self.items:
                if item_id in self.other_ids:
                    problems.append(f"{item_id!r} is not part of this question; remove it (it belongs to the "
                                    "other round).")
                else:
                    close = difflib.get_close_matches(str(item_id), list(self.items), n=1, cutoff=0.6)
                    tip = f" Did you mean {close[0]!r}?" if close else ""
                    problems.append(f"{item_id!r} is not an item of this question.{tip}")
                continue
            if is_placeholder(label):
                continue  # left blank: reported as missing below
            if not isinstance(label, str):
                problems.append(f"{item_id}: the answer should be one of {self.labels.listing()}, not "
                                f"{_describe(label)}.")
                continue
            if label in self.labels.names:
                valid[item_id] = label
                continue
            guess = self.labels.closest(label)
            tip = f"did you mean {guess!r}?" if guess else f"use one of {self.labels.listing()}."
            problems.append(f"{item_id}: {label!r} is not a label here; {tip}")
        missing = [i for i in self.items if i not in valid and not any(p.startswith(f"{i}:") for p in problems)]
        return valid, problems, missing

    # -- the learner-facing API (check, hint and the states come from Question) ----
    reading = "these answers"

    @property
    def how_to_write(self) -> str:
        return f"Write them as a plain dict, like {self.example}."

    def _check(self, answers: Any) -> CheckResult:
        mapping, early = self._as_mapping(answers)
        if early:
            return early
        valid, problems, missing = self._validate(mapping)
        total = len(self.items)
        if not valid and not problems:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; no item has an answer.",
                               total=total, missing=missing)
        if problems:
            lines = problems[:8] + ([f"... and {len(problems) - 8} more like these."] if len(problems) > 8 else [])
            return CheckResult(INVALID, f"{self.name}: {len(problems)} answer(s) need fixing before they can be "
                               "checked.", lines, total=total, missing=missing)
        if self.graded:
            if missing:
                return CheckResult(INCOMPLETE, f"{self.name}: {len(missing)} of {total} items have no answer yet: "
                                   f"{', '.join(missing)}.", total=total, missing=missing)
            return CheckResult(READY, f"{self.name}: all {total} items have a valid answer. These are graded "
                               "items, so your score appears after grading, not here.", total=total)
        wrong = [i for i, label in valid.items() if not label_right(label, self.key[i])]
        correct = len(valid) - len(wrong)
        lines = [self._explain(i, valid[i]) for i in wrong]
        if missing:
            lines.append(f"Not answered yet: {', '.join(missing)}.")
        if not wrong and not missing:
            return CheckResult(CORRECT, f"{self.name}: all {total} correct. Well done.", correct=correct, total=total)
        status = INCORRECT if wrong else INCOMPLETE
        headline = f"{self.name}: {correct} of {total} correct" + (f", {len(wrong)} to rethink" if wrong else "")
        return CheckResult(status, headline + ".", lines, correct=correct, total=total, wrong=wrong, missing=missing)

    def _explain(self, item_id: str, chosen: str) -> str:
        return why_and_where(f"{item_id} ({self.items[item_id]}): not {self.labels.name(chosen)}.",
                             item_id, self.why, self.read)

    def solution(self):
        """The expected answers with their reasons, as a table. Graded items have none here."""
        import pandas as pd

        if self.graded:
            return ("These are graded items: their answers are not in your copy of the course. "
                    "Check that your answers are complete with check(), and submit.")
        rows = [{"id": i, "item": text, "answer": self.labels.name(self.key[i]), "why": self.why.get(i, ""),
                 "read": self.read.get(i, "")} for i, text in self.items.items()]
        return pd.DataFrame(rows).set_index("id")
