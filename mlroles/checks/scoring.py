"""Scores computed outside the grading kernel, from what each test cell recorded.

A graded test cell only *records* what the learner gave (``mlroles.exercises.recording``): labels, job-ad
reviews, what the learner's function returned on the graded rows, the frames it built. After
the notebook has run, ``mlroles.instructor.plugins.ScoreRecordings`` reads each cell's recording
in nbgrader's own process and calls ``score`` here with the instructor's keys and, for frames,
the worked solution's output on the same inputs. Nothing the kernel printed, patched or
claimed reaches a score: a recording is plain JSON, read with exact type checks, and a
recording that is missing, malformed, too large, duplicated or made for another cell scores 0
with a status that says which.

This module holds no key: it compares with keys it is given. The pure checks on an answer's
shape (``label_problems``, ``review_problems``) are shared with the kernel side, which uses them
for the visible messages of Validate.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

MIMETYPE = "application/vnd.mlroles.exercises.recording+json"
RESULTS_MIMETYPE = "application/vnd.mlroles.results+json"
MAX_BYTES = 4_000_000

SCORED = "scored"
NO_RECORDING = "no recording"
SEVERAL = "several recordings"
OTHER_CELL = "recording made for another cell"
MALFORMED = "malformed recording"
TOO_LARGE = "recording too large"
NOT_IN_MANIFEST = "not in the manifest"
STATUSES = (SCORED, NO_RECORDING, SEVERAL, OTHER_CELL, MALFORMED, TOO_LARGE, NOT_IN_MANIFEST)

ABSENT = {
    NO_RECORDING: "Nothing was recorded in this cell (it did not run to its end, or it ran in an old copy of the "
                  "notebook), so there was nothing to score. Run the whole notebook top to bottom, save, and hand it "
                  "in again.",
    SEVERAL: "This cell recorded more than one answer, so none could be trusted. Run the notebook top to bottom "
             "in a fresh kernel and hand it in again.",
    OTHER_CELL: "The recording in this cell was made for another question. Run the notebook top to bottom in a "
                "fresh kernel and hand it in again.",
    MALFORMED: "The recording in this cell could not be read. Run the notebook top to bottom in a fresh kernel and "
               "hand it in again.",
    TOO_LARGE: f"The recording in this cell is larger than {MAX_BYTES // 1_000_000} MB, so it was not scored. Check "
               "that your function returns the table asked for, not the whole log.",
    NOT_IN_MANIFEST: "This test cell is not part of the exercise's graded structure; it earns no points.",
}


@dataclass
class Result:
    """A cell's score, a status from STATUSES, per-item results and the learner-facing lines."""
    score: float
    points: float
    status: str
    items: list = field(default_factory=list)      # {"item": id, "right": bool, "note": str}
    lines: list = field(default_factory=list)

    def summary(self) -> str:
        unit = "point" if self.points == 1 else "points"
        head = f"Scored by the grader, outside your notebook: {_fmt(self.score)} of {_fmt(self.points)} {unit}."
        if self.status != SCORED:
            head += f" ({self.status})"
        return head


def _fmt(x: float) -> str:
    return f"{x:g}"


def _is_str(x) -> bool:
    return type(x) is str


def _plain_labels(answers) -> dict | None:
    """A JSON object of str to str-or-null, else None."""
    if type(answers) is not dict or not all(_is_str(k) for k in answers):
        return None
    return answers


# --- checks on an answer's shape (kernel side too) -------------------------------------------

def label_problems(answers, item_ids, labels) -> list[str]:
    """Learner-worded reasons why ``answers`` is not a complete, valid answer set (empty when it is)."""
    allowed = ", ".join(repr(label) for label in labels)
    if type(answers) is not dict or not all(_is_str(k) for k in answers):
        return [f"Your answers must be a plain dict mapping item ids (plain strings) to labels, not a "
                f"{type(answers).__name__}."]
    problems = []
    missing = [i for i in item_ids if answers.get(i) is None]
    if missing:
        problems.append(f"{len(missing)} item(s) have no answer yet: {', '.join(missing)}.")
    for item_id in item_ids:
        label = answers.get(item_id)
        if label is not None and (not _is_str(label) or label not in labels):
            problems.append(f"{item_id}: {label!r} is not a valid label; use one of {allowed}.")
    return problems


def review_problems(answers, ad_ids, roles, flags) -> list[str]:
    """Learner-worded reasons why job-ad reviews are not complete and well formed (empty when they are)."""
    if type(answers) is not dict or not all(_is_str(k) for k in answers):
        return ["ad_answers must be a dict of ad id to {'role': ..., 'flags': [...]}."]
    problems = []
    missing = [a for a in ad_ids if type(answers.get(a)) is not dict or answers[a].get("role") is None]
    if missing:
        problems.append(f"These ads have no role yet: {', '.join(missing)}.")
    for ad_id in ad_ids:
        answer = answers.get(ad_id)
        if type(answer) is not dict or answer.get("role") is None:
            continue
        if not _is_str(answer["role"]) or answer["role"] not in roles:
            problems.append(f"{ad_id}: role {answer['role']!r} is not one of {', '.join(roles)}.")
        chosen = answer.get("flags", [])
        if type(chosen) is not list or not all(_is_str(f) and f in flags for f in chosen):
            problems.append(f"{ad_id}: flags must be a list of {', '.join(flags)} (or empty).")
    return problems


# --- one scorer per kind ---------------------------------------------------------------------

def label_right(answer, expected: str) -> bool:
    """One label against its key: right only when it is a plain str equal to the key (a str subclass that claims
    equality is not a label). The one definition, used by the grader and by the boards' and functions' checks."""
    return _is_str(answer) and answer == expected


def _labels(part, payload, keys):
    answers = _plain_labels(payload.get("answers"))
    if answers is None:
        return 0.0, [{"item": i, "right": False, "note": "no answers recorded"} for i in keys], \
            ["Your answers were not a plain dict of item id to label."]
    each = part.points / len(keys)
    score, items = 0.0, []
    for item, expected in keys.items():
        got = answers.get(item)
        right = label_right(got, expected)
        note = "" if right else ("no answer" if got is None else
                                 ("not a valid label" if not (_is_str(got) and got in part.labels) else "wrong"))
        score += each if right else 0.0
        items.append({"item": item, "right": right, "note": note})
    unanswered = sum(1 for i in items if i["note"] == "no answer")
    lines = [f"{unanswered} of {len(keys)} items had no answer."] if unanswered else []
    return score, items, lines


def _labels_format(part, payload, keys):
    problems = label_problems(payload.get("answers"), list(keys), part.labels)
    ok = not problems
    return (part.points if ok else 0.0), [{"item": "format", "right": ok, "note": " ".join(problems)}], problems[:5]


def _function_labels(part, payload, keys):
    score, items, lines = _labels(part, payload, keys)
    problems = payload.get("problems")
    if type(problems) is dict:
        bad = [(i, p) for i, p in problems.items() if _is_str(i) and _is_str(p) and i in keys]
        for item in items:
            if item["item"] in problems and _is_str(problems[item["item"]]):
                item["note"] = f"the call {problems[item['item']]}"[:200]
        if bad:
            lines = [f"{len(bad)} of {len(keys)} calls did not return a label, for example: "
                     f"{bad[0][0]}: your function {bad[0][1][:160]}."]
    return score, items, lines


def review_score(answer, role: str, flags) -> tuple[bool, float, bool]:
    """One job-ad review against the ad's key: (the role is right, the flags' overlap from 0 to 1, the review
    is right). The one definition, used by the grader, the item analysis and exercise 3's self-check: a review
    is right when its role is right and it names exactly the ad's flags. The overlap is the flags named both
    ways over the flags named either way (1 when neither names any); it earns half of an ad's points, the role
    the other half."""
    if type(answer) is not dict:
        return False, 0.0, False
    got_role = answer.get("role")
    role_right = _is_str(got_role) and got_role == role
    chosen = answer.get("flags")
    overlap = 0.0
    if type(chosen) is list and all(_is_str(f) for f in chosen):
        mine, truth = set(chosen), set(flags)
        union = mine | truth
        overlap = len(mine & truth) / len(union) if union else 1.0
    return bool(role_right), overlap, bool(role_right) and overlap == 1.0


def _reviews(part, payload, keys):
    answers = payload.get("answers")
    roles, flags = keys
    half = part.points / len(roles) / 2
    if type(answers) is not dict:
        return 0.0, [{"item": a, "right": False, "note": "no answers recorded"} for a in roles], \
            ["Your reviews were not a plain dict of ad id to {'role': ..., 'flags': [...]}."]
    score, items = 0.0, []
    for ad_id, role in roles.items():
        answer = answers.get(ad_id)
        if type(answer) is not dict:
            items.append({"item": ad_id, "right": False, "note": "no answer"})
            continue
        role_right, overlap, right = review_score(answer, role, flags[ad_id])
        score += half * (role_right + overlap)
        note = f"role {'right' if role_right else 'wrong'}, flags overlap {overlap:.2f}"
        items.append({"item": ad_id, "right": right, "note": note})
    return round(score, 6), items, []


def _reviews_format(part, payload, keys):
    from mlroles import data

    roles, _ = keys
    problems = review_problems(payload.get("answers"), list(roles), data.REAL_ROLES, data.RED_FLAGS)
    ok = not problems
    return (part.points if ok else 0.0), [{"item": "format", "right": ok, "note": " ".join(problems)}], problems[:5]


def _schema(part, payload, keys):
    from mlroles.prediction_log import check_schema

    schema = payload.get("schema")
    if type(schema) is not dict or not schema:
        return 0.0, [{"item": "schema", "right": False, "note": "no schema"}], ["LOG_SCHEMA was not a dict."]
    problems = check_schema(schema)
    score = part.points if not problems else (part.points / 2 if len(problems) <= 3 else 0.0)
    return score, [{"item": "schema", "right": not problems, "note": f"{len(problems)} problem(s)"}], \
        [f"{len(problems)} field(s) of LOG_SCHEMA are missing or mistyped."] if problems else []


class _Table:
    """A recorded frame (pandas' 'split' layout plus dtypes), read without trusting it."""

    def __init__(self, payload):
        if type(payload) is not dict:
            raise ValueError("not a frame")
        columns, index, rows = payload.get("columns"), payload.get("index"), payload.get("data")
        if type(columns) is not list or type(index) is not list or type(rows) is not list or len(index) != len(rows):
            raise ValueError("not a frame")
        self.columns = [c if _is_str(c) else json.dumps(c) for c in columns]
        dtypes = payload.get("dtypes")
        self.dtypes = [d if _is_str(d) else "" for d in dtypes] if type(dtypes) is list else [""] * len(columns)
        self.index = [tuple(i) if type(i) is list else i for i in index]
        self.rows = rows
        self._where = {}
        for n, key in enumerate(self.index):
            try:
                self._where.setdefault(key, n)
            except TypeError:
                continue
        self._col = {c: n for n, c in reversed(list(enumerate(self.columns)))}

    def get(self, key, column):
        row, col = self._where.get(key), self._col.get(column)
        if row is None or col is None or type(self.rows[row]) is not list or col >= len(self.rows[row]):
            return None
        return self.rows[row][col]

    def frame(self):
        import pandas as pd

        if not all(type(r) is list and len(r) == len(self.columns) for r in self.rows):
            raise ValueError("ragged rows")
        return pd.DataFrame(self.rows, columns=self.columns)


def _close(a, b, tol) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if type(a) not in (int, float) or type(b) not in (int, float) or type(a) is bool:
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol * max(1.0, abs(b))


def _calls(part, payload, references):
    """(call name, learner's table or None, problem) per reference call."""
    calls = payload.get("calls")
    out = []
    for name in references:
        got = calls.get(name) if type(calls) is dict else None
        if type(got) is dict and _is_str(got.get("problem")):
            out.append((name, None, got["problem"][:200]))
            continue
        try:
            out.append((name, _Table(got), None))
        except ValueError:
            out.append((name, None, "returned no table"))
    return out


def _metric_table(part, payload, references):
    ok = {c: True for c in part.columns}
    lines = []
    for name, table, problem in _calls(part, payload, references):
        if table is None:
            ok = {c: False for c in ok}
            lines.append(f"On {name}: your function {problem}.")
            continue
        ref = _Table(references[name])
        for key in ref.index:
            for column in part.columns:
                ok[column] = ok[column] and _close(table.get(key, column), ref.get(key, column), 1e-6)
    each = part.points / len(part.columns)
    items = [{"item": c, "right": v, "note": ""} for c, v in ok.items()]
    return each * sum(ok.values()), items, lines


def _share_table(part, payload, references):
    (name, table, problem), = _calls(part, payload, references)
    ref = _Table(references[name])
    if table is None:
        return 0.0, [{"item": a, "right": False, "note": problem} for a in ref.index], \
            [f"On {name}: your function {problem}."]
    items = []
    for key in ref.index:
        right = all(_close(table.get(key, c), ref.get(key, c), 1e-9) for c in part.columns)
        items.append({"item": key, "right": right, "note": ""})
    right = sum(i["right"] for i in items)
    return round(part.points * right / len(items), 6), items, []


def _unified_log(part, payload, reference):
    """One point each: the schema holds, the row counts, the values, the times and latencies."""
    import pandas as pd

    from mlroles.prediction_log import check_schema

    checks = {"schema": False, "row counts": False, "values": False, "times and latencies": False}
    from mlroles.graded_inputs import UNIFY_CALL

    (name, table, problem), = _calls(part, payload, {UNIFY_CALL: None})
    lines = []
    if table is None:
        lines.append(f"On {name}: your function {problem}.")
    else:
        schema = payload.get("schema")
        try:
            out = table.frame()
            dtypes = dict(zip(table.columns, table.dtypes))
            checks["schema"] = (type(schema) is dict and not check_schema(schema)
                                and all(dtypes.get(c) == d for c, d in schema.items()))
            want = reference.groupby(["use_case", "serving_mode"]).size().to_dict()
            got = out.groupby(["use_case", "serving_mode"]).size().to_dict()
            checks["row counts"] = bool(len(out) == len(reference) and got == want and out["request_id"].is_unique)
            keys = ["use_case", "entity_id", "requested_at"]
            mine = out.assign(requested_at=pd.to_datetime(out["requested_at"], utc=True)) \
                .sort_values(keys).reset_index(drop=True)
            ref = reference.sort_values(keys).reset_index(drop=True)
            same_rows = len(mine) == len(ref) and mine["entity_id"].astype(str).tolist() == ref["entity_id"].tolist()
            checks["values"] = bool(same_rows and mine["model_version"].astype(str).tolist() == ref["model_version"].tolist()
                                    and (mine["score"].astype(float) - ref["score"]).abs().max() < 1e-9
                                    and mine["prediction"].astype(int).tolist() == ref["prediction"].tolist())
            batch = ref["serving_mode"] == "batch"
            want_latency = ((ref["scored_at"] - ref["requested_at"]).dt.total_seconds() * 1000).where(batch, ref["latency_ms"])
            scored = pd.to_datetime(mine["scored_at"], utc=True)
            checks["times and latencies"] = bool(
                same_rows and (mine["latency_ms"].astype(float) - want_latency).abs().max() <= 1.0
                and (scored - ref["scored_at"]).abs().max() <= pd.Timedelta(seconds=1) and mine["label"].isna().all())
        except Exception:  # a frame that cannot be compared earns what was checked before it
            lines.append("Your unified log could not be compared in full (a column is missing or of another kind).")
    each = part.points / len(checks)
    return each * sum(checks.values()), [{"item": c, "right": v, "note": ""} for c, v in checks.items()], lines


SCORERS = {"labels": _labels, "labels_format": _labels_format, "function_labels": _function_labels,
           "reviews": _reviews, "reviews_format": _reviews_format, "schema": _schema,
           "metric_table": _metric_table, "share_table": _share_table, "unified_log": _unified_log}


def score(part, recordings: list, context) -> Result:
    """Score one cell from the recordings found in its outputs. Never raises on learner data.

    ``context.key(part)`` gives the keys the part is scored against, ``context.reference(part)``
    the worked solution's output for frames.
    """
    if part is None:
        return Result(0.0, 0.0, NOT_IN_MANIFEST, lines=[ABSENT[NOT_IN_MANIFEST]])
    if not recordings:
        return Result(0.0, part.points, NO_RECORDING, lines=[ABSENT[NO_RECORDING]])
    if len(recordings) > 1:
        return Result(0.0, part.points, SEVERAL, lines=[ABSENT[SEVERAL]])
    payload = recordings[0]
    try:
        size = len(json.dumps(payload))
    except (TypeError, ValueError):
        return Result(0.0, part.points, MALFORMED, lines=[ABSENT[MALFORMED]])
    if size > MAX_BYTES:
        return Result(0.0, part.points, TOO_LARGE, lines=[ABSENT[TOO_LARGE]])
    if type(payload) is not dict or payload.get("grade_id") != part.grade_id:
        status = OTHER_CELL if type(payload) is dict and _is_str(payload.get("grade_id")) else MALFORMED
        return Result(0.0, part.points, status, lines=[ABSENT[status]])
    if payload.get("kind") != part.kind:
        return Result(0.0, part.points, MALFORMED, lines=[ABSENT[MALFORMED]])
    # what the part is compared with: the instructor's side, loaded outside the guard below, so a
    # missing keys file or a broken worked solution stops grading loudly instead of scoring 0
    if part.kind in ("metric_table", "share_table", "unified_log"):
        against = context.reference(part)
    elif part.kind == "schema":       # scored by the schema's own rules, no key
        against = None
    else:
        against = context.key(part)
    try:
        earned, items, lines = SCORERS[part.kind](part, payload, against)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return Result(0.0, part.points, MALFORMED, lines=[ABSENT[MALFORMED]])
    earned = float(min(max(earned, 0.0), part.points))
    return Result(round(earned, 6), part.points, SCORED, items, lines)


def outputs(result: Result) -> list[dict]:
    """The cell's outputs after scoring: what the learner reads, the per-item results, the score nbgrader reads."""
    text = "\n".join([result.summary(), *result.lines]) + "\n"
    items = [{**i, "item": list(i["item"]) if isinstance(i["item"], tuple) else i["item"]} for i in result.items]
    return [
        {"output_type": "stream", "name": "stdout", "text": text},
        {"output_type": "display_data", "metadata": {},
         "data": {RESULTS_MIMETYPE: {"status": result.status, "score": result.score, "points": result.points,
                                     "items": items},
                  "text/plain": f"(per-item results for the instructor: {result.status})"}},
        {"output_type": "execute_result", "execution_count": None, "metadata": {},
         "data": {"text/plain": repr(float(result.score))}},
    ]
