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

_FILE = __file__
_open = open
_compile = compile
_exec = exec
_type = type
_dict = dict
_str = str
_float = float
_list = list
_set = set
_len = len
_dict_get = dict.get
_str_eq = str.__eq__


def _plain_mapping(answers) -> bool:
    """An exact dict whose keys are exact str: looking things up in it runs no learner code."""
    return _type(answers) is _dict and all(_type(k) is _str for k in _list(answers))


def _label_of(answers, item_id):
    """The learner's answer for one item, or None unless it is an exact str."""
    value = _dict_get(answers, item_id)
    return value if _type(value) is _str else None


def score_labels(answers, key, points_per_item=1.0) -> float:
    """One ``points_per_item`` for each item whose answer is exactly the key's label.

    ``answers`` must be a plain dict of plain str; anything else scores 0.
    """
    if not _plain_mapping(answers):
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
    if not _plain_mapping(answers):
        return [f"Your answers must be a plain dict mapping item ids (plain strings) to labels, not a "
                f"{_type(answers).__name__}."]
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


def collect(fn, rows, seconds=1.0) -> dict:
    """Call ``fn`` on every row (a dict of item id to the row's values, written into the hidden
    test) and keep what it returns: exact str labels, or None for a call that raised, hung,
    printed to stderr or returned anything else.

    Grading is split in two so that no answer key exists anywhere in the kernel while the
    learner's code runs: the hidden test first collects, then compares (``compare``).
    """
    from pandas import Series

    from mlroles.function_checks import call_safely

    if not callable(fn):
        return {}
    out = {}
    for item_id in _list(rows):
        value, problem = call_safely(fn, Series(_dict(rows[item_id]), name=item_id), seconds)
        out[item_id] = value if (problem is None and _type(value) is _str) else None
    return out


def compare(collected, key, points_per_item=1.0) -> float:
    """One ``points_per_item`` per item whose collected label is exactly the key's."""
    if _type(collected) is not _dict:
        return 0.0
    score = 0.0
    for item_id, expected in key.items():
        value = _dict_get(collected, item_id)
        if _type(value) is _str and _str_eq(value, expected) is True:
            score += points_per_item
    return _float(score)


def verified():
    """This module as written on disk, freshly loaded: hidden tests grade with it, so a learner who
    replaced a function of ``mlroles.grading`` in the kernel changes nothing."""
    import types

    module = types.ModuleType("mlroles.grading_verified")
    module.__file__ = _FILE
    with _open(_FILE, encoding="utf-8") as source:
        _exec(_compile(source.read(), _FILE, "exec"), module.__dict__)
    return module


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
    if not _plain_mapping(answers):
        return 0.0
    half = points_per_ad / 2
    score = 0.0
    for ad_id, role in roles.items():
        answer = _dict_get(answers, ad_id)
        if not _plain_mapping(answer):
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
