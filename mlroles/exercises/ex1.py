"""Exercise 1, "Who owns it?": the questions, boards and tables the notebook calls.

The items come from ``datasets/responsibilities.csv``. Practice items carry their owner,
reason and sources there, so the practice round gives full feedback. Graded items carry
none: their board and check only confirm that every item has a valid answer.
"""
from __future__ import annotations

from functools import lru_cache

from mlroles import data
from mlroles.checks.base import LabelQuestion, built_when_asked
from mlroles.data import OWNER_LABELS
from mlroles.sources import cite, read_in_lesson
from mlroles.tables import full_text

ASSIGNMENT = "ex1_responsibilities"
CHOICES_FILE = f"{ASSIGNMENT}.choices.json"
# Two borderline practice items the learner explains in writing (their owners are public).
EXPLAIN = ("R21", "R35")

HINTS = (
    "Ask what the work produces. Evidence that answers a business question (a metric, an analysis, "
    "an experiment's verdict) points to the data scientist; software that runs, scales and recovers "
    "points to the ML engineer.",
    "Ask who gets paged or blamed when it goes wrong. A wrong conclusion is the data scientist's risk; "
    "a slow, broken or unmonitored service is the ML engineer's.",
    "Shared work is what neither side can do well alone: pipelines that feed both training and serving, "
    "metrics measured offline and online, experiments anyone can rerun, failure analysis and feedback "
    "from the product. If the item needs both model judgment and engineering judgment, say shared.",
)

@lru_cache(maxsize=None)
def _items():
    return data.load_responsibilities()


def practice_items():
    """The practice round: the first non-borderline practice items of each owner, in id order."""
    return data.practice_round(_items())


def graded_items():
    """The graded round: every graded responsibility (no owners here)."""
    items = _items()
    return items[items["pool"] == "graded"].sort_values("responsibility_id")


def _question_practice() -> LabelQuestion:
    rows = practice_items()
    return LabelQuestion(
        "Practice round",
        dict(zip(rows["responsibility_id"], rows["responsibility"])), OWNER_LABELS,
        key=dict(zip(rows["responsibility_id"], rows["owner"])),
        why=dict(zip(rows["responsibility_id"], rows["rationale"])),
        read={r["responsibility_id"]: read_in_lesson(r["lesson"], r["source_ids"]) for _, r in rows.iterrows()},
        hints=HINTS, other_ids=graded_items()["responsibility_id"].tolist(),
    )


def _question_graded() -> LabelQuestion:
    rows = graded_items()
    return LabelQuestion(
        "Graded round", dict(zip(rows["responsibility_id"], rows["responsibility"])), OWNER_LABELS,
        hints=HINTS, other_ids=practice_items()["responsibility_id"].tolist(),
    )


# ex1.practice and ex1.graded, built on first use
__getattr__ = _asked = built_when_asked(globals(), practice=_question_practice, graded=_question_graded)


def practice_board():
    """The practice board: check gives per-item feedback. Choices are saved next to the notebook."""
    from mlroles.widgets.boards import ClassificationBoard

    return ClassificationBoard(_asked("practice"), store=CHOICES_FILE, store_key="practice")


def graded_board():
    """The graded board: check confirms completeness only. Choices are saved next to the notebook."""
    from mlroles.widgets.boards import ClassificationBoard

    return ClassificationBoard(_asked("graded"), store=CHOICES_FILE, store_key="graded")


def answers_table(answers):
    """The graded answers as a grader reads them: item, text and the owner chosen."""
    from mlroles.tables import label_answers_table

    return label_answers_table(_asked("graded").items, answers, OWNER_LABELS, "responsibility")


def worked_example():
    """One practice item shown with its owner, reason and sources, for the worked example."""
    items = _items()
    board = set(practice_items()["responsibility_id"])
    candidates = items[(items["pool"] == "practice") & (items["owner"] == "shared") & ~items["borderline"]
                       & ~items["responsibility_id"].isin(board)]
    row = candidates.iloc[0]
    import pandas as pd

    return pd.Series({"responsibility": row["responsibility"], "owner": OWNER_LABELS.name(row["owner"]),
                      "why": row["rationale"], "sources": "; ".join(cite(s) for s in row["source_ids"])},
                     name=row["responsibility_id"]).to_frame().pipe(full_text)
