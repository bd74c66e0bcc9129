"""Exercise 2, "Batch or online, and who owns the handoff": questions, widgets and data the notebook calls."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import course, data, manifest, prediction_log
from mlroles.feedback import (CORRECT, INVALID, MODE_LABELS, NOT_ATTEMPTED, OWNER_LABELS, CheckResult,
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
    """What your function decides for every graded scenario (or why it could not)."""
    from mlroles.answer_tables import answer_table

    out = serving_graded.run(fn) if callable(fn) else pd.DataFrame(columns=["answer", "problem"])
    frame = graded_scenarios()[["product"]].join(out)
    return answer_table(frame, {i: a for i, a in out["answer"].items() if isinstance(a, str)})


# --- part 3: the unified prediction log -------------------------------------------------

def load_log() -> pd.DataFrame:
    return data.load_prediction_log()


def raw_inputs(log: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The batch job's output and the online service's request log, each in its own shape."""
    log = load_log() if log is None else log
    return prediction_log.batch_output(log), prediction_log.online_requests(log)


class SchemaQuestion:
    """Declare the unified log's schema: does it hold every field monitoring and analysis need?"""

    name = "Unified log schema"

    def check(self, schema) -> CheckResult:
        if schema is None or schema is Ellipsis or schema == {}:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; declare LOG_SCHEMA as a dict.")
        problems = prediction_log.check_schema(schema)
        if problems:
            return CheckResult(INVALID, f"{self.name}: {len(problems)} field(s) to fix.", problems)
        return CheckResult(CORRECT, f"{self.name}: it covers every field monitoring and analysis need.")

    def hint(self, level=None) -> str:
        return ("Think of two readers of the same table: an engineer watching latency and failures, and an "
                "analyst measuring quality when labels arrive weeks later. What does each need on every row?")


class LogQuestion:
    """Check a DataFrame against the declared schema (columns and dtypes)."""

    name = "Unified log"

    def check(self, frame, schema) -> CheckResult:
        if frame is None:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write unify_logs first.")
        problems = prediction_log.validate_log(frame, schema)
        if problems:
            return CheckResult(INVALID, f"{self.name}: {len(problems)} problem(s).", problems[:8])
        return CheckResult(CORRECT, f"{self.name}: {len(frame):,} rows, every column has the declared dtype.")


schema = SchemaQuestion()
unified = LogQuestion()
