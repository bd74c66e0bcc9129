"""What the hidden tests of the exercises use: type-strict, partial-credit scoring.

A learner's code runs in the same kernel as the tests, so the tests must not trust
the learner's objects. Every comparison here insists on exact built-in types (a dict
subclass that claims every key, or a str subclass whose == is always true, scores
nothing) and uses references to the built-ins taken when this module was imported,
before any learner code could shadow ``type``, ``str`` or ``isinstance``. The keys are
iterated, never the learner's object. A score is a plain float: nbgrader uses a test
cell's last value as its points.

Nothing here writes to stderr: nbgrader scores a test cell that does so as 0.
"""
from __future__ import annotations

_type = type
_dict = dict
_str = str
_float = float
_list = list
_set = set
_len = len
_dict_get = dict.get
_str_eq = str.__eq__


def _label_of(answers, item_id):
    """The learner's answer for one item, or None unless it is an exact str."""
    value = _dict_get(answers, item_id)
    return value if _type(value) is _str else None


def score_labels(answers, key, points_per_item=1.0) -> float:
    """One ``points_per_item`` for each item whose answer is exactly the key's label.

    ``answers`` must be a plain dict of plain str; anything else scores 0.
    """
    if _type(answers) is not _dict:
        return 0.0
    score = 0.0
    for item_id, expected in key.items():
        label = _label_of(answers, item_id)
        if label is not None and _str_eq(label, expected) is True:
            score += points_per_item
    return _float(score)


def format_problems(answers, item_ids, labels) -> list:
    """Learner-worded reasons why ``answers`` is not a complete, valid answer set (empty when it is)."""
    allowed = ", ".join(repr(label) for label in labels)
    if _type(answers) is not _dict:
        return [f"Your answers must be a plain dict mapping item ids to labels, not a {_type(answers).__name__}."]
    problems = []
    missing = [i for i in item_ids if _dict_get(answers, i) is None]
    if missing:
        problems.append(f"{_len(missing)} item(s) have no answer yet: {', '.join(missing)}.")
    for item_id in item_ids:
        label = _dict_get(answers, item_id)
        if label is None:
            continue
        if _type(label) is not _str or label not in labels:
            problems.append(f"{item_id}: {label!r} is not a valid label; use one of {allowed}.")
    return problems


def assert_complete(answers, item_ids, labels) -> None:
    """The visible format test: fails with a message that says what to fix."""
    problems = format_problems(answers, item_ids, labels)
    if problems:
        raise AssertionError(" ".join(problems))


def assert_attempted(answers) -> None:
    """Visible part of a partial-credit test: fails only when nothing at all was answered.

    It lets the Validate button (and ``nbgrader validate --invert``) tell an untouched
    notebook from a started one, without taking partial credit away from a learner
    who answered some items.
    """
    if _type(answers) is not _dict or not any(_type(v) is _str for v in answers.values()):
        raise AssertionError("No graded answer yet: choose owners on the board (or type the dict) first.")


def score_function(fn, rows, key, seconds=1.0, points_per_item=1.0) -> float:
    """One ``points_per_item`` for each row on which ``fn(row)`` returns exactly the key's label.

    ``rows`` maps item ids to the row's values (written into the hidden test, so a learner
    cannot swap the data); each call gets a pandas Series, a time limit, and no stdout or
    stderr. A call that raises, hangs or returns anything but the exact str scores 0 for
    that row and never stops the others.
    """
    from pandas import Series

    from mlroles.function_checks import call_safely

    if not callable(fn):
        return 0.0
    score = 0.0
    for item_id, expected in key.items():
        value, problem = call_safely(fn, Series(_dict(rows[item_id]), name=item_id), seconds)
        if problem is None and _type(value) is _str and _str_eq(value, expected) is True:
            score += points_per_item
    return _float(score)


def assert_function_written(fn, sample) -> None:
    """Visible part of a function test: fails only while the function is missing or still the stub."""
    from mlroles.function_checks import call_safely

    if not callable(fn):
        raise AssertionError("Define the function first (run its cell).")
    _, problem = call_safely(fn, sample, 5.0)
    if problem is not None and "not written yet" in problem:
        raise AssertionError("The function still raises NotImplementedError: write its body first.")


def score_reviews(answers, roles, flags, points_per_ad=2.0) -> float:
    """Job-ad reviews: per ad, half the points for the real role (exact), half for the red flags.

    Flags are scored by overlap (shared flags over all flags named by either side; both empty
    counts as full agreement), so one slip costs part of an ad, never all of it. ``answers``
    must be a plain dict of plain dicts with a str role and a list of str flags.
    """
    if _type(answers) is not _dict:
        return 0.0
    half = points_per_ad / 2
    score = 0.0
    for ad_id, role in roles.items():
        answer = _dict_get(answers, ad_id)
        if _type(answer) is not _dict:
            continue
        chosen_role = _dict_get(answer, "role")
        if _type(chosen_role) is _str and _str_eq(chosen_role, role) is True:
            score += half
        chosen = _dict_get(answer, "flags")
        if _type(chosen) is not _list or not all(_type(f) is _str for f in chosen):
            continue
        mine = _set(_str(f) for f in chosen)
        truth = _set(flags[ad_id])
        union = mine | truth
        score += half * (_len(mine & truth) / _len(union) if union else 1.0)
    return _float(round(score, 6))
