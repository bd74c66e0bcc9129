"""Learners' self-checks survive bad input: each case returns a learner-worded result, never raises."""
import math

import pandas as pd
import pytest

from mlroles.checks.base import CheckResult
from mlroles.checks.functions import FunctionQuestion
from mlroles.data import MODE_LABELS
from mlroles.exercises import ex1, ex2, ex3, ex4
from mlroles.widgets import quiz


def hangs(_):
    while True:
        pass


def raises(_):
    raise ValueError("my bug")


class Weird:
    def __eq__(self, other):
        raise RuntimeError("boom")

    __hash__ = object.__hash__


HUGE = {f"R{i}": "shared" for i in range(100_000)}

CASES = [
    ("ex1 None", lambda: ex1.practice.check(None), "not attempted"),
    ("ex1 empty dict", lambda: ex1.practice.check({}), "not attempted"),
    ("ex1 placeholder", lambda: ex1.practice.check("____"), "not attempted"),
    ("ex1 a list", lambda: ex1.practice.check(["R01", "shared"]), "expected a dict"),
    ("ex1 a number", lambda: ex1.practice.check(3.5), "expected a dict"),
    ("ex1 a DataFrame", lambda: ex1.practice.check(pd.DataFrame({"x": [1]})), "expected a dict"),
    ("ex1 misspelled owner", lambda: ex1.practice.check({next(iter(ex1.practice.items)): "ML enginer"}), "did you mean 'ml_engineer'"),
    ("ex1 unknown label", lambda: ex1.practice.check({next(iter(ex1.practice.items)): "intern"}), "is not a label here"),
    ("ex1 unknown item", lambda: ex1.practice.check({"Z9": "shared"}), "is not an item of this question"),
    ("ex1 None value", lambda: ex1.practice.check({next(iter(ex1.practice.items)): None}), "not attempted"),
    ("ex1 weird value", lambda: ex1.practice.check({next(iter(ex1.practice.items)): Weird()}), "the answer should be one of"),
    ("ex1 huge", lambda: ex1.practice.check(HUGE), "need fixing"),
    ("ex1 graded with NaN", lambda: ex1.graded.check({next(iter(ex1.graded.items)): math.nan}), "the answer should be one of"),
    ("ex2 function raises", lambda: ex2.serving.check(raises), "raised ValueError: my bug"),
    ("ex2 function hangs", lambda: FunctionQuestion("Serving", ex2.serving.rows.head(2), MODE_LABELS,
                                                    key=dict(list(ex2.serving.key.items())[:2]), timeout=0.5).check(hangs),
     "took longer than 0.5 s"),
    ("ex2 returns 'Online '", lambda: ex2.serving.check(lambda s: "Online "), "return exactly 'online'"),
    ("ex2 returns 'real-time'", lambda: ex2.serving.check(lambda s: "real-time"), "return exactly 'online'"),
    ("ex2 not a function", lambda: ex2.serving.check({"S01": "batch"}), "expected a function"),
    ("ex2 schema a list", lambda: ex2.schema.check(["score"]), "must be a dict"),
    ("ex2 log not a frame", lambda: ex2.unified.check("log.csv", {"score": "float64"}), "Expected a pandas DataFrame"),
    ("ex2 log of other rows", lambda: ex2.unified.check(ex2.load_log().head(5), {"score": "float64"}), "the two raw logs hold"),
    ("ex2 log with weird cells", lambda: ex2.unified.check(ex2.load_log().assign(score=[Weird()] * len(ex2.load_log())),
                                                           {"score": "float64"}), "object"),
    ("ex2 schema with a float label", lambda: ex2.schema.check({"label": "float64"}), "nullable integer dtype"),
    ("ex2 schema with a dtype object", lambda: ex2.schema.check({"score": float}), "it needs a float dtype"),
    ("ex2 metrics not a function", lambda: ex2.metrics.check({"rows": 1}), "expected a function"),
    ("ex2 metrics called", lambda: ex2.metrics.check(pd.DataFrame({"rows": [1]})), "without calling it"),
    ("ex2 metrics returns a list", lambda: ex2.metrics.check(lambda log, t: [1, 2]), "not a DataFrame"),
    ("ex2 metrics raises", lambda: ex2.metrics.check(lambda log, t: raises(log)), "raised ValueError: my bug"),
    ("ex2 metrics one argument", lambda: ex2.metrics.check(raises), "raised TypeError"),
    ("ex2 metrics weird cells", lambda: ex2.metrics.check(lambda log, t: pd.DataFrame(
        {c: [Weird(), Weird()] for c in ex2.METRIC_COLUMNS},
        index=pd.MultiIndex.from_tuples([("churn_weekly", "batch"), ("fraud_checkout", "online")],
                                        names=ex2.METRIC_INDEX))), "make it int64"),
    ("ex2 versions returns a Series", lambda: ex2.versions.check(lambda log, u, t: log["score"]), "not a DataFrame"),
    ("ex2 versions empty table", lambda: ex2.versions.check(lambda log, u, t: pd.DataFrame()), "it needs one row for each"),
    ("ex2 versions hangs", lambda: ex2.MetricTableQuestion("v", "versions", "compare_versions", ex2.VERSION_CALLS,
                                                           ["model_version"], ex2.VERSION_COLUMNS, "", timeout=0.5)
     .check(lambda log, u, t: hangs(log)), "took longer than 0.5 s"),
    ("ex3 role misspelled", lambda: ex3.practice.check({ex3.practice.ads.index[0]: {"role": "Data Scientst", "flags": []}}), "did you mean 'data_scientist'"),
    ("ex3 flags a string", lambda: ex3.practice.check({ex3.practice.ads.index[0]: {"role": "analyst", "flags": "no_team"}}), "flags should be a list"),
    ("ex3 answer a string", lambda: ex3.practice.check({ex3.practice.ads.index[0]: "analyst"}), "expected {'role'"),
    ("ex3 mix a list", lambda: ex3.mix.check([0.5, 0.5]), "expected a DataFrame"),
    ("ex4 function returns None", lambda: ex4.practice.check(lambda t: None), "did you forget a return statement"),
    ("ex4 function reads a missing column", lambda: ex4.practice.check(lambda t: t["budget"]), "raised KeyError"),
    ("quiz unknown option", lambda: next(iter(quiz.lesson_questions("01_two_roles_two_risks").values())).check("e"), "is not an option"),
    ("quiz a number", lambda: next(iter(quiz.lesson_questions("01_two_roles_two_risks").values())).check(2), "is not an option"),
]


@pytest.mark.parametrize("name, call, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_learner_worded_message(name, call, expected):
    result = call()
    assert isinstance(result, CheckResult)
    text = str(result)
    assert expected in text, text
    assert "Traceback" not in text and not result.passed
