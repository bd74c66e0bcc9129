"""The classification board, driven from Python as a learner would click it."""
import json

import pytest

from mlroles.exercises import ex1
from mlroles.widgets.choices import ChoiceStore
from course_helpers import OTHER
from mlroles.manifest import cell_by_grade_id

KEY = dict(ex1.practice.key)
FIRST = next(iter(KEY))


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # the board saves next to "the notebook": the working folder
    return tmp_path


def test_choose_check_and_per_item_feedback():
    board = ex1.practice_board()
    for item, owner in KEY.items():
        board.choose(item, owner)
    board.choose(FIRST, OTHER[KEY[FIRST]])
    board.check_button.click()
    assert "1 to rethink" in board.feedback.value and FIRST in board.feedback.value
    assert "✗" in board.marks[FIRST].value
    assert all("✓" in board.marks[i].value for i in KEY if i != FIRST)
    board.choose(FIRST, KEY[FIRST])
    result = board.check()
    assert result.passed and "all 12 correct" in board.feedback.value


def test_board_is_the_same_question_object_as_the_self_check():
    board = ex1.practice_board()
    assert board.question is ex1.practice
    board.choose(FIRST, "shared")
    assert board.check().headline == ex1.practice.check({FIRST: "shared"}).headline


def test_live_summary_counts_what_is_left():
    board = ex1.graded_board()
    total = len(ex1.graded.items)
    assert f"0 of {total} answered" in board.summary.value
    first = next(iter(ex1.graded.items))
    board.choose(first, "shared")
    assert f"1 of {total} answered" in board.summary.value and first not in board.summary.value.split("left:")[1]
    board.choose(first, None)
    assert f"0 of {total} answered" in board.summary.value


def test_graded_board_check_shows_no_marks():
    board = ex1.graded_board()
    for item in ex1.graded.items:
        board.choose(item, "shared")
    result = board.check()
    assert result.status == "ready to submit"
    assert all(mark.value == "" for mark in board.marks.values())


def test_choices_survive_a_new_board_and_a_fresh_process(in_tmp):
    board = ex1.graded_board()
    first = next(iter(ex1.graded.items))
    board.choose(first, "ml_engineer")
    saved = json.loads((in_tmp / ex1.CHOICES_FILE).read_text())
    assert saved == {"format": 1, "boards": {"graded": {first: "ml_engineer"}}}
    again = ex1.graded_board()
    assert again.answers == {first: "ml_engineer"}
    assert ex1.practice_board().answers == {}   # boards keep their own choices


def test_corrupt_choices_file_is_kept_aside_and_reported(in_tmp):
    (in_tmp / ex1.CHOICES_FILE).write_text("{not json")
    board = ex1.graded_board()
    assert board.answers == {}
    assert "could not be read" in board.notice.value and "so nothing is lost" in board.notice.value
    kept = list(in_tmp.glob(f"{ex1.CHOICES_FILE}.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"


def test_unknown_items_and_labels_in_the_file_are_left_out(in_tmp):
    first = next(iter(ex1.graded.items))
    (in_tmp / ex1.CHOICES_FILE).write_text(json.dumps(
        {"format": 1, "boards": {"graded": {first: "shared", "R999": "shared", list(ex1.graded.items)[1]: "boss"}}}))
    board = ex1.graded_board()
    assert board.answers == {first: "shared"}
    assert "left out: R999, " in board.notice.value


def test_missing_file_starts_empty_without_a_warning(in_tmp):
    board = ex1.graded_board()
    assert board.answers == {} and board.notice.value == ""
    assert not (in_tmp / ex1.CHOICES_FILE).exists()   # building a board writes nothing


def test_controls_are_keyboard_reachable_buttons():
    board = ex1.practice_board()
    control = board.controls[FIRST]
    assert control.options == (("data scientist", "data_scientist"), ("ML engineer", "ml_engineer"),
                                ("shared", "shared"))
    assert len(control.tooltips) == 3 and not control.disabled
    assert board.check_button.description == "Check my answers" and not board.check_button.disabled


def test_choose_an_unknown_item_says_what_is_on_the_board():
    with pytest.raises(KeyError, match="is not on this board"):
        ex1.practice_board().choose("R999", "shared")


def test_store_write_is_atomic(in_tmp):
    store = ChoiceStore(in_tmp / "x.choices.json")
    store.save("a", {"R01": "shared"})
    store.save("b", {"R02": "ml_engineer"})
    assert store.load("a") == {"R01": "shared"} and store.load("b") == {"R02": "ml_engineer"}
    assert [p.name for p in in_tmp.iterdir()] == ["x.choices.json"]   # no temporary files left behind


def _saved_widget_state(*roots) -> dict:
    """Notebook metadata as JupyterLab writes it with widget state saved: every model under ``roots``."""
    from mlroles.widgets.choices import WIDGET_STATE

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    state = {w.model_id: {"model_name": w._model_name, "state": w.get_state()} for r in roots for w in walk(r)}
    return {"widgets": {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}}


def test_the_notebook_carries_every_boards_choices_in_its_widget_state():
    from mlroles.exercises import ex3
    from mlroles.widgets.choices import carried_choices

    practice, graded = ex1.practice_board(), ex1.graded_board()
    graded_ids = list(ex1.graded.items)
    practice.choose(FIRST, KEY[FIRST])
    graded.choose(graded_ids[0], "shared")
    graded.choose(graded_ids[1], "ml_engineer")
    reviewer = ex3.graded_reviewer()
    reviewer.role.value = "ml_engineer"
    carried = carried_choices({"metadata": _saved_widget_state(practice, graded, reviewer)})
    on_disk = json.loads(open(ex1.CHOICES_FILE).read())
    assert carried[ex1.CHOICES_FILE]["boards"] == on_disk["boards"] == {
        "practice": {FIRST: KEY[FIRST]}, "graded": {graded_ids[0]: "shared", graded_ids[1]: "ml_engineer"}}
    assert carried[ex3.CHOICES_FILE]["boards"] == json.loads(open(ex3.CHOICES_FILE).read())["boards"]
    assert carried[ex3.CHOICES_FILE]["boards"]["graded"][reviewer.ids[0]]["role"] == "ml_engineer"


@pytest.mark.parametrize("value", ["not json", json.dumps({"file": "../x.choices.json", "board": "g", "choices": {}}),
                                   json.dumps({"file": "a.choices.json", "board": 3, "choices": {}}),
                                   json.dumps({"file": "notes.txt", "board": "g", "choices": {}}),
                                   json.dumps(["a", "list"])])
def test_malformed_carried_choices_are_left_out(value):
    from mlroles.widgets.choices import CARRIER_CLASS, WIDGET_STATE, carried_choices

    meta = {"widgets": {WIDGET_STATE: {"state": {"m": {"state": {"_dom_classes": [CARRIER_CLASS], "value": value}}}}}}
    assert carried_choices({"metadata": meta}) == {}
    assert carried_choices({"metadata": {"widgets": "nonsense"}}) == {}


def test_which_answers_come_from_a_board(repo):
    import nbformat

    from mlroles.widgets.choices import answers_from_a_board

    def release(part):
        return nbformat.read(str(repo / "exercises" / part / f"{part}.ipynb"), as_version=4)

    assert answers_from_a_board(release("ex1_responsibilities")) == ["graded_answers"]
    assert answers_from_a_board(release("ex3_job_ads")) == ["ad_answers"]
    assert answers_from_a_board(release("ex4_team_coverage")) == []
    typed = release("ex1_responsibilities")
    cell = cell_by_grade_id(typed, "graded_answers")
    cell.source = "graded_answers = graded_board.answers\ngraded_answers = {'R02': 'shared'}"
    assert answers_from_a_board(typed) == [], "answers typed after the board need no saved choices"


def test_board_answers_count_as_lost_only_when_a_board_was_on_screen(repo, tmp_path):
    import nbformat

    from mlroles.widgets.choices import board_answers_lost

    name = "ex1_responsibilities"
    nb = nbformat.read(str(repo / "exercises" / name / f"{name}.ipynb"), as_version=4)
    assert not board_answers_lost(nb, tmp_path, name), "an untouched release is blank, not lost"
    board_cell = cell_by_grade_id(nb, "graded_board")
    board_cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2, "version_minor": 0}})]
    assert board_answers_lost(nb, tmp_path, name)
    (tmp_path / f"{name}.choices.json").write_text("{}")
    assert not board_answers_lost(nb, tmp_path, name), "the file came with it"
