"""Exercise 2, "Batch or online, and who owns the handoff": questions, widgets and data the notebook calls."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import course, data, manifest, prediction_log
from mlroles.feedback import (CORRECT, INVALID, MODE_LABELS, NOT_ATTEMPTED, OWNER_LABELS, CheckResult, Hints,
                              LabelQuestion)
from mlroles.function_checks import FunctionQuestion
from mlroles.answer_tables import full_text
from mlroles.sources import read_more

ASSIGNMENT = "ex2_serving_handoff"
CHOICES_FILE = f"{ASSIGNMENT}.choices.json"
THRESHOLDS = {"churn_weekly": 0.5, "fraud_checkout": 0.7}
# What choose_serving_mode sees: the product's name, then the drivers the grader calls it with
# (declared once, in the exercise's manifest).
SCENARIO_COLUMNS = ["product", *manifest.find_part("serving_modes").columns]
_LESSONS = {part.id: part.title for part in course.LESSONS}

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
    return read_more("lesson “The production handoff”", row["source_ids"])


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


def _serving_question() -> FunctionQuestion:
    rows = _scenarios()[_scenarios()["pool"] == "practice"]
    return FunctionQuestion(
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


serving = _serving_question()
serving_graded = _serving_graded()
handoff = _handoff_question("practice")
handoff_graded = _handoff_question("graded")


def serving_explorer(fn):
    """Move a scenario's drivers and see what your choose_serving_mode decides."""
    from mlroles.explorers import serving_explorer as build

    return build(fn)


def handoff_practice_board():
    from mlroles.widgets import ClassificationBoard

    return ClassificationBoard(handoff, store=CHOICES_FILE, store_key="handoff_practice")


def handoff_board():
    from mlroles.widgets import ClassificationBoard

    return ClassificationBoard(handoff_graded, store=CHOICES_FILE, store_key="handoff_graded")


def answers_table(answers) -> pd.DataFrame:
    """The graded handoff answers as a grader reads them."""
    from mlroles.answer_tables import answer_table

    answers = answers if isinstance(answers, dict) else {}
    frame = pd.DataFrame([{"id": i, "artifact": text,
                           "your answer": OWNER_LABELS.name(answers[i]) if isinstance(answers.get(i), str) else "—"}
                          for i, text in handoff_graded.items.items()]).set_index("id")
    return answer_table(frame, {i: a for i, a in answers.items() if i in handoff_graded.items and isinstance(a, str)})


def modes_table(fn) -> pd.DataFrame:
    """Each graded scenario's drivers, with what your function decides for it (or why it could not)."""
    from mlroles.answer_tables import answer_table

    scenarios = graded_scenarios()
    if callable(fn):
        out = serving_graded.run(fn)
    else:
        out = pd.DataFrame({"answer": None, "problem": f"{serving_graded.function_name} is not a function"},
                           index=scenarios.index)
    decides = out["answer"].map(lambda a: a if isinstance(a, str) else "—").rename("your function decides")
    frame = scenarios.join(decides).join(out["problem"])
    return answer_table(frame, {i: a for i, a in out["answer"].items() if isinstance(a, str)})


# --- part 3: the unified prediction log -------------------------------------------------

def load_log() -> pd.DataFrame:
    return data.load_prediction_log()


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


class SchemaQuestion(Hints):
    """Declare the unified log's schema: does it hold every field monitoring and analysis need?"""

    name = "Unified log schema"

    def __init__(self):
        self._hints = list(SCHEMA_HINTS)
        self._hints_given = 0

    def check(self, schema) -> CheckResult:
        if schema is None or schema is Ellipsis or schema == {}:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; declare LOG_SCHEMA as a dict.")
        problems = prediction_log.check_schema(schema)
        if problems:
            return CheckResult(INVALID, f"{self.name}: {len(problems)} field(s) to fix.", problems)
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
    "Your DataFrame already has every column with the declared dtype. Grading runs unify_logs on other rows of the "
    "same two logs and also checks the row counts (request_id must be unique), the values, and the times and "
    "latencies (latency_ms in milliseconds, label still missing).")


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


def log_hints(found) -> list[str]:
    """Hints for the unified log that start from what a check found: the first problem, or None, or CORRECT."""
    if found is None:
        return [LOG_NOT_CHECKED_HINT, LOG_TIMES_HINT]
    if found == CORRECT:
        return [LOG_CORRECT_HINT, LOG_TIMES_HINT]
    column, problem = found["column"], found["problem"]
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


class LogQuestion(Hints):
    """Check a DataFrame against the declared schema (columns and dtypes).

    Its hints start from what the last check found wrong; they start again from hint 1 when that changes.
    """

    name = "Unified log"

    def __init__(self):
        self._found = None      # what the last check found: its first problem, CORRECT, or None (no check yet)
        self._hints_given = 0

    @property
    def _hints(self) -> list[str]:
        return log_hints(self._found)

    def _remember(self, found) -> None:
        if found != self._found:
            self._found, self._hints_given = found, 0

    def check(self, frame, schema) -> CheckResult:
        """Check the DataFrame and say what to fix. Never raises on a learner's input."""
        try:
            return self._check(frame, schema)
        except Exception as exc:  # a crafted or broken object: report it, do not crash the notebook
            return CheckResult(INVALID, f"{self.name}: could not read this DataFrame ({type(exc).__name__}). "
                               "Return a plain pandas DataFrame.")

    def _check(self, frame, schema) -> CheckResult:
        if frame is None:
            self._remember(None)
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write unify_logs first.")
        problems = prediction_log.diagnose_log(frame, schema)
        if problems:
            first = dict(problems[0])
            if first["problem"] == "dtype":
                first.update(_explain_dtype(frame[first["column"]], first["expected"]))
            self._remember(first)
            return CheckResult(INVALID, f"{self.name}: {len(problems)} problem(s).",
                               [p["message"] for p in problems[:8]])
        self._remember(CORRECT)
        return CheckResult(CORRECT, f"{self.name}: {len(frame):,} rows, every column has the declared dtype.")


def _explain_dtype(values: pd.Series, expected: str) -> dict:
    """Why a column has its dtype and how to convert it; empty strings when pandas cannot say."""
    try:
        return {"why": _why_dtype(values, expected), "advice": prediction_log.how_to_convert(values, expected)}
    except Exception:
        return {"why": "", "advice": ""}


schema = SchemaQuestion()
unified = LogQuestion()
