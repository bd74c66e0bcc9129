"""The citation registry: render a source id as a citation a learner can look up.

Every claim in the lessons and every item in the exercises names source ids from
``datasets/sources.csv``. Each row records where the source page cited a passage,
where the transcript really has it, who says it, and whether the page was right.
"""
from __future__ import annotations

from typing import Iterable

from mlroles.data import load_sources


class UnknownSourceError(KeyError):
    """A source id that is not in datasets/sources.csv."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return self.args[0]


def _row(source_id: str):
    sources = load_sources().set_index("source_id")
    if not isinstance(source_id, str) or source_id not in sources.index:
        raise UnknownSourceError(
            f"{source_id!r} is not a source id in datasets/sources.csv; ids look like 'roles-4010' "
            "(episode code and the minute and second the source page gives)")
    return sources.loc[source_id]


def _timestamp_note(row) -> str:
    """The minute a learner can look up: where the transcript has the passage. What the source
    page got wrong about it belongs to the references table's *checked* column, not here."""
    if row["status"] == "not_found":
        return "not found in the transcript"
    return row["said_at"]


def cite(source_id: str) -> str:
    """One citation as text: episode title, season and episode, guest, and the checked timestamp.

    >>> cite("roles-4010")  # doctest: +SKIP
    'Data Team Roles Explained (S1E1, Alexey Grigorev), 25:27'
    """
    row = _row(source_id)
    said_by = "" if row["speaker"] == row["guest"] else f", said by {row['speaker']}"
    return (f"{row['episode_title']} (S{row['season']}E{row['episode']}, {row['guest']}), "
            f"{_timestamp_note(row)}{said_by}")


def read_more(where: str, source_ids) -> str:
    """Where a learner can read about an item: a place in the course, then the first passage the
    item cites (if any), e.g. 'lesson “The production handoff”; Building Production ML Platforms ...'."""
    return where + (f"; {cite(source_ids[0])}" if source_ids else "")


def read_in_lesson(lesson: str, source_ids, section: str | None = None) -> str:
    """``read_more`` for a place in a lesson: the lesson by its title (from its id in ``mlroles.course``), and the
    section when one is named."""
    from mlroles.course import lesson_title

    where = f"lesson “{lesson_title(lesson)}”" + (f", section “{section}”" if section else "")
    return read_more(where, source_ids)


def references(source_ids: Iterable[str]):
    """A references table for the end of a lesson: one row per cited passage, in the order given.

    Columns: episode, guest, timestamp (where the transcript has it), speaker, what is said
    there, and *checked*: how the source page's citation compares with the transcript.
    """
    import pandas as pd

    seen: list[str] = []
    for source_id in source_ids:
        if source_id not in seen:
            seen.append(source_id)
    rows = []
    for source_id in seen:
        row = _row(source_id)
        if not row["cited_at"]:
            check = "added by the course; checked against the transcript"
        else:
            check = {"verified": "as the source page cites it", "not_found": "not found in the transcript"}.get(
                row["status"], f"the source page cites {row['cited_at']}")
            if row["note"]:
                check += f": {row['note']}"
        rows.append({
            "id": source_id,
            "episode": f"{row['episode_title']} (S{row['season']}E{row['episode']})",
            "guest": row["guest"],
            "timestamp": _timestamp_note(row),
            "speaker": row["speaker"],
            "what is said there": row["summary"],
            "checked": check,
        })
    from mlroles.tables import full_text

    return full_text(pd.DataFrame(rows).set_index("id"))   # every cell in full, no "..." at 50 characters
