"""A unified prediction log: the fields monitoring and analysis need, and a checker in a learner's words.

One log for every model, whatever its serving mode, lets the data scientist measure
quality once labels arrive and lets the ML engineer watch latency and failures, in the
same table. ``check_schema(schema)`` says which needed field a declared schema misses
or types wrongly; ``validate_log(frame, schema)`` checks a DataFrame against a schema and says how
to convert each column whose dtype differs (``diagnose_log`` gives the same problems as records).
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


def how_to_convert(values: pd.Series, expected) -> str:
    """What turns ``values`` into the dtype ``expected``, each step tried on the installed pandas ('' if unsure)."""
    from pandas.api import types

    target = types.pandas_dtype(expected)
    want = str(expected)
    actual = values.dtype
    empty = len(values) > 0 and bool(values.isna().all())
    if isinstance(target, pd.DatetimeTZDtype):
        unit = f'.dt.as_unit("{target.unit}")'
        if isinstance(actual, pd.DatetimeTZDtype):
            zone, scale = str(actual.tz) != str(target.tz), actual.unit != target.unit
            if not (zone or scale):  # the same dtype, spelled another way in the schema
                return f'write it as "{target}" in the schema'
            what = ("the time zone and the unit differ" if zone and scale else
                    "only the time zone differs" if zone else "only the unit differs")
            steps = (f'.dt.tz_convert("{target.tz}")' if zone else "") + (unit if scale else "")
            return f'{what}: add {steps}, or use .astype("{want}")'
        if types.is_datetime64_dtype(actual):  # times without a time zone: .astype cannot add one
            if empty:
                return (f"it holds only missing times and has no time zone, and .astype cannot add one to a "
                        f'datetime column: make it with pd.Series(pd.NaT, index=<your DataFrame>.index, '
                        f'dtype="{want}"), or add .dt.tz_localize("{target.tz}"){unit}')
            unit = unit if values.dt.unit != target.unit else ""
            return (f"its times have no time zone, and .astype cannot add one: if they are in {target.tz}, "
                    f'add .dt.tz_localize("{target.tz}"){unit}')
        if empty:
            return (f'it holds only missing values: convert it with .astype("{want}"), or make it with '
                    f'pd.Series(pd.NaT, index=<your DataFrame>.index, dtype="{want}")')
        if types.is_numeric_dtype(actual) and not types.is_bool_dtype(actual):
            return f'if the numbers are epoch seconds, convert it with pd.to_datetime(..., unit="s", utc=True){unit}'
        return f"convert it with pd.to_datetime(..., utc=True){unit}"
    if types.is_integer_dtype(target):
        nullable = isinstance(target, pd.api.extensions.ExtensionDtype)
        if types.is_bool_dtype(actual):
            return f'convert True and False to 1 and 0 with .astype("{want}")'
        if values.isna().any() and not nullable:
            return (f"it has missing values, which {want} cannot hold: fill them, or declare the column "
                    f'"{want.capitalize()}" in the schema')
        if empty:
            return f'it holds only missing values: convert it with .astype("{want}")'
        if types.is_integer_dtype(actual) and str(actual).lower() == want.lower():
            return f'only the nullability differs: convert it with .astype("{want}")'
        if types.is_numeric_dtype(actual):
            return f'convert it with .astype("{want}")'
        return f'convert it with pd.to_numeric(...).astype("{want}")'
    if types.is_float_dtype(target):
        if types.is_numeric_dtype(actual) or (empty and types.is_object_dtype(actual)):
            return f'convert it with .astype("{want}")'
        return "convert it with pd.to_numeric(...)"
    if types.is_string_dtype(target) or types.is_object_dtype(target):
        return f'convert it with .astype("{want}")'
    return ""


def diagnose_log(frame, schema) -> list[dict]:
    """Each problem of a DataFrame against a schema: ``column``, ``problem`` (missing, repeated or dtype),
    ``actual`` and ``expected`` dtypes, and the ``message`` a learner reads."""
    if not isinstance(frame, pd.DataFrame):
        return [{"column": None, "problem": "not a DataFrame", "actual": type(frame).__name__, "expected": None,
                 "message": f"Expected a pandas DataFrame, got a {type(frame).__name__}."}]
    if not isinstance(schema, dict):
        return [{"column": None, "problem": "no schema", "actual": None, "expected": None,
                 "message": "The schema must be a dict of column name to dtype."}]
    problems = []
    for column, dtype in schema.items():
        found = {"column": column, "expected": str(dtype), "actual": None}
        if column not in frame.columns:
            problems.append(dict(found, problem="missing", message=f"column '{column}' is missing from the DataFrame."))
            continue
        values = frame[column]
        if isinstance(values, pd.DataFrame):
            problems.append(dict(found, problem="repeated",
                                 message=f"column '{column}' appears {values.shape[1]} times; keep one of them."))
            continue
        actual = str(values.dtype)
        if actual != str(dtype):
            try:
                advice = how_to_convert(values, dtype)
            except Exception:  # an unknown dtype in the schema, or a column pandas cannot summarise
                advice = ""
            problems.append(dict(found, problem="dtype", actual=actual,
                                 message=f"column '{column}' is {actual}, but the schema says {dtype}"
                                         + (f"; {advice}." if advice else ".")))
    return problems


def validate_log(frame, schema) -> list[str]:
    """Problems of a DataFrame against a schema: missing columns, other dtypes, in a learner's words."""
    return [found["message"] for found in diagnose_log(frame, schema)]


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
