"""Hints on a written answer, without a score, for learners working alone.

Written answers are graded by a person with a rubric. Before that, a learner can ask
whether a draft touches every part the question asks for: the check reads the answer
cell from the saved notebook (save first: Ctrl+S) and asks about each part it cannot
find. A part may be covered in many words, so each one comes with several phrasings
(``Part.cues``), matched on word stems with a few words allowed in between: "passes the
trained model on to" matches the cue "pass model to". The check reads wording, not
quality, and says so; it is never a score.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mlroles.checks.base import INCOMPLETE, INVALID, NOT_ATTEMPTED, READY, CheckResult, Question, _describe

PLACEHOLDER = "YOUR ANSWER HERE"
GAP = 3                                   # words allowed between two words of a cue
TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b")
CITATION = "a source"                     # what the hints call a missing citation
_SUFFIXES = ("ibilities", "ibility", "ability", "ible", "able", "ments", "ment", "ship", "ings", "ing", "ers",
             "er", "ies", "ied", "es", "ed", "ly", "s")


def stem(word: str) -> str:
    """A crude stem, the same for the usual forms of a word: owns, owned, owner, ownership -> own."""
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
                word = word[:-len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
                doubled = word[-1] == word[-2] and word[-1] not in "aeiouylsz"
                if doubled and suffix in ("ing", "ings", "ed", "er", "ers"):
                    word = word[:-1]              # splitting -> split, stopped -> stop
                break
        else:
            break
    bare = word.rstrip("e")                      # agree, agreed, agreement -> agr
    return bare if len(bare) >= 3 else word


def stems(text: str) -> list[str]:
    """The stems of a text's words, in order; "?" counts as a word, and "n't" reads as "not"."""
    text = text.lower().replace("\u2019", "'").replace("n't", " not")
    return [stem(w) for w in re.findall(r"[a-z0-9]+|\?", text)]


def _same(word: str, cue: str) -> bool:
    """A word matches a cue's word with the same stem; a cue word of five letters or more also matches as the
    start of a word ("evaluat" matches "evaluation")."""
    return word == cue or (len(cue) >= 5 and word.startswith(cue))


def says(text: str, cue: str) -> bool:
    """Whether one sentence of ``text`` holds the words of ``cue`` in order, at most GAP words apart."""
    want = stems(cue)
    for sentence in re.split(r"[.!;\n]+", text):
        words = stems(sentence)
        for start in (i for i, w in enumerate(words) if _same(w, want[0])):
            at = start
            for w in want[1:]:
                at = next((j for j in range(at + 1, min(at + 2 + GAP, len(words))) if _same(words[j], w)), None)
                if at is None:
                    break
            else:
                return True
    return False


@dataclass(frozen=True)
class Part:
    """One part a written answer should cover: how to ask about it, the phrasings that cover it, and a
    hint on what a sentence covering it says."""

    ask: str                      # completes "I could not find where you say ..."
    cues: tuple[str, ...]
    advice: str = ""


def read_answer(notebook: str | Path, grade_id: str) -> str | None:
    """The text of the answer cell ``grade_id`` in the saved notebook, or None when there is none."""
    # Plain JSON, not nbformat: this runs in the learner's kernel (and in the grading kernel, where a cell has a
    # few seconds), and importing nbformat there costs about 1.7 s; reading one cell's text needs none of it.
    import json

    from mlroles.manifest import cell_by_grade_id

    try:
        source = cell_by_grade_id(json.loads(Path(notebook).read_text(encoding="utf-8")), grade_id).get("source", "")
    except Exception:   # no notebook, not JSON, no such cell: nothing to read
        return None
    return "".join(source) if isinstance(source, list) else source


class DraftCheck(Question):
    """Asks about the parts of a written answer a draft does not seem to cover yet (never a score).

    ``parts`` maps a part's name to a ``Part`` (or, shorter, to a tuple of cues). ``hint()`` gives
    advice on the parts the last check asked about, one at a time.
    """

    def __init__(self, name: str, notebook: str, grade_id: str, parts: dict[str, Part | tuple[str, ...]],
                 min_words: int = 60, wants_citation: bool = True, after: tuple[str, ...] = ()):
        self.name = name
        self.notebook = notebook
        self.grade_id = grade_id
        self.parts = {n: p if isinstance(p, Part) else Part(n, tuple(p)) for n, p in parts.items()}
        self.min_words = min_words
        self.wants_citation = wants_citation
        self.after = after                  # hints once every part is found

    def missing(self, text: str) -> list[str]:
        """The parts none of whose cues the text says."""
        return [n for n, part in self.parts.items() if not any(says(text, cue) for cue in part.cues)]

    def questions(self, text: str) -> list[str]:
        asked = [f"I could not find where you say {self.parts[n].ask}: is it there?" for n in self.missing(text)]
        if self.wants_citation and not TIMESTAMP.search(text):
            asked.append("I could not find a source cited by episode and timestamp, in the form (episode title, "
                         "minute:second): is there one?")
        return asked

    @property
    def _hints(self) -> list[str]:
        if self._found is None:
            return [f"Write a draft in the answer cell, save the notebook (Ctrl+S) and run {self.name}'s check: "
                    "the hints then start from the parts it asks about."]
        advice = [f"On {n}: {self.parts[n].advice}" for n in self._found if n in self.parts and self.parts[n].advice]
        if CITATION in self._found:
            advice.append("On the source: name the episode and the minute where it says what you use, in the form "
                          "(episode title, minute:second); the lessons' references tables list them.")
        if self._found or not self.after:
            return advice + list(self.after)
        return [f"I found every part. {self.after[0]}", *self.after[1:]]

    reading = "this draft"

    def _check(self, text: str | None = None) -> CheckResult:
        """Questions on the draft: pass the text, or leave it out to read the saved notebook."""
        if text is None:
            text = read_answer(self.notebook, self.grade_id)
            if text is None:
                return CheckResult(NOT_ATTEMPTED, f"{self.name}: could not find your answer in {self.notebook}. "
                                   "Save the notebook (Ctrl+S) and run this cell again.")
        if not isinstance(text, str):
            return CheckResult(INVALID, f"{self.name}: expected your draft as text (a str), but got "
                               f"{_describe(text)}. Leave the brackets empty to read the answer cell.")
        if text.strip() in ("", PLACEHOLDER) or len(text.split()) < 5:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not written yet. Write it in the answer cell, save, "
                               "and run this cell again.")
        words = len(text.split())
        uncited = self.wants_citation and not TIMESTAMP.search(text)
        self._remember(self.missing(text) + ([CITATION] if uncited else []))
        asked = self.questions(text)
        if words < self.min_words:
            asked.insert(0, f"It has {words} words; the question asks for at least {self.min_words}.")
        if asked:
            return CheckResult(INCOMPLETE, f"{self.name}: a few questions on your draft (hints, not a score).", asked)
        return CheckResult(READY, f"{self.name}: I found every part the question asks for ({words} words). "
                           "A grader will read it with the rubric; this check reads wording, not quality.")
