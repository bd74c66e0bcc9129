"""Lesson 4, "The production handoff": the prediction log seen by both roles.

What a learner gets here:

- ``schema_table(log)``: the columns of the shared prediction log, one example value per model,
  and which kind of knowledge each column needs (how the service ran, or what the model means).
- ``version_metrics(log, threshold)``: the fraud model's precision, recall and flagged share per
  version at a threshold (one for both versions, or one per version), counted on labelled orders.
- ``weekly_fraud(log)`` and ``weekly_coverage(log)``: the same numbers week by week, and how many
  predictions of each use case have their true outcome yet.
- ``handoff_chart(log)``: a two-panel picture of the fraud version change and of label coverage
  (a ``Chart``: the figure and its alt text).
- ``ThresholdExplorer``: two number boxes (one threshold per fraud model version) and a side-by-side table.

The data is ``datasets/prediction_log.csv`` (see ``datasets/README.md``), loaded with
``mlroles.data.load_prediction_log()``.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from mlroles import data
from mlroles.lessons.charts import Chart
from mlroles.prediction_log import confusion_counts

FRAUD = "fraud_checkout"
CHURN = "churn_weekly"
VERSIONS = ("fraud-v7", "fraud-v8")
THRESHOLD = 0.7                       # the fraud threshold both versions shipped with
SWITCH = pd.Timestamp("2026-04-15T09:30:00Z")
MIN_FLAGGED = 10                      # fewer labelled flagged orders than this: no weekly precision

# What each column records, and whose knowledge it needs to be read correctly.
_COLUMN_NOTES = {
    "request_id": ("one prediction, numbered by the serving path", "how the service ran"),
    "use_case": ("which business question the model answers", "both"),
    "model_version": ("which released model produced the score", "both"),
    "serving_mode": ("scheduled job or per-request call", "how the service ran"),
    "requested_at": ("when the score was asked for (batch: when the job started)", "how the service ran"),
    "scored_at": ("when the score was returned or written", "how the service ran"),
    "entity_id": ("what was scored: a customer each week, or one order", "what the model means"),
    "score": ("the model's output; higher means more likely", "what the model means"),
    "prediction": ("the score turned into a decision by a threshold", "both"),
    "latency_ms": ("time to answer (online) or since the job started (batch)", "how the service ran"),
    "label": ("the true outcome, once it is known", "what the model means"),
    "label_at": ("when the outcome reached the warehouse", "both"),
}


def _log(log: pd.DataFrame | None) -> pd.DataFrame:
    return data.load_prediction_log() if log is None else log


def schema_table(log: pd.DataFrame | None = None) -> pd.DataFrame:
    """The unified schema: one row per column, an example from each model (its first prediction
    with a known outcome), what the column records and what it takes to read it."""
    log = _log(log)
    labelled = log[log["label"].notna()]
    churn = labelled[labelled["use_case"] == CHURN].iloc[0]
    fraud = labelled[labelled["use_case"] == FRAUD].iloc[0]

    def show(value) -> str:
        if pd.isna(value):
            return "(empty)"
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return str(value)

    rows = [{"column": c, "churn example": show(churn[c]), "fraud example": show(fraud[c]),
             "what it records": _COLUMN_NOTES[c][0], "to read it you need": _COLUMN_NOTES[c][1]}
            for c in log.columns if c in _COLUMN_NOTES]
    return pd.DataFrame(rows).set_index("column")


def fraud_rows(log: pd.DataFrame | None = None) -> pd.DataFrame:
    """The online fraud model's predictions (both versions), in file order."""
    log = _log(log)
    return log[log["use_case"] == FRAUD]


def version_metrics(log: pd.DataFrame | None = None, threshold: float | dict = THRESHOLD) -> pd.DataFrame:
    """Per fraud model version: orders, flagged share (all orders), label coverage, and on labelled
    orders the true positives, false positives, missed fraud, precision and recall.

    ``threshold`` is one number for both versions or a dict ``{"fraud-v8": 0.81, ...}``
    (versions left out of the dict keep 0.7).
    """
    fraud = fraud_rows(log)
    rows = []
    for version in VERSIONS:
        t = threshold.get(version, THRESHOLD) if isinstance(threshold, dict) else threshold
        part = fraud[fraud["model_version"] == version]
        counts = confusion_counts(part["score"], part["label"], t)
        rows.append({"model_version": version, "threshold": float(t), "orders": len(part),
                     "flagged_share": float((part["score"] >= t).mean()),
                     "coverage": counts["labelled"] / len(part), **counts})
    return pd.DataFrame(rows).set_index("model_version")


def _week_start(times: pd.Series) -> pd.Series:
    """Monday 00:00 UTC of each timestamp's week."""
    day = times.dt.floor("D")
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def weekly_fraud(log: pd.DataFrame | None = None, threshold: float = THRESHOLD) -> pd.DataFrame:
    """The fraud model week by week and version by version (the switch week has a row for each).

    ``at`` is the mean request time of the group, so a point sits where its orders were placed.
    Precision is left empty when fewer than ``MIN_FLAGGED`` labelled orders were flagged.
    """
    fraud = fraud_rows(log)
    rows = []
    for (week, version), part in fraud.groupby([_week_start(fraud["requested_at"]), "model_version"], sort=True):
        counts = confusion_counts(part["score"], part["label"], threshold)
        enough = counts["tp"] + counts["fp"] >= MIN_FLAGGED
        rows.append({"week": week, "model_version": version, "at": part["requested_at"].mean(),
                     "orders": len(part), "flagged_share": float((part["score"] >= threshold).mean()),
                     "coverage": counts["labelled"] / len(part), "tp": counts["tp"], "fp": counts["fp"],
                     "fn": counts["fn"], "precision": counts["precision"] if enough else float("nan"),
                     "recall": counts["recall"]})
    return pd.DataFrame(rows)


def weekly_coverage(log: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of predictions with a known outcome, per week and use case, as of the extract (2026-06-01)."""
    log = _log(log)
    frame = log.assign(week=_week_start(log["requested_at"]), labelled=log["label"].notna())
    grouped = frame.groupby(["week", "use_case", "serving_mode"], sort=True)
    out = grouped.agg(at=("requested_at", "mean"), rows=("request_id", "size"), labelled=("labelled", "sum"))
    out["coverage"] = out["labelled"] / out["rows"]
    return out.reset_index()


def _day(when: pd.Timestamp) -> str:
    return f"{when.day} {when:%b}"


def _handoff_alt(log: pd.DataFrame, cover: pd.DataFrame) -> str:
    m = version_metrics(log)
    v7, v8 = m.loc["fraud-v7"], m.loc["fraud-v8"]
    churn = cover[cover["use_case"] == CHURN]
    fraud = cover[cover["use_case"] == FRAUD]
    known = churn[churn["coverage"] > 0]
    alt = (f"Two line charts over the weeks from {_day(cover['week'].min())} to {_day(cover['week'].max())}, "
           f"with the switch from fraud-v7 to fraud-v8 on {_day(SWITCH)} marked: at threshold {THRESHOLD} the "
           f"fraud model flags {v7['flagged_share']:.1%} of orders under fraud-v7 and {v8['flagged_share']:.1%} "
           f"under fraud-v8, while precision on labelled orders falls from {v7['precision']:.2f} to "
           f"{v8['precision']:.2f}; below, about {known['coverage'].mean():.0%} of each churn run has a known "
           f"outcome up to the week of {_day(known['week'].max())}")
    if len(known) < len(churn):
        alt += " and none after it"
    return (alt + f", and the fraud orders' share falls from {fraud['coverage'].iloc[0]:.0%} in the first week "
            f"to {fraud['coverage'].iloc[-1]:.0%} in the last.")


def handoff_chart(log: pd.DataFrame | None = None) -> Chart:
    """Two panels over the same weeks: the fraud model's precision and flagged share per version at
    0.7 (top), and the share of predictions with a known outcome for both use cases (bottom).
    A dashed line marks the switch from fraud-v7 to fraud-v8. Returns a ``Chart`` (``.figure``, ``.alt``)."""
    import matplotlib.pyplot as plt
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import PercentFormatter

    log = _log(log)
    fraud = weekly_fraud(log)
    cover = weekly_coverage(log)
    colors = {"fraud-v7": "#1f77b4", "fraud-v8": "#d62728"}
    switch = SWITCH.tz_convert(None)

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.4), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    for version in VERSIONS:
        part = fraud[fraud["model_version"] == version]
        at = part["at"].dt.tz_convert(None)
        top.plot(at, part["precision"], marker="o", color=colors[version], label=f"precision, {version}")
        top.plot(at, part["flagged_share"], marker="s", linestyle="--", color=colors[version],
                 label=f"flagged share, {version}")
    top.set_ylim(0, 1)
    top.yaxis.set_major_formatter(PercentFormatter(1.0))
    top.set_title("Fraud model at threshold 0.7: precision (labelled orders) and share of orders flagged")
    top.legend(loc="center left", fontsize=8, ncol=2)

    styles = {CHURN: ("#2ca02c", "churn_weekly (batch)"), FRAUD: ("#9467bd", "fraud_checkout (online)")}
    for use_case, (color, label) in styles.items():
        part = cover[cover["use_case"] == use_case]
        bottom.plot(part["at"].dt.tz_convert(None), part["coverage"], marker="o", color=color, label=label)
    bottom.set_ylim(0, 1.05)
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
    bottom.set_title("Predictions with a known outcome, as of the extract on 1 June")
    bottom.legend(loc="lower left", fontsize=8)

    for ax in (top, bottom):
        ax.axvline(switch, color="#555", linestyle=":", linewidth=1.5)
        ax.grid(alpha=0.3)
    top.annotate("fraud-v7 → fraud-v8\n15 Apr 09:30", xy=(switch, 0.95), xytext=(6, -4),
                 textcoords="offset points", fontsize=8, va="top", color="#333")
    bottom.xaxis.set_major_formatter(DateFormatter("%d %b"))
    fig.tight_layout()
    plt.close(fig)
    return Chart(fig, _handoff_alt(log, cover))


def _fmt(value, kind: str) -> str:
    if pd.isna(value):
        return "–"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "ratio":
        return f"{value:.3f}"
    if kind == "threshold":
        return f"{value:.2f}"
    return f"{int(value):,}"


_TABLE_ROWS = (
    ("threshold", "threshold", "threshold"),
    ("orders scored", "orders", "count"),
    ("flagged share (all orders)", "flagged_share", "share"),
    ("orders with a known outcome", "labelled", "count"),
    ("flagged and fraud", "tp", "count"),
    ("flagged but cleared", "fp", "count"),
    ("fraud not flagged", "fn", "count"),
    ("precision", "precision", "ratio"),
    ("recall", "recall", "ratio"),
)


class ThresholdExplorer(widgets.VBox):
    """Set each version's threshold and compare fraud-v7 with fraud-v8 side by side.

    One number box per version (type a value, or step by 0.01 with the arrow keys). Boxes, not
    sliders: ipywidgets gives a slider's handle no accessible name, while a box's description is
    its label. Drive it from Python: ``explorer.set_thresholds(v7=0.7, v8=0.81)`` or
    ``explorer.boxes["fraud-v8"].value = 0.81``, then read ``explorer.table.value`` (HTML) or
    ``explorer.metrics()`` (a DataFrame).
    """

    def __init__(self, log: pd.DataFrame | None = None, v7: float = THRESHOLD, v8: float = THRESHOLD):
        self.fraud = fraud_rows(log)
        self.boxes = {
            version: widgets.BoundedFloatText(value=value, min=0.5, max=0.95, step=0.01,
                                              description=f"{version} threshold",
                                              style={"description_width": "10em"},
                                              layout=widgets.Layout(width="17em"))
            for version, value in zip(VERSIONS, (v7, v8))
        }
        for box in self.boxes.values():
            box.observe(self._update, names="value")
        self.reset_button = widgets.Button(description="Back to 0.70 for both", icon="undo",
                                           tooltip="Set both thresholds to the shipped value, 0.70",
                                           layout=widgets.Layout(width="auto"))
        self.reset_button.on_click(lambda _: self.set_thresholds(THRESHOLD, THRESHOLD))
        self.table = widgets.HTML()
        self.note = widgets.HTML()
        heading = widgets.HTML("<b>Threshold of each version</b> (an order is flagged when its score is at least "
                               "this), between 0.50 and 0.95")
        super().__init__([heading, *self.boxes.values(), widgets.HBox([self.reset_button]), self.table, self.note],
                         layout=widgets.Layout(max_width="44em"))
        self._update()

    def set_thresholds(self, v7: float | None = None, v8: float | None = None) -> None:
        """Set the boxes, as a learner would (``None`` leaves a box as it is)."""
        for version, value in zip(VERSIONS, (v7, v8)):
            if value is not None:
                self.boxes[version].value = value

    def metrics(self) -> pd.DataFrame:
        """The numbers in the table, for the thresholds in the boxes."""
        return version_metrics(self.fraud, {v: round(b.value, 2) for v, b in self.boxes.items()})

    def _update(self, change=None) -> None:
        m = self.metrics()
        cell = "padding:3px 12px;border-bottom:1px solid #ddd;text-align:right"
        head = "".join(f'<th style="{cell}">{html.escape(v)}</th>' for v in VERSIONS)
        body = "".join(
            f'<tr><td style="{cell};text-align:left">{html.escape(name)}</td>'
            + "".join(f'<td style="{cell}">{_fmt(m.at[v, column], kind)}</td>' for v in VERSIONS) + "</tr>"
            for name, column, kind in _TABLE_ROWS)
        self.table.value = (f'<table style="border-collapse:collapse;margin:6px 0">'
                            f'<tr><th style="{cell};text-align:left"></th>{head}</tr>{body}</table>')
        v7, v8 = m.loc["fraud-v7"], m.loc["fraud-v8"]
        if v7["flagged_share"] > 0:
            ratio = v8["flagged_share"] / v7["flagged_share"]
            if 0.95 <= ratio <= 1.05:
                line = "fraud-v8 flags about the same share of orders as fraud-v7."
            else:
                line = f"fraud-v8 flags {ratio:.1f} times the share of orders that fraud-v7 flags."
        else:
            line = "fraud-v7 flags no order at this threshold."
        self.note.value = (f"<div style='color:#333;line-height:1.45'>{html.escape(line)} Precision and recall count only orders "
                           f"whose outcome is known: {v7['coverage']:.0%} of fraud-v7's orders and "
                           f"{v8['coverage']:.0%} of fraud-v8's, the older ones.</div>")
