"""Lesson 2, "When the team needs a data scientist": the worked example, the charts and the widgets.

What a learner gets here:

- ``churn_predictions()``: the weekly churn model's rows of ``datasets/prediction_log.csv``, with the
  run date and whether each outcome has arrived, is not due yet, or never arrived.
- ``coverage_by_run()`` and ``coverage_chart()``: how many predictions of each weekly run have a known
  outcome at the time of the extract (a ``Chart``: the figure and its alt text).
- ``confusion()`` and ``evidence_table()``: precision and recall of the churn list, measured honestly
  (outcomes known only) and measured wrongly (missing outcomes counted as "stayed").
- ``score_chart()`` and ``threshold_explorer()``: what changing the 0.5 threshold does to the list.
- ``practice`` and ``practice_board()``: six practice responsibilities to sort into "the data
  scientist's work" and "someone else's work", with a reason for every item.

The functions over the log take the log (or its churn rows) a notebook has already loaded with
``mlroles.data.load_prediction_log()``, or load it themselves when given nothing.
"""
from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets
import pandas as pd

from mlroles import data
from mlroles.checks.base import LabelQuestion, built_when_asked
from mlroles.data import OWNER_LABELS, LabelSet
from mlroles.lessons.charts import Chart
from mlroles.sources import cite

EXTRACT_AT = pd.Timestamp("2026-06-01T00:00:00Z")   # the log only knows outcomes that arrived by then
OUTCOME_WINDOW = pd.Timedelta(days=30)                # churn = no longer a customer 30 days after the run
THRESHOLD = 0.5                                       # the churn model flags score >= 0.5
STATUSES = ("outcome known", "not due yet", "never arrived")
COLORS = {"outcome known": "#1f77b4", "not due yet": "#c7c7c7", "never arrived": "#ff7f0e",
          "stayed": "#1f77b4", "left": "#d62728"}


# --- the worked example ------------------------------------------------------------------------

def _prepare(churn: pd.DataFrame) -> pd.DataFrame:
    """Add ``run`` and ``outcome`` to churn rows of the log (rows of other use cases are dropped)."""
    churn = churn[churn["use_case"] == "churn_weekly"].copy()
    churn["run"] = churn["requested_at"].dt.strftime("%Y-%m-%d")
    due = churn["requested_at"] + OUTCOME_WINDOW
    churn["outcome"] = "outcome known"
    churn.loc[churn["label"].isna() & (due > EXTRACT_AT), "outcome"] = "not due yet"
    churn.loc[churn["label"].isna() & (due <= EXTRACT_AT), "outcome"] = "never arrived"
    return churn.reset_index(drop=True)


@lru_cache(maxsize=None)
def _churn() -> pd.DataFrame:
    return _prepare(data.load_prediction_log())


def churn_predictions(log: pd.DataFrame | None = None) -> pd.DataFrame:
    """The churn model's predictions (one row per customer and weekly run).

    Pass the prediction log (or its churn rows) you already loaded, or nothing to load it here.
    Adds two columns to the log's own: ``run`` (the run's date, like ``2026-03-02``) and
    ``outcome``: "outcome known", "not due yet" (the 30 days after the run end after the extract)
    or "never arrived" (the 30 days are over, but no outcome was recorded).
    """
    return _churn().copy() if log is None else _prepare(log)


def known_outcomes(churn: pd.DataFrame | None = None) -> pd.DataFrame:
    """Only the predictions whose outcome has arrived: the rows that can serve as evidence."""
    churn = churn_predictions(churn)
    return churn[churn["label"].notna()]


def coverage_by_run(churn: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per weekly run: predictions, and how many have an outcome, are not due yet, or never got one."""
    churn = churn_predictions(churn)
    table = pd.crosstab(churn["run"], churn["outcome"]).reindex(columns=list(STATUSES), fill_value=0)
    table.insert(0, "predictions", table.sum(axis=1))
    table["share known"] = (table["outcome known"] / table["predictions"]).round(2)
    table.columns.name = None
    return table


def confusion(rows: pd.DataFrame, threshold: float = THRESHOLD) -> dict:
    """Counts and rates of a churn list at ``threshold``, over rows whose outcome is known.

    Returns ``flagged``, ``caught`` (flagged and left), ``false_alarms`` (flagged, stayed),
    ``missed`` (left, not flagged), ``leavers``, ``precision`` and ``recall`` (rounded to 3 places;
    ``None`` when nothing is flagged or nobody left).
    """
    rows = rows[rows["label"].notna()]
    threshold = round(float(threshold), 2)
    flagged = rows["score"] >= threshold
    left = rows["label"] == 1
    caught = int((flagged & left).sum())
    n_flagged, n_left = int(flagged.sum()), int(left.sum())
    return {
        "rows": len(rows), "flagged": n_flagged, "caught": caught, "false_alarms": n_flagged - caught,
        "missed": n_left - caught, "leavers": n_left,
        "precision": round(caught / n_flagged, 3) if n_flagged else None,
        "recall": round(caught / n_left, 3) if n_left else None,
    }


def _rate(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _day(run) -> str:
    run = pd.Timestamp(run)
    return f"{run.day} {run:%b}"


def _runs(rows: pd.DataFrame) -> str:
    return f"{_day(rows['run'].min())} to {_day(rows['run'].max())}"


def evidence_table(churn: pd.DataFrame | None = None) -> pd.DataFrame:
    """The same churn list measured two ways, side by side.

    Left column: only predictions whose outcome is known (the honest way). Right column: every
    prediction, with a missing outcome counted as "stayed" (the mistake this lesson warns about).
    """
    churn = churn_predictions(churn)
    known = known_outcomes(churn)
    filled = churn.assign(label=churn["label"].fillna(0))
    columns = {}
    for name, rows in (("outcomes known only", known), ("missing counted as 'stayed'", filled)):
        counts = confusion(rows)
        columns[name] = {
            "runs used": _runs(rows),
            "predictions used": counts["rows"],
            "flagged (score ≥ 0.5)": counts["flagged"],
            "flagged and left": counts["caught"],
            "left within 30 days": counts["leavers"],
            "precision": _rate(counts["precision"]),
            "recall": _rate(counts["recall"]),
        }
    table = pd.DataFrame(columns, dtype=object)
    table.index.name = "measure"
    return table


# --- charts --------------------------------------------------------------------------------------

def _coverage_alt(table: pd.DataFrame) -> str:
    with_known = table[table["outcome known"] > 0]
    later = table[table["outcome known"] == 0]
    alt = (f"Stacked bar chart of {table['predictions'].sum():,} churn predictions in {len(table)} weekly runs "
           f"from {_day(table.index[0])} to {_day(table.index[-1])}: the {len(with_known)} runs up to "
           f"{_day(with_known.index[-1])} have {with_known['outcome known'].sum():,} predictions with a known "
           f"outcome and {with_known['never arrived'].sum():,} whose outcome never arrived")
    if len(later):
        alt += (f", while the {later['predictions'].sum():,} predictions of the {len(later)} runs from "
                f"{_day(later.index[0])} on are not due yet at the {_day(EXTRACT_AT)} extract")
    return alt + "."


def coverage_chart(churn: pd.DataFrame | None = None) -> Chart:
    """Stacked bars per weekly run: predictions with a known outcome, not due yet, never arrived.

    Returns a ``Chart``: ``.figure`` is the matplotlib Figure, ``.alt`` the sentence a screen reader reads.
    """
    import matplotlib.pyplot as plt

    table = coverage_by_run(churn)
    labels = [f"{pd.Timestamp(run):%d %b}" for run in table.index]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    bottom = pd.Series(0, index=table.index)
    for status in STATUSES:
        ax.bar(labels, table[status], bottom=bottom, color=COLORS[status], label=status, width=0.7)
        bottom = bottom + table[status]
    last_known = int((table["outcome known"] > 0).to_numpy().nonzero()[0].max())
    ax.axvline(last_known + 0.5, color="#333", linestyle="--", linewidth=1)
    ax.text(last_known + 0.6, table["predictions"].max() * 1.02,
            "outcomes due after the 1 Jun extract", fontsize=9, va="bottom")
    ax.set_ylim(0, table["predictions"].max() * 1.25)
    ax.set_xlabel("weekly run (Monday)")
    ax.set_ylabel("churn predictions")
    ax.set_title("Which churn predictions can be checked yet?")
    ax.legend(loc="upper left", ncol=3, fontsize=9, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15)
    plt.close(fig)
    return Chart(fig, _coverage_alt(table))


def score_chart(churn: pd.DataFrame | None = None, threshold: float = THRESHOLD) -> Chart:
    """Where the scores of stayers and of leavers fall, each group as 100%, with the threshold line.

    Each group's bars add up to 100% of that group, so the share of a group to the right of the line
    is read straight off the chart: for leavers it is the recall, for stayers the false-alarm rate.
    Returns a ``Chart`` (``.figure``, ``.alt``).
    """
    import matplotlib.pyplot as plt

    known = known_outcomes(churn)
    bins = [i / 20 for i in range(21)]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    flagged_share, sizes = {}, {}
    for label, name in ((0, "stayed"), (1, "left")):
        scores = known.loc[known["label"] == label, "score"]
        sizes[name] = len(scores)
        ax.hist(scores, bins=bins, weights=[100 / len(scores)] * len(scores), color=COLORS[name], alpha=0.6,
                label=f"{name} within 30 days ({len(scores):,} predictions)")
        flagged_share[name] = 100 * (scores >= threshold).mean()
    ax.axvline(threshold, color="#333", linestyle="--", linewidth=1)
    top = ax.get_ylim()[1] * 1.45
    ax.set_ylim(0, top)
    ax.text(threshold - 0.01, top * 0.92, f"flagged at threshold {threshold:.2f} (right of the line):",
            fontsize=9, ha="right")
    ax.text(threshold - 0.01, top * 0.84, f"{flagged_share['left']:.0f}% of leavers, "
            f"{flagged_share['stayed']:.0f}% of stayers", fontsize=9, ha="right")
    ax.set_xlim(0, 1)
    ax.set_xlabel("churn score")
    ax.set_ylabel("share of the group (%)")
    ax.set_title("Churn scores of predictions whose outcome is known")
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15)
    plt.close(fig)
    alt = (f"Histogram of the churn scores of the {len(known):,} predictions whose outcome is known, "
           f"{sizes['stayed']:,} customers who stayed and {sizes['left']:,} who left within 30 days, each group "
           f"scaled to 100%: at or above the threshold of {threshold:.2f}, marked by a dashed line, lie "
           f"{flagged_share['left']:.0f}% of the leavers and {flagged_share['stayed']:.0f}% of the stayers.")
    return Chart(fig, alt)


# --- the threshold widget ---------------------------------------------------------------------------

class ThresholdExplorer(widgets.VBox):
    """A number box for the churn threshold and a table that compares it with today's 0.5.

    A box, not a slider: ipywidgets gives a slider's handle no accessible name, while the box's
    description is its label. Type a value or step by 0.05 with the arrow keys.
    Drive it from Python: ``explorer.box.value = 0.35`` updates ``explorer.readout.value``
    (HTML) and ``explorer.metrics`` (the numbers at the chosen threshold).
    """

    def __init__(self, rows: pd.DataFrame, runs: int):
        self.rows = rows[rows["label"].notna()]
        self.runs = runs
        self.baseline = confusion(self.rows, THRESHOLD)
        self.box = widgets.BoundedFloatText(
            value=THRESHOLD, min=0.2, max=0.85, step=0.05, description="Threshold",
            style={"description_width": "initial"}, layout=widgets.Layout(width="14em"))
        self.readout = widgets.HTML()
        self.metrics: dict = {}
        self.box.observe(self._update, names="value")
        intro = widgets.HTML("<b>Set the threshold</b> between 0.20 and 0.85: type it, or step by 0.05 with the "
                             "arrow keys. A customer is flagged when the score is at or above it. "
                             "Numbers use the predictions whose outcome is known.")
        super().__init__([intro, self.box, self.readout], layout=widgets.Layout(max_width="46em"))
        self._update()

    @property
    def threshold(self) -> float:
        return round(float(self.box.value), 2)

    def _update(self, change=None) -> None:
        self.metrics = confusion(self.rows, self.threshold)
        now, base = self.metrics, self.baseline
        lines = [
            ("flagged per weekly run (average)", f"{base['flagged'] / self.runs:.0f}", f"{now['flagged'] / self.runs:.0f}"),
            ("leavers caught", f"{base['caught']:,}", f"{now['caught']:,}"),
            ("false alarms (flagged, stayed)", f"{base['false_alarms']:,}", f"{now['false_alarms']:,}"),
            ("leavers missed", f"{base['missed']:,}", f"{now['missed']:,}"),
            ("precision: flagged who left", _rate(base["precision"]), _rate(now["precision"])),
            ("recall: leavers who were flagged", _rate(base["recall"]), _rate(now["recall"])),
        ]
        cell = 'style="padding:2px 10px;text-align:right"'
        body = "".join(f"<tr><td style='padding:2px 10px'>{html.escape(name)}</td><td {cell}>{a}</td>"
                       f"<td {cell}><b>{b}</b></td></tr>" for name, a, b in lines)
        head = (f"<tr><th style='text-align:left;padding:2px 10px'>over {self.runs} runs with outcomes</th>"
                f"<th {cell}>at {THRESHOLD:.2f} (today)</th><th {cell}>at {self.threshold:.2f}</th></tr>")
        self.readout.value = f"<table style='border-collapse:collapse'>{head}{body}</table>"


def threshold_explorer(churn: pd.DataFrame | None = None) -> ThresholdExplorer:
    """The threshold widget over the churn predictions whose outcome is known."""
    known = known_outcomes(churn)
    return ThresholdExplorer(known, runs=known["run"].nunique())


# --- practice: the data scientist's work or someone else's? ----------------------------------------

DS_OR_OTHER = LabelSet(
    {"data_scientist": "data scientist", "someone_else": "someone else"},
    aliases={"ds": "data_scientist", "scientist": "data_scientist", "other": "someone_else",
             "ml engineer": "someone_else", "mle": "someone_else", "shared": "someone_else",
             "engineer": "someone_else"},
)
# Practice items only, clear-cut (not borderline), none of them on exercise 1's practice board nor on
# lesson 1's board: three owned by the data scientist, two by the ML engineer and one shared. No scheduled
# batch job: who runs one is the course's default (lesson 1), not a clear-cut case.
BOARD_IDS = ("R32", "R37", "R39", "R47", "R48", "R50")

HINTS = (
    "Ask what the work produces. An answer someone can act on (a number, a comparison, a verdict on a "
    "model) is evidence, and evidence is the data scientist's job.",
    "Work that keeps software running (infrastructure, incidents, integration) belongs to the ML engineer, and "
    "work that needs both judgments at once (product feedback that becomes a change to the system) is "
    "shared. Both count as 'someone else' here.",
)


def board_items() -> pd.DataFrame:
    """The board's rows from ``datasets/responsibilities.csv``: practice items that are not borderline.

    None of them is on exercise 1's practice board (tests/test_lesson_02.py checks it), so the
    exercise stays fresh.
    """
    items = data.load_responsibilities().set_index("responsibility_id").loc[list(BOARD_IDS)]
    if (items["pool"] != "practice").any() or items["borderline"].any():
        raise ValueError("the lesson 2 board must use clear-cut practice items")
    return items


def _why(row) -> str:
    if row["owner"] == "data_scientist":
        return row["rationale"]
    return f"This is {OWNER_LABELS.name(row['owner'])} work. {row['rationale']}"


def _question() -> LabelQuestion:
    items = board_items()
    return LabelQuestion(
        "Data scientist or someone else",
        items["responsibility"].to_dict(), DS_OR_OTHER,
        key={i: ("data_scientist" if o == "data_scientist" else "someone_else") for i, o in items["owner"].items()},
        why={i: _why(row) for i, row in items.iterrows()},
        read={i: cite(row["source_ids"][0]) for i, row in items.iterrows()},
        hints=HINTS,
    )


# ``practice``, built on first use
__getattr__ = _asked = built_when_asked(globals(), practice=_question)


def practice_board():
    """The practice board: one row per responsibility, two buttons, and a Check that explains every miss."""
    from mlroles.widgets.boards import ClassificationBoard

    return ClassificationBoard(_asked('practice'))
