"""Exercise 2's self-checks, explorer and log tools, with right, wrong and broken answers."""
import time

import pandas as pd
import pytest

from mlroles import ex2, prediction_log
from mlroles.feedback import CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED, READY
from mlroles.function_checks import call_safely


def reference_like(scenario):
    if scenario["inputs_at_request_time"] or scenario["freshness"] == "seconds":
        return "online"
    if scenario["freshness"] == "minutes" and scenario["late_cost"] == "high":
        return "online"
    return "batch"


def test_serving_right_function_agrees_everywhere():
    result = ex2.serving.check(reference_like)
    assert result.status == CORRECT and result.correct == len(ex2.practice_scenarios())


def test_serving_wrong_function_lists_disagreements_with_reasons():
    result = ex2.serving.check(lambda s: "batch")
    online = ex2.practice_scenarios().query("expected_mode == 'online'").index
    assert result.status == INCORRECT and sorted(result.wrong) == sorted(online)
    first = next(line for line in result.lines if line.startswith(online[0]))
    assert "says batch, the reference says online" in first and "Read: lesson" in first


@pytest.mark.parametrize("fn, expected", [
    (lambda s: "Online ", "returned 'Online ', which is not a label; return exactly 'online'"),
    (lambda s: "real-time", "returned 'real-time', which is not a label; return exactly 'online'"),
    (lambda s: None, "returned None: did you forget a return statement?"),
    (lambda s: 1 / 0, "raised ZeroDivisionError: division by zero"),
    (lambda s: s["no_such_column"], "raised KeyError"),
    (lambda s: ["batch"], "returned ['batch'] (a list)"),
])
def test_serving_bad_functions_get_learner_worded_messages(fn, expected):
    result = ex2.serving.check(fn)
    assert result.status == INVALID
    assert expected in result.lines[0]


def test_a_function_that_hangs_is_stopped_per_call():
    def slow(scenario):
        if scenario["freshness"] == "weekly":
            while True:
                pass
        return "batch"
    question = ex2.serving
    start = time.perf_counter()
    out = question.run(slow)
    assert time.perf_counter() - start < 1.5 * question.timeout * max(1, (question.rows["freshness"] == "weekly").sum()) + 3
    weekly = question.rows.index[question.rows["freshness"] == "weekly"]
    assert all(out.loc[i, "problem"] == "took longer than 1 s" for i in weekly)
    assert (out.drop(index=weekly)["answer"] == "batch").all()


def test_not_written_and_not_a_function():
    def stub(scenario):
        raise NotImplementedError()
    assert ex2.serving.check(stub).status == NOT_ATTEMPTED
    assert ex2.serving.check(None).status == NOT_ATTEMPTED
    result = ex2.serving.check("online")
    assert result.status == INVALID and "expected a function" in result.headline


def test_graded_serving_check_reports_validity_only():
    assert ex2.serving_graded.check(reference_like).status == READY
    assert ex2.serving_graded.check(lambda s: "Batch").status == INVALID


def test_calls_are_quiet(capfd):
    def noisy(_):
        import sys, warnings
        print("hello"); print("oops", file=sys.stderr); warnings.warn("careful")
        return "batch"
    assert call_safely(noisy, None) == ("batch", None)
    assert capfd.readouterr().err == ""


def test_explorer_runs_the_learners_function_and_updates():
    explorer = ex2.serving_explorer(reference_like)
    explorer.set(inputs_at_request_time=False, freshness="daily", late_cost="high")
    assert "decides: <b>batch</b>" in explorer.decision.value
    explorer.set(inputs_at_request_time=True)
    assert "decides: <b>online</b>" in explorer.decision.value
    broken = ex2.serving_explorer(lambda s: 1 / 0)
    assert "raised ZeroDivisionError" in broken.decision.value


def test_handoff_questions_right_and_wrong():
    key = ex2.handoff.key
    assert ex2.handoff.check(dict(key)).status == CORRECT
    first = next(iter(key))
    other = {"data_scientist": "shared", "ml_engineer": "shared", "shared": "ml_engineer"}
    assert ex2.handoff.check(dict(key, **{first: other[key[first]]})).wrong == [first]
    assert len(ex2.handoff_graded.items) >= 10
    assert ex2.handoff_graded.check({i: "shared" for i in ex2.handoff_graded.items}).status == READY


GOOD_SCHEMA = {"request_id": "str", "use_case": "str", "model_version": "str", "serving_mode": "str",
               "requested_at": "datetime64[us, UTC]", "scored_at": "datetime64[us, UTC]", "entity_id": "str",
               "score": "float64", "prediction": "int64", "latency_ms": "float64", "label": "Int64",
               "label_at": "datetime64[us, UTC]"}


def test_schema_question_right_and_wrong():
    assert ex2.schema.check(GOOD_SCHEMA).status == CORRECT
    result = ex2.schema.check({k: v for k, v in GOOD_SCHEMA.items() if k != "model_version"} | {"score": "str"})
    assert result.status == INVALID
    assert "'model_version' is missing: it is needed to compare a metric before and after a model change." in result.lines
    assert "'score' is declared as 'str'; it needs a float dtype, such as 'float64'." in result.lines
    assert ex2.schema.check(None).status == NOT_ATTEMPTED
    assert ex2.schema.check(["score"]).status == INVALID


def test_log_validation_says_how_to_convert():
    log = ex2.load_log()
    assert ex2.unified.check(log, GOOD_SCHEMA).status == CORRECT
    broken = log.assign(score=log["score"].astype(str)).drop(columns=["label_at"])
    problems = prediction_log.validate_log(broken, GOOD_SCHEMA)
    assert "column 'label_at' is missing from the DataFrame." in problems
    assert "column 'score' is str, but the schema says float64; convert it with pd.to_numeric(...)." in problems
    assert ex2.unified.check(None, GOOD_SCHEMA).status == NOT_ATTEMPTED


def test_raw_inputs_keep_every_prediction():
    log = ex2.load_log()
    batch, online = ex2.raw_inputs(log)
    assert len(batch) + len(online) == len(log)
    assert set(batch.columns) == {"customer_id", "run_started", "written_at", "churn_score", "will_churn", "model"}
    assert (online["latency_s"] * 1000 - log.loc[log["serving_mode"] == "online", "latency_ms"].to_numpy()).abs().max() < 0.06


# --- hints for the schema and the unified log ----------------------------------------

def test_schema_hints_escalate():
    question = ex2.SchemaQuestion()
    first, second = question.hint(), question.hint()
    assert first.startswith("Hint 1 of 3: Think of two readers") and first.endswith("(ask again for a stronger hint)")
    assert second.startswith("Hint 2 of 3: ") and second != first
    assert question.hint(1) == first and question.hint(3).startswith("Hint 3 of 3: ")
    assert ex2.schema.hint(2) != ex2.schema.hint(1)


def test_log_hint_exists_before_any_check():
    assert ex2.unified.hint(1).startswith("Hint 1 of ")    # raised AttributeError before
    hint = ex2.LogQuestion().hint()
    assert hint.startswith("Hint 1 of 2: Write unify_logs and check what it returns with ex2.unified.check(")


def test_log_hints_start_from_the_first_missing_column_and_escalate():
    log = ex2.load_log()
    question = ex2.LogQuestion()
    question.check(log.drop(columns=["label_at"]), GOOD_SCHEMA)
    first, second = question.hint(), question.hint()
    assert first.startswith("Hint 1 of 3: Start with 'label_at': your DataFrame has no column of that name.")
    assert second == ('Hint 2 of 3: Create it empty, with its dtype, so that pandas does not guess one: '
                      'pd.Series(pd.NaT, index=<your DataFrame>.index, dtype="datetime64[us, UTC]"). '
                      "(ask again for a stronger hint)")
    assert question.hint().startswith("Hint 3 of 3: ") and question.hint().startswith("Hint 3 of 3: ")
    assert question.hint(1) == first
    # the learner fixes that column; the next problem is a renamed one, and the hints start again from hint 1
    question.check(log.drop(columns=["entity_id"]), GOOD_SCHEMA)
    assert question.hint() == ("Hint 1 of 3: Start with 'entity_id': your DataFrame has no column of that name. "
                               "In the batch output, it comes from customer_id; in the online log, it comes from "
                               "order_id. (ask again for a stronger hint)")


def test_log_hints_start_from_the_first_column_with_another_dtype():
    log = ex2.load_log()
    question = ex2.LogQuestion()
    question.check(log.assign(scored_at=log["scored_at"].dt.as_unit("ns")), GOOD_SCHEMA)
    assert question.hint().startswith("Hint 1 of 3: Start with 'scored_at': it is datetime64[ns, UTC] in your "
                                      "DataFrame, and the schema says datetime64[us, UTC]. The kind is right; the "
                                      "unit is ns instead of us.")
    assert question.hint().startswith("Hint 2 of 3: For 'scored_at', only the unit differs: add "
                                      '.dt.as_unit("us"), or use .astype("datetime64[us, UTC]").')
    question.check(log.assign(prediction=log["prediction"].astype(bool)), GOOD_SCHEMA)
    assert question.hint(2).startswith('Hint 2 of 3: For \'prediction\', convert True and False to 1 and 0 with '
                                       '.astype("int64").')
    question.check(log, GOOD_SCHEMA)
    assert question.hint(1).startswith("Hint 1 of 2: Your DataFrame already has every column with the declared dtype.")


def test_log_check_survives_repeated_columns():
    log = ex2.load_log()
    twice = pd.concat([log, log[["score"]]], axis=1)
    result = ex2.LogQuestion().check(twice, GOOD_SCHEMA)
    assert result.status == INVALID and "column 'score' appears 2 times; keep one of them." in result.lines


# --- dtype advice that pandas can follow ---------------------------------------------

def _one_column(values, dtype):
    (problem,) = prediction_log.validate_log(pd.DataFrame({"c": values}), {"c": dtype})
    return problem


def test_dtype_advice_when_only_the_unit_differs():
    values = pd.to_datetime(pd.Series(["2024-03-01 10:00:00"] * 3), utc=True).dt.as_unit("ns")
    assert _one_column(values, "datetime64[us, UTC]") == (
        "column 'c' is datetime64[ns, UTC], but the schema says datetime64[us, UTC]; only the unit differs: "
        'add .dt.as_unit("us"), or use .astype("datetime64[us, UTC]").')
    assert str(values.dt.as_unit("us").dtype) == str(values.astype("datetime64[us, UTC]").dtype) == "datetime64[us, UTC]"
    assert 'add .dt.as_unit("ms")' in _one_column(values, "datetime64[ms, UTC]")


@pytest.mark.parametrize("have, want", [("int64", "Int64"), ("Int64", "int64")])
def test_dtype_advice_when_only_the_nullability_differs(have, want):
    values = pd.Series([1, 0, 1], dtype=have)
    assert _one_column(values, want) == (f"column 'c' is {have}, but the schema says {want}; only the nullability "
                                         f'differs: convert it with .astype("{want}").')
    assert str(values.astype(want).dtype) == want


def test_dtype_advice_for_a_column_of_missing_times_without_a_time_zone():
    values = pd.Series(pd.NaT, index=range(3))              # what log["label_at"] = pd.NaT gives
    with pytest.raises(TypeError):
        values.astype("datetime64[us, UTC]")                 # so .astype alone is not advice for this column
    problem = _one_column(values, "datetime64[us, UTC]")
    assert problem == (
        "column 'c' is datetime64[ns], but the schema says datetime64[us, UTC]; it holds only missing times and has "
        "no time zone, and .astype cannot add one to a datetime column: make it with "
        'pd.Series(pd.NaT, index=<your DataFrame>.index, dtype="datetime64[us, UTC]"), or add '
        '.dt.tz_localize("UTC").dt.as_unit("us").')
    assert str(pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]").dtype) == "datetime64[us, UTC]"
    assert str(values.dt.tz_localize("UTC").dt.as_unit("us").dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("values", [pd.Series([None] * 3), pd.Series([float("nan")] * 3)])
def test_dtype_advice_for_a_column_of_missing_values_of_another_kind(values):
    problem = _one_column(values, "datetime64[us, UTC]")
    assert 'it holds only missing values: convert it with .astype("datetime64[us, UTC]")' in problem
    assert str(values.astype("datetime64[us, UTC]").dtype) == "datetime64[us, UTC]"


def test_dtype_advice_for_times_without_a_time_zone_and_for_text_times():
    naive = pd.to_datetime(pd.Series(["2024-03-01 10:00:00"] * 3)).dt.as_unit("ns")
    assert _one_column(naive, "datetime64[us, UTC]").endswith(
        'its times have no time zone, and .astype cannot add one: if they are in UTC, add '
        '.dt.tz_localize("UTC").dt.as_unit("us").')
    assert str(naive.dt.tz_localize("UTC").dt.as_unit("us").dtype) == "datetime64[us, UTC]"
    text = pd.Series(["2024-03-01 10:00:00"] * 3)
    assert _one_column(text, "datetime64[us, UTC]").endswith('convert it with pd.to_datetime(..., utc=True).dt.as_unit("us").')


# --- the graded scenarios table --------------------------------------------------------

def test_modes_table_shows_the_graded_drivers_and_what_the_function_decides():
    table = ex2.modes_table(reference_like)
    graded = ex2.graded_scenarios()
    assert list(table.index) == list(graded.index) and len(table) == 14
    assert list(table.columns) == ex2.SCENARIO_COLUMNS + ["your function decides", "problem"]
    pd.testing.assert_frame_equal(pd.DataFrame(table[ex2.SCENARIO_COLUMNS]), graded)
    assert not {"expected_mode", "rationale", "pool"} & set(table.columns)       # never the answers
    assert table["your function decides"].tolist() == graded.apply(reference_like, axis=1).tolist()
    assert table.answers == dict(table["your function decides"])
    broken = ex2.modes_table(lambda s: 1 / 0)
    assert set(broken["your function decides"]) == {"—"} and broken["problem"].str.startswith("raised").all()
