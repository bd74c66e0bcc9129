"""Lesson 1, "Two roles, two risks": its tables, chart, board and self-check, on the real datasets."""
import matplotlib
import pytest
from matplotlib.figure import Figure

from mlroles import data, ex1, quiz
from mlroles.feedback import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED, OWNER_LABELS
from mlroles.lessons import l1_two_roles as l1

LESSON = "01_two_roles_two_risks"
OTHER = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}


@pytest.fixture(scope="module")
def items():
    return data.load_responsibilities().set_index("responsibility_id")


# -- the board's items ---------------------------------------------------------------

def test_board_holds_two_clear_cut_practice_items_per_owner_outside_exercise_1(items):
    ids = list(l1.question.items)
    assert ids == sorted(l1.BOARD_IDS) and len(ids) == 6
    rows = items.loc[ids]
    assert (rows["pool"] == "practice").all() and not rows["borderline"].any()
    assert rows["owner"].value_counts().to_dict() == {"data_scientist": 2, "ml_engineer": 2, "shared": 2}
    assert not set(ids) & set(ex1.practice_items()["responsibility_id"]), "exercise 1's practice round stays fresh"
    assert l1.question.key == rows["owner"].to_dict()
    assert all(l1.question.why[i] == rows.at[i, "rationale"] for i in ids)


def test_right_answers_pass_and_a_wrong_one_is_explained_with_where_to_read():
    key = dict(l1.question.key)
    assert l1.question.check(key).status == CORRECT
    wrong_id = "R43"   # integrating the fraud model with the payment service: ML engineer
    assert key[wrong_id] == "ml_engineer"
    result = l1.question.check(dict(key, **{wrong_id: "data_scientist"}))
    assert result.status == INCORRECT and result.wrong == [wrong_id] and result.correct == 5
    line = result.lines[0]
    assert line.startswith("R43 (Integrate the fraud model") and "not data scientist." in line
    assert "Read: lesson “When the team needs an ML engineer”" in line
    assert "Data Team Roles Explained (S1E1, Alexey Grigorev), 17:04" in line


def test_blank_partial_and_misspelled_answers_are_not_marked_wrong():
    assert l1.question.check({}).status == NOT_ATTEMPTED
    assert l1.question.check(None).status == NOT_ATTEMPTED
    partial = l1.question.check({"R23": "data_scientist"})
    assert partial.status == "incomplete" and partial.correct == 1 and len(partial.missing) == 5
    typo = l1.question.check({"R23": "data scientst"})
    assert typo.status == INVALID and "did you mean 'data_scientist'?" in typo.lines[0]


def test_the_board_is_driven_like_a_learner_clicks_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    board = l1.owner_board()
    assert board.question is l1.question and board.store is None
    key = l1.question.key
    for item, owner in key.items():
        board.choose(item, owner)
    board.choose("R33", OTHER[key["R33"]])   # the pricing design document is shared
    board.check_button.click()
    assert "5 of 6 correct, 1 to rethink" in board.feedback.value and "R33" in board.feedback.value
    assert "✗" in board.marks["R33"].value
    assert all("✓" in board.marks[i].value for i in key if i != "R33")
    board.choose("R33", "shared")
    board.check_button.click()
    assert "all 6 correct" in board.feedback.value
    assert list(tmp_path.iterdir()) == [], "the lesson's board saves nothing"


def test_hints_get_stronger_and_the_solution_lists_every_item():
    assert l1.question.hint(1).startswith("Hint 1 of 3:") and "wrong conclusion" not in l1.question.hint(1)
    assert "false" in l1.question.hint(1) and "ML engineer" in l1.question.hint(2)
    assert l1.question.hint(3).startswith("Hint 3 of 3:") and "Shared" in l1.question.hint(3)
    solution = l1.question.solution()
    assert list(solution.index) == sorted(l1.BOARD_IDS)
    assert set(solution["answer"]) == {OWNER_LABELS.name(o) for o in l1.OWNERS}


# -- the worked example ----------------------------------------------------------------

def test_owner_summary_counts_practice_items(items):
    table = l1.owner_summary()
    assert list(table.index) == ["data scientist", "ML engineer", "shared"]
    practice = items[items["pool"] == "practice"]
    for owner in l1.OWNERS:
        row = table.loc[OWNER_LABELS.name(owner)]
        mine = practice[practice["owner"] == owner]
        assert row["practice items"] == len(mine) == row["clear-cut"] + row["borderline"]
        assert row["borderline"] == mine["borderline"].sum()
    assert table["practice items"].sum() == len(practice) == 36


def test_examples_are_clear_cut_practice_items_the_board_and_exercise_do_not_use(items):
    table = l1.examples()
    assert len(table) == 6
    assert table["owner"].value_counts().to_dict() == {"data scientist": 2, "ML engineer": 2, "shared": 2}
    rows = items.loc[table.index]
    assert (rows["pool"] == "practice").all() and not rows["borderline"].any()
    assert not set(table.index) & (set(l1.BOARD_IDS) | set(ex1.practice_items()["responsibility_id"]))
    assert (table["why this owner"] == rows["rationale"]).all()
    # the lesson's prose walks through exactly these rows
    assert list(table.index) == ["R32", "R47", "R39", "R48", "R29", "R37"]


def test_owner_mix_counts_practice_items_per_lesson_and_owner(items):
    mix = l1.owner_mix()
    assert list(mix.columns) == ["data scientist", "ML engineer", "shared"]
    assert mix.index[0] == "2. When the team needs a data scientist"
    assert mix.to_numpy().sum() == 36
    assert mix.loc["2. When the team needs a data scientist"].tolist() == [9, 0, 0]
    assert mix.loc["4. The production handoff", "shared"] == 12
    assert mix.loc["4. The production handoff"].sum() == ((items["lesson"] == "04_production_handoff")
                                                          & (items["pool"] == "practice")).sum()


def test_owner_mix_chart_draws_one_stacked_series_per_owner():
    mix = l1.owner_mix()
    fig = l1.owner_mix_chart(mix)
    assert isinstance(fig, Figure)
    assert not matplotlib.pyplot.fignum_exists(fig.number), "closed, so a notebook shows it once"
    ax = fig.axes[0]
    containers = ax.containers
    assert [c.get_label() for c in containers] == ["data scientist", "ML engineer", "shared"]
    lessons_top_down = list(mix.index)
    for container, column in zip(containers, mix.columns):
        widths = [bar.get_width() for bar in container][::-1]   # bars are drawn bottom-up
        assert widths == mix[column].tolist()
    shown = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert shown == lessons_top_down


# -- the self-check --------------------------------------------------------------------

def test_quiz_has_one_right_option_per_question_and_explains_the_others():
    questions = quiz.lesson_questions(LESSON)
    assert list(questions) == ["L1-Q1", "L1-Q2", "L1-Q3", "L1-Q4"]
    assert {q: questions[q].answer for q in questions} == {"L1-Q1": "b", "L1-Q2": "c", "L1-Q3": "b", "L1-Q4": "b"}
    q3 = questions["L1-Q3"]
    assert q3.check("b").status == CORRECT
    wrong = q3.check("a")
    assert wrong.status == INCORRECT and "umbrella" in wrong.headline
    assert q3.sources == ["interview-1529"]


def test_quiz_widget_gives_feedback_for_the_chosen_option():
    widget = quiz.lesson_quiz(LESSON)
    widget.choose("L1-Q1", "a")
    widget.choose("L1-Q4", "b")
    widget.check_button.click()
    assert "not this one" in widget.feedback["L1-Q1"].value
    assert "right." in widget.feedback["L1-Q4"].value
    assert "not attempted" in widget.feedback["L1-Q2"].value
