"""Exercise 2, "Batch or online, and who owns the handoff": questions, widgets and data the notebook calls."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import course, data, manifest, prediction_log
from mlroles.checks.base import (CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED, CheckResult, LabelQuestion, Question,
                                 _describe, built_when_asked)
from mlroles.checks.functions import FunctionQuestion, call_safely
from mlroles.checks.written import DraftCheck
from mlroles.data import MODE_LABELS, OWNER_LABELS
from mlroles.sources import read_in_lesson
from mlroles.tables import full_text

ASSIGNMENT = "ex2_serving_handoff"
CHOICES_FILE = f"{ASSIGNMENT}.choices.json"
THRESHOLDS = {"churn_weekly": 0.5, "fraud_checkout": 0.7}
# What choose_serving_mode sees: the product's name, then the drivers the grader calls it with
# (declared once, in the exercise's manifest).
SCENARIO_COLUMNS = ["product", *manifest.find_part("serving_modes").columns]

SERVING_HINTS = (
    "Ask first whether the prediction could be computed before anyone needs it. If it can, a scheduled job "
    "that writes a table is usually simpler and cheaper than a live service.",
    "A tight latency budget or a huge volume does not by itself force online serving: looking up a "
    "precomputed score is fast too. What forces it is input that only exists when the request arrives.",
    "Freshness and the cost of being late matter together: a prediction that goes stale within seconds, or "
    "within minutes when lateness is expensive, cannot wait for the next scheduled run.",
)
HANDOFF_HINTS = (
    "For each artifact, ask who answers for it when it is wrong: a wrong conclusion (data scientist) or a "
    "system that fails or cannot be changed safely (ML engineer).",
    "Shared artifacts are the ones both roles read and write: what feeds training and serving, what both "
    "monitor, what both must agree on before a model changes.",
)


def _read_more(row) -> str:
    return read_in_lesson(course.LESSON_OF["serving_scenarios"], row["source_ids"])


@lru_cache(maxsize=None)
def _scenarios():
    return data.load_serving_scenarios().set_index("scenario_id")


def practice_scenarios() -> pd.DataFrame:
    """Practice scenarios with the reference mode (``expected_mode``) and its reason."""
    s = _scenarios()
    return full_text(s[s["pool"] == "practice"][SCENARIO_COLUMNS + ["expected_mode", "rationale"]])


def graded_scenarios() -> pd.DataFrame:
    """Graded scenarios: the drivers only; their modes are graded after you submit."""
    s = _scenarios()
    return s[s["pool"] == "graded"][SCENARIO_COLUMNS]


def _drivers(scenario) -> str:
    """A scenario's drivers in words."""
    return (f"a latency budget of {int(scenario['latency_budget_ms']):,} ms, freshness '{scenario['freshness']}', "
            f"{int(scenario['requests_per_day']):,} requests a day, input "
            f"{'that exists only once the request arrives' if scenario['inputs_at_request_time'] else 'known in advance'}"
            f", late cost '{scenario['late_cost']}'")


class ServingQuestion(FunctionQuestion):
    """choose_serving_mode on the practice scenarios. Its hints start from the first scenario the last check found
    wrong (or broken): its drivers, then the idea that decides it, then how to try it alone."""

    @property
    def _hints(self) -> list[str]:
        found = self._found
        if found is None:
            return self.before_check
        if found == CORRECT:
            return ["Your function agrees on every practice scenario. In the explorer, try the edges: input known in "
                    "advance with freshness 'minutes' and each late cost, and a tight latency budget with input known "
                    "in advance."]
        sid = found["id"]
        scenario = self.rows.loc[sid]
        alone = f'choose_serving_mode(ex2.practice_scenarios().loc["{sid}"])'
        if "problem" in found:
            return [f"Start with {sid}: choose_serving_mode {found['problem']}. Each scenario is a row with the "
                    f"fields {', '.join(self.rows.columns)}.", f"Call it on that scenario alone to see the error: {alone}."]
        first = (f"{found['count']} practice scenario{'s disagree' if found['count'] > 1 else ' disagrees'} with the "
                 f"reference. Start with {sid}: your function says {found['said']} for {_drivers(scenario)}. Which of "
                 "these does your function test, and in what order?")
        if scenario["inputs_at_request_time"]:
            idea = SERVING_HINTS[1]
        elif scenario["freshness"] in ("seconds", "minutes"):
            idea = SERVING_HINTS[2]
        else:
            idea = SERVING_HINTS[0]
        return [first, idea, f"Try your function on that scenario alone: {alone}."]


def _serving_question() -> FunctionQuestion:
    rows = _scenarios()[_scenarios()["pool"] == "practice"]
    return ServingQuestion(
        "Serving mode (practice scenarios)", rows[SCENARIO_COLUMNS], MODE_LABELS,
        key=rows["expected_mode"].to_dict(), why=rows["rationale"].to_dict(),
        read={i: _read_more(r) for i, r in rows.iterrows()}, hints=SERVING_HINTS,
        function_name="choose_serving_mode")


def _serving_graded() -> FunctionQuestion:
    return FunctionQuestion("Serving mode (graded scenarios)", graded_scenarios(), MODE_LABELS,
                            function_name="choose_serving_mode")


@lru_cache(maxsize=None)
def _artifacts():
    return data.load_handoff_artifacts().set_index("artifact_id")


def _artifact_text(row) -> str:
    return f"{row['artifact']}: {row['description']}"


def _handoff_question(pool: str) -> LabelQuestion:
    a = _artifacts()
    rows = a[a["pool"] == pool]
    others = a[a["pool"] != pool].index.tolist()
    items = {i: _artifact_text(r) for i, r in rows.iterrows()}
    if pool == "graded":
        return LabelQuestion("Handoff owners (graded)", items, OWNER_LABELS, hints=HANDOFF_HINTS, other_ids=others)
    return LabelQuestion("Handoff owners (practice)", items, OWNER_LABELS, key=rows["owner"].to_dict(),
                         why=rows["rationale"].to_dict(), read={i: _read_more(r) for i, r in rows.iterrows()},
                         hints=HANDOFF_HINTS, other_ids=others)


# the questions, each built on first use (see the end of the module)
_QUESTIONS = dict(serving=_serving_question, serving_graded=_serving_graded,
                  handoff=lambda: _handoff_question("practice"), handoff_graded=lambda: _handoff_question("graded"))


def serving_explorer(fn):
    """Move a scenario's drivers and see what your choose_serving_mode decides."""
    from mlroles.widgets.explorers import serving_explorer as build

    return build(fn)


def handoff_practice_board():
    from mlroles.widgets.boards import ClassificationBoard

    return ClassificationBoard(_asked("handoff"), store=CHOICES_FILE, store_key="handoff_practice")


def handoff_board():
    from mlroles.widgets.boards import ClassificationBoard

    return ClassificationBoard(_asked("handoff_graded"), store=CHOICES_FILE, store_key="handoff_graded")


def answers_table(answers) -> pd.DataFrame:
    """The graded handoff answers as a grader reads them."""
    from mlroles.tables import label_answers_table

    return label_answers_table(_asked("handoff_graded").items, answers, OWNER_LABELS, "artifact")


def modes_table(fn) -> pd.DataFrame:
    """Each graded scenario's drivers, with what your function decides for it (or why it could not)."""
    from mlroles.tables import answer_table

    scenarios = graded_scenarios()
    if callable(fn):
        serving_graded = _asked("serving_graded")
        out = serving_graded.run(fn)
    else:
        out = pd.DataFrame({"answer": None, "problem": f"{serving_graded.function_name} is not a function"},
                           index=scenarios.index)
    decides = out["answer"].map(lambda a: a if isinstance(a, str) else "—").rename("your function decides")
    frame = scenarios.join(decides)
    problems = out["problem"].fillna("")
    # the column only when a call went wrong in its own way: a function not written yet is said once,
    # by the check above, not on every row of a table that then no longer fits
    if (problems != "").any() and not problems.str.contains("not written yet").all():
        frame = frame.join(out["problem"])
    return answer_table(frame, {i: a for i, a in out["answer"].items() if isinstance(a, str)})


# --- part 3: the unified prediction log -------------------------------------------------

def load_log() -> pd.DataFrame:
    return data.load_prediction_log()


@lru_cache(maxsize=None)
def _course_log() -> pd.DataFrame:
    """The course's log, read once; every check hands a learner's function a fresh copy."""
    return load_log()


def raw_inputs(log: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The batch job's output and the online service's request log, each in its own shape."""
    log = load_log() if log is None else log
    return prediction_log.batch_output(log), prediction_log.online_requests(log)


SCHEMA_HINTS = (
    "Think of two readers of the same table: an engineer watching latency and failures, and an analyst "
    "measuring quality when labels arrive weeks later. What does each need on every row?",
    "The engineer needs an id to trace each prediction, which use case and model version answered, how it was "
    "served, when the request came in, when the answer went out and how long it took. The analyst needs the "
    "customer or order to join the outcome to, the score, the decision the product was told, and the label with "
    "the time it arrived.",
    'Choose each dtype by what you will do with the column: "str" for ids and names, "float64" for scores and '
    'latencies, "int64" for a 0 or 1 decision, "Int64" for a label that stays missing for weeks, and '
    '"datetime64[us, UTC]" for every time.',
)
# What you will do with a column of each kind, and so its dtype.
KIND_USE = {
    "string": 'you compare and join it, never compute with it: "str"',
    "float": 'you average it and compare it with a threshold: "float64"',
    "integer": 'it is the 0 or 1 the product was told: "int64"',
    "nullable integer": 'it is a 0 or 1 that stays missing until the outcome arrives: "Int64"',
    "datetime": 'you subtract times and slice them by week, all in one time zone: "datetime64[us, UTC]"',
}


def schema_hints(found) -> list[str]:
    """Hints for LOG_SCHEMA that start from the fields a check found wrong (None: no check yet; []: right)."""
    if found is None:
        return list(SCHEMA_HINTS)
    if not found:
        return ["Your schema holds every field with a fitting dtype. Now make unify_logs return exactly these "
                "columns with these dtypes: end it with .astype(LOG_SCHEMA)."]
    first, rest = found[0], found[1:]
    field = first["field"]
    if field is None:
        return [first["message"] + ' Write it as {"request_id": "str", "score": "float64", ...}.', *SCHEMA_HINTS]
    kind, why = prediction_log.NEEDED[field]
    if first["problem"] == "missing":
        if field in LATE_FIELDS:
            where = "Neither raw log has it: labels arrive weeks later, from another system, and the column waits for them."
        else:
            batch, online = LOG_SOURCES[field]
            where = f"In the batch output, {batch}; in the online log, {online}."
        start = f"Start with '{field}': your schema has no such field, and it is needed {why}. {where}"
    else:
        near = f" ({first['near']})" if first.get("near") else ""
        start = f"Start with '{field}': you declared {first['declared']!r}, but {KIND_USE[kind]}{near}."
    more = (f"{len(rest)} more field(s) to fix after that: " + ", ".join(f"'{p['field']}'" for p in rest) + ". "
            "For each, ask which of the two readers needs it.") if rest else \
        "That is the only field to fix; run ex2.schema.check(LOG_SCHEMA) again afterwards."
    return [start, more, SCHEMA_HINTS[2]]


class SchemaQuestion(Question):
    """Declare the unified log's schema: does it hold every field monitoring and analysis need?

    Its hints start from the fields the last check found wrong.
    """

    name = "Unified log schema"
    reading = "this schema"
    how_to_write = 'Write it as a plain dict, like {"score": "float64"}.'
    # _found: the problems the last check found ([] when none), or None before any check

    @property
    def _hints(self) -> list[str]:
        return schema_hints(self._found)


    def _check(self, schema) -> CheckResult:
        if schema is None or schema is Ellipsis or schema == {}:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; declare LOG_SCHEMA as a dict.")
        problems = prediction_log.diagnose_schema(schema)
        self._remember(problems)
        if problems:
            return CheckResult(INVALID, f"{self.name}: {len(problems)} field(s) to fix.", [p["message"] for p in problems])
        return CheckResult(CORRECT, f"{self.name}: it covers every field monitoring and analysis need.")


# Where each field of the unified log comes from: (in the batch job's output, in the online request log).
LOG_SOURCES = {
    "request_id": ("there is none: make an id that is unique on every row, for example from the run's date and "
                   "customer_id", "it is request_id"),
    "use_case": ('it is "churn_weekly" on every row', 'it is "fraud_checkout" on every row'),
    "model_version": ("it comes from model", "it comes from model_version"),
    "serving_mode": ('it is "batch" on every row', 'it is "online" on every row'),
    "requested_at": ("it comes from run_started (text)", "it comes from received_epoch_s (epoch seconds)"),
    "scored_at": ("it comes from written_at (text)", "it is received_epoch_s plus latency_s"),
    "entity_id": ("it comes from customer_id", "it comes from order_id"),
    "score": ("it comes from churn_score", "it comes from fraud_probability"),
    "prediction": ("it comes from will_churn (True or False)", "it comes from blocked (True or False)"),
    "latency_ms": ("it is written_at minus run_started", "it is latency_s, in seconds"),
}
LATE_FIELDS = ("label", "label_at")   # they arrive later, from another system
# How to make a column's values right, per serving mode, once its source is known.
VALUE_FIXES = {
    ("request_id", None): 'the batch output has no id: build one from the run\'s date and the customer, for example '
                          '"batch-" + batch_output["run_started"].str[:10] + "-" + batch_output["customer_id"]',
    ("latency_ms", "batch"): "parse both times first, then (written - started).dt.total_seconds() * 1000",
    ("latency_ms", "online"): 'online_requests["latency_s"] * 1000',
    ("scored_at", "batch"): 'pd.to_datetime(batch_output["written_at"], utc=True)',
    ("scored_at", "online"): ('the request time plus the latency: pd.to_datetime(online_requests["received_epoch_s"], '
                              'unit="s", utc=True) + pd.to_timedelta(online_requests["latency_s"], unit="s")'),
    ("prediction", "batch"): 'batch_output["will_churn"].astype("int64") turns True and False into 1 and 0',
    ("prediction", "online"): 'online_requests["blocked"].astype("int64") turns True and False into 1 and 0',
}

LOG_BUILD_HINT = (
    "Build the batch rows and the online rows as two DataFrames that already use the schema's column names, put "
    "them together with pd.concat([batch, online], ignore_index=True), and end with .astype(LOG_SCHEMA). To see "
    "which columns still differ, put your DataFrame's .dtypes next to pd.Series(LOG_SCHEMA).")
LOG_TIMES_HINT = (
    'Times: pd.to_datetime(batch_output["run_started"], utc=True) reads the text times, and '
    'pd.to_datetime(online_requests["received_epoch_s"], unit="s", utc=True) reads epoch seconds; adding '
    'pd.to_timedelta(online_requests["latency_s"], unit="s") gives scored_at. If .astype(LOG_SCHEMA) raises '
    '"Cannot use .astype to convert from timezone-naive dtype to timezone-aware dtype", a time column has no time '
    "zone; often it is label_at filled with pd.NaT. Make that column with "
    'pd.Series(pd.NaT, index=<your DataFrame>.index, dtype="datetime64[us, UTC]").')
LOG_NOT_CHECKED_HINT = (
    "Write unify_logs and check what it returns with ex2.unified.check(unified, LOG_SCHEMA): then the hints start "
    "from what your DataFrame gets wrong. " + LOG_BUILD_HINT)
LOG_CORRECT_HINT = (
    "Your DataFrame has every column with its declared dtype, and its ids, values, times and latencies agree with "
    "the course log. Grading runs unify_logs on other rows of the same two logs and checks the same four things: "
    "the schema, the row counts, the values, and the times and latencies. Nothing in it may depend on how many "
    "rows there are.")


def _empty_column(dtype: str) -> str | None:
    """Code that makes a column of missing values of this dtype (tried on the installed pandas), or None
    when the dtype cannot hold missing values (int64)."""
    types = pd.api.types
    target = types.pandas_dtype(dtype)
    if isinstance(target, pd.DatetimeTZDtype) or types.is_datetime64_dtype(target):
        missing = "pd.NaT"
    elif isinstance(target, pd.api.extensions.ExtensionDtype) or types.is_object_dtype(target):
        missing = "pd.NA"
    elif types.is_float_dtype(target):
        missing = 'float("nan")'
    else:
        return None
    return f'pd.Series({missing}, index=<your DataFrame>.index, dtype="{dtype}")'


def _why_dtype(values: pd.Series, expected: str) -> str:
    """What usually gives a column this dtype, in a learner's words ('' when there is nothing useful to say)."""
    types = pd.api.types
    target = types.pandas_dtype(expected)
    actual = values.dtype
    empty = len(values) > 0 and bool(values.isna().all())
    if isinstance(target, pd.DatetimeTZDtype):
        if isinstance(actual, pd.DatetimeTZDtype):
            if actual.unit != target.unit:
                return (f"The kind is right; the unit is {actual.unit} instead of {target.unit}. Adding "
                        "pd.to_timedelta(...) to times, for example, gives nanoseconds (ns).")
            return f"The kind is right; the time zone is {actual.tz} instead of {target.tz}."
        if types.is_datetime64_dtype(actual):
            return ("Assigning pd.NaT to a column makes times without a time zone." if empty else
                    "pd.to_datetime without utc=True gives times without a time zone.")
        if empty:
            return "A column filled with None, pd.NA or NaN has no datetime dtype until you give it one."
        return "The raw times are text or epoch seconds, and pandas keeps them that way until you parse them."
    if types.is_bool_dtype(actual):
        return "The raw column holds True or False; the schema asks for numbers."
    if empty and types.is_object_dtype(actual):
        return "A column filled with pd.NA or None has no dtype of its own, so pandas stores it as object."
    if empty and types.is_float_dtype(actual):
        return "A column filled with NaN is float64 until you give it another dtype."
    if types.is_integer_dtype(actual) and types.is_integer_dtype(target):
        return "The kind is right: only the nullability or the size differs."
    return ""


def _value_hints(found) -> list[str]:
    """Hints for rows whose values differ from the course log: the rows first, then where the value comes from."""
    column, mode = found["column"], found.get("mode")
    if found["problem"] == "row counts":
        return [f"Start with the row counts: {found['message']}", LOG_BUILD_HINT]
    if found["problem"] == "schema":
        return [f"Start with LOG_SCHEMA itself: {found['detail']} Change it there and check it with "
                "ex2.schema.check(LOG_SCHEMA); .astype(LOG_SCHEMA) at the end of unify_logs then converts the column.",
                LOG_BUILD_HINT]
    first = f"Start with '{column}': {found['message']}"
    if column in LOG_SOURCES and mode in ("batch", "online"):
        batch, online = LOG_SOURCES[column]
        first += f" In the {mode} log, {batch if mode == 'batch' else online}."
    if column in LATE_FIELDS:
        empty = _empty_column("Int64" if column == "label" else "datetime64[us, UTC]")
        fix = f"Create '{column}' empty, with its dtype: {empty}."
    else:
        fix = VALUE_FIXES.get((column, mode)) or VALUE_FIXES.get((column, None))
        fix = f"For '{column}': {fix}." if fix else LOG_BUILD_HINT
    return [first, fix, LOG_TIMES_HINT if column in ("requested_at", "scored_at", "latency_ms") else LOG_BUILD_HINT]


def log_hints(found) -> list[str]:
    """Hints for the unified log that start from what a check found: the first problem, or None, or CORRECT."""
    if found is None:
        return [LOG_NOT_CHECKED_HINT, LOG_TIMES_HINT]
    if found == CORRECT:
        return [LOG_CORRECT_HINT, LOG_TIMES_HINT]
    column, problem = found["column"], found["problem"]
    if problem in ("values", "row counts", "schema"):
        return _value_hints(found)
    if problem == "not a DataFrame":
        return [f"unify_logs returned a {found['actual']}, not a DataFrame. Make it return the two parts put "
                "together: pd.concat([batch, online], ignore_index=True).", LOG_BUILD_HINT, LOG_TIMES_HINT]
    if problem == "no schema":
        return ["Declare LOG_SCHEMA as a dict first, and check it with ex2.schema.check(LOG_SCHEMA).",
                LOG_BUILD_HINT, LOG_TIMES_HINT]
    if problem == "repeated":
        return [f"Start with '{column}': it appears more than once in your DataFrame. Check that each part names "
                "it only once before pd.concat, or keep the first copy with df.loc[:, ~df.columns.duplicated()], "
                "where df is your DataFrame.", LOG_BUILD_HINT, LOG_TIMES_HINT]
    if problem == "missing":
        first = f"Start with '{column}': your DataFrame has no column of that name. "
        if column in LATE_FIELDS:
            try:
                make = _empty_column(found["expected"])
                second = (f"Create it empty, with its dtype, so that pandas does not guess one: {make}." if make else
                          f"The schema declares it as {found['expected']}, which cannot hold missing values: "
                          'declare it "Int64" in LOG_SCHEMA, then create it empty.')
            except (TypeError, ValueError):  # not a dtype pandas knows
                second = (f"Check LOG_SCHEMA first with ex2.schema.check(LOG_SCHEMA): {found['expected']!r} is not "
                          "a dtype pandas knows.")
            return [first + "Labels have not arrived yet, but the column must be there, with every value missing.",
                    second, LOG_BUILD_HINT]
        if column in LOG_SOURCES:
            batch, online = LOG_SOURCES[column]
            return [first + f"In the batch output, {batch}; in the online log, {online}.",
                    LOG_BUILD_HINT, LOG_TIMES_HINT]
        return [first + "Your LOG_SCHEMA declares it, so add it to both parts, or take it out of the schema if "
                "monitoring and analysis do not need it.", LOG_BUILD_HINT, LOG_TIMES_HINT]
    # problem == "dtype": the column is there with another dtype
    first = f"Start with '{column}': it is {found['actual']} in your DataFrame, and the schema says {found['expected']}."
    why, fix = found.get("why", ""), found.get("advice", "")
    hints = [f"{first} {why}".strip()]
    if fix:
        hints.append(f"For '{column}', {fix}.")
    return hints + [LOG_BUILD_HINT]


class LogQuestion(Question):
    """Check the DataFrame unify_logs returns for ``ex2.raw_inputs()`` against the declared schema (columns and
    dtypes), the schema against what the log needs, and its values against the course log: row counts, ids,
    values, times and latencies, as grading checks them on other rows.

    Its hints start from what the last check found wrong; they start again from hint 1 when that changes.
    """

    name = "Unified log"
    reading = "this DataFrame"
    how_to_write = "Return a plain pandas DataFrame."
    # _found: what the last check found: its first problem, CORRECT, or None (no check yet)

    @property
    def _hints(self) -> list[str]:
        return log_hints(self._found)


    def _check(self, frame, schema=None) -> CheckResult:
        """``ex2.unified.check(unified, LOG_SCHEMA)``: the frame, checked with the schema the learner declared."""
        if frame is None:
            self._remember(None)
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write unify_logs first.")
        problems = prediction_log.diagnose_log(frame, schema)
        if problems and problems[0]["problem"] in ("not a DataFrame", "no schema"):
            self._remember(dict(problems[0]))
            return CheckResult(INVALID, f"{self.name}: {problems[0]['message']}")
        if problems and problems[0]["problem"] == "dtype":
            problems[0] = dict(problems[0], **_explain_dtype(frame[problems[0]["column"]], problems[0]["expected"]))
        in_schema = prediction_log.diagnose_schema(schema)
        if in_schema:           # one line: ex2.schema.check lists them all
            more = f" ({len(in_schema) - 1} more: ex2.schema.check(LOG_SCHEMA) lists them)" if len(in_schema) > 1 else ""
            problems.append({"column": in_schema[0]["field"], "problem": "schema", "detail": in_schema[0]["message"],
                             "message": f"In LOG_SCHEMA, {in_schema[0]['message']}{more}"})
        problems += prediction_log.compare_with_log(frame, _course_log())
        if problems:
            self._remember(dict(problems[0]))
            return CheckResult(INVALID if problems[0]["problem"] != "values" else INCORRECT,
                               f"{self.name}: {len(problems)} problem(s).", [p["message"] for p in problems[:8]])
        self._remember(CORRECT)
        return CheckResult(CORRECT, f"{self.name}: {len(frame):,} rows; every column has the declared dtype, and the "
                           "ids, values, times and latencies agree with the course log.")


def _explain_dtype(values: pd.Series, expected: str) -> dict:
    """Why a column has its dtype and how to convert it; empty strings when pandas cannot say."""
    try:
        return {"why": _why_dtype(values, expected), "advice": prediction_log.how_to_convert(values, expected)}
    except Exception:
        return {"why": "", "advice": ""}


_QUESTIONS.update(schema=SchemaQuestion, unified=LogQuestion)


# --- part 3: what both roles watch ----------------------------------------------------

METRIC_INDEX = ["use_case", "serving_mode"]
METRIC_COLUMNS = ["rows", "label_coverage", "precision", "recall", "latency_p50", "latency_p95"]
VERSION_COLUMNS = METRIC_COLUMNS[:4]
NO_FLAG = 0.95          # above every fraud score in the course log: no labelled order is flagged
# The practice calls: the course log only (lessons 2 to 4 show these figures), and one where nothing is
# flagged. Grading calls the functions on other rows and thresholds, never computed here.
METRIC_CALLS = {
    "the course log at ex2.THRESHOLDS": (dict(THRESHOLDS),),
    f"the course log with the fraud threshold at {NO_FLAG}": ({**THRESHOLDS, "fraud_checkout": NO_FLAG},),
}
VERSION_CALLS = {
    "fraud_checkout at 0.7": ("fraud_checkout", THRESHOLDS["fraud_checkout"]),
    "churn_weekly at 0.5": ("churn_weekly", THRESHOLDS["churn_weekly"]),
    f"fraud_checkout at {NO_FLAG}": ("fraud_checkout", NO_FLAG),
}


def _share(base: pd.Series, hit: pd.Series) -> float:
    """Among the rows where ``base`` holds, the share where ``hit`` holds too (NaN when there are none)."""
    return float((base & hit).sum() / base.sum()) if base.sum() else float("nan")


@lru_cache(maxsize=None)
def _course_figures(kind: str, call: str) -> pd.DataFrame:
    """The figures of one practice call, counted on the course log the way lessons 2 to 4 count them, with the
    counts behind them (for hints). ``kind`` is "metrics" or "versions"; ``call`` a key of its calls."""
    log = _course_log()
    if kind == "metrics":
        (thresholds,) = METRIC_CALLS[call]
        groups = [(key, rows, thresholds[key[0]]) for key, rows in log.groupby(METRIC_INDEX)]
        names = METRIC_INDEX
    else:
        use_case, threshold = VERSION_CALLS[call]
        groups = [(version, rows, threshold) for version, rows in log[log["use_case"] == use_case].groupby("model_version")]
        names = "model_version"
    out = {}
    for key, rows, threshold in groups:
        labelled = rows[rows["label"].notna()]
        fraud = labelled["label"].astype("int64") == 1
        counts = prediction_log.confusion_counts(rows["score"], rows["label"], threshold)
        tp, n_flagged, n_fraud = counts["tp"], counts["tp"] + counts["fp"], counts["fraud_labelled"]
        out[key] = {"rows": len(rows), "label_coverage": len(labelled) / len(rows),
                    "precision": counts["precision"], "recall": counts["recall"],
                    "latency_p50": rows["latency_ms"].quantile(0.5), "latency_p95": rows["latency_ms"].quantile(0.95),
                    # the counts behind them, and what common slips give instead
                    "threshold": threshold, "labelled": len(labelled), "flagged": n_flagged, "fraud": n_fraud, "tp": tp,
                    "flagged_all": int((rows["score"] >= threshold).sum()),
                    "decided_precision": _share(labelled["prediction"] == 1, fraud),
                    "decided_recall": _share(fraud, labelled["prediction"] == 1),
                    "labelled_p50": labelled["latency_ms"].quantile(0.5),
                    "labelled_p95": labelled["latency_ms"].quantile(0.95)}
    return pd.DataFrame.from_dict(out, orient="index").rename_axis(names)


def _what(value) -> str:
    """A learner's value in a few words (a pandas object by its kind and shape, not its whole repr)."""
    if isinstance(value, (pd.Series, pd.DataFrame)):
        return f"a {type(value).__name__} of shape {value.shape}"
    return _describe(value)


def _number(value) -> float | None:
    """A cell of the learner's table as a float (NaN for a missing value), or None when it is not a number."""
    if isinstance(value, (pd.Series, pd.DataFrame)):
        return None
    if value is None or value is pd.NA or value is pd.NaT:
        return float("nan")
    try:
        return float(value) if not isinstance(value, (bool, str)) else None
    except (TypeError, ValueError):
        return None


def _same(mine, want: float) -> bool:
    if mine is None:
        return False
    if pd.isna(want) or pd.isna(mine):
        return bool(pd.isna(want) and pd.isna(mine))
    return abs(mine - want) <= 1e-6 * max(1.0, abs(want))


def _show(value) -> str:
    if value is None:
        return "not a number"
    return "NaN" if pd.isna(value) else f"{value:,.4g}" if abs(value) >= 1 else f"{value:.4f}"


def _key_text(key) -> str:
    return " / ".join(key) if isinstance(key, tuple) else str(key)


def _cause(column: str, mine: float, row: pd.Series) -> str:
    """What a wrong figure matches, in words ('' when it matches no common slip)."""
    def decided(column):
        return {"what the prediction column gives: it holds the decision at the threshold the product used, so "
                "compare score with the threshold given instead": row[column]}
    slips = {
        "rows": {"the number of labelled predictions only": row["labelled"]},
        "label_coverage": {"the number of labelled predictions, not their share": row["labelled"],
                           "the share of label 1 among labelled predictions":
                               row["fraud"] / row["labelled"] if row["labelled"] else None,
                           "the share of predictions still without a label": 1 - row["label_coverage"]},
        "precision": {f"what dividing by all {int(row['flagged_all']):,} flagged predictions gives, unlabelled ones "
                      "counted as label 0: keep only the labelled predictions first":
                          row["tp"] / row["flagged_all"] if row["flagged_all"] else None,
                      "the recall: the two are swapped": row["recall"], **decided("decided_precision")},
        "recall": {"the precision: the two are swapped": row["precision"], **decided("decided_recall")},
        "latency_p50": {"the 95th percentile: the two are swapped": row["latency_p95"],
                        "the value in seconds: latency_ms is already in milliseconds": row["latency_p50"] / 1000,
                        "the median of labelled predictions only: latency counts every prediction": row["labelled_p50"]},
        "latency_p95": {"the median: the two are swapped": row["latency_p50"],
                        "the value in seconds: latency_ms is already in milliseconds": row["latency_p95"] / 1000,
                        "the 95th percentile of labelled predictions only: latency counts every prediction":
                            row["labelled_p95"]},
    }
    return next((why for why, value in slips.get(column, {}).items() if value is not None and _same(mine, value)), "")


def _figure_hint(key, column: str, mine, row: pd.Series) -> str:
    """Hint 1 for a wrong figure: the counts of that group's rows behind the right figure, then what yours matches."""
    where, t = _key_text(key), row["threshold"]
    n, labelled, flagged, fraud, tp = (int(row[c]) for c in ("rows", "labelled", "flagged", "fraud", "tp"))
    if column == "rows":
        text = f"{where} has {n:,} predictions."
    elif column == "label_coverage":
        text = f"{labelled:,} of the {n:,} predictions of {where} have a label, so label_coverage is {row[column]:.4f}."
    elif column == "precision" and not flagged:
        text = (f"at a threshold of {t:g}, none of the {labelled:,} labelled predictions of {where} is flagged, so there "
                "is no precision to measure: return NaN (float(\"nan\")) there, not 0 and not an error.")
    elif column == "precision":
        text = (f"{labelled:,} of the {n:,} predictions of {where} have a label; {flagged:,} of those have a score of "
                f"{t:g} or more, and {tp:,} of these have label 1, so precision is {tp:,} / {flagged:,} = "
                f"{row[column]:.4f}.")
    elif column == "recall" and not fraud:
        text = f"none of the labelled predictions of {where} has label 1, so recall is NaN there."
    elif column == "recall":
        text = (f"{fraud:,} of the {labelled:,} labelled predictions of {where} have label 1, and {tp:,} of these have "
                f"a score of {t:g} or more, so recall is {tp:,} / {fraud:,} = {row[column]:.4f}.")
    else:
        q = "0.5" if column == "latency_p50" else "0.95"
        text = f"over all {n:,} predictions of {where}, labelled or not, latency_ms.quantile({q}) is {row[column]:,.1f} ms."
    cause = _cause(column, mine, row) if mine is not None and not pd.isna(mine) else ""
    yours = f" Yours is {_show(mine)}" + (f", which is {cause}." if cause else ".")
    return f"Start with {column} for {where}: {text}{yours}"


FIGURE_HOW = {
    "rows": "rows is len(rows) of each group, as int64 (an int in a dict stays int64 with pd.DataFrame.from_dict).",
    "label_coverage": 'label_coverage is rows["label"].notna().mean(): the share of all predictions whose label has '
                      "arrived.",
    "precision": 'Keep the labelled rows first: labelled = rows[rows["label"].notna()]; flagged = labelled["score"] >= '
                 'threshold; fraud = labelled["label"] == 1. Precision is (flagged & fraud).sum() / flagged.sum(), or '
                 'float("nan") when flagged.sum() is 0.',
    "recall": 'Keep the labelled rows first: labelled = rows[rows["label"].notna()]; flagged = labelled["score"] >= '
              'threshold; fraud = labelled["label"] == 1. Recall is (flagged & fraud).sum() / fraud.sum(), or '
              'float("nan") when fraud.sum() is 0.',
    "latency_p50": 'rows["latency_ms"].quantile(0.5) over every prediction of the group (pandas\' default method).',
    "latency_p95": 'rows["latency_ms"].quantile(0.95) over every prediction of the group (pandas\' default method).',
}


class MetricTableQuestion(Question):
    """Check a function that returns one row of figures per group: its shape (index, columns, dtypes), and its
    figures on the course log against those lessons 2 to 4 show, also where nothing is flagged. Never raises.

    Its hints start from what the last check found: the first wrong figure with the counts of rows behind it,
    or the shape of the table returned.
    """

    def __init__(self, name: str, kind: str, function_name: str, calls: dict, index: list[str],
                 columns: list[str], build_hint: str, timeout: float = 20.0,
                 extra_rows: str = "one row per group found in the log, no other"):
        self.name, self.kind, self.function_name, self.calls = name, kind, function_name, calls
        self.extra_rows = extra_rows
        self.index, self.columns, self.build_hint, self.timeout = index, columns, build_hint, timeout
        self.reading = f"what {function_name} returned"
        # _found: None (no check yet), CORRECT, or the first problem: {"hints": [...]}

    how_to_write = "Return a plain pandas DataFrame."

    @property
    def _hints(self) -> list[str]:
        if self._found is None:
            return [f"Write {self.function_name} and check it with ex2.{self.kind}.check({self.function_name}): the "
                    "hints then start from the rows your function gets wrong.", self.build_hint]
        if self._found == CORRECT:
            return [f"Every figure agrees with the course log's own. Grading calls {self.function_name} on other rows "
                    "of the log (and other thresholds), so nothing in it may be typed in by hand.", self.build_hint]
        return self._found["hints"]


    @property
    def _level_names(self) -> str:
        return repr(self.index) if len(self.index) > 1 else repr(self.index[0])

    def _shape_problems(self, table: pd.DataFrame, want: pd.DataFrame) -> list[str]:
        """What keeps grading from reading the table: the index, the columns, their dtypes."""
        problems = []
        keys, index = list(want.index), table.index
        names = [n for n in index.names]
        found = [k for k in keys if k in index]
        if len(found) < len(keys):
            shown = ", ".join(repr(k) for k in list(index[:3])) + (", ..." if len(index) > 3 else "") or "nothing"
            if set(self.index) <= set(table.columns):
                problems.append(f"{' and '.join(self.index)} are columns, and the index holds {shown}: grading finds "
                                f"each row by its index, so end with .set_index({self._level_names}).")
            elif index.nlevels != len(self.index):
                extra = [n for n in names if n not in self.index]
                drop = f" (.droplevel({(extra[0] if len(extra) == 1 else extra)!r}) removes the other)" \
                    if set(self.index) <= set(names) and extra else ""
                problems.append(f"the index has {index.nlevels} level(s) ({names}) and holds {shown}; it needs "
                                f"{len(self.index)}: {self._level_names}{drop}.")
            elif len(self.index) == 2 and all((k[1], k[0]) in index for k in keys):
                problems.append(f"the index holds {shown}: its two levels are the other way round; "
                                f"{self.index[0]} comes first (.swaplevel() turns them).")
            else:
                problems.append(f"the index holds {shown}; it needs one row for each of " +
                                ", ".join(repr(k) for k in keys) + ".")
        elif names != self.index:
            problems.append(f"the index levels are named {names}; name them {self._level_names} with "
                            f".rename_axis({self._level_names}).")
        extra = [k for k in index if k not in keys]
        if found and extra:
            problems.append("the index also holds " + ", ".join(repr(k) for k in extra[:3]) +
                            f"{', ...' if len(extra) > 3 else ''}: {self.extra_rows}.")
        if index.has_duplicates:
            problems.append("some rows appear more than once in the index: one row per group.")
        missing = [c for c in self.columns if c not in table.columns]
        if missing:
            problems.append("column(s) " + ", ".join(repr(c) for c in missing) + " missing.")
        present = [c for c in self.columns if c in table.columns and isinstance(table[c], pd.Series)]
        if "rows" in present and not pd.api.types.is_integer_dtype(table["rows"]):
            problems.append(f"column 'rows' is {table['rows'].dtype}; make it int64 (counts are whole numbers): "
                            '.astype({"rows": "int64"}).')
        for c in present:
            if c != "rows" and pd.api.types.is_integer_dtype(table[c]):
                problems.append(f"column '{c}' is {table[c].dtype}, as counts are; a share or a latency is float64.")
            elif c != "rows" and not pd.api.types.is_float_dtype(table[c]):
                problems.append(f"column '{c}' is {table[c].dtype}; make it float64: .astype({{\"{c}\": \"float64\"}}).")
        return problems

    def _readable(self, table: pd.DataFrame, want: pd.DataFrame) -> pd.DataFrame | None:
        """The table with its rows findable by the expected index, where the fix is plain (the index levels as
        columns, or the other way round), so its figures can be checked too; None when they cannot be found."""
        def found(t):
            return all(k in t.index for k in want.index)
        names = list(table.index.names)
        tries = [lambda: table]
        if set(self.index) <= set(table.columns):
            tries.append(lambda: table.set_index(self.index))
        if len(self.index) == 2 and table.index.nlevels == 2:
            tries.append(lambda: table.swaplevel())
        if table.index.nlevels > len(self.index) and set(self.index) <= set(names):
            tries.append(lambda: table.droplevel([n for n in names if n not in self.index]))
        for attempt in tries:
            try:
                moved = attempt()
                if found(moved):
                    return moved
            except Exception:   # an index pandas cannot rearrange: its figures stay unchecked
                continue
        return None

    def _call(self, fn, args) -> tuple:
        log = _course_log().copy()          # a fresh copy: a function that changes its input changes nothing here
        return call_safely(lambda a: fn(*a), (log, *[dict(a) if isinstance(a, dict) else a for a in args]),
                           self.timeout)

    def _check(self, fn) -> CheckResult:
        """Run the function on the practice calls and say what to fix."""
        if fn is None or fn is Ellipsis:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write {self.function_name} first.")
        if not callable(fn):
            return CheckResult(INVALID, f"{self.name}: expected a function, like {self.function_name}, but got "
                               f"{_what(fn)}. Pass the function itself, without calling it.")
        lines, first, status, seen, said = [], None, CORRECT, set(), set()
        for n, (call, args) in enumerate(self.calls.items()):
            want = _course_figures(self.kind, call)
            on = f"On {call}" if n else "On the course log"
            table, problem = self._call(fn, args)
            if problem and "not written yet" in problem and n == 0:
                self._remember(None)
                return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; {self.function_name} still raises "
                                   "NotImplementedError. Replace that line with your code.")
            if problem is None and not isinstance(table, pd.DataFrame):
                problem = f"returned {_what(table)}, not a DataFrame"
            if problem:
                status = INVALID
                if problem in said:     # the same failure on every call is said once
                    continue
                said.add(problem)
                nothing = " (no labelled order is flagged there: return NaN for precision)" \
                    if call.endswith(str(NO_FLAG)) and ("ZeroDivision" in problem or len(said) == 1) else ""
                lines.append(f"{on}, {self.function_name} {problem}{nothing}.")
                how = FIGURE_HOW["precision"] if "ZeroDivision" in problem or nothing else \
                    f"Run {self.function_name}(ex2.load_log(), ...) yourself in a new cell and read the error's last line."
                first = first or {"hints": [f"Start with this call: {lines[-1]}", how, self.build_hint]}
                if "took longer" in problem:
                    break           # the other calls would only wait as long again
                continue
            shape = self._shape_problems(table, want)
            if shape:
                if not seen:            # the shape is said once, from the first table that has a problem with it
                    lines += [f"{on}: {p}" for p in shape]
                seen.update(shape)
                first = first or {"hints": [f"Start with the table's shape: {shape[0]}", self.build_hint]}
                status = INVALID
                table = self._readable(table, want)
                if table is None or any(c not in table.columns for c in self.columns):
                    continue
            wrong = []
            for key, row in want.iterrows():
                for column in self.columns:
                    try:
                        mine = _number(table.loc[key, column])
                    except (KeyError, TypeError, ValueError):
                        mine = None
                    if not _same(mine, row[column]):
                        wrong.append((key, column, mine, row))
            for key, column, mine, row in wrong:
                slip = (key, column, _show(mine), _show(row[column]))
                if slip not in said:    # the same slip on a later call is said once
                    said.add(slip)
                    lines.append(f"{on}, {_key_text(key)}: {column} is {slip[2]}; it should be {slip[3]}.")
            if wrong:
                key, column, mine, row = wrong[0]
                first = first or {"hints": [_figure_hint(key, column, mine, row), FIGURE_HOW[column], self.build_hint]}
                status = status if status != CORRECT else INCORRECT
        self._remember(first or CORRECT)
        if status == CORRECT:
            return CheckResult(CORRECT, f"{self.name}: index, columns, dtypes and every figure agree with the course log's "
                               f"on {len(self.calls)} calls, also where nothing is flagged.")
        return CheckResult(status, f"{self.name}: {len(lines)} thing(s) to fix (ask ex2.{self.kind}.hint() where to "
                           "start).", lines[:8])


_QUESTIONS["metrics"] = lambda: MetricTableQuestion(
    "log_metrics", "metrics", "log_metrics", METRIC_CALLS, METRIC_INDEX, METRIC_COLUMNS,
    "Collect one dict of figures per group in a loop over log.groupby([\"use_case\", \"serving_mode\"]), keyed by "
    "the (use_case, serving_mode) pair, then return pd.DataFrame.from_dict(out, orient=\"index\")"
    ".rename_axis([\"use_case\", \"serving_mode\"]): two index levels, one row per pair, rows as int64 and the "
    "other columns as float64.")
_QUESTIONS["versions"] = lambda: MetricTableQuestion(
    "compare_versions", "versions", "compare_versions", VERSION_CALLS, ["model_version"], VERSION_COLUMNS,
    "Keep the use case's rows first, log[log[\"use_case\"] == use_case], collect one dict of figures per group of "
    ".groupby(\"model_version\"), keyed by the version, then return pd.DataFrame.from_dict(out, orient=\"index\")"
    ".rename_axis(\"model_version\"): one index level, one row per version, rows as int64 and the other columns "
    "as float64.", extra_rows="one row per version of the use case asked for: keep only its rows first")


# --- part 4: the handoff note ------------------------------------------------------------

NOTE = DraftCheck(
    "Handoff note", f"{ASSIGNMENT}.ipynb", "handoff_note",
    {"who owns what the model means and how it is judged": (
        "scientist", "metric", "evaluat", "label", "precision", "recall", "meaning", "quality"),
     "who owns how it runs, changes and fails": (
         "engineer", "deploy", "rollback", "roll back", "monitor", "alert", "latency", "serving", "release",
         "on call", "incident", "uptime", "package"),
     "what the two must agree on together": (
         "agree", "together", "both", "shared", "joint", "sign", "common", "between them", "each other", "mutual")},
    min_words=150)


# ex.<question> builds the question the first time it is asked for (no dataset is read at import)
__getattr__ = _asked = built_when_asked(globals(), **_QUESTIONS)
