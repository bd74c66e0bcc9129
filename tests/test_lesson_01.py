"""Lesson 1, "Two roles, two risks": its tables, diagram, board and self-check, on the real datasets."""
import json
import re
import xml.etree.ElementTree as ET

import pytest

from mlroles import data
from mlroles.checks.base import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED
from mlroles.data import OWNER_LABELS
from mlroles.exercises import ex1
from mlroles.lessons import l1_two_roles as l1
from mlroles.widgets import quiz
from course_helpers import OTHER, REPO

LESSON = "01_two_roles_two_risks"
FIGURE = REPO / "course" / "figures" / "01_two_roads.svg"
SVG = "{http://www.w3.org/2000/svg}"
PREFIX = "L1"


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


# -- the diagram of the two roads --------------------------------------------------------------

def _svg():
    return ET.parse(FIGURE).getroot()


def _parents(root):
    return {child: parent for parent in root.iter() for child in parent}


def _inherited(element, parents, name, default=None):
    while element is not None:
        if element.get(name) is not None:
            return element.get(name)
        element = parents.get(element)
    return default


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_two_roads_diagram_names_both_roads_and_the_shared_surface():
    root = _svg()
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None, "a <title> and a <desc> for screen readers"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    drawn = " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for words in ("Data scientist", "a business question", "evidence", "ML engineer", "a model idea",
                  "reliable software", "Shared surface", "feature", "pipelines", "offline and online",
                  "reproducible", "experiments", "failure", "analysis", "product", "feedback"):
        assert words in drawn, words
    description = " ".join(desc.text.split())
    for words in ("business question to evidence", "model idea to reliable software", "feature pipelines",
                  "metrics offline and online", "reproducible experiments", "failure analysis", "product feedback"):
        assert words in description, words
    assert "batch" not in (drawn + description).lower(), "scheduled batch jobs are not on the ML engineer's road"


def test_every_text_in_the_diagram_is_readable_against_what_lies_under_it():
    root = _svg()
    parents = _parents(root)
    boxes, checked = [], 0
    for element in root.iter():
        if element.tag == f"{SVG}rect":
            x, y, w, h = (float(element.get(k)) for k in ("x", "y", "width", "height"))
            boxes.append((x, y, w, h, element.get("fill")))
        elif element.tag == f"{SVG}text":
            x, y = float(element.get("x")), float(element.get("y"))
            under = [fill for bx, by, bw, bh, fill in boxes if bx <= x <= bx + bw and by <= y - 5 <= by + bh]
            background = under[-1] if under else "#ffffff"
            for part in [element, *element.iter(f"{SVG}tspan")]:
                if not "".join(part.itertext()).strip():
                    continue
                size = float(_inherited(part, parents, "font-size", "16"))
                colour = _inherited(part, parents, "fill", "#000000")
                assert size >= 13, f"{part.text!r} is set in {size}px"
                ratio = _contrast(colour, background)
                assert ratio >= 4.5, f"{part.text!r}: {colour} on {background} has a contrast of {ratio:.1f}"
                checked += 1
    assert checked >= 20


def test_the_lesson_shows_the_diagram_with_a_description_and_no_longer_the_chart():
    nb = json.loads((REPO / "course" / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    shown = [m for text in markdown for m in re.finditer(r"!\[([^\]]*)\]\(([^)]+)\)", text)]
    assert [m.group(2) for m in shown] == ["figures/01_two_roads.svg"]
    assert (REPO / "course" / shown[0].group(2)).is_file()
    alt = shown[0].group(1)
    assert len(alt.split()) >= 30 and "shared surface" in alt and "reliable software" in alt
    assert not any("owner_mix" in text for text in code)
    assert not hasattr(l1, "owner_mix_chart")


def test_the_ml_engineers_list_leaves_scheduled_batch_jobs_out_and_the_prose_audits_no_page():
    nb = json.loads((REPO / "course" / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    ml_list = text.split("**ML engineer: from a model to reliable software**")[1].split("**Shared surface")[0]
    assert "*online serving*" in ml_list and "batch" not in ml_list and "nightly" not in ml_list
    assert "[roles-4010]" in text and "[roles-2846]" in text
    prose = text.split("## References")[0]   # the references table's introduction explains the check
    assert not re.search(r"source page|page (cites|gives|says|places|puts)|the page's", prose), \
        "the references table, not the prose, says what the page got wrong"


# -- the self-check --------------------------------------------------------------------


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
