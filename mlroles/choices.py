"""Choices a learner makes in a widget, saved next to the notebook so they survive a fresh kernel.

nbgrader grades a notebook by re-running it headless: widget state in the browser is
gone by then. So every choice is written to a small JSON file beside the notebook as
soon as it is made, and a widget reads the file back when it is built. The file is
written atomically (a half-written file never replaces a good one), and a file that
cannot be read is moved aside, never deleted, so no learner's work is lost.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

FORMAT = 1


class ChoiceStore:
    """A JSON file of ``{"format": 1, "boards": {board_key: {item_id: choice}}}``."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.warnings: list[str] = []

    def _read_all(self) -> dict:
        if not self.path.exists():
            return {}
        try:
            content = json.loads(self.path.read_text(encoding="utf-8"))
            boards = content["boards"]
            if not isinstance(boards, dict) or not all(isinstance(v, dict) for v in boards.values()):
                raise ValueError("boards is not a mapping of mappings")
            return boards
        except (OSError, ValueError, KeyError, TypeError):
            aside = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                os.replace(self.path, aside)
                where = f"It was moved to {aside.name} so nothing is lost."
            except OSError:
                where = "It was left where it is."
            self.warnings.append(f"Your saved choices in {self.path.name} could not be read. {where} "
                                 "The board starts empty: choose again, or restore the file.")
            return {}

    def load(self, board_key: str) -> dict:
        """The saved choices of one board (values are whatever was saved: the caller checks them)."""
        return dict(self._read_all().get(board_key, {}))

    def save(self, board_key: str, choices: dict) -> None:
        boards = self._read_all()
        boards[board_key] = dict(choices)
        payload = json.dumps({"format": FORMAT, "boards": boards}, indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".choices-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(payload)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
