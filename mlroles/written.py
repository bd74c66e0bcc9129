"""Hints on a written answer, without a score, for learners working alone.

Written answers are graded by a person with a rubric. Before that, a learner can ask
whether a draft touches every part the question asks for: the check reads the answer
cell from the saved notebook (save first: Ctrl+S) and lists what it does not seem to
cover yet. It looks for words, not quality, and says so.
"""
from __future__ import annotations

import json
from pathlib import Path

from mlroles.feedback import INCOMPLETE, NOT_ATTEMPTED, READY, CheckResult

PLACEHOLDER = "YOUR ANSWER HERE"


def read_answer(notebook: str | Path, grade_id: str) -> str | None:
    """The text of the answer cell ``grade_id`` in the saved notebook, or None when there is none."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for cell in cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None


class DraftCheck:
    """Which parts of a written answer a draft does not seem to cover yet (never a score)."""

    def __init__(self, name: str, notebook: str, grade_id: str, aspects: dict[str, tuple[str, ...]],
                 min_words: int = 60, wants_citation: bool = True):
        self.name = name
        self.notebook = notebook
        self.grade_id = grade_id
        self.aspects = aspects
        self.min_words = min_words
        self.wants_citation = wants_citation

    def hints(self, text) -> list[str]:
        lowered = text.lower()
        missing = [aspect for aspect, words in self.aspects.items() if not any(w in lowered for w in words)]
        hints = [f"It does not seem to cover {aspect} yet." for aspect in missing]
        if self.wants_citation and not any(ch.isdigit() for ch in text):
            hints.append("Cite at least one source by episode and timestamp, for example (Data Team Roles "
                         "Explained, 25:27).")
        return hints

    def check(self, text: str | None = None) -> CheckResult:
        """Hints on the draft: pass the text, or leave it out to read the saved notebook."""
        if text is None:
            text = read_answer(self.notebook, self.grade_id)
            if text is None:
                return CheckResult(NOT_ATTEMPTED, f"{self.name}: could not find your answer in {self.notebook}. "
                                   "Save the notebook (Ctrl+S) and run this cell again.")
        if not isinstance(text, str) or text.strip() in ("", PLACEHOLDER) or len(text.split()) < 5:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not written yet. Write it in the answer cell, save, "
                               "and run this cell again.")
        words = len(text.split())
        hints = self.hints(text)
        if words < self.min_words:
            hints.insert(0, f"It has {words} words; the question asks for at least {self.min_words}.")
        if hints:
            return CheckResult(INCOMPLETE, f"{self.name}: a few things to look at (hints, not a score).", hints)
        return CheckResult(READY, f"{self.name}: it touches every part the question asks for ({words} words). "
                           "A grader will read it with the rubric; these hints look for words, not quality.")
