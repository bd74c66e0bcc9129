"""Every exercise through nbgrader's real API, in a temporary course root:

release drift, points stated once (as the manifest declares them), the solution
(full automatic points; that it runs clean in a real kernel is in test_release_widgets.py), the untouched release (0, validate --invert),
a partial submission (exact points), board-only answers, and feedback without keys,
hidden tests or rubrics.
"""
import html
import json
import re
from dataclasses import dataclass, field
from typing import Callable

import pytest

from course_helpers import (auto_graded_ids, cell_by_id, grade_cells, normalized, read_notebook, validate,
                            with_source)

pytestmark = pytest.mark.slow
OTHER_OWNER = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}


class ManifestPart:
    """A graded part named by its scored cell; the manifest gives the rest."""
    score_cell: str

    @property
    def part(self):
        from mlroles import manifest
        return manifest.find_part(self.score_cell)

    answer_cell = property(lambda self: self.part.answer_cell)
    dataset = property(lambda self: self.part.dataset)
    field = property(lambda self: self.part.field)


@dataclass(frozen=True)
class Board(ManifestPart):
    """A graded part answered on a board, and where the board saves its choices."""
    score_cell: str
    store_key: str
    board_var: str

    @property
    def format_cell(self):
        from mlroles import manifest
        plan = manifest.load(self.part.assignment)
        return next(p.grade_id for p in plan.parts if p.kind == "labels_format" and p.answer_cell == self.answer_cell)


@dataclass(frozen=True)
class Function(ManifestPart):
    """A graded part answered by writing a function."""
    score_cell: str

    name = property(lambda self: self.part.function)
    labels = property(lambda self: self.part.labels)


@dataclass
class Spec:
    assignment: str
    boards: list
    written: dict                       # manual answer cell -> the read-only question cell with its rubric
    partial: Callable = None            # (release, solution, repo) -> (notebook, expected scores)
    functions: list = field(default_factory=list)

    @property
    def notebook(self):
        return f"{self.assignment}.ipynb"


def solution_code(solution, grade_id):
    """A solution cell's code without its BEGIN/END SOLUTION marker lines."""
    return "\n".join(line for line in cell_by_id(solution, grade_id).source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def keys_of(repo, dataset, field_name):
    from mlroles.instructor.answer_keys import load_graded_keys

    return load_graded_keys(repo / "solutions" / "graded_keys.csv")[dataset][field_name].to_dict()


def ex1_partial(release, solution, repo):
    keys = keys_of(repo, "responsibilities", "owner")
    items = sorted(keys)
    answers = {i: keys[i] for i in items[:10]}
    answers.update({i: OTHER_OWNER[keys[i]] for i in items[10:15]})          # 5 wrong, the rest missing
    nb = with_source(release, "graded_answers", f"graded_answers = {answers!r}")
    return nb, {"graded_format": 0, "graded_items": 10}


def ex2_partial(release, solution, repo):
    modes = keys_of(repo, "serving_scenarios", "expected_mode")
    owners = keys_of(repo, "handoff_artifacts", "owner")
    answers = dict(owners)
    for item in sorted(owners)[:2]:
        answers[item] = OTHER_OWNER[owners[item]]                            # two slips
    nb = with_source(release, "choose_serving_mode", "def choose_serving_mode(scenario):\n    return 'batch'")
    nb = with_source(nb, "handoff_answers", f"handoff_answers = {answers!r}")
    nb = with_source(nb, "log_schema_answer", solution_code(solution, "log_schema_answer"))
    nb = with_source(nb, "metrics_answer", solution_code(solution, "metrics_answer"))
    # unify_logs and compare_versions stay as released: they raise NotImplementedError
    return nb, {"serving_modes": sum(v == "batch" for v in modes.values()), "handoff_format": 1,
                "handoff_owners": len(owners) - 2, "log_schema": 2, "unify": 0, "metrics": 5, "versions": 0}


def ex4_partial(release, solution, repo):
    needs = keys_of(repo, "team_scenarios", "next_need")
    nb = with_source(release, "next_need", "def next_need(team):\n    return 'ml_engineer'")
    return nb, {"next_need_graded": sum(v == "ml_engineer" for v in needs.values())}


def ex3_partial(release, solution, repo):
    roles = keys_of(repo, "job_ads", "real_role")
    flags = keys_of(repo, "job_ads", "red_flags")
    answers = {ad: {"role": role, "flags": []} for ad, role in roles.items()}     # roles right, no flags ticked
    nb = with_source(release, "ad_answers", f"ad_answers = {answers!r}")
    nb = with_source(nb, "mix_answer", solution_code(solution, "mix_answer"))
    return nb, {"reviews_format": 1, "reviews": len(roles) + sum(v == "none" for v in flags.values()), "mix": 4}


SPECS = [
    Spec("ex1_responsibilities",
         [Board("graded_items", "graded", "graded_board")],
         {"answer_R21": "explain_R21", "answer_R35": "explain_R35"}, ex1_partial),
    Spec("ex2_serving_handoff",
         [Board("handoff_owners", "handoff_graded", "handoff_board")],
         {"handoff_note": "handoff_note_question"}, ex2_partial,
         [Function("serving_modes")]),
    Spec("ex3_job_ads", [], {"critique": "critique_question"}, ex3_partial),
    Spec("ex4_team_coverage", [], {"role_charter": "role_charter_question"}, ex4_partial,
         [Function("next_need_graded")]),
]
BOARD_SPECS = [s for s in SPECS if s.boards]


@pytest.fixture(params=SPECS, ids=lambda s: s.assignment)
def spec(request):
    return request.param


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """One generated course root per exercise, shared by this module's tests (each test submits
    as its own student, so their grades never mix); generating costs seconds, so once is enough."""
    from course_helpers import TempCourse

    made = {}

    def get(assignment: str) -> TempCourse:
        if assignment not in made:
            made[assignment] = TempCourse(tmp_path_factory.mktemp(assignment) / "course")
            made[assignment].copy_source(assignment)
            made[assignment].generate(assignment)
        return made[assignment]
    return get


@pytest.fixture
def course(courses, spec):
    return courses(spec.assignment)


def release_of(course, spec):
    return course.release_notebook(spec.assignment, spec.assignment)


def visible_text(page: str) -> str:
    """What a reader of an HTML page sees: tags (syntax highlighting) removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


# --- the tests ------------------------------------------------------------------------

def test_committed_release_is_what_nbgrader_generates(course, spec, repo):
    committed = read_notebook(repo / "exercises" / spec.assignment / spec.notebook)
    assert normalized(release_of(course, spec)) == normalized(committed)
    # (a learner's saved choices and JupyterLab's checkpoints may sit beside it: git ignores them, so does this)
    released = sorted(p.name for p in (repo / "exercises" / spec.assignment).iterdir()
                      if not p.name.endswith(".choices.json") and p.name != ".ipynb_checkpoints")
    assert released == [spec.notebook]
    assert not list((repo / "solutions").rglob("*.choices.json")), "a choices file in solutions/ would overwrite learners'"


def test_points_stated_in_the_text_match_the_cell_metadata(spec, repo):
    from mlroles import manifest

    nb = read_notebook(repo / "solutions" / spec.assignment / spec.notebook)
    points = manifest.load(spec.assignment).points
    intro = cell_by_id(nb, "intro").source
    stated = dict(re.findall(r"\| `(\w+)` \| (\d+) \|", intro))
    assert {k: float(v) for k, v in stated.items()} == {k: float(v) for k, v in points.items()}
    total = int(re.search(r"\*\*Total\*\* \| \| \| \*\*(\d+)\*\*", intro).group(1))
    assert total == sum(points.values())
    for answer, question in spec.written.items():
        text = cell_by_id(nb, question).source
        rubric_max = sum(int(m) for m in re.findall(r"\(0–(\d)\)", text))
        assert rubric_max == points[answer] and f"Rubric ({points[answer]:g} points)" in text


def test_solution_earns_every_automatic_point(course, spec, repo):
    solution = read_notebook(repo / "solutions" / spec.assignment / spec.notebook)
    course.submit("ada", spec.assignment, solution, spec.assignment)
    course.autograde(spec.assignment, "ada")
    points, scores = grade_cells(solution), course.scores(spec.assignment, "ada")
    auto = auto_graded_ids(solution)
    assert {k: scores[k] for k in auto} == {k: points[k] for k in auto}


def test_untouched_release_scores_zero_and_fails_validation(course, spec):
    path = course.submit("blank", spec.assignment, release_of(course, spec), spec.assignment)
    assert validate(course, path, invert=True) == {}   # --invert: no test cell passes
    assert "failed" in validate(course, path)
    course.autograde(spec.assignment, "blank")
    scores = course.scores(spec.assignment, "blank")
    assert all(scores[k] == 0 for k in auto_graded_ids(release_of(course, spec)))


def test_partial_submission_gets_exactly_its_points(course, spec, repo):
    solution = read_notebook(repo / "solutions" / spec.assignment / spec.notebook)
    nb, expected = spec.partial(release_of(course, spec), solution, repo)
    course.submit("partial", spec.assignment, nb, spec.assignment)
    course.autograde(spec.assignment, "partial")
    scores = course.scores(spec.assignment, "partial")
    assert {k: scores[k] for k in expected} == {k: float(v) for k, v in expected.items()}


@pytest.mark.parametrize("keep_stub", [False, True], ids=["stub removed", "stub left in"])
@pytest.mark.parametrize("spec", BOARD_SPECS, ids=lambda s: s.assignment)
def test_answers_given_only_on_a_board_are_graded(course, spec, repo, keep_stub):
    nb = release_of(course, spec)
    boards = {}
    for board in spec.boards:
        if not keep_stub:
            nb = with_source(nb, board.answer_cell, f"{board.answer_cell} = {board.board_var}.answers")
        keys = keys_of(repo, board.dataset, board.field)
        choices = dict(keys)
        first = sorted(keys)[0]
        choices[first] = OTHER_OWNER[keys[first]]                               # one slip
        boards[board.store_key] = choices
    student = f"boardie-{'stub' if keep_stub else 'nostub'}"
    path = course.submit(student, spec.assignment, nb, spec.assignment)
    (path.parent / f"{spec.assignment}.choices.json").write_text(json.dumps({"format": 1, "boards": boards}))
    course.autograde(spec.assignment, student)
    scores = course.scores(spec.assignment, student)
    for board in spec.boards:
        assert scores[board.score_cell] == len(boards[board.store_key]) - 1
        assert scores[board.format_cell] == 1


def test_feedback_holds_no_key_hidden_test_or_rubric(course, spec, repo):
    nb = release_of(course, spec)
    wrong = {}
    for board in spec.boards:
        keys = keys_of(repo, board.dataset, board.field)
        # every answer wrong, so an item written next to its key in the feedback can only be a leak
        wrong[board] = {item: OTHER_OWNER[owner] for item, owner in keys.items()}
        nb = with_source(nb, board.answer_cell, f"{board.answer_cell} = {wrong[board]!r}")
    for function in spec.functions:
        keys = keys_of(repo, function.dataset, function.field)
        wrong[function] = {item: next(l for l in function.labels if l != label) for item, label in keys.items()}
        nb = with_source(nb, function.answer_cell,
                         f"def {function.name}(row):\n    return {wrong[function]!r}.get(row.name, {function.labels[0]!r})")
    course.submit("fb", spec.assignment, nb, spec.assignment)
    course.autograde(spec.assignment, "fb")
    text = visible_text(course.feedback(spec.assignment, "fb"))
    for hidden in ("HIDDEN TESTS", "score_labels", "_grading.verified().collect", "compare(_collected",
                   "score_reviews", "_grade_"):
        assert hidden not in text
    assert "MARK SCHEME" not in text and "Exemplar" not in text and "Rubric (" not in text
    for part in spec.boards + spec.functions:
        keys = keys_of(repo, part.dataset, part.field)
        first = sorted(keys)[0]
        assert re.search(rf"{first}\W{{1,12}}{wrong[part][first]}", text)   # the learner's own answers show
        for item, label in keys.items():
            assert not re.search(rf"{item}\W{{1,12}}{label}\b", text), f"feedback pairs {item} with its key"
    # the grader, by contrast, sees each rubric in the autograded notebook (the formgrader shows it)
    autograded = read_notebook(course.path("autograded", "fb", spec.assignment, spec.notebook))
    for question in spec.written.values():
        assert "Rubric (" in cell_by_id(autograded, question).source


def test_ex3_reviews_given_only_on_the_reviewer_are_graded(courses, repo):
    course_root = courses("ex3_job_ads")
    nb = with_source(course_root.release_notebook("ex3_job_ads", "ex3_job_ads"), "ad_answers",
                     "ad_answers = graded_reviewer.answers")
    roles = keys_of(repo, "job_ads", "real_role")
    flags = {k: ([] if v == "none" else v.split(";")) for k, v in keys_of(repo, "job_ads", "red_flags").items()}
    saved = {ad: {"role": roles[ad], "flags": flags[ad]} for ad in roles}
    slip = sorted(roles)[0]
    saved[slip]["role"] = "unclear" if roles[slip] != "unclear" else "analyst"     # one wrong role
    path = course_root.submit("reviewer", "ex3_job_ads", nb, "ex3_job_ads")
    (path.parent / "ex3_job_ads.choices.json").write_text(json.dumps({"format": 1, "boards": {"graded": saved}}))
    course_root.autograde("ex3_job_ads", "reviewer")
    scores = course_root.scores("ex3_job_ads", "reviewer")
    assert scores["reviews"] == 2 * len(roles) - 1 and scores["reviews_format"] == 1
