"""A unified prediction log: the fields monitoring and analysis need, and a checker in a learner's words.

One log for every model, whatever its serving mode, lets the data scientist measure
quality once labels arrive and lets the ML engineer watch latency and failures, in the
same table. ``check_schema(schema)`` says which needed field a declared schema misses
or types wrongly (``diagnose_schema`` gives the same problems as records); ``validate_log(frame,
schema)`` checks a DataFrame against a schema and says how to convert each column whose dtype
differs (``diagnose_log`` gives the same problems as records); ``compare_with_log(frame, log)``
counts the rows whose ids, values, times or latencies differ from the course's own log.
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
    "label": ("nullable integer", "to measure quality once the outcome arrives (missing until then)"),
    "label_at": ("datetime", "to know which labels had arrived when a metric was computed"),
}

KINDS = {
    "string": ("str", "string", "object"),
    "float": ("float64", "Float64", "float32"),
    "integer": ("int64", "Int64", "int32", "Int32"),
    # a label is 0 or 1 and stays missing for weeks: only a nullable integer holds both (the course log's Int64)
    "nullable integer": ("Int64", "Int32"),
    "datetime": ("datetime64[ns, UTC]", "datetime64[us, UTC]", "datetime64[ms, UTC]", "datetime64[s, UTC]"),
}
# Why a near miss does not fit, said once for the field it concerns.
NEAR_MISSES = {
    ("label", "float"): "a float label turns 1 into 1.0 and would also hold 0.5",
    ("label", "integer"): "int64 cannot hold a missing value, and most labels are still missing",
}


def _kind_ok(field: str, dtype: str) -> bool:
    return dtype in KINDS[NEEDED[field][0]]


def _kind_of(dtype) -> str | None:
    return next((kind for kind in ("float", "integer", "string", "datetime") if dtype in KINDS[kind]), None)


def diagnose_schema(schema) -> list[dict]:
    """Each problem of a declared schema: ``field``, ``problem`` (missing or dtype), ``declared`` and the
    ``message`` a learner reads; empty when fine."""
    if not isinstance(schema, dict):
        return [{"field": None, "problem": "not a dict", "declared": None,
                 "message": f"The schema must be a dict of column name to dtype, like {{'score': 'float64'}}, "
                            f"not a {type(schema).__name__}."}]
    problems = []
    for field, (kind, why) in NEEDED.items():
        if field not in schema:
            problems.append({"field": field, "problem": "missing", "declared": None,
                             "message": f"'{field}' is missing: it is needed {why}."})
        elif not isinstance(schema[field], str) or not _kind_ok(field, schema[field]):
            near = NEAR_MISSES.get((field, _kind_of(schema[field])), "")
            problems.append({"field": field, "problem": "dtype", "declared": schema[field], "near": near,
                             "message": f"'{field}' is declared as {schema[field]!r}; it needs a {kind} dtype, "
                                        f"such as {KINDS[kind][0]!r}" + (f" ({near})." if near else ".")})
    return problems


def check_schema(schema) -> list[str]:
    """Problems with a declared schema (``{column: dtype string}``), in a learner's words; empty when fine."""
    return [found["message"] for found in diagnose_schema(schema)]


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


# --- a unified log's values, against the course's own log -------------------------------

TIME_TOLERANCE = pd.Timedelta(seconds=1)      # the batch job writes whole seconds
LATENCY_TOLERANCE_MS = 1.0
_SORT = ["use_case", "entity_id", "requested_at"]


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _counts(frame: pd.DataFrame) -> dict:
    return {k: int(v) for k, v in frame.groupby(["use_case", "serving_mode"]).size().items()}


def _in_words(counts: dict) -> str:
    return ", ".join(f"{n:,} of {use_case} / {mode}" for (use_case, mode), n in sorted(counts.items()))


def _times(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True)


def _shift(delta: pd.Timedelta) -> str:
    """A typical time difference in words, with what usually causes it."""
    seconds = delta.total_seconds()
    hours = seconds / 3600
    if abs(hours) >= 1 and abs(hours - round(hours)) < 1e-6:
        return (f"they are {abs(round(hours))} hour(s) {'later' if hours > 0 else 'earlier'} than the raw times, "
                "which are UTC, so read them with utc=True and do not shift them")
    return f"they are typically {abs(seconds):,.1f} s {'later' if seconds > 0 else 'earlier'}"


def _latency_cause(mine: pd.Series, want: pd.Series) -> str:
    ratio = (mine / want.where(want != 0)).median()
    if pd.notna(ratio) and abs(ratio - 0.001) < 1e-4:
        return "they are 1,000 times too small, as seconds would be, so multiply by 1000"
    if pd.notna(ratio) and abs(ratio - 1000) < 0.1:
        return "they are 1,000 times too large, so multiply by 1000 only once"
    if (mine < 0).mean() > 0.5:
        return "they are negative, so subtract the start from the end"
    return ""


def compare_with_log(frame: pd.DataFrame, log: pd.DataFrame) -> list[dict]:
    """Where ``frame``, a unified log built from ``batch_output(log)`` and ``online_requests(log)``, differs
    from ``log``: each problem has ``column``, ``mode`` (batch, online or None), ``rows`` (how many differ) and
    the ``message`` a learner reads, with its likely cause. A batch row's latency is the time from its run's
    start to its row being written, as the raw times give it (whole seconds). Empty when the values agree.
    Columns that are missing are left to ``diagnose_log``; a column that cannot be compared is skipped."""
    if not isinstance(frame, pd.DataFrame) or not {"use_case", "serving_mode", "entity_id", "requested_at"} <= \
            set(frame.columns) or frame.columns.duplicated().any():
        return []
    got, want = _counts(frame), _counts(log)
    if got != want:
        return [{"column": None, "mode": None, "rows": abs(len(frame) - len(log)), "problem": "row counts",
                 "message": f"your DataFrame has {_in_words(got) or 'no rows'}; the two raw logs hold "
                            f"{_in_words(want)}. Each raw row becomes one row, with use_case and serving_mode "
                            "named as the task says."}]
    problems = []
    if "request_id" in frame.columns:
        ids = frame["request_id"]
        repeated = int(ids.duplicated(keep=False).sum()) + int(ids.isna().sum())
        if repeated:
            example = ids[ids.duplicated(keep=False) | ids.isna()].iloc[0]
            problems.append({"column": "request_id", "mode": None, "rows": repeated, "problem": "values",
                             "message": f"{_rows(repeated)} have a request_id that is missing or shared with "
                                        f"another row (for example {example!r}): every prediction needs its own."})
    try:
        mine = frame.assign(requested_at=_times(frame["requested_at"]), entity_id=frame["entity_id"].astype(str))
    except (TypeError, ValueError, OverflowError):
        return problems          # the dtype check says how to read the times
    mine = mine.sort_values(_SORT, kind="stable").reset_index(drop=True)
    ref = log.sort_values(_SORT, kind="stable").reset_index(drop=True)
    for mode in ("batch", "online"):
        a, b = mine[mine["serving_mode"] == mode], ref[ref["serving_mode"] == mode]
        if sorted(a["entity_id"]) != sorted(b["entity_id"]):
            source = "customer_id" if mode == "batch" else "order_id"
            unknown = int((~a["entity_id"].isin(set(b["entity_id"]))).sum())
            problems.append({"column": "entity_id", "mode": mode, "rows": unknown, "problem": "values", "message":
                             f"{unknown:,} of the {len(a):,} {mode} rows have an entity_id that is not one of the raw "
                             f"log's {source} values." if unknown else f"the {mode} rows' entity_id values do not match "
                             f"the raw log's {source} values: some appear more often than there."})
            continue
        problems += [dict(p, mode=mode, problem="values") for p in _differences(a, b, mode)]
    return problems


def _differences(mine: pd.DataFrame, ref: pd.DataFrame, mode: str) -> list[dict]:
    """Column by column, the rows of one serving mode whose values differ (both sorted the same way)."""
    found = []

    def add(column, bad, what, cause=""):
        n = int(bad.sum())
        if n:
            found.append({"column": column, "rows": n,
                          "message": f"{n:,} of the {len(bad):,} {mode} rows have {what}"
                                     + (f": {cause}." if cause else ".")})

    def compare(column, fn):
        if column in mine.columns:
            try:
                fn(mine[column].reset_index(drop=True), ref[column].reset_index(drop=True))
            except (TypeError, ValueError, OverflowError, AttributeError):
                pass             # a column of another kind: the dtype check reports it

    compare("model_version", lambda m, r: add("model_version", m.astype(str) != r,
                                              "another model_version than the raw log"))
    compare("score", lambda m, r: add("score", ~((m.astype(float) - r).abs() <= 1e-9), "another score than the raw log",
                                      "they look like the 0 or 1 decision" if m.astype(float).isin([0, 1]).all() else ""))
    compare("prediction", lambda m, r: add("prediction", m.astype("Int64").astype(object) != r.astype(object),
                                           "another prediction than the raw True or False"))
    requested = ref["requested_at"].reset_index(drop=True)

    def times(column, m, r):
        m = _times(m)
        off = m - r
        bad = ~(off.abs() <= TIME_TOLERANCE)
        cause = ""
        if bad.any():
            if column == "scored_at" and ((m - requested).abs() <= TIME_TOLERANCE)[bad].mean() > 0.9:
                cause = "they equal requested_at, so " + ("use written_at" if mode == "batch" else "add the latency")
            else:
                cause = _shift(off[bad].median())
        add(column, bad, f"another {column} than the raw log", cause)

    compare("requested_at", lambda m, r: times("requested_at", m, r))
    compare("scored_at", lambda m, r: times("scored_at", m, r))

    def latency(m, r):
        want = ((ref["scored_at"] - ref["requested_at"]).dt.total_seconds() * 1000).reset_index(drop=True) \
            if mode == "batch" else r
        m = m.astype(float)
        bad = ~((m - want).abs() <= LATENCY_TOLERANCE_MS)
        origin = "the time from run_started to written_at in milliseconds" if mode == "batch" else \
            "latency_s in milliseconds"
        add("latency_ms", bad, f"a latency_ms that is not {origin}", _latency_cause(m[bad], want[bad]) if bad.any() else "")

    compare("latency_ms", latency)
    for column in ("label", "label_at"):
        compare(column, lambda m, r, c=column: add(c, m.notna(), f"a {c}, which should still be missing",
                                                   "labels arrive weeks later, from another system"))
    return found


def confusion_counts(scores: pd.Series, labels: pd.Series, threshold: float) -> dict:
    """Confusion counts at a threshold, on rows whose label is known, with precision and recall
    (NaN when nothing is flagged, or no labelled row is positive): lesson 4's figures and exercise 2's checks."""
    known = labels.notna()
    flagged = scores[known] >= threshold
    fraud = labels[known].astype("int64") == 1
    tp, fp, fn = int((flagged & fraud).sum()), int((flagged & ~fraud).sum()), int((~flagged & fraud).sum())
    return {"labelled": int(known.sum()), "fraud_labelled": int(fraud.sum()), "tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan")}
