"""Tables a notebook shows: answer tables (what a grader reads in the notebook, and what the instructor's report
reads) and tables that show their text in full.

A graded part's answers are shown as a table for a human grader (in the formgrader) and for
the learner. The same output also carries the answers in machine-readable form (a custom JSON
mimetype JupyterLab does not display). The learner's own answers are in it, never a key; no
score is read from it (scores come from the test cells' recordings, see mlroles.checks.scoring).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import pandas as pd

MIMETYPE = "application/vnd.mlroles.answers+json"


class AnswerTable(pd.DataFrame):
    """A DataFrame shown as usual, plus the learner's answers under MIMETYPE."""

    _metadata = ["answers"]

    @property
    def _constructor(self):
        return AnswerTable

    def _repr_mimebundle_(self, include=None, exclude=None):
        with pd.option_context("display.max_colwidth", None):
            # a wide table scrolls inside its own box, which a keyboard can reach (tabindex) and a
            # screen reader names, instead of widening the output area
            label = f"your answers by {self.index.name}" if self.index.name else "your answers"   # unique per table
            html = (f'<div role="region" aria-label="{label}" tabindex="0" style="overflow-x:auto">'
                    f"{self.to_html()}</div>")
            bundle = {"text/html": html, "text/plain": pd.DataFrame(self).to_string()}
        bundle[MIMETYPE] = {"answers": getattr(self, "answers", {}) or {}}
        return bundle


def answer_table(frame: pd.DataFrame, answers: dict) -> AnswerTable:
    table = AnswerTable(frame)
    table.answers = {str(k): v for k, v in answers.items()} if isinstance(answers, dict) else {}
    return table


def graded_answers_table(items: Mapping[str, str], answers, item_column: str, show: Callable[[Any], dict],
                         record: Callable[[Any], Any]) -> AnswerTable:
    """The graded answers as a grader reads them: one row per item (id, its text under ``item_column``, and the
    columns ``show(answer)`` gives), carrying ``record(answer)`` for each answered item (None: left out)."""
    answers = answers if isinstance(answers, dict) else {}
    rows = [{"id": item_id, item_column: text, **show(answers.get(item_id))} for item_id, text in items.items()]
    recorded = {}
    for item_id, answer in answers.items():
        kept = record(answer) if item_id in items else None
        if kept is not None:
            recorded[item_id] = kept
    return answer_table(pd.DataFrame(rows).set_index("id"), recorded)


def label_answers_table(items: Mapping[str, str], answers, labels, item_column: str) -> AnswerTable:
    """A graded board's answers: per item, the label chosen, by its name in ``labels`` (a data.LabelSet)."""
    return graded_answers_table(items, answers, item_column,
                                show=lambda a: {"your answer": labels.name(a) if isinstance(a, str) else "—"},
                                record=lambda a: a if isinstance(a, str) else None)


class FullTextTable(pd.DataFrame):
    """A DataFrame that shows every cell in full (pandas cuts text at 50 characters by default)."""

    @property
    def _constructor(self):
        return FullTextTable

    def _repr_html_(self):
        with pd.option_context("display.max_colwidth", None):
            return super()._repr_html_()


def full_text(frame: pd.DataFrame) -> FullTextTable:
    return FullTextTable(frame)
