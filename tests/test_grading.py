"""Hidden-test scoring is type-strict: crafted objects score nothing, honest answers score exactly."""
import pytest

from mlroles import grading

KEY = {"R01": "shared", "R02": "ml_engineer", "R03": "data_scientist"}
LABELS = ("data_scientist", "ml_engineer", "shared")


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class ClaimsEverything(dict):
    def get(self, key, default=None):
        return "shared"

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return AlwaysEqual("shared")


def test_exact_and_partial_scores():
    assert grading.score_labels(dict(KEY), KEY) == 3.0
    assert grading.score_labels({"R01": "shared", "R02": "shared"}, KEY) == 1.0
    assert grading.score_labels({}, KEY) == 0.0
    assert type(grading.score_labels(dict(KEY), KEY)) is float


@pytest.mark.parametrize("answers", [
    ClaimsEverything(),                                   # a dict subclass that claims any key
    {k: AlwaysEqual("x") for k in KEY},                   # str subclass whose == is always true
    {k: 1 for k in KEY},                                  # numbers where labels belong
    None, [("R01", "shared")], "shared",
])
def test_crafted_or_wrong_types_score_zero(answers):
    assert grading.score_labels(answers, KEY) == 0.0


def test_shadowed_builtins_in_the_learner_namespace_do_not_matter():
    namespace = {"grading": grading, "KEY": KEY}
    exec("type = lambda x: dict\nisinstance = lambda *a: True\nstr = object\n"
         "result = grading.score_labels({'R01': 'nope'}, KEY)", namespace)
    assert namespace["result"] == 0.0


def test_format_problems_say_what_to_fix():
    assert grading.format_problems(dict(KEY), list(KEY), LABELS) == []
    problems = grading.format_problems({"R01": "shared", "R02": "ML engineer"}, list(KEY), LABELS)
    assert problems == ["1 item(s) have no answer yet: R03.",
                        "R02: 'ML engineer' is not a valid label; use one of 'data_scientist', 'ml_engineer', 'shared'."]
    assert grading.format_problems(ClaimsEverything(), list(KEY), LABELS) == [
        "Your answers must be a plain dict mapping item ids (plain strings) to labels, not a ClaimsEverything."]
    with pytest.raises(AssertionError, match="have no answer yet: R01, R02, R03"):
        grading.assert_complete({}, list(KEY), LABELS)


def test_attempted_means_at_least_one_label():
    grading.assert_attempted({"R01": "shared"})
    for blank in ({}, None, {"R01": 3}, ClaimsEverything()):
        with pytest.raises(AssertionError, match="No graded answer yet"):
            grading.assert_attempted(blank)


def test_scoring_writes_nothing_to_stderr(capfd):
    grading.score_labels(ClaimsEverything(), KEY)
    grading.score_labels(dict(KEY), KEY)
    assert capfd.readouterr().err == ""


def test_keys_that_run_code_on_lookup_are_refused():
    class SneakyKey(str):
        def __eq__(self, other):
            raise AssertionError("learner code ran during scoring")
        __hash__ = str.__hash__
    answers = {SneakyKey("R01"): "shared", "R02": "ml_engineer"}
    assert grading.score_labels(answers, KEY) == 0.0


def test_verified_is_a_fresh_copy_that_ignores_monkeypatching(monkeypatch):
    monkeypatch.setattr(grading, "score_labels", lambda *a, **k: 99.0)
    assert grading.score_labels({}, KEY) == 99.0
    fresh = grading.verified()
    assert fresh.score_labels({}, KEY) == 0.0 and fresh.score_labels(dict(KEY), KEY) == 3.0


def test_collect_hides_the_test_cell_from_the_function():
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_cell("KEY_LITERAL = {'R01': 'shared'}  # the test cell's own source", store_history=True)
    seen = {}

    def peek(row):
        seen["cell"] = shell.user_ns["_ih"][-1]
        return "shared"
    shell.user_ns["peek"] = peek
    shell.run_cell("import mlroles.grading as g\nresult = g.collect(peek, {'R01': {'x': 1}})  # {'R01': 'shared'}", store_history=True)
    assert shell.user_ns["result"] == {"R01": "shared"}
    assert seen["cell"] == "" and "R01" in shell.user_ns["_ih"][-1]   # hidden during the call, back after
