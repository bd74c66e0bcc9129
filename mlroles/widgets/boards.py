"""Interactive parts of the course. Each widget is a view over a question object from
``mlroles.checks.base``: the board checks with the very same ``question.check()`` a learner
can call in code, so a widget never grades by rules of its own.

Every widget can be driven from Python (``board.choose("R01", "shared")``,
``board.check_button.click()``, ``board.feedback.value``), which is how the tests use
them, and from the keyboard (Tab to a control, Space or Enter to choose).
"""
from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from mlroles.checks.base import INVALID, LabelQuestion
from mlroles.widgets.choices import ChoiceStore


def restore_notice(store: ChoiceStore, skipped: list, what: str) -> str:
    """The warning shown above a widget when saved choices could not all be restored ("" when all were)."""
    notes = list(store.warnings)
    if skipped:
        notes.append(f"Some saved choices did not match {what} and were left out: {', '.join(skipped)}.")
    return "".join(f'<div style="color:#a15c00">⚠ {html.escape(n)}</div>' for n in notes)


class ClassificationBoard(widgets.VBox):
    """One row per item with a button for each label, a Check button and a live summary.

    With ``store`` (a path), every choice is saved next to the notebook at once and read
    back when the board is built again, so the choices reach the graded variables when
    nbgrader re-runs the notebook in a fresh kernel.
    """

    def __init__(self, question: LabelQuestion, *, store: str | Path | None = None, store_key: str | None = None):
        self.question = question
        self.store = ChoiceStore(store) if store is not None else None
        self.store_key = store_key or question.name
        self.controls: dict[str, widgets.ToggleButtons] = {}
        self.marks: dict[str, widgets.HTML] = {}
        rows = []
        options = [(question.labels.name(v), v) for v in question.labels.values]
        # wide enough for the longest label, so no button's text is cut
        width = max(9.5, 0.62 * max(len(name) for name, _ in options) + 1.5)
        for item_id, text in question.items.items():
            control = widgets.ToggleButtons(options=options, value=None, style={"button_width": f"{width:.1f}em"},
                                            tooltips=[f"{item_id}: {name}" for name, _ in options],
                                            layout=widgets.Layout(flex="0 0 auto", width="auto"))
            control.observe(self._changed, names="value")
            mark = widgets.HTML(value="", layout=widgets.Layout(width="1.6em"))
            label = widgets.HTML(value=f"<b>{html.escape(item_id)}</b> {html.escape(text)}",
                                 layout=widgets.Layout(flex="1 1 0", min_width="14em"))
            self.controls[item_id] = control
            self.marks[item_id] = mark
            rows.append(widgets.HBox([mark, label, control],
                                     layout=widgets.Layout(align_items="center", border_bottom="1px solid #eee")))
        self.summary = widgets.HTML()
        self.check_button = widgets.Button(description="Check my answers", button_style="primary",
                                           icon="check", tooltip="Check the answers chosen on this board",
                                           layout=widgets.Layout(width="auto", flex="0 0 auto"))
        self.check_button.on_click(lambda _: self.check())
        self.feedback = widgets.HTML()
        self.notice = widgets.HTML()
        carrier = [self.store.carrier(self.store_key)] if self.store is not None else []
        super().__init__([self.notice, *rows, widgets.HBox([self.check_button, self.summary]), self.feedback,
                          *carrier], layout=widgets.Layout(max_width="64em"))
        self._loading = True
        self._restore()
        self._loading = False
        self._update_summary()

    # -- state --------------------------------------------------------------
    @property
    def answers(self) -> dict:
        """The labels chosen so far, as ``{item_id: label}`` (unanswered items left out)."""
        return {item_id: c.value for item_id, c in self.controls.items() if c.value is not None}

    def choose(self, item_id: str, label: str | None) -> None:
        """Choose a label for one item, as a click would (``None`` clears it)."""
        if item_id not in self.controls:
            raise KeyError(f"{item_id!r} is not on this board; its items are {', '.join(self.controls)}")
        self.controls[item_id].value = label

    def _restore(self) -> None:
        if self.store is None:
            return
        saved = self.store.load(self.store_key)
        skipped = []
        for item_id, label in saved.items():
            if item_id in self.controls and label in self.question.labels.names:
                self.controls[item_id].value = label
            else:
                skipped.append(str(item_id))
        self.notice.value = restore_notice(self.store, skipped, "this board")

    def _changed(self, change) -> None:
        if not self._loading and self.store is not None:
            self.store.save(self.store_key, self.answers)
        self._update_summary()

    def _update_summary(self) -> None:
        left = [item_id for item_id, c in self.controls.items() if c.value is None]
        done = len(self.controls) - len(left)
        text = f"{done} of {len(self.controls)} answered"
        if left:
            shown = ", ".join(left[:6]) + (" ..." if len(left) > 6 else "")
            text += f" · left: {shown}"
        self.summary.value = f'<span style="margin-left:1em">{html.escape(text)}</span>'

    # -- checking -------------------------------------------------------------
    def check(self):
        """Check the board's answers with the question's own check() and show the result."""
        result = self.question.check(self.answers)
        wrong, valid_ids = set(result.wrong), set(self.answers)
        for item_id, mark in self.marks.items():
            if self.question.graded or result.status == INVALID or item_id not in valid_ids:
                mark.value = ""
            elif item_id in wrong:
                mark.value = '<span title="not yet right" style="color:#b00020">✗</span>'
            else:
                mark.value = '<span title="right" style="color:#1b7a1b">✓</span>'
        self.feedback.value = result._repr_html_()
        return result
