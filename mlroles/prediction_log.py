"""A unified prediction log: the fields monitoring and analysis need, and a checker in a learner's words.

One log for every model, whatever its serving mode, lets the data scientist measure
quality once labels arrive and lets the ML engineer watch latency and failures, in the
same table. ``check_schema(schema)`` says which needed field a declared schema misses
or types wrongly; ``validate_log(frame, schema)`` checks a DataFrame against a schema.
``batch_output`` and ``online_requests`` cut the course's log back into the two raw
shapes a team starts from, for the exercise that unifies them.
"""
from __future__ import annotations

import pandas as pd

# field -> (kind of dtype, why monitoring or analysis needs it)
NEEDED = {
    "request_id": ("string", "to trace one prediction and join its label to it later"),
    "use_case": ("string", "to compare models and report per product"),
    "model_version": ("string", "to compare a metric before and after a model change"),
    "serving_mode": ("string", "to keep batch and online figures apart"),
    "requested_at": ("datetime", "to slice by time and know which labels are due"),
    "scored_at": ("datetime", "to see when a prediction was produced"),
    "entity_id": ("string", "to join the outcome (customer, order) once it is known"),
    "score": ("float", "to move a threshold and check calibration"),
    "prediction": ("integer", "to know what the product was told"),
    "latency_ms": ("float", "to watch the latency tail of the running system"),
    "label": ("integer", "to measure quality once the outcome arrives (missing until then)"),
    "label_at": ("datetime", "to know which labels had arrived when a metric was computed"),
}

KINDS = {
    "string": ("str", "string", "object"),
    "float": ("float64", "Float64", "float32"),
    "integer": ("int64", "Int64", "int32", "Int32"),
    "datetime": ("datetime64[ns, UTC]", "datetime64[us, UTC]", "datetime64[ms, UTC]", "datetime64[s, UTC]"),
}
# A nullable label may also be a float column (NaN while missing).
ALSO_ALLOWED = {"label": KINDS["float"]}


def _kind_ok(field: str, dtype: str) -> bool:
    kind = NEEDED[field][0]
    return dtype in KINDS[kind] or dtype in ALSO_ALLOWED.get(field, ())


def check_schema(schema) -> list[str]:
    """Problems with a declared schema (``{column: dtype string}``), in a learner's words; empty when fine."""
    if not isinstance(schema, dict):
        return [f"The schema must be a dict of column name to dtype, like {{'score': 'float64'}}, "
                f"not a {type(schema).__name__}."]
    problems = []
    for field, (kind, why) in NEEDED.items():
        if field not in schema:
            problems.append(f"'{field}' is missing: it is needed {why}.")
        elif not isinstance(schema[field], str) or not _kind_ok(field, schema[field]):
            problems.append(f"'{field}' is declared as {schema[field]!r}; it needs a {kind} dtype, "
                            f"such as {KINDS[kind][0]!r}.")
    return problems


def validate_log(frame, schema) -> list[str]:
    """Problems of a DataFrame against a schema: missing columns, other dtypes, in a learner's words."""
    if not isinstance(frame, pd.DataFrame):
        return [f"Expected a pandas DataFrame, got a {type(frame).__name__}."]
    if not isinstance(schema, dict):
        return ["The schema must be a dict of column name to dtype."]
    problems = []
    for column, dtype in schema.items():
        if column not in frame.columns:
            problems.append(f"column '{column}' is missing from the DataFrame.")
            continue
        actual = str(frame[column].dtype)
        if actual != str(dtype):
            tip = {"float": "pd.to_numeric(...)", "integer": ".astype('Int64')",
                   "datetime": "pd.to_datetime(..., utc=True)", "string": ".astype(str)"}
            kind = next((k for k, names in KINDS.items() if str(dtype) in names), None)
            hint = f"; convert it with {tip[kind]}" if kind else ""
            problems.append(f"column '{column}' is {actual}, but the schema says {dtype}{hint}.")
    return problems


# --- the two raw shapes a team starts from ---------------------------------------------

def batch_output(log: pd.DataFrame) -> pd.DataFrame:
    """What a weekly batch job writes: one row per customer per run, in its own column names."""
    rows = log[log["serving_mode"] == "batch"]
    return pd.DataFrame({
        "customer_id": rows["entity_id"].to_numpy(),
        "run_started": rows["requested_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "written_at": rows["scored_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "churn_score": rows["score"].to_numpy(),
        "will_churn": rows["prediction"].astype(bool).to_numpy(),
        "model": rows["model_version"].to_numpy(),
    })


def online_requests(log: pd.DataFrame) -> pd.DataFrame:
    """What an online service logs: one row per request, times as epoch seconds, latency in seconds."""
    rows = log[log["serving_mode"] == "online"]
    epoch = pd.Timestamp("1970-01-01", tz="UTC")
    return pd.DataFrame({
        "request_id": rows["request_id"].to_numpy(),
        "order_id": rows["entity_id"].to_numpy(),
        "received_epoch_s": ((rows["requested_at"] - epoch) // pd.Timedelta(seconds=1)).to_numpy(),
        "fraud_probability": rows["score"].to_numpy(),
        "blocked": rows["prediction"].astype(bool).to_numpy(),
        "model_version": rows["model_version"].to_numpy(),
        "latency_s": (rows["latency_ms"] / 1000).round(4).to_numpy(),
    })
