"""Exercise 1 through nbgrader's real API: release, solution, blank, partial and board-only submissions."""
import json
import re
import subprocess
import sys

import pytest

from course_helpers import (auto_graded_ids, cell_by_id, grade_cells, normalized, read_notebook, validate,
                            with_source)

pytestmark = pytest.mark.slow

ASSIGNMENT = "ex1_responsibilities"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def keys(request):
    from mlroles.answer_keys import load_graded_keys

    return load_graded_keys(request.config.rootpath / "solutions" / "graded_keys.csv")["responsibilities"]["owner"]


@pytest.fixture
def ex1(course_root):
    course_root.copy_source(ASSIGNMENT)
    course_root.generate(ASSIGNMENT)
    return course_root


def visible_text(page: str) -> str:
    """What a reader of an HTML page sees: tags (syntax highlighting) removed, entities decoded."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", page))


def release(course):
    return course.release_notebook(ASSIGNMENT, ASSIGNMENT)


def board_only(nb):
    """The release as a learner leaves it who answered on the board and removed the stub lines."""
    return with_source(nb, "graded_answers", "graded_answers = graded_board.answers")


def test_committed_release_is_what_nbgrader_generates(ex1, repo):
    committed = read_notebook(repo / "exercises" / ASSIGNMENT / NOTEBOOK)
    assert normalized(release(ex1)) == normalized(committed)
    # (a learner's saved choices and JupyterLab's checkpoints may sit beside it: git ignores them, so does this)
    released = sorted(p.name for p in (repo / "exercises" / ASSIGNMENT).iterdir()
                      if not p.name.endswith(".choices.json") and p.name != ".ipynb_checkpoints")
    assert released == [NOTEBOOK]
    assert not list((repo / "solutions").rglob("*.choices.json")), "a choices file in solutions/ would overwrite learners'"


def test_hidden_key_in_the_solution_matches_the_instructor_keys(repo, keys):
    source = cell_by_id(read_notebook(repo / "solutions" / ASSIGNMENT / NOTEBOOK), "graded_items").source
    literal = re.search(r"score_labels\(graded_answers, (\{.*?\})\)", source, re.S).group(1)
    assert json.loads(literal.replace(",\n}", "\n}")) == keys.to_dict()


def test_points_stated_in_the_text_match_the_cell_metadata(repo):
    nb = read_notebook(repo / "solutions" / ASSIGNMENT / NOTEBOOK)
    points = grade_cells(nb)
    intro = cell_by_id(nb, "intro").source
    stated = dict(re.findall(r"\| `(\w+)` \| (\d+) \|", intro))
    assert {k: float(v) for k, v in stated.items()} == {k: float(v) for k, v in points.items()}
    total = int(re.search(r"\*\*Total\*\* \| \| \| \*\*(\d+)\*\*", intro).group(1))
    assert total == sum(points.values())
    for answer in ("answer_R21", "answer_R35"):
        question = cell_by_id(nb, answer.replace("answer", "explain")).source
        assert f"({points[answer]:g} points)" in question
        rubric_max = sum(int(m) for m in re.findall(r"\(0–(\d)\)", question))
        assert rubric_max == points[answer] and f"Rubric ({points[answer]:g} points)" in question


def test_solution_runs_clean_under_nbval_lax(repo, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval-lax",
         "--nbval-current-env", str(repo / "solutions" / ASSIGNMENT / NOTEBOOK)],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\b\d+ passed\b", result.stdout)


def test_solution_earns_every_automatic_point(ex1, repo):
    solution = read_notebook(repo / "solutions" / ASSIGNMENT / NOTEBOOK)
    ex1.submit("ada", ASSIGNMENT, solution, ASSIGNMENT)
    ex1.autograde(ASSIGNMENT, "ada")
    points = grade_cells(solution)
    scores = ex1.scores(ASSIGNMENT, "ada")
    assert {k: scores[k] for k in auto_graded_ids(solution)} == {k: points[k] for k in auto_graded_ids(solution)}


def test_untouched_release_scores_zero_and_fails_validation(ex1):
    blank = release(ex1)
    path = ex1.submit("blank", ASSIGNMENT, blank, ASSIGNMENT)
    assert validate(ex1, path, invert=True) == {}   # --invert: no test cell passes
    assert "failed" in validate(ex1, path)
    ex1.autograde(ASSIGNMENT, "blank")
    scores = ex1.scores(ASSIGNMENT, "blank")
    assert scores["graded_format"] == 0 and scores["graded_items"] == 0


def test_partial_typed_answers_get_exactly_their_points(ex1, keys):
    answers = {item: keys[item] for item in list(keys.index)[:10]}              # 10 right
    wrong = {"data_scientist": "shared", "ml_engineer": "shared", "shared": "ml_engineer"}
    answers.update({item: wrong[keys[item]] for item in list(keys.index)[10:15]})  # 5 wrong, 3 missing
    nb = with_source(release(ex1), "graded_answers", f"graded_answers = {answers!r}")
    ex1.submit("partial", ASSIGNMENT, nb, ASSIGNMENT)
    ex1.autograde(ASSIGNMENT, "partial")
    scores = ex1.scores(ASSIGNMENT, "partial")
    assert scores["graded_format"] == 0          # three items left unanswered
    assert scores["graded_items"] == 10


@pytest.mark.parametrize("keep_stub", [False, True], ids=["stub removed", "stub left in"])
def test_answers_given_only_on_the_board_are_graded(ex1, keys, keep_stub):
    nb = release(ex1) if keep_stub else board_only(release(ex1))
    path = ex1.submit("boardie", ASSIGNMENT, nb, ASSIGNMENT)
    choices = {item: keys[item] for item in keys.index}
    choices[keys.index[0]] = "shared" if keys.iloc[0] != "shared" else "ml_engineer"   # one slip
    (path.parent / "ex1_responsibilities.choices.json").write_text(
        json.dumps({"format": 1, "boards": {"graded": choices}}))
    ex1.autograde(ASSIGNMENT, "boardie")
    scores = ex1.scores(ASSIGNMENT, "boardie")
    assert scores["graded_items"] == len(keys) - 1
    assert scores["graded_format"] == 1


def test_feedback_holds_no_key_hidden_test_or_rubric(ex1, keys, repo):
    # every answer wrong, so any item written next to its key in the feedback can only be a leak
    other = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}
    answers = {item: other[owner] for item, owner in keys.items()}
    nb = with_source(release(ex1), "graded_answers", f"graded_answers = {answers!r}")
    ex1.submit("fb", ASSIGNMENT, nb, ASSIGNMENT)
    ex1.autograde(ASSIGNMENT, "fb")
    html = ex1.feedback(ASSIGNMENT, "fb")
    text = visible_text(html)
    assert "score_labels" not in text and "HIDDEN TESTS" not in text
    assert "MARK SCHEME" not in text and "Exemplar" not in text and "Rubric (6 points)" not in text
    assert re.search(rf"{keys.index[0]}\W{{1,12}}{answers[keys.index[0]]}", text)  # the learner's own answers show
    for item, owner in keys.items():
        assert not re.search(rf"{item}\W{{1,12}}{owner}", text), f"feedback pairs {item} with its key"
    # the grader, by contrast, sees the rubric in the autograded notebook (formgrader shows it)
    autograded = read_notebook(ex1.path("autograded", "fb", ASSIGNMENT, NOTEBOOK))
    assert "Rubric (6 points)" in cell_by_id(autograded, "explain_R21").source
