"""Explorers: move a scenario's drivers and watch what *your own* function decides.

An explorer never shows a reference answer: it calls the learner's function with the
values on the controls, each time a control moves, and shows the decision (or, in a
learner's words, why the function gave none). Rebuild the explorer after you change
the function.
"""
from __future__ import annotations

import html
from typing import Callable

import ipywidgets as widgets
import pandas as pd

from mlroles import data
from mlroles.checks.functions import call_safely, read_label
from mlroles.data import MODE_LABELS, NEED_LABELS, LabelSet


class FunctionExplorer(widgets.VBox):
    """Controls on the left, the learner's function's decision below; updates on every change."""

    def __init__(self, fn: Callable, controls: dict[str, widgets.Widget], make_row: Callable[[dict], pd.Series],
                 labels: LabelSet, *, function_name: str, title: str, timeout: float = 1.0):
        self.fn = fn
        self.controls = controls
        self.make_row = make_row
        self.labels = labels
        self.function_name = function_name
        self.timeout = timeout
        self.decision = widgets.HTML()
        for control in controls.values():
            control.observe(lambda _: self.update(), names="value")
        rows = [self._row(name, control) for name, control in controls.items()]
        super().__init__([widgets.HTML(f"<b>{html.escape(title)}</b>"), *rows, self.decision],
                         layout=widgets.Layout(max_width="52em"))
        self.update()

    @staticmethod
    def _row(name: str, control: widgets.Widget) -> widgets.Widget:
        """The control under its column name. A menu or a number box has the name as its own label,
        which a screen reader reads with it; a checkbox and a row of buttons carry their own words,
        so the name stands to their left (and in each button's tooltip)."""
        if isinstance(control, (widgets.Checkbox, widgets.ToggleButtons)):
            if isinstance(control, widgets.ToggleButtons):
                control.style.button_width = "7em"
                control.tooltips = [f"{name}: {o[0] if isinstance(o, tuple) else o}" for o in control.options]
            # right-aligned, as ipywidgets aligns the other controls' labels
            name_html = f"<div style='text-align:right'><code>{html.escape(name)}</code></div>"
            return widgets.HBox([widgets.HTML(name_html, layout=widgets.Layout(width="18em")), control])
        control.description = f"<code>{html.escape(name)}</code>"
        control.description_allow_html = True
        control.style.description_width = "18em"
        control.layout.width = "30em"
        return control

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> None:
        """Move controls from Python, as a learner would with the mouse or keyboard."""
        for name, value in values.items():
            self.controls[name].value = value

    def update(self) -> str:
        """Run the function on the current values; show and return what it decided."""
        row = self.make_row(self.values)
        value, problem = call_safely(self.fn, row, self.timeout)
        if problem is None:
            value, problem = read_label(value, self.labels)
        if problem:
            text = f"⚠ {self.function_name} {problem}."
            self.decision.value = f'<div style="color:#a15c00;margin-top:6px">{html.escape(text)}</div>'
            return text
        text = f"{self.function_name} decides: {self.labels.name(value)}"
        self.decision.value = (f'<div style="margin-top:6px;font-size:1.1em">{html.escape(self.function_name)} '
                               f'decides: <b>{html.escape(self.labels.name(value))}</b></div>')
        return text


def _numbers(values: list[int]) -> list[tuple[str, int]]:
    return [(f"{v:,}", v) for v in values]


def _scenario_row(values: dict) -> pd.Series:
    return pd.Series({"scenario_id": "explorer", "product": "(your scenario)", **values})


def serving_explorer(fn: Callable, *, function_name: str = "choose_serving_mode") -> FunctionExplorer:
    """Move latency budget, freshness, volume, request-time inputs and the cost of being late."""
    # menus, not sliders: ipywidgets gives a slider's handle no accessible name
    controls = {
        "latency_budget_ms": widgets.Dropdown(
            options=_numbers([20, 50, 100, 200, 500, 1000, 5000, 60_000, 3_600_000]), value=200),
        "freshness": widgets.Dropdown(options=list(data.FRESHNESS), value="daily"),
        "requests_per_day": widgets.Dropdown(
            options=_numbers([100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]), value=10_000),
        "inputs_at_request_time": widgets.Checkbox(value=False, description="only known at request time",
                                                   indent=False),
        "late_cost": widgets.ToggleButtons(options=list(data.LEVELS), value="medium"),
    }
    return FunctionExplorer(fn, controls, _scenario_row, MODE_LABELS, function_name=function_name,
                            title="Serving mode explorer: what does your function decide?")


def _team_row(values: dict) -> pd.Series:
    symptoms = [s for s in data.SYMPTOMS_DS + data.SYMPTOMS_ENG if values.pop(s, False)]
    return pd.Series({"team_id": "explorer", "situation": "(your team)", **values, "symptoms": symptoms})


def team_explorer(fn: Callable, *, function_name: str = "next_need") -> FunctionExplorer:
    """Move team size, models in production, serving mode, risk and symptoms."""
    controls = {
        "team_size": widgets.BoundedIntText(value=2, min=0, max=30),
        "stage": widgets.Dropdown(options=list(data.STAGES), value="startup"),
        "models_in_production": widgets.BoundedIntText(value=1, min=0, max=20),
        "serving_mode": widgets.Dropdown(options=list(data.TEAM_SERVING), value="batch"),
        "risk": widgets.ToggleButtons(options=list(data.LEVELS), value="low"),
    }
    for symptom in data.SYMPTOMS_DS + data.SYMPTOMS_ENG:
        controls[symptom] = widgets.Checkbox(value=False, description=symptom.replace("_", " "), indent=False)
    return FunctionExplorer(fn, controls, _team_row, NEED_LABELS, function_name=function_name,
                            title="Team explorer: what does your function say this team needs next?")
