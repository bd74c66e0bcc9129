"""Lesson 3 ("When the team needs an ML engineer"): the latency worked example, the chart and the
budget explorer, on the real prediction log."""
import json
import re

import ipywidgets as widgets
import pytest

from mlroles import data
from mlroles.lessons import l3_ml_engineer as l3
from mlroles.widgets import quiz
from course_helpers import REPO

LESSON = "03_ml_engineer_fit"
PREFIX = "L3"


@pytest.fixture(scope="module")
def online():
    return l3.online_requests()


def test_online_requests_are_the_fraud_checks_only(online):
    log = data.load_prediction_log()
    assert len(online) == (log["serving_mode"] == "online").sum() == 9680
    assert set(online["model_version"]) == {"fraud-v7", "fraud-v8"}
    # the batch job's latency_ms (time since the job started) never enters the statistics
    assert online["latency_ms"].max() < 5000
    assert list(online.columns) == ["request_id", "requested_at", "model_version", "latency_ms"]


def test_the_tail_is_far_from_the_mean(online):
    latency = online["latency_ms"]
    assert latency.mean() == pytest.approx(75.4, abs=0.05)
    assert latency.quantile(0.50) == pytest.approx(51.9, abs=0.05)
    assert latency.quantile(0.95) == pytest.approx(220.6, abs=0.05)
    assert latency.quantile(0.99) == pytest.approx(513.2, abs=0.05)
    assert latency.max() == pytest.approx(2997.4)
    # the numbers the lesson's prose quotes
    assert (latency > latency.mean()).mean() == pytest.approx(0.12, abs=0.005)
    assert (latency > 1000).sum() == 19
    assert latency.between(100, 700).mean() == pytest.approx(0.09, abs=0.005)


def test_misses_per_day_covers_every_day_and_counts_right(online):
    per_day = l3.misses_per_day(online, 200)
    assert len(per_day) == 91
    assert per_day["requests"].sum() == 9680
    assert per_day["over budget"].sum() == (online["latency_ms"] > 200).sum() == 527
    assert per_day["over budget"].min() == 1 and per_day["over budget"].max() == 16
    assert per_day["share"].between(0, 1).all()
    # a budget above every request leaves no miss on any day, and every day still appears
    none = l3.misses_per_day(online, 10_000)
    assert len(none) == 91 and none["over budget"].sum() == 0


def test_misses_per_day_works_on_the_log_rows_as_loaded():
    log = data.load_prediction_log()
    rows = log[log["serving_mode"] == "online"]
    assert l3.misses_per_day(rows, 200)["over budget"].sum() == 527


def test_budget_report_numbers(online):
    report = l3.budget_report(online, 200)
    assert report["over"] == 527 and report["requests"] == 9680 and report["days"] == 91
    assert report["share"] == pytest.approx(527 / 9680)
    assert report["per_day"] == pytest.approx(527 / 91)
    assert report["worst_day"] == 16
    assert report["projected_per_day"] == pytest.approx(527 / 91)
    scaled = l3.budget_report(online, 200, daily_volume=1_000_000)
    assert scaled["projected_per_day"] == pytest.approx(527 / 9680 * 1_000_000)
    # a looser budget never has more misses
    counts = [l3.budget_report(online, b)["over"] for b in (100, 200, 300, 500, 1000)]
    assert counts == sorted(counts, reverse=True) and counts[-1] == 19


def test_chart_shows_the_distribution_with_the_tail_marked(online):
    from matplotlib.figure import Figure

    chart = l3.latency_chart(online, budget_ms=200)
    fig = chart.figure
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    bars = ax.containers[0]  # the histogram: every online request counted once
    assert len(bars) == 59 and sum(bar.get_height() for bar in bars) == len(online)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["mean = 75 ms", "p50 = 52 ms", "p95 = 221 ms", "p99 = 513 ms"]
    p99 = next(line for line in ax.get_lines() if line.get_label().startswith("p99"))
    assert p99.get_xdata()[0] == pytest.approx(online["latency_ms"].quantile(0.99))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "slower than the 200 ms budget" in legend
    # the alt text gives the numbers the lines and the shading show
    assert chart.alt == (
        "Histogram, with both axes on a log scale, of the latency of 9,680 online fraud checks, from 13 ms to "
        "2,997 ms, with lines at the mean (75 ms), p50 (52 ms), p95 (221 ms) and p99 (513 ms); the 527 requests "
        "(5.4%) slower than the 200 ms budget fall in the shaded area on the right.")
    no_budget = l3.latency_chart(online, budget_ms=None)
    assert not any("budget" in t.get_text() for t in no_budget.figure.axes[0].get_legend().get_texts())
    assert "budget" not in no_budget.alt and no_budget.alt.endswith("p99 (513 ms).")


def test_explorer_reports_the_default_budget(online):
    explorer = l3.LatencyBudgetExplorer(online)
    # a described number box, not a slider: its description is the label a screen reader reads
    assert isinstance(explorer.budget, widgets.BoundedIntText) and explorer.budget.description == "Budget (ms)"
    assert (explorer.budget.min, explorer.budget.max, explorer.budget.step) == (50, 1000, 10)
    assert explorer.budget.value == 200 and explorer.volume.value == 0
    assert explorer.result["over"] == 527
    html = explorer.report.value
    assert "<b>527</b> of 9,680" in html and "5.4%" in html and "5.8 a day" in html and "16 on the worst day" in html
    assert "checkouts a day" not in html  # no projection while the volume is the log's own


def test_explorer_follows_the_budget_and_the_volume(online):
    explorer = l3.budget_explorer(online)
    explorer.budget.value = 500
    assert explorer.result["over"] == (online["latency_ms"] > 500).sum() == 109
    assert "Budget 500 ms" in explorer.report.value and "1.2 a day" in explorer.report.value
    explorer.volume.value = 1_000_000
    assert "1,000,000 checkouts a day" in explorer.report.value
    assert f"{109 / 9680 * 1_000_000:,.0f} slow checkouts a day" in explorer.report.value
    explorer.budget.value = 1000
    assert explorer.result["over"] == 19 and "Fewer than 1 in 100" in explorer.report.value
    explorer.budget.value = 50
    assert "About 1 in" in explorer.report.value
    explorer.budget.value = 5000   # out of range: the box keeps it at its maximum
    assert explorer.result["budget_ms"] == 1000 and "Budget 1,000 ms" in explorer.report.value


def test_explorer_with_no_miss_says_so(online):
    fast = online[online["latency_ms"] < 300]
    explorer = l3.LatencyBudgetExplorer(fast, budget_ms=400)
    assert explorer.result["over"] == 0 and "No request in the log took longer" in explorer.report.value



def test_quiz_widget_gives_feedback_for_the_chosen_option():
    questions = quiz.lesson_questions(LESSON)
    first, last = questions[f"{PREFIX}-Q1"], questions[f"{PREFIX}-Q4"]
    widget = quiz.lesson_quiz(LESSON)
    widget.choose(first.quiz_id, next(o for o in first.options if o != first.answer))
    widget.choose(last.quiz_id, last.answer)
    widget.check_button.click()
    assert "not this one" in widget.feedback[first.quiz_id].value
    assert "right." in widget.feedback[last.quiz_id].value
    assert "not attempted" in widget.feedback[f"{PREFIX}-Q2"].value


# -- the prose ---------------------------------------------------------------------------------------

def _markdown():
    nb = json.loads((REPO / "course" / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_prose_cites_the_transcripts_minute_and_leaves_the_page_audit_to_the_references_table():
    text = _markdown()
    prose = text.split("## References")[0]   # the references table's introduction explains the check
    assert not re.search(r"source page|page (cites|gives|says|places|puts)|the page's", prose)
    assert "(*Build Scalable, Reliable ML Systems (MLOps)*, Arseny Kravchenko, 21:07 [mlsys-2021])" in text
    assert "the *checked* column" in text


def test_scheduled_jobs_are_not_a_reason_to_call_in_ml_engineering():
    section = _markdown().split("## When to hand the work to ML engineering")[1].split("\n## ")[0]
    reasons = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(reasons) == 3 and not any("schedul" in line or "batch" in line for line in reasons)
    assert "01_two_roles_two_risks.ipynb" in section, "the batch-jobs remark lives in lesson 1"
