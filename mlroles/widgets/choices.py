"""Choices a learner makes in a widget, saved next to the notebook so they survive a fresh kernel.

nbgrader grades a notebook by re-running it headless: widget state in the browser is
gone by then. So every choice is written to a small JSON file beside the notebook as
soon as it is made, and a widget reads the file back when it is built. The file is
written atomically (a half-written file never replaces a good one), and a file that
cannot be read is moved aside, never deleted, so no learner's work is lost.

A learner may hand in the notebook without the file (uploaded alone to an LMS, sent by
mail). So each widget also carries its board's choices in a hidden text widget
(``ChoiceStore.carrier``): the course's JupyterLab saves widget state into the notebook, and
grading rebuilds the file from it (``carried_choices``) when the file is missing.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

FORMAT = 1
# The CSS class that marks a hidden widget carrying a board's choices inside the notebook.
CARRIER_CLASS = "mlroles-saved-choices"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


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

    def carrier(self, board_key: str):
        """A hidden widget whose value is this board's saved choices as JSON, kept current on every
        save: with widget state saved in the notebook, the notebook itself carries the answers."""
        import ipywidgets as widgets

        box = widgets.Text(layout=widgets.Layout(display="none"))
        box.add_class(CARRIER_CLASS)
        self._carriers = {**getattr(self, "_carriers", {}), board_key: box}
        self._carry(board_key, self.load(board_key))
        return box

    def _carry(self, board_key: str, choices: dict) -> None:
        box = getattr(self, "_carriers", {}).get(board_key)
        if box is not None:
            box.value = json.dumps({"file": self.path.name, "board": board_key, "choices": choices}, sort_keys=True)

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
        self._carry(board_key, boards[board_key])


def carried_choices(notebook) -> dict:
    """The choices files a notebook carries in its saved widget state, as ``{file name: content}``
    (``content`` in the format ChoiceStore writes). Anything malformed is left out."""
    try:
        state = notebook["metadata"]["widgets"][WIDGET_STATE]["state"]
    except (KeyError, TypeError):
        return {}
    files: dict = {}
    for model in state.values() if isinstance(state, dict) else []:
        fields = model.get("state", {}) if isinstance(model, dict) else {}
        if not isinstance(fields, dict) or CARRIER_CLASS not in (fields.get("_dom_classes") or []):
            continue
        try:
            carried = json.loads(fields.get("value", ""))
            name, board, choices = carried["file"], carried["board"], carried["choices"]
        except (ValueError, TypeError, KeyError):
            continue
        if (isinstance(name, str) and name.endswith(".choices.json") and "/" not in name and "\\" not in name
                and isinstance(board, str) and isinstance(choices, dict)):
            files.setdefault(name, {"format": FORMAT, "boards": {}})["boards"][board] = choices
    return files


_ASSIGNMENT = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*(.*)$", re.M)
_READS_A_BOARD = re.compile(r"^\w*(?:board|reviewer)\w*\.answers\b")


def board_answers_lost(notebook, folder: Path, name: str) -> bool:
    """True when a notebook took graded answers from boards it had on screen, yet neither
    ``<name>.choices.json`` (in ``folder``) nor its own saved widget state carries them.

    A board is on screen only after its cell ran, which leaves a widget view among the saved
    outputs: a release handed in untouched never showed one, so it is blank, not lost."""
    shown = any("application/vnd.jupyter.widget-view+json" in (output.get("data") or {})
                for cell in notebook.get("cells", []) for output in cell.get("outputs", []) or [])
    return (shown and bool(answers_from_a_board(notebook)) and not (Path(folder) / f"{name}.choices.json").exists()
            and f"{name}.choices.json" not in carried_choices(notebook))


def answers_from_a_board(notebook) -> list[str]:
    """The graded answer variables a notebook takes from a board or reviewer: those whose last
    assignment in an answer cell is ``name = <board>.answers`` (a learner who typed a dict after it
    answers in code, and needs no saved choices)."""
    found = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        last = {}
        for name, value in _ASSIGNMENT.findall(source):
            last[name] = value.strip()
        found += [name for name, value in last.items() if _READS_A_BOARD.match(value)]
    return found
