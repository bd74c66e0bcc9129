"""Exercise 2's self-checks, explorer and log tools, with right, wrong and broken answers."""
import time

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
