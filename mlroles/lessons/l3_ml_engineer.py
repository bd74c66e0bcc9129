"""Lesson 3, "When the team needs an ML engineer": the runtime side of a model.

What a learner gets here:
- ``online_requests()``: the online fraud checks of the prediction log, one row per checkout;
- ``budget_report()`` and ``misses_per_day()``: how many requests break a latency budget, in total and per day;
- ``latency_chart()``: the latency distribution on a log scale with the tail marked (a ``Chart``: the
  figure and its alt text);
- ``budget_explorer()`` (a ``LatencyBudgetExplorer``): a number box for the budget that reports the misses
  per day and their share, and projects that share onto a bigger shop.

Only the online rows are used: the batch job's ``latency_ms`` means something else (time since the
job started), so it never belongs in the same percentile.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from mlroles import data
from mlroles.lessons.charts import Chart

PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
DEFAULT_BUDGET_MS = 200
# Daily volumes the explorer can project onto: the log's own (0), and two bigger shops.
VOLUMES = {"as in the log": 0, "10,000 checkouts a day": 10_000, "1,000,000 checkouts a day": 1_000_000}


def online_requests(log: pd.DataFrame | None = None) -> pd.DataFrame:
    """The online fraud checks: request id, request time, model version and latency in milliseconds."""
    log = data.load_prediction_log() if log is None else log
    online = log[log["serving_mode"] == "online"]
    return online[["request_id", "requested_at", "model_version", "latency_ms"]].reset_index(drop=True)


def misses_per_day(requests: pd.DataFrame, budget_ms: float) -> pd.DataFrame:
    """Per calendar day (UTC): the requests, how many took longer than ``budget_ms``, and their share.

    Every day with online requests appears, also a day with no miss at all. Works on
    ``online_requests()`` and on the online rows of the log as loaded.
    """
    over = requests["latency_ms"] > budget_ms
    per_day = over.groupby(requests["requested_at"].dt.date).agg(["size", "sum"])
    per_day.columns = ["requests", "over budget"]
    per_day["share"] = per_day["over budget"] / per_day["requests"]
    per_day.index.name = "day"
    return per_day


def budget_report(requests: pd.DataFrame, budget_ms: float, daily_volume: int | None = None) -> dict:
    """How a latency budget fares against the log.

    Returns a dict: ``budget_ms``, ``requests``, ``over`` (requests slower than the budget),
    ``share``, ``days``, ``per_day`` (average misses a day in the log), ``worst_day`` (most misses
    on one day) and ``projected_per_day`` (misses a day at ``daily_volume`` checkouts, or the
    log's own average when it is None or 0).
    """
    per_day = misses_per_day(requests, budget_ms)
    over = int(per_day["over budget"].sum())
    total = int(per_day["requests"].sum())
    share = over / total if total else 0.0
    days = len(per_day)
    average = over / days if days else 0.0
    return {
        "budget_ms": budget_ms, "requests": total, "over": over, "share": share, "days": days,
        "per_day": average, "worst_day": int(per_day["over budget"].max()) if days else 0,
        "projected_per_day": share * daily_volume if daily_volume else average,
    }


def _report_html(report: dict, volume_label: str) -> str:
    budget = f"{report['budget_ms']:,.0f} ms"
    share = report["share"]
    if report["over"] == 0:
        color, verdict = "#1b7a1b", "No request in the log took longer."
    elif share < 0.01:
        color, verdict = "#a15c00", "Fewer than 1 in 100 checkouts wait longer."
    else:
        color, verdict = "#b00020", f"About 1 in {max(1, round(1 / share))} checkouts waits longer."
    lines = [
        f"<b>{report['over']:,}</b> of {report['requests']:,} online requests ({share:.1%}) took longer than "
        f"{budget}. {verdict}",
        f"In the log's {report['days']} days that is <b>{report['per_day']:.1f} a day</b> on average, and "
        f"{report['worst_day']} on the worst day.",
    ]
    if volume_label != "as in the log":
        lines.append(f"At {html.escape(volume_label)}, the same share would be about "
                     f"<b>{report['projected_per_day']:,.0f} slow checkouts a day</b>.")
    items = "".join(f"<li>{line}</li>" for line in lines)
    return (f'<div style="border-left:4px solid {color};padding:4px 10px">'
            f'<b style="color:{color}">Budget {budget}</b><ul style="margin:4px 0">{items}</ul></div>')


def latency_chart(requests: pd.DataFrame, budget_ms: float | None = DEFAULT_BUDGET_MS) -> Chart:
    """A histogram of online latency, both axes on a log scale so the thin tail shows, with the
    mean, p50, p95 and p99 marked and, when given, the part slower than the budget shaded.
    Returns a ``Chart`` (``.figure``, ``.alt``)."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    latency = requests["latency_ms"]
    low, high = latency.min(), latency.max()
    bins = np.geomspace(low, high * 1.001, 60)
    fig, ax = plt.subplots(figsize=(10, 4.4))
    ax.hist(latency, bins=bins, color="#7a9cc6", edgecolor="white", linewidth=0.4, label="online requests")
    ax.set_xscale("log")
    ax.set_yscale("log")
    left, right = low * 0.85, high * 1.15
    ax.set_xlim(left, right)
    lines = {"mean": (latency.mean(), "#555555", ":")}
    styles = {"p50": ("#1b7a1b", "-"), "p95": ("#a15c00", "--"), "p99": ("#b00020", "-.")}
    for name, q in PERCENTILES.items():
        lines[name] = (latency.quantile(q), *styles[name])
    for name, (value, color, style) in lines.items():
        ax.axvline(value, color=color, linestyle=style, linewidth=1.8, label=f"{name} = {value:,.0f} ms")
    if budget_ms is not None:
        ax.axvspan(budget_ms, right, color="#b00020", alpha=0.07,
                   label=f"slower than the {budget_ms:,.0f} ms budget")
    ax.xaxis.set_major_locator(FixedLocator([t for t in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
                                             if left <= t <= right]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.set_xlabel("latency of one fraud check (ms, log scale)")
    ax.set_ylabel("requests (log scale)")
    ax.set_title(f"Online fraud checks: {len(latency):,} requests; the tail is on the right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    plt.close(fig)
    marks = [f"{name} ({value:,.0f} ms)" for name, (value, _, _) in lines.items()]
    marks = ", ".join(marks[:-1]) + " and " + marks[-1]
    alt = (f"Histogram, with both axes on a log scale, of the latency of {len(latency):,} online fraud checks, "
           f"from {low:,.0f} ms to {high:,.0f} ms, with lines at the {marks}")
    if budget_ms is not None:
        over = int((latency > budget_ms).sum())
        alt += (f"; the {over:,} requests ({over / len(latency):.1%}) slower than the {budget_ms:,.0f} ms budget "
                f"fall in the shaded area on the right")
    return Chart(fig, alt + ".")


class LatencyBudgetExplorer(widgets.VBox):
    """A number box for the latency budget and a menu for the daily volume; the report below says how
    many checkouts a day would miss the budget and what share that is. A box, not a slider:
    ipywidgets gives a slider's handle no accessible name, while the box's description is its label.

    Drive it from Python: ``explorer.budget.value = 300`` or ``explorer.volume.value = 10_000``,
    then read ``explorer.report.value`` (HTML) or ``explorer.result`` (the numbers).
    """

    def __init__(self, requests: pd.DataFrame, budget_ms: int = DEFAULT_BUDGET_MS):
        self.requests = requests
        self.budget = widgets.BoundedIntText(value=budget_ms, min=50, max=1000, step=10, description="Budget (ms)",
                                             style={"description_width": "7em"}, layout=widgets.Layout(width="16em"))
        self.volume = widgets.Dropdown(options=list(VOLUMES.items()), value=0, description="Daily volume",
                                       style={"description_width": "7em"}, layout=widgets.Layout(width="24em"))
        self.report = widgets.HTML()
        self.result: dict = {}
        self.budget.observe(self._update, names="value")
        self.volume.observe(self._update, names="value")
        super().__init__([widgets.HBox([self.budget, self.volume]), self.report],
                         layout=widgets.Layout(max_width="60em"))
        self._update()

    def _volume_label(self) -> str:
        return next(label for label, value in VOLUMES.items() if value == self.volume.value)

    def _update(self, _change=None) -> None:
        self.result = budget_report(self.requests, self.budget.value, self.volume.value)
        self.report.value = _report_html(self.result, self._volume_label())


def budget_explorer(requests: pd.DataFrame | None = None) -> LatencyBudgetExplorer:
    """The lesson's widget over the online requests of the prediction log."""
    return LatencyBudgetExplorer(online_requests() if requests is None else requests)
