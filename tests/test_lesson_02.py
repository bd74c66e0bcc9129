"""Lesson 2, "When the team needs a data scientist": worked example, charts, widgets and self-check,
on the real datasets."""
import json
import re

import ipywidgets as widgets
import matplotlib
import pytest
from matplotlib.figure import Figure

from mlroles import data
from mlroles.checks.base import CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED
from mlroles.exercises import ex1
from mlroles.lessons import l2_data_scientist as l2
from mlroles.lessons.charts import Chart
from mlroles.widgets import quiz
from course_helpers import REPO

LESSON = "02_data_scientist_fit"
PREFIX = "L2"


@pytest.fixture(scope="module")
def log():
    return data.load_prediction_log()


@pytest.fixture(scope="module")
def churn(log):
    return l2.churn_predictions(log)


# -- the worked example ------------------------------------------------------------------------

def test_churn_rows_get_their_run_and_outcome_status(log, churn):
    assert len(churn) == (log["use_case"] == "churn_weekly").sum() == 3280
    assert set(churn["use_case"]) == {"churn_weekly"} and set(churn["model_version"]) == {"churn-v3"}
    assert churn["run"].nunique() == 13 and churn["run"].min() == "2026-03-02"
    assert churn["outcome"].value_counts().to_dict() == {"outcome known": 2234, "not due yet": 1002,
                                                         "never arrived": 44}
    # "not due yet" is exactly the May runs; "never arrived" only happens in runs whose 30 days are over
    assert set(churn.loc[churn["outcome"] == "not due yet", "run"]) == {"2026-05-04", "2026-05-11",
                                                                        "2026-05-18", "2026-05-25"}
    assert churn.loc[churn["outcome"] == "never arrived", "run"].max() <= "2026-04-27"
    assert (churn["label"].notna() == (churn["outcome"] == "outcome known")).all()
    # loading it here or passing the log gives the same rows
    assert l2.churn_predictions().equals(churn)


def test_coverage_by_run_splits_every_run(churn):
    table = l2.coverage_by_run(churn)
    assert list(table.columns) == ["predictions", "outcome known", "not due yet", "never arrived", "share known"]
    assert table["predictions"].sum() == 3280
    assert (table[["outcome known", "not due yet", "never arrived"]].sum(axis=1) == table["predictions"]).all()
    assert table.loc["2026-03-02"].tolist()[:4] == [255, 247, 0, 8]
    assert table.loc["2026-05-25", "share known"] == 0.0
    assert table.loc[:"2026-04-27", "share known"].between(0.97, 0.99).all()


def test_confusion_at_the_models_threshold_matches_its_own_predictions(churn):
    known = l2.known_outcomes(churn)
    counts = l2.confusion(known)
    assert counts == {"rows": 2234, "flagged": 370, "caught": 259, "false_alarms": 111, "missed": 76,
                      "leavers": 335, "precision": 0.7, "recall": 0.773}
    assert counts["flagged"] == (known["prediction"] == 1).sum(), "score >= 0.5 is the log's prediction"
    # unlabelled rows are ignored even when passed in
    assert l2.confusion(churn) == counts


def test_confusion_moves_the_right_way_with_the_threshold(churn):
    known = l2.known_outcomes(churn)
    low, high = l2.confusion(known, 0.35), l2.confusion(known, 0.65)
    assert (low["flagged"], low["caught"], low["precision"], low["recall"]) == (612, 302, 0.493, 0.901)
    assert (high["flagged"], high["caught"], high["precision"], high["recall"]) == (220, 185, 0.841, 0.552)
    assert l2.confusion(known, 0.95)["precision"] is None, "nothing flagged: no precision to report"
    # a float box stepped by 0.05 can give 0.30000000000000004; the threshold is read to two places
    assert l2.confusion(known, 0.1 + 0.2) == l2.confusion(known, 0.3)


def test_evidence_table_shows_the_cost_of_counting_missing_outcomes_as_stays(churn):
    table = l2.evidence_table(churn)
    honest, naive = table["outcomes known only"], table["missing counted as 'stayed'"]
    assert honest["runs used"] == "2 Mar to 27 Apr" and naive["runs used"] == "2 Mar to 25 May"
    assert (honest["predictions used"], naive["predictions used"]) == (2234, 3280)
    assert (honest["flagged (score ≥ 0.5)"], naive["flagged (score ≥ 0.5)"]) == (370, 500)
    assert (honest["precision"], naive["precision"]) == ("0.70", "0.52")
    assert honest["recall"] == naive["recall"] == "0.77"


# -- charts --------------------------------------------------------------------------------------

def test_coverage_chart_stacks_the_three_statuses_per_run(churn):
    chart = l2.coverage_chart(churn)
    fig = chart.figure
    assert isinstance(chart, Chart) and isinstance(fig, Figure)
    assert not matplotlib.pyplot.fignum_exists(fig.number), "closed, so a notebook shows it once"
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == list(l2.STATUSES)
    table = l2.coverage_by_run(churn)
    for container, status in zip(ax.containers, l2.STATUSES):
        assert [bar.get_height() for bar in container] == table[status].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["02 Mar", "09 Mar"]
    # the dashed line sits between the last run with outcomes (27 Apr, bar 8) and the first without
    assert ax.lines[0].get_xdata()[0] == 8.5
    # the alt text says what the bars say, with the same numbers
    assert chart.alt == (
        "Stacked bar chart of 3,280 churn predictions in 13 weekly runs from 2 Mar to 25 May: the 9 runs up to "
        "27 Apr have 2,234 predictions with a known outcome and 44 whose outcome never arrived, while the 1,002 "
        "predictions of the 4 runs from 4 May on are not due yet at the 1 Jun extract.")
    assert f'alt="{chart.alt}"' in chart._repr_html_()


def test_score_chart_shows_each_group_as_a_share_with_the_threshold(churn):
    chart = l2.score_chart(churn)
    fig = chart.figure
    assert isinstance(fig, Figure) and not matplotlib.pyplot.fignum_exists(fig.number)
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert len(ax.containers) == 2 and labels == ["stayed within 30 days (1,899 predictions)", "left within 30 days (335 predictions)"]
    for container in ax.containers:
        assert sum(bar.get_height() for bar in container) == pytest.approx(100)
    assert ax.lines[0].get_xdata()[0] == 0.5
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "77% of leavers, 6% of stayers" in texts
    assert "2,234 predictions whose outcome is known, 1,899 customers who stayed and 335 who left" in chart.alt
    assert "threshold of 0.50" in chart.alt and "77% of the leavers and 6% of the stayers" in chart.alt
    assert "threshold of 0.65" in l2.score_chart(churn, 0.65).alt


# -- the threshold widget --------------------------------------------------------------------------

def test_threshold_explorer_starts_at_today_and_updates_on_the_box(churn):
    explorer = l2.threshold_explorer(churn)
    # a described number box, not a slider: its description is the label a screen reader reads
    assert isinstance(explorer.box, widgets.BoundedFloatText) and explorer.box.description == "Threshold"
    assert (explorer.box.min, explorer.box.max, explorer.box.step) == (0.2, 0.85, 0.05)
    assert explorer.box.value == 0.5 and explorer.metrics["precision"] == 0.7
    assert "at 0.50 (today)" in explorer.readout.value and "over 9 runs with outcomes" in explorer.readout.value
    explorer.box.value = 0.35
    assert explorer.threshold == 0.35
    assert explorer.metrics["flagged"] == 612 and explorer.metrics["recall"] == 0.901
    html = explorer.readout.value
    assert "at 0.35" in html and "<b>68</b>" in html and "<b>0.49</b>" in html and "<b>0.90</b>" in html
    assert ">41<" in html and ">0.70<" in html, "today's column stays for comparison"
    explorer.box.value = 0.65
    assert explorer.metrics["caught"] == 185 and "<b>24</b>" in explorer.readout.value
    explorer.box.value = 0.95   # out of range: the box keeps it at its maximum
    assert explorer.threshold == 0.85 and "at 0.85" in explorer.readout.value


def test_threshold_explorer_loads_the_log_when_given_nothing():
    explorer = l2.threshold_explorer()
    assert explorer.runs == 9 and len(explorer.rows) == 2234


# -- the practice board ------------------------------------------------------------------------------

def test_board_uses_fresh_clear_cut_practice_items():
    items = data.load_responsibilities().set_index("responsibility_id")
    ids = list(l2.practice.items)
    rows = items.loc[ids]
    assert len(ids) == 6 and (rows["pool"] == "practice").all() and not rows["borderline"].any()
    assert not set(ids) & set(ex1.practice_items()["responsibility_id"]), "exercise 1 stays fresh"
    assert not set(ids) & set(ex1.EXPLAIN)
    expected = {i: "data_scientist" if o == "data_scientist" else "someone_else" for i, o in rows["owner"].items()}
    assert l2.practice.key == expected
    assert sorted(expected.values()) == ["data_scientist"] * 3 + ["someone_else"] * 3


def test_board_right_wrong_and_misspelt_answers():
    key = dict(l2.practice.key)
    assert l2.practice.check(key).status == CORRECT
    # R39 (the cluster written as code) is the ML engineer's: calling it data science is explained
    result = l2.practice.check(dict(key, R39="data_scientist"))
    assert result.status == INCORRECT and result.wrong == ["R39"] and result.correct == 5
    assert result.lines[0].startswith("R39 (Write Terraform") and "This is ML engineer work." in result.lines[0]
    assert "Read: Building Production ML Platforms (S14E8, Simon Stiebellehner), 9:55." in result.lines[0]
    assert "source page" not in result.lines[0]
    # R32 (comparing cutoffs) is evidence work: the reason comes from the dataset
    result = l2.practice.check(dict(key, R32="someone_else"))
    assert result.wrong == ["R32"] and "statistical judgment" in result.lines[0]
    assert l2.practice.check({"R32": "data_scientist"}).status == INCOMPLETE
    assert l2.practice.check({"R32": "data scienist"}).status == INVALID
    assert "did you mean 'data_scientist'" in str(l2.practice.check({"R32": "data scienist"}))
    assert l2.practice.check(None).status == NOT_ATTEMPTED
    assert l2.practice.hint(1).startswith("Hint 1 of 2")


def test_board_is_driven_like_a_learner_clicks():
    board = l2.practice_board()
    assert board.question is l2.practice and board.store is None, "the lesson's board writes no files"
    for item, label in l2.practice.key.items():
        board.choose(item, label)
    board.choose("R47", "someone_else")
    board.check_button.click()
    assert "1 to rethink" in board.feedback.value and "R47" in board.feedback.value
    assert "✗" in board.marks["R47"].value and "✓" in board.marks["R50"].value
    board.choose("R47", "data_scientist")
    board.check_button.click()
    assert "all 6 correct" in board.feedback.value


# -- the self-check ----------------------------------------------------------------------------------


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

def test_the_prose_cites_the_transcripts_minute_and_leaves_the_page_audit_to_the_references_table():
    nb = json.loads((REPO / "course" / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    prose = text.split("## References")[0]   # the references table's introduction explains the check
    assert not re.search(r"source page|page (cites|gives|says|places|puts)|the page's", prose)
    assert "(*Big Data Engineer vs Data Scientist*, S4E3, Roksolana Diachuk, 14:20 [bigdata-1356])" in text
    assert "the *checked* column" in text
