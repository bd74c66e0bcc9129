"""Lesson 1, "Two roles, two risks": the tables and the board the notebook calls.

Everything here reads ``datasets/responsibilities.csv`` through ``mlroles.data`` and uses
practice rows only (graded rows carry no owner in a learner's copy). What a learner gets:

- ``owner_summary()``: how many practice items each owner has, and how many are borderline;
- ``examples()``: two clear-cut practice items per owner with the reason behind the owner;
- ``question`` and ``owner_board()``: six practice items to sort, with feedback per item.

The examples and the board avoid the practice round of exercise 1, so the exercise still
starts on items the learner has not seen answered.
"""
from __future__ import annotations

from functools import lru_cache

from mlroles import data
from mlroles.checks.base import LabelQuestion, built_when_asked
from mlroles.data import OWNER_LABELS
from mlroles.sources import read_in_lesson

LESSON = "01_two_roles_two_risks"
OWNERS = tuple(OWNER_LABELS.values)          # data_scientist, ml_engineer, shared

# The board: two clear-cut practice items per owner, none of them in exercise 1's practice round.
BOARD_IDS = ("R23", "R33", "R36", "R43", "R44", "R52")
EXAMPLES_PER_OWNER = 2

HINTS = (
    "Ask what goes wrong if this work is done badly. If the team would believe something false "
    "(a metric, a test result, a forecast's accuracy), it is the data scientist's risk.",
    "If the team would instead be left with software that is slow, down or impossible to change, it is "
    "the ML engineer's risk: the model may be fine, but nobody can use it.",
    "Shared work needs both judgments at once: one person knows what the model should mean, the other "
    "keeps it running. Pipelines, design documents and reusable features usually land here.",
)

@lru_cache(maxsize=None)
def _items():
    return data.load_responsibilities()


def _exercise_practice_ids() -> set[str]:
    """Exercise 1's practice round (``data.practice_round``)."""
    return set(data.practice_round(_items())["responsibility_id"])


def practice_items():
    """All practice responsibilities: the rows whose owner, reason and sources are public."""
    items = _items()
    return items[items["pool"] == "practice"].copy()


def owner_summary():
    """Practice items per owner: how many there are, how many are clear-cut and how many borderline."""
    import pandas as pd

    practice = practice_items()
    rows = []
    for owner in OWNERS:
        mine = practice[practice["owner"] == owner]
        rows.append({"owner": OWNER_LABELS.name(owner), "practice items": len(mine),
                     "clear-cut": int((~mine["borderline"]).sum()), "borderline": int(mine["borderline"].sum())})
    return pd.DataFrame(rows).set_index("owner")


def examples(per_owner: int = EXAMPLES_PER_OWNER):
    """A few clear-cut practice items per owner, with the reason for the owner.

    Items on this lesson's board and in exercise 1's practice round are left out, so neither
    is answered in advance.
    """
    import pandas as pd

    practice = practice_items()
    skip = set(BOARD_IDS) | _exercise_practice_ids()
    pool = practice[~practice["borderline"] & ~practice["responsibility_id"].isin(skip)]
    rows = []
    for owner in OWNERS:
        for _, row in pool[pool["owner"] == owner].sort_values("responsibility_id").head(per_owner).iterrows():
            rows.append({"id": row["responsibility_id"], "owner": OWNER_LABELS.name(owner),
                         "responsibility": row["responsibility"], "why this owner": row["rationale"]})
    return pd.DataFrame(rows).set_index("id")


def board_items():
    """The six practice items on this lesson's board, in id order, with their owners and reasons."""
    items = _items().set_index("responsibility_id", drop=False)
    rows = items.loc[sorted(BOARD_IDS)]
    return rows.reset_index(drop=True)


def _question() -> LabelQuestion:
    rows = board_items()
    ids = rows["responsibility_id"]
    return LabelQuestion(
        "Lesson 1 board",
        dict(zip(ids, rows["responsibility"])), OWNER_LABELS,
        key=dict(zip(ids, rows["owner"])),
        why=dict(zip(ids, rows["rationale"])),
        read={r["responsibility_id"]: read_in_lesson(r["lesson"], r["source_ids"]) for _, r in rows.iterrows()},
        hints=HINTS,
    )


# ``question``, built on first use
__getattr__ = _asked = built_when_asked(globals(), question=_question)


def owner_board():
    """The lesson's board: choose an owner for six responsibilities, press Check, read why.

    Choices are not saved to a file: this board is for practice only.
    """
    from mlroles.widgets.boards import ClassificationBoard

    return ClassificationBoard(_asked('question'))
