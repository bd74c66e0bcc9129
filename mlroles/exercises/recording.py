"""What a graded test cell does in the learner's kernel: record the answer, never score it.

``record(grade_id, answer)`` looks the part up in the exercise's manifest, turns what the
learner gave into plain JSON (labels, reviews, a schema; for a function, what it returns
on the graded rows or on the part's named inputs) and shows it as one output of the cell.
The grader scores that recording after the notebook has run, in nbgrader's own process,
against keys that never enter the kernel (``mlroles.checks.scoring``). Replacing anything here
from learner code changes only what is recorded, which is no more than the learner could
have answered anyway.

It then runs the part's visible check, so that Validate (and ``nbgrader validate``) tells
an untouched or incomplete notebook from a finished one; those checks give no points.
"""
from __future__ import annotations

import json

from mlroles import manifest
from mlroles.checks.scoring import MAX_BYTES, MIMETYPE, label_problems, review_problems


def _plain(value, depth=0):
    """Plain JSON made from exact built-in types only; anything else becomes None."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if depth > 3:
        return None
    if kind in (list, tuple):
        return [_plain(v, depth + 1) for v in list(value)[:10_000]]
    if kind is dict:
        return {k: _plain(v, depth + 1) for k, v in list(value.items())[:10_000] if type(k) is str}
    return None


def _frame(value) -> dict:
    """A DataFrame in pandas' 'split' layout plus its dtypes, or what went wrong."""
    import pandas as pd

    if type(value) is not pd.DataFrame:
        return {"problem": f"returned {type(value).__name__}, not a pandas DataFrame"}
    try:
        split = json.loads(value.to_json(orient="split", date_format="iso", date_unit="us", default_handler=str))
    except Exception as exc:  # a frame pandas cannot write (duplicate columns, odd objects)
        return {"problem": f"returned a DataFrame that could not be recorded ({type(exc).__name__})"}
    split["dtypes"] = [str(d) for d in value.dtypes]
    split.pop("index_names", None)
    return split


def _call(fn, args, seconds):
    from mlroles.checks.functions import call_safely

    return call_safely(lambda a: fn(*a), args, seconds)


def _graded_rows(part):
    from mlroles.data import SCHEMAS
    from mlroles import data

    loaders = {"serving_scenarios": data.load_serving_scenarios, "team_scenarios": data.load_team_scenarios}
    frame = loaders[part.dataset]()
    frame = frame[frame["pool"] == "graded"].set_index(SCHEMAS[part.dataset].id_column)
    return frame[list(part.columns)]


def _payload(part, answer, schema) -> dict:
    payload = {"grade_id": part.grade_id, "kind": part.kind}
    if part.kind in ("labels", "labels_format"):
        payload["answers"] = {k: (v if type(v) is str else None) for k, v in answer.items()
                              if type(k) is str} if type(answer) is dict else None
    elif part.kind in ("reviews", "reviews_format"):
        payload["answers"] = _plain(answer) if type(answer) is dict else None
    elif part.kind == "schema":
        payload["schema"] = _plain(answer) if type(answer) is dict else None
    elif part.kind == "function_labels":
        from mlroles.checks.functions import call_safely

        answers, problems = {}, {}
        if callable(answer):
            for item_id, row in _graded_rows(part).iterrows():
                value, problem = call_safely(answer, row.copy(), 1.0)
                answers[item_id] = value if (problem is None and type(value) is str) else None
                if problem is not None:
                    problems[item_id] = problem
                elif type(value) is not str:
                    problems[item_id] = f"returned {type(value).__name__}, not a label"
        payload["answers"], payload["problems"] = answers, problems
    else:  # a function on named inputs: unified_log, metric_table, share_table
        from mlroles import graded_inputs

        calls = {}
        for name, args in graded_inputs.build(part.inputs).items():
            if not callable(answer):
                calls[name] = {"problem": "is not defined (run its cell)"}
                continue
            value, problem = _call(answer, args, 60)
            calls[name] = {"problem": problem} if problem is not None else _frame(value)
        payload["calls"] = calls
        if part.kind == "unified_log":
            payload["schema"] = _plain(schema) if type(schema) is dict else None
    return payload


def _show(payload: dict, summary: str) -> None:
    from IPython.display import display

    text = json.dumps(payload)
    if len(text) > MAX_BYTES:
        payload = {"grade_id": payload["grade_id"], "kind": payload["kind"], "too_large": len(text)}
        summary = (f"Not recorded: your answer is {len(text) / 1e6:.1f} MB, more than the "
                   f"{MAX_BYTES // 1_000_000} MB a graded cell may record.")
    display({MIMETYPE: payload, "text/plain": summary}, raw=True)


def _visible_check(part, answer, payload) -> None:
    """Fail (for Validate) while the part is untouched or, for a format test, incomplete."""
    from mlroles import data

    if part.kind == "labels_format":
        problems = label_problems(answer, part.graded_ids(), part.labels)
        if problems:
            raise AssertionError(" ".join(problems))
    elif part.kind == "labels":
        if type(answer) is not dict or not any(type(v) is str for v in answer.values()):
            raise AssertionError("No graded answer yet: choose owners on the board (or type the dict) first.")
    elif part.kind == "reviews_format":
        problems = review_problems(answer, part.graded_ids(), data.REAL_ROLES, data.RED_FLAGS)
        if problems:
            raise AssertionError(" ".join(problems))
    elif part.kind == "reviews":
        if type(answer) is not dict or not any(type(v) is dict and v.get("role") for v in answer.values()):
            raise AssertionError("No graded review yet: choose a role for the graded ads first.")
    elif part.kind == "schema":
        if type(answer) is not dict or not answer:
            raise AssertionError("Declare LOG_SCHEMA as a dict of column name to dtype.")
    else:
        if not callable(answer):
            raise AssertionError(f"Define {part.function} first (run its cell).")
        problems = list(payload.get("problems", {}).values()) + [
            c.get("problem", "") for c in payload.get("calls", {}).values()]
        if problems and all("not written yet" in (p or "") for p in problems):
            raise AssertionError(f"{part.function} still raises NotImplementedError: write its body first.")


def _summary(part, payload) -> str:
    if "answers" in payload:
        given = payload["answers"]
        count = sum(1 for v in given.values() if v is not None) if type(given) is dict else 0
        what = f"{count} answer(s)"
    elif "calls" in payload:
        what = f"what {part.function} returned on {len(payload['calls'])} graded input(s)"
    else:
        what = "your schema"
    points = f"{part.points:g} point" + ("" if part.points == 1 else "s")
    return (f"Recorded for grading ({part.grade_id}, {points}): {what}. "
            "The grader scores it after you hand the notebook in.")


def record(grade_id: str, answer, schema=None) -> None:
    """Record ``answer`` for the graded part ``grade_id``; then fail if it is untouched (for Validate)."""
    part = manifest.find_part(grade_id)
    try:
        payload = _payload(part, answer, schema)
    except Exception as exc:  # a crafted object: record that nothing could be read, never crash the cell
        payload = {"grade_id": part.grade_id, "kind": part.kind, "unreadable": type(exc).__name__}
    _show(payload, _summary(part, payload))
    _visible_check(part, answer, payload)
