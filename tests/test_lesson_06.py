"""Lesson 6, "When one person covers both": its data, chart and board, on the real datasets."""
import matplotlib
import pytest
from matplotlib.figure import Figure

from mlroles import data
from mlroles.feedback import CORRECT, INCORRECT, INVALID, NEED_LABELS, NOT_ATTEMPTED
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
    fig = l6.symptom_chart(teams)
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


def test_board_question_right_and_wrong_answers():
    q = l6.board_question
    key = dict(q.key)
    assert q.check(key).status == CORRECT
    wrong = dict(key, T26="ml_engineer")
    result = q.check(wrong)
    assert result.status == INCORRECT and result.wrong == ["T26"]
    assert "large company" in str(result)          # the dataset's rationale is shown
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
