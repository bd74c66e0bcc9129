"""Lesson 5, "Skills and interview signals": the work mix of the practice ads, its chart, the
real-role board and the self-check, on the real datasets."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from mlroles import data
from mlroles.checks.base import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED
from mlroles.data import ROLE_LABELS
from mlroles.lessons import l5_signals as l5
from mlroles.widgets import quiz

LESSON = "05_skills_and_interview_signals"


@pytest.fixture(scope="module")
def ads():
    return data.load_job_ads().set_index("ad_id")


@pytest.fixture(scope="module")
def shares():
    return l5.owner_shares()


# -- the work behind each ad ------------------------------------------------------------

def test_only_practice_ads_are_used(ads):
    practice = l5.practice_ads()
    assert (practice["pool"] == "practice").all()
    assert set(practice["ad_id"]) == set(ads.index[ads["pool"] == "practice"])
    assert practice["real_role"].notna().all()


def test_ad_work_has_one_row_per_listed_responsibility_and_hides_graded_owners(ads):
    work = l5.ad_work()
    practice = ads[ads["pool"] == "practice"]
    assert len(work) == practice["responsibility_ids"].map(len).sum()
    a32 = work[work["ad_id"] == "A32"].set_index("responsibility_id")["owner"].to_dict()
    assert a32 == {"R38": "ml_engineer", "R18": "not shown", "R16": "shared", "R29": "shared"}
    graded = set(data.load_responsibilities().query("pool == 'graded'")["responsibility_id"])
    assert (work.loc[work["responsibility_id"].isin(graded), "owner"] == "not shown").all()
    assert set(work["owner"]) <= set(l5.MIX_COLUMNS)


def test_owner_shares_add_up_and_match_hand_counts(shares):
    assert len(shares) == 20 and list(shares.index) == sorted(shares.index)
    mix = shares[list(l5.MIX_COLUMNS)]
    assert ((mix.sum(axis=1) - 1).abs() < 1e-9).all()
    assert shares.loc["A20", "ml_engineer"] == 1.0 and shares.loc["A20", "items"] == 3
    assert shares.loc["A16", "data_scientist"] == 0.75 and shares.loc["A16", "real role"] == "analyst"
    assert shares.loc["A27", "not shown"] == 1.0
    assert shares.loc["A29", "ml_engineer"] == 0.75 and shares.loc["A29", "title promises"] == "data_scientist"


def test_the_notebooks_inline_pandas_gives_the_same_mix(shares):
    """The worked example computes the mix by hand; the chart uses the module. They must agree."""
    ads = data.load_job_ads()
    resp = data.load_responsibilities()
    practice = ads[ads["pool"] == "practice"]
    work = (practice[["ad_id", "title", "responsibility_ids"]].explode("responsibility_ids")
            .rename(columns={"responsibility_ids": "responsibility_id"})
            .merge(resp[["responsibility_id", "owner"]], on="responsibility_id", how="left"))
    work["owner"] = work["owner"].fillna("not shown")
    mix = pd.crosstab(work["ad_id"], work["owner"], normalize="index").reindex(
        columns=list(l5.MIX_COLUMNS), fill_value=0)
    pd.testing.assert_frame_equal(mix, shares[list(l5.MIX_COLUMNS)], check_names=False)


@pytest.mark.parametrize("title, role", [
    ("Data Scientist", "data_scientist"), ("Senior Data Scientist", "data_scientist"),
    ("Applied Scientist", "data_scientist"), ("Data Science Lead", "data_scientist"),
    ("Machine Learning Engineer", "ml_engineer"), ("ML Engineer", "ml_engineer"), ("AI Engineer", "ml_engineer"),
    ("ML Platform Engineer", "ml_platform_engineer"), ("Office Manager", "unclear"),
])
def test_title_promise_reads_the_words_of_a_title(title, role):
    assert l5.title_promise(title) == role


def test_titles_that_promise_something_else_are_the_practice_title_mismatches(shares, ads):
    differs = shares[(shares["title promises"] != shares["real role"]) & (shares["real role"] != "unclear")]
    flagged = [a for a in shares.index if "title_mismatch" in ads.at[a, "red_flags"]]
    assert sorted(differs.index) == sorted(flagged)


# -- the chart ----------------------------------------------------------------------------

def test_chart_draws_one_stacked_bar_per_ad_and_owner_grouped_by_title(shares):
    chart = l5.owner_mix_chart(shares)
    fig = chart.figure
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert [ax.get_title(loc="left") for ax in axes] == [
        "Advertised as data science (11 ads)", "Advertised as ML engineering (8 ads)",
        "Advertised as ML platform (1 ad)"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["data scientist", "ML engineer", "shared", "not shown (graded item)"]
    bars = [p for ax in axes for p in ax.patches]
    assert len(bars) == 4 * len(shares)
    # each ad's four segments end at 100 %
    for ax in axes:
        ends = {}
        for bar in ax.patches:
            y = round(bar.get_y(), 3)
            ends[y] = max(ends.get(y, 0), bar.get_x() + bar.get_width())
        assert all(abs(end - 1) < 1e-9 for end in ends.values())
    labels = [t.get_text() for t in axes[1].get_yticklabels()]
    assert "A20  Machine Learning Engineer" in labels
    marks = [t.get_text() for ax in axes for t in ax.texts]
    assert "≠ product engineer" in marks and "= data scientist" in marks
    # the alt text counts what the panels and the ≠ marks show
    assert "the 20 practice job ads" in chart.alt
    assert "(11 advertised as data science, 8 as ML engineering and 1 as ML platform)" in chart.alt
    differs = sum(m.startswith("≠") for m in marks)
    assert f"for {differs} of the 20 ads the real role" in chart.alt and differs == 10


# -- the board ------------------------------------------------------------------------------

def test_board_ads_are_practice_ads_with_their_own_role_and_rationale(ads):
    question = l5.role_practice
    assert list(question.items) == list(l5.BOARD_ADS) and len(question.items) == 6
    rows = ads.loc[list(l5.BOARD_ADS)]
    assert (rows["pool"] == "practice").all()
    assert question.key == rows["real_role"].to_dict()
    assert question.labels is ROLE_LABELS
    assert all(question.why[a] == rows.at[a, "rationale"] for a in question.items)
    assert question.items["A13"].startswith("Data Scientist at Halcyra Insurance: Our claims triage model")
    assert rows["real_role"].nunique() == 5


def test_right_answers_pass_and_a_title_taken_at_face_value_is_explained():
    key = dict(l5.role_practice.key)
    assert l5.role_practice.check(key).status == CORRECT
    result = l5.role_practice.check(dict(key, A13="data_scientist"))   # trusting the title
    assert result.status == INCORRECT and result.wrong == ["A13"] and result.correct == 5
    line = result.lines[0]
    assert line.startswith("A13 (Data Scientist at Halcyra Insurance") and "not data scientist." in line
    assert "deployment and monitoring" in line and "Read: lesson “Skills and interview signals”, section “Don't trust the title”" in line
    assert "Data Science Jobs (S10E2, Tereza Iofciu), 19:52" in line


def test_blank_partial_and_misspelled_answers_are_not_marked_wrong():
    assert l5.role_practice.check({}).status == NOT_ATTEMPTED
    partial = l5.role_practice.check({"A08": "data_scientist"})
    assert partial.status == "incomplete" and partial.correct == 1 and len(partial.missing) == 5
    typo = l5.role_practice.check({"A15": "data enginer"})
    assert typo.status == INVALID and "did you mean 'data_engineer'?" in typo.lines[0]


def test_the_board_is_driven_like_a_learner_clicks_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    board = l5.role_board()
    assert board.question is l5.role_practice and board.store is None
    key = l5.role_practice.key
    for ad, role in key.items():
        board.choose(ad, role)
    board.choose("A21", "ml_engineer")   # an "AI Engineer" ad that is product work
    board.check_button.click()
    assert "5 of 6 correct, 1 to rethink" in board.feedback.value and "A21" in board.feedback.value
    assert "✗" in board.marks["A21"].value
    assert all("✓" in board.marks[a].value for a in key if a != "A21")
    board.choose("A21", "product_engineer")
    board.check_button.click()
    assert "all 6 correct" in board.feedback.value
    assert list(tmp_path.iterdir()) == [], "the lesson's board saves nothing"


def test_the_board_puts_each_ads_buttons_under_its_text():
    board = l5.role_board()
    rows = [c for c in board.children if any(ctrl in getattr(c, "children", ()) for ctrl in board.controls.values())]
    assert len(rows) == 6 and all(r.layout.flex_flow == "row wrap" for r in rows)
    assert all(c.style.button_width == "auto" for c in board.controls.values())
    assert "<b>A08</b> Applied Scientist at Lumenfold" in rows[0].children[1].value


def test_hints_get_stronger_and_the_solution_lists_every_ad():
    assert l5.role_practice.hint(1).startswith("Hint 1 of 3:")
    assert "platform" in l5.role_practice.hint(3) and "product engineering" in l5.role_practice.hint(3)
    solution = l5.role_practice.solution()
    assert list(solution.index) == list(l5.BOARD_ADS)
    assert solution.at["A18", "answer"] == "ML platform engineer"


# -- the self-check -------------------------------------------------------------------------

def test_quiz_answers_and_explains_every_option():
    questions = quiz.lesson_questions(LESSON)
    assert list(questions) == ["L5-Q1", "L5-Q2", "L5-Q3", "L5-Q4"]
    assert {q: questions[q].answer for q in questions} == {"L5-Q1": "a", "L5-Q2": "b", "L5-Q3": "c",
                                                           "L5-Q4": "a"}
    wrong = questions["L5-Q3"].check("a")
    assert wrong.status == INCORRECT and "cannot make it" in wrong.headline
    assert questions["L5-Q4"].check("a").status == CORRECT
    widget = quiz.lesson_quiz(LESSON)
    widget.choose("L5-Q1", "d")
    widget.check_button.click()
    assert "not this one" in widget.feedback["L5-Q1"].value and "not attempted" in widget.feedback["L5-Q2"].value


def test_the_prose_cites_the_minute_only_and_links_to_lesson_2_for_the_case_study_order():
    nb = json.loads((Path(__file__).resolve().parents[1] / "course" / f"{LESSON}.ipynb").read_text("utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    body = text.split("## References")[0]
    assert not re.search(r"source page|the page (says|cites|gives|puts)", body)
    assert "(02_data_scientist_fit.ipynb#What-a-case-study-interview-is-really-testing)" in body
