"""The self-check engine: right, wrong, not attempted and bad input, in a learner's words."""
import pandas as pd
import pytest

from mlroles.checks.base import CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY, LabelQuestion
from mlroles.data import OWNER_LABELS
from mlroles.exercises import ex1
from course_helpers import OTHER

KEY = dict(ex1.practice.key)
FIRST = next(iter(KEY))


def test_practice_right_answer_is_correct():
    result = ex1.practice.check(KEY)
    assert result.status == CORRECT and result.passed and result.correct == result.total == len(KEY)


def test_practice_wrong_answer_names_the_item_why_and_where_to_read():
    answers = dict(KEY, **{FIRST: OTHER[KEY[FIRST]]})
    result = ex1.practice.check(answers)
    assert result.status == INCORRECT and result.wrong == [FIRST] and result.correct == len(KEY) - 1
    line = result.lines[0]
    assert line.startswith(f"{FIRST} (") and f"not {OWNER_LABELS.name(OTHER[KEY[FIRST]])}." in line
    assert ex1.practice.why[FIRST] in line and "Read: lesson “" in line and "(S" in line  # lesson + citation


def test_not_attempted_is_not_wrong():
    for blank in (None, {}, ..., "____", []):
        result = ex1.practice.check(blank)
        assert result.status == NOT_ATTEMPTED, blank
        assert "not attempted" in result.headline


def test_missing_items_are_listed():
    partial = dict(list(KEY.items())[:5])
    result = ex1.practice.check(partial)
    assert result.status == INCOMPLETE and len(result.missing) == len(KEY) - 5
    assert result.lines[-1].startswith("Not answered yet: ")


@pytest.mark.parametrize("answers, expected", [
    ([("R01", "shared")], "expected a dict that maps item ids to labels"),
    ("shared", "expected a dict that maps item ids to labels"),
    (42, "but got 42 (a int)"),
    (pd.DataFrame({"a": [1]}), "(a DataFrame)"),
])
def test_wrong_type_is_explained(answers, expected):
    result = ex1.practice.check(answers)
    assert result.status == INVALID and expected in result.headline


def test_misspelled_owner_gets_the_closest_suggestion():
    for typo, meant in (("datascientist", "data_scientist"), ("ML Engineer", "ml_engineer"),
                        ("data scientst", "data_scientist"), ("shraed", "shared"), ("Both", "shared")):
        result = ex1.practice.check(dict(KEY, **{FIRST: typo}))
        assert result.status == INVALID
        assert f"{FIRST}: {typo!r} is not a label here; did you mean {meant!r}?" in result.lines


def test_unknown_labels_and_items_and_values():
    result = ex1.practice.check({FIRST: "product manager", "R999": "shared", list(KEY)[1]: 3})
    assert result.status == INVALID
    text = "\n".join(result.lines)
    assert f"{FIRST}: 'product manager' is not a label here; use one of 'data_scientist', 'ml_engineer', 'shared'." in text
    assert "'R999' is not an item of this question." in text
    assert f"{list(KEY)[1]}: the answer should be one of" in text and "not 3 (a int)" in text


def test_graded_id_in_practice_is_pointed_to_the_other_round():
    graded_id = next(iter(ex1.graded.items))
    result = ex1.practice.check({graded_id: "shared"})
    assert f"{graded_id!r} is not part of this question; remove it (it belongs to the other round)." in result.lines


def test_a_series_and_a_board_are_read_like_a_dict():
    assert ex1.practice.check(pd.Series(KEY)).status == CORRECT


def test_crafted_object_does_not_crash_the_check():
    from collections.abc import Mapping

    class Sneaky(Mapping):
        def __getitem__(self, key):
            raise RuntimeError("boom")

        def __iter__(self):
            return iter(KEY)

        def __len__(self):
            return len(KEY)
    result = ex1.practice.check(Sneaky())
    assert result.status == INVALID and "could not read these answers (RuntimeError)" in result.headline


def test_huge_input_is_summarised():
    result = ex1.practice.check({f"X{i}": "shared" for i in range(5000)})
    assert result.status == INVALID and len(result.lines) == 9 and result.lines[-1].startswith("... and 4992 more")


def test_graded_check_confirms_format_and_never_correctness():
    everything = {item: "shared" for item in ex1.graded.items}
    result = ex1.graded.check(everything)
    assert result.status == READY and "score appears after grading" in result.headline
    assert result.wrong == [] and result.correct == 0   # nothing about right or wrong
    half = dict(list(everything.items())[:9])
    assert ex1.graded.check(half).status == INCOMPLETE
    assert ex1.graded.check({next(iter(ex1.graded.items)): "ds?"}).status == INVALID


def test_hints_escalate_and_solution_reveals_only_practice():
    q = LabelQuestion("Q", {"R01": "x"}, OWNER_LABELS, key={"R01": "shared"}, hints=["one", "two"])
    assert q.hint() == "Hint 1 of 2: one (ask again for a stronger hint)"
    assert q.hint() == "Hint 2 of 2: two"
    assert q.hint() == "Hint 2 of 2: two"
    assert q.hint(1).startswith("Hint 1 of 2")
    table = ex1.practice.solution()
    assert set(table.index) == set(KEY) and set(table["answer"]) <= {"data scientist", "ML engineer", "shared"}
    assert "not in your copy of the course" in ex1.graded.solution()


def test_result_renders_as_html_and_text():
    result = ex1.practice.check(dict(KEY, **{FIRST: OTHER[KEY[FIRST]]}))
    assert str(result).startswith("✗ Practice round") and "<li>" in result._repr_html_()


def _hint_sources():
    """Every question object in the package that has a hint() method."""
    import importlib
    import pkgutil

    import mlroles.lessons

    modules = ["mlroles.exercises.ex1", "mlroles.exercises.ex2", "mlroles.exercises.ex3", "mlroles.exercises.ex4", "mlroles.widgets.quiz"] + \
        [f"mlroles.lessons.{m.name}" for m in pkgutil.iter_modules(mlroles.lessons.__path__)]
    for name in modules:
        for attr, value in vars(importlib.import_module(name)).items():
            if not isinstance(value, type) and callable(getattr(value, "hint", None)):
                yield f"{name}.{attr}", value


def test_hints_show_as_plain_text_in_a_notebook_and_stay_strings():
    from IPython.core.formatters import DisplayFormatter

    q = LabelQuestion("Q", {"R01": "x"}, OWNER_LABELS, key={"R01": "shared"}, hints=["it's 'one'", "two"])
    text = "Hint 1 of 2: it's 'one' (ask again for a stronger hint)"
    hint = q.hint(1)
    assert isinstance(hint, str) and hint == text and hint + "!" == text + "!"
    bundle, _ = DisplayFormatter().format(hint)
    assert bundle["text/plain"] == text                      # no quotes, no escaped apostrophes
    assert all(not value.startswith(("'", '"')) for value in bundle.values())
    assert "it&#x27;s &#x27;one&#x27;" in bundle["text/html"]   # HTML shows the same text, escaped
    empty = LabelQuestion("Q", {"R01": "x"}, OWNER_LABELS, key={"R01": "shared"}).hint()
    assert DisplayFormatter().format(empty)[0]["text/plain"] == "There is no hint for this question."


def test_every_hint_in_the_package_displays_as_text():
    from IPython.core.formatters import DisplayFormatter

    sources = dict(_hint_sources())
    assert {"mlroles.exercises.ex1.practice", "mlroles.exercises.ex2.schema", "mlroles.exercises.ex2.unified", "mlroles.exercises.ex4.practice"} <= set(sources)
    for name, question in sources.items():
        hint = question.hint(1)           # an explicit level does not move the question's own counter
        assert isinstance(hint, str) and hint.startswith(("Hint 1 of ", "There is no hint")), name
        assert DisplayFormatter().format(hint)[0]["text/plain"] == str(hint), name
