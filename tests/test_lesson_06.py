"""Lesson 6, "When one person covers both": its data, chart and board, on the real datasets."""
import json
import re
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure

from mlroles import data
from mlroles.checks.base import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED
from mlroles.data import NEED_LABELS
from mlroles.lessons import l6_coverage as l6

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def practice():
    teams = data.load_team_scenarios()
    return teams[teams["pool"] == "practice"].set_index("team_id")


def test_only_practice_rows_and_the_board_is_held_back(practice):
    worked, board = l6.worked_teams(), l6.board_teams()
    assert set(worked["team_id"]) | set(board["team_id"]) == set(practice.index)
    assert not set(worked["team_id"]) & set(board["team_id"])
    assert list(board["team_id"]) == list(l6.BOARD_IDS) and len(board) == 6
    assert (worked["pool"] == "practice").all() and worked["next_need"].notna().all()
    assert set(board["next_need"]) == set(NEED_LABELS.values), "every answer appears on the board"


def test_symptom_counts_by_side(practice):
    counts = l6.symptom_counts(l6.worked_teams())
    assert list(counts.columns) == ["team_size", "models_in_production", "serving_mode", "risk",
                                    "data science", "engineering", "next_need"]
    # Eastholm Bank: no_monitoring and frequent_incidents, both engineering
    assert counts.loc["T13", ["data science", "engineering"]].tolist() == [0, 2]
    # Palebrook Media: three data-science symptoms
    assert counts.loc["T05", ["data science", "engineering"]].tolist() == [3, 0]
    # Pellham Telecom: two on each side
    assert counts.loc["T19", ["data science", "engineering"]].tolist() == [2, 2]
    # A team with no symptom gets zeros, not a missing value
    assert counts.loc["T17", ["data science", "engineering"]].tolist() == [0, 0]
    total = sum(len(s) for s in practice.loc[counts.index, "symptoms"])
    assert counts["data science"].sum() + counts["engineering"].sum() == total


def test_every_symptom_has_exactly_one_side():
    assert set(l6.SIDE_OF) == set(data.SYMPTOMS_DS) | set(data.SYMPTOMS_ENG)
    assert {l6.SIDE_OF[s] for s in data.SYMPTOMS_DS} == {l6.SIDE_DS}
    assert {l6.SIDE_OF[s] for s in data.SYMPTOMS_ENG} == {l6.SIDE_ENG}


def test_chart_draws_one_bar_per_team_and_side_with_the_counts():
    teams = l6.worked_teams()
    counts = l6.symptom_counts(teams)
    chart = l6.symptom_chart(teams)
    fig = chart.figure
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    ds_bars, eng_bars = ax.containers
    assert len(ds_bars) == len(eng_bars) == len(teams)
    assert sorted(-round(b.get_width()) for b in ds_bars) == sorted(counts["data science"])
    assert sorted(round(b.get_width()) for b in eng_bars) == sorted(counts["engineering"])
    # bars take the colour of their team's answer: the T13 row (0 DS, 2 engineering) is orange
    labels = [t.get_text() for t in ax.get_yticklabels()]
    row = next(i for i, text in enumerate(labels) if text.startswith("T13 "))
    y = ax.get_yticks()[row]
    bar = next(b for b in eng_bars if abs(b.get_y() + b.get_height() / 2 - y) < 1e-9)
    assert matplotlib.colors.to_hex(bar.get_facecolor()) == l6.NEED_COLORS["ml_engineer"].lower()
    # one dot per team without symptoms
    quiet = ((counts["data science"] == 0) & (counts["engineering"] == 0)).sum()
    assert len(ax.collections[0].get_offsets()) == quiet
    assert [t.get_text() for t in ax.get_legend().get_texts()][:4] == [NEED_LABELS.name(n) for n in data.NEXT_NEEDS]
    # the alt text reads the chart's pattern out, with the counts of the worked teams
    assert chart.alt == (
        "Diverging bar chart of 20 practice teams, data-science symptoms to the left and engineering symptoms to "
        "the right, coloured by whom each team needs next: the 6 teams with symptoms on both sides need both a data "
        "scientist and an ML engineer, the 4 teams with data-science symptoms only need a data scientist, the 1 team "
        "with engineering symptoms only needs an ML engineer, and of the 9 teams with no symptom yet, 6 need an ML "
        "engineer and 3 can be covered by one person for now.")
    assert quiet == 9


def test_board_question_right_and_wrong_answers():
    q = l6.board_question
    key = dict(q.key)
    assert q.check(key).status == CORRECT
    wrong = dict(key, T26="ml_engineer")
    result = q.check(wrong)
    assert result.status == INCORRECT and result.wrong == ["T26"]
    assert "large company" in str(result)          # the dataset's rationale is shown
    assert "Read: lesson “When one person covers both”, section “The course's rule of thumb”" in str(result)   # where the rule is taught
    assert q.check(None).status == NOT_ATTEMPTED
    assert q.check({"T31": "unicorn"}).status == INVALID
    assert q.check({"T31": "one person"}).status == INVALID   # a spelling is suggested, not accepted
    assert "did you mean 'one_person'" in str(q.check({"T31": "one person"}))
    assert q.hint().startswith("Hint 1 of 3")


def test_board_can_be_driven_from_python():
    board = l6.coverage_board()
    assert board.question is l6.board_question
    assert "0 of 6 answered" in board.summary.value
    for item, need in l6.board_question.key.items():
        board.choose(item, need)
    board.choose("T25", "one_person")               # the tempting wrong answer for a seed-stage team
    board.check_button.click()
    assert "5 of 6 correct" in board.feedback.value and "T25" in board.feedback.value
    assert "✗" in board.marks["T25"].value and "✓" in board.marks["T31"].value
    board.choose("T25", "both")
    board.check_button.click()
    assert "all 6 correct" in board.feedback.value


# -- the course's rule of thumb, as the lesson states it -------------------------------------

def _rule_of_thumb(row):
    ds = any(s in data.SYMPTOMS_DS for s in row["symptoms"])
    eng = any(s in data.SYMPTOMS_ENG for s in row["symptoms"])
    if ds or eng:
        return "both" if ds and eng else "data_scientist" if ds else "ml_engineer"
    narrow = row["risk"] == "low" and row["serving_mode"] in ("none", "batch") and row["models_in_production"] <= 2
    return "one_person" if narrow else "ml_engineer"


def test_the_rule_of_thumb_gives_every_practice_answer(practice):
    got = practice.apply(_rule_of_thumb, axis=1)
    assert (got == practice["next_need"]).all(), list(practice.index[got != practice["next_need"]])


def test_the_quiet_teams_the_lesson_names_are_the_ones_in_the_data():
    """The worked example names, per broken condition, the quiet teams that still need an ML engineer."""
    counts = l6.symptom_counts(l6.worked_teams())
    quiet = counts[(counts["data science"] == 0) & (counts["engineering"] == 0)]
    assert sorted(quiet.index[quiet["next_need"] == "one_person"]) == ["T17", "T28", "T32"]
    engineer = quiet[quiet["next_need"] == "ml_engineer"]
    assert sorted(engineer.index[engineer["models_in_production"] > 2]) == ["T06", "T33"]
    batch = engineer[engineer["serving_mode"].isin(["none", "batch"]) & (engineer["models_in_production"] <= 2)]
    assert sorted(batch.index[batch["risk"] != "low"]) == ["T34", "T35"]
    assert sorted(engineer.index[engineer["serving_mode"].isin(["online", "both"])]) == ["T12", "T37"]
    nb = json.loads((Path(__file__).resolve().parents[1] / "course" / "06_one_person_coverage.ipynb").read_text("utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for team in ("T06", "T33", "T34", "T35", "T12", "T37", "T17", "T28", "T32"):
        assert re.search(rf"\b{team}\b", text), f"the worked example names {team}"
    assert not re.search(r"source page|the page (says|cites|gives|puts)", text.split("## References")[0])
    assert "not a title per skill" not in text
    rule = text.index("## The course's rule of thumb")
    assert rule < text.index("## Worked example"), "the rule comes before the teams it explains"
    assert "a heuristic of this course" in text[rule:] and "at most two models are in production" in text[rule:]
