"""Lesson 4, "The production handoff": the prediction-log helpers, the chart, the threshold
explorer driven as a learner would, and the self-check's right and wrong answers."""
import math

import pandas as pd
import pytest

from mlroles import data, quiz
from mlroles.feedback import CORRECT, INCORRECT
from mlroles.lessons import l4_handoff as l4


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

    fig = l4.handoff_chart(log)
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


def test_explorer_driven_from_python(log):
    explorer = l4.ThresholdExplorer(log)
    assert "3.4 times" in explorer.note.value
    assert "0.774" in explorer.table.value and "0.326" in explorer.table.value
    explorer.set_thresholds(v8=0.81)
    assert explorer.sliders["fraud-v8"].value == pytest.approx(0.81)
    m = explorer.metrics()
    assert m.at["fraud-v8", "threshold"] == pytest.approx(0.81)
    assert m.at["fraud-v8", "precision"] == pytest.approx(0.813, abs=5e-4)
    assert "0.813" in explorer.table.value
    assert "about the same share" in explorer.note.value
    explorer.reset_button.click()
    assert explorer.sliders["fraud-v8"].value == pytest.approx(0.7)
    assert "0.326" in explorer.table.value


def test_explorer_shows_a_dash_when_no_order_is_flagged(log):
    explorer = l4.ThresholdExplorer(log, v7=0.95)
    assert "–" in explorer.table.value
    assert "fraud-v7 flags no order" in explorer.note.value


QUESTIONS = quiz.lesson_questions("04_production_handoff")


@pytest.mark.parametrize("quiz_id,right", [("L4-Q1", "b"), ("L4-Q2", "b"), ("L4-Q3", "b"), ("L4-Q4", "c")])
def test_quiz_right_and_wrong_answers(quiz_id, right):
    q = QUESTIONS[quiz_id]
    assert q.answer == right
    assert q.check(right).status == CORRECT
    for option in q.options:
        if option != right:
            result = q.check(option)
            assert result.status == INCORRECT and q.options[option]["feedback"] in result.headline


def test_quiz_sources_are_cited_by_the_lesson():
    cited = {"platform-5415", "platform-5422", "platform-3151", "se4ml-3734", "se4ml-3905", "se4ml-5655"}
    used = {s for q in QUESTIONS.values() for s in q.sources}
    assert used and used <= cited
