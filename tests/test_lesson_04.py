"""Lesson 4, "The production handoff": the prediction-log helpers, the chart, the threshold
explorer driven as a learner would, and the self-check's right and wrong answers."""
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest

from mlroles import data
from mlroles.checks.base import CORRECT, INCORRECT
from mlroles.lessons import l4_handoff as l4
from mlroles.widgets import quiz


@pytest.fixture(scope="module")
def log():
    return data.load_prediction_log()


def test_schema_table_lists_every_column_with_an_example_from_each_model(log):
    table = l4.schema_table(log)
    assert list(table.index) == list(log.columns)
    assert table.at["use_case", "churn example"] == "churn_weekly"
    assert table.at["use_case", "fraud example"] == "fraud_checkout"
    assert table.at["serving_mode", "churn example"] == "batch"
    assert table.at["serving_mode", "fraud example"] == "online"
    # the examples carry a known outcome, so the label column shows a value, not "(empty)"
    assert table.at["label", "churn example"] in ("0", "1") and table.at["label", "fraud example"] in ("0", "1")
    assert set(table["to read it you need"]) == {"how the service ran", "what the model means", "both"}
    assert table.at["latency_ms", "to read it you need"] == "how the service ran"
    assert table.at["label", "to read it you need"] == "what the model means"


def test_version_metrics_at_the_shipped_threshold(log):
    m = l4.version_metrics(log)
    assert list(m.index) == ["fraud-v7", "fraud-v8"]
    assert m.loc["fraud-v7", ["orders", "labelled", "tp", "fp", "fn"]].tolist() == [4683, 4273, 127, 37, 76]
    assert m.loc["fraud-v8", ["orders", "labelled", "tp", "fp", "fn"]].tolist() == [4997, 2212, 88, 182, 6]
    assert m.at["fraud-v7", "precision"] == pytest.approx(0.774, abs=5e-4)
    assert m.at["fraud-v7", "recall"] == pytest.approx(0.626, abs=5e-4)
    assert m.at["fraud-v8", "precision"] == pytest.approx(0.326, abs=5e-4)
    assert m.at["fraud-v8", "recall"] == pytest.approx(0.936, abs=5e-4)
    assert m.at["fraud-v7", "flagged_share"] == pytest.approx(0.038, abs=5e-4)
    assert m.at["fraud-v8", "flagged_share"] == pytest.approx(0.128, abs=5e-4)
    assert m.at["fraud-v7", "coverage"] == pytest.approx(0.912, abs=5e-4)
    assert m.at["fraud-v8", "coverage"] == pytest.approx(0.443, abs=5e-4)


def test_version_metrics_agree_with_the_logged_prediction_column(log):
    """At 0.7 the flagged share must equal the share of prediction == 1 the service logged."""
    m = l4.version_metrics(log)
    logged = l4.fraud_rows(log).groupby("model_version")["prediction"].mean()
    for version in l4.VERSIONS:
        assert m.at[version, "flagged_share"] == pytest.approx(logged[version])


def test_a_matched_threshold_shows_v8_is_no_worse(log):
    m = l4.version_metrics(log, {"fraud-v8": 0.81})
    assert m.at["fraud-v7", "threshold"] == 0.7       # left out of the dict: keeps 0.7
    assert m.at["fraud-v8", "flagged_share"] == pytest.approx(m.at["fraud-v7", "flagged_share"], abs=0.005)
    assert m.at["fraud-v8", "precision"] >= m.at["fraud-v7", "precision"]
    assert m.at["fraud-v8", "recall"] >= m.at["fraud-v7", "recall"]


def test_precision_is_missing_not_zero_when_nothing_is_flagged(log):
    m = l4.version_metrics(log, 0.95)
    assert m.at["fraud-v7", "tp"] + m.at["fraud-v7", "fp"] == 0
    assert math.isnan(m.at["fraud-v7", "precision"])


def test_weekly_fraud_splits_the_switch_week_by_version(log):
    weekly = l4.weekly_fraud(log)
    assert weekly["orders"].sum() == 9680
    switch_week = weekly[weekly["week"] == pd.Timestamp("2026-04-13", tz="UTC")]
    assert sorted(switch_week["model_version"]) == ["fraud-v7", "fraud-v8"]
    v7, v8 = (switch_week.set_index("model_version").loc[v] for v in ("fraud-v7", "fraud-v8"))
    assert v7["at"] < l4.SWITCH < v8["at"]
    # too few labelled flagged orders: no precision point rather than a misleading one
    assert math.isnan(v7["precision"])
    v7_weeks = weekly[weekly["model_version"] == "fraud-v7"].dropna(subset=["precision"])
    v8_weeks = weekly[weekly["model_version"] == "fraud-v8"].dropna(subset=["precision"])
    assert v7_weeks["precision"].min() > v8_weeks["precision"].max()
    assert weekly.loc[weekly["model_version"] == "fraud-v8", "flagged_share"].min() > 0.1
    assert weekly.loc[weekly["model_version"] == "fraud-v7", "flagged_share"].max() < 0.05


def test_weekly_coverage_shows_late_labels(log):
    cover = l4.weekly_coverage(log)
    churn = cover[cover["use_case"] == "churn_weekly"].set_index("week")["coverage"]
    fraud = cover[cover["use_case"] == "fraud_checkout"].set_index("week")["coverage"]
    assert len(churn) == 13 and (churn.iloc[-4:] == 0).all() and (churn.iloc[:9] > 0.9).all()
    assert fraud.iloc[0] > 0.9 and fraud.iloc[-1] < 0.05
    assert fraud.is_monotonic_decreasing or fraud.iloc[6:].is_monotonic_decreasing
    assert set(cover["serving_mode"]) == {"batch", "online"}


def test_chart_has_both_panels_and_the_expected_series(log):
    from matplotlib.figure import Figure

    chart = l4.handoff_chart(log)
    fig = chart.figure
    assert isinstance(fig, Figure)
    top, bottom = fig.axes
    labels = {line.get_label(): line for line in top.get_lines()}
    for name in ("precision, fraud-v7", "precision, fraud-v8", "flagged share, fraud-v7", "flagged share, fraud-v8"):
        assert name in labels
    v8_flagged = labels["flagged share, fraud-v8"].get_ydata()
    assert min(v8_flagged) > 0.1
    v7_precision = [y for y in labels["precision, fraud-v7"].get_ydata() if not math.isnan(y)]
    assert len(v7_precision) == 6 and min(v7_precision) > 0.6
    bottom_labels = [line.get_label() for line in bottom.get_lines()]
    assert "churn_weekly (batch)" in bottom_labels and "fraud_checkout (online)" in bottom_labels
    # the version change is marked in both panels
    for ax in (top, bottom):
        marks = [pd.Timestamp(line.get_xdata()[0]) for line in ax.get_lines() if line.get_linestyle() == ":"]
        assert marks == [pd.Timestamp("2026-04-15T09:30")]
    # the alt text carries the numbers both panels show
    assert chart.alt == (
        "Two line charts over the weeks from 2 Mar to 25 May, with the switch from fraud-v7 to fraud-v8 on 15 Apr "
        "marked: at threshold 0.7 the fraud model flags 3.8% of orders under fraud-v7 and 12.8% under fraud-v8, "
        "while precision on labelled orders falls from 0.77 to 0.33; below, about 98% of each churn run has a "
        "known outcome up to the week of 27 Apr and none after it, and the fraud orders' share falls from 92% in "
        "the first week to 1% in the last.")


def test_explorer_driven_from_python(log):
    explorer = l4.ThresholdExplorer(log)
    # described number boxes, not sliders: each description is the label a screen reader reads
    assert [type(b) for b in explorer.boxes.values()] == [widgets.BoundedFloatText] * 2
    assert [b.description for b in explorer.boxes.values()] == ["fraud-v7 threshold", "fraud-v8 threshold"]
    assert "3.4 times" in explorer.note.value
    assert "0.774" in explorer.table.value and "0.326" in explorer.table.value
    explorer.set_thresholds(v8=0.81)
    assert explorer.boxes["fraud-v8"].value == pytest.approx(0.81)
    m = explorer.metrics()
    assert m.at["fraud-v8", "threshold"] == pytest.approx(0.81)
    assert m.at["fraud-v8", "precision"] == pytest.approx(0.813, abs=5e-4)
    assert "0.813" in explorer.table.value
    assert "about the same share" in explorer.note.value
    explorer.reset_button.click()
    assert explorer.boxes["fraud-v8"].value == pytest.approx(0.7)
    assert "0.326" in explorer.table.value
    explorer.boxes["fraud-v7"].value = 0.2   # below the range: the box keeps it at its minimum
    assert explorer.metrics().at["fraud-v7", "threshold"] == 0.5


def test_explorer_shows_a_dash_when_no_order_is_flagged(log):
    explorer = l4.ThresholdExplorer(log, v7=0.95)
    assert "–" in explorer.table.value
    assert "fraud-v7 flags no order" in explorer.note.value


QUESTIONS = quiz.lesson_questions("04_production_handoff")


@pytest.mark.parametrize("quiz_id,right", [("L4-Q1", "a"), ("L4-Q2", "d"), ("L4-Q3", "c"), ("L4-Q4", "a")])
def test_quiz_right_and_wrong_answers(quiz_id, right):
    q = QUESTIONS[quiz_id]
    assert q.answer == right
    assert q.check(right).status == CORRECT
    for option in q.options:
        if option != right:
            result = q.check(option)
            assert result.status == INCORRECT and q.options[option]["feedback"] in result.headline


def test_quiz_sources_are_cited_by_the_lesson():
    cited = set(re.findall(r"\[([a-z0-9]+-\d{4})\]", _lesson_markdown()))
    used = {s for q in QUESTIONS.values() for s in q.sources}
    assert used and used <= cited


# -- the diagram and the serving decision the lesson teaches --------------------------------

COURSE = Path(__file__).resolve().parents[1] / "course"
SVG = "{http://www.w3.org/2000/svg}"


def _lesson_markdown():
    nb = json.loads((COURSE / "04_production_handoff.ipynb").read_text("utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_path_diagram_is_shown_with_alt_text_and_names_an_owner_on_each_stretch():
    shown = re.findall(r"!\[([^\]]*)\]\((figures/[^)]+)\)", _lesson_markdown())
    assert [path for _, path in shown] == ["figures/04_notebook_to_product.svg"]
    alt = shown[0][0]
    assert len(alt.split()) > 40 and "ML engineer" in alt and "data scientist" in alt
    svg = ET.parse(COURSE / shown[0][1]).getroot()
    assert svg.find(f"{SVG}title").text and len(svg.find(f"{SVG}desc").text.split()) > 60
    text = " ".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))
    for stretch in ("Explore and frame", "Train and evaluate", "Register and trace", "Package and release",
                    "Serve online", "Score on a schedule", "Watch and retrain"):
        assert stretch in text
    assert text.count("Owner") == 7
    # the course decision on batch jobs: a scheduled scoring job is not the ML engineer's by default
    assert "Owner by default: data scientist, with a data engineer's help" in text
    sizes = [float(t.get("font-size")) for t in svg.iter(f"{SVG}text") if t.get("font-size")]
    assert min(sizes) >= 15, "text stays readable when the figure is scaled to the notebook's width"


def _lesson_serving_rule(row):
    """The three questions of the lesson's section "Batch or online: what does a late answer cost?"."""
    if row["inputs_at_request_time"]:
        return "online"
    if row["freshness"] == "seconds":
        return "online"
    if row["freshness"] == "minutes":
        return "online" if row["late_cost"] == "high" else "batch"
    return "batch"


def test_the_serving_questions_the_lesson_teaches_give_every_practice_answer():
    scenarios = data.load_serving_scenarios()
    practice = scenarios[scenarios["pool"] == "practice"]
    got = practice.apply(_lesson_serving_rule, axis=1)
    assert (got == practice["expected_mode"]).all(), practice.loc[got != practice["expected_mode"], "scenario_id"].tolist()
    # late_cost decides only where freshness is counted in minutes, and there it decides both ways
    minutes = practice[(practice["freshness"] == "minutes") & ~practice["inputs_at_request_time"]]
    assert set(minutes["expected_mode"]) == {"batch", "online"}
    text = _lesson_markdown()
    assert "`late_cost`" in text and "Only `high` is worth an endpoint" in text


def test_the_prose_cites_the_minute_only_and_leaves_the_page_check_to_the_references():
    body = _lesson_markdown().split("## References")[0]
    assert not re.search(r"source page|the page (says|cites|gives|puts)", body)
