"""Self-checks for questions a learner answers by writing a function (one row in, one label out).

``FunctionQuestion.check(fn)`` runs the learner's function on every practice row, one
call at a time, each with a time limit, and reports in a learner's words: which rows
disagree with the reference and why (with the lesson and the source), which calls
raised or returned something that is not a label, and which took too long. It never
raises and never lets one bad row hide the others.
"""
from __future__ import annotations

import contextlib
import io
import signal
import threading
import warnings
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from mlroles.checks.base import (CORRECT, INCORRECT, INVALID, NOT_ATTEMPTED, READY, CheckResult, Question, _describe,
                                 why_and_where)
from mlroles.checks.scoring import label_right
from mlroles.data import LabelSet


def _hide_cell_history() -> list:
    """While a learner's function runs inside a test cell, the cell's own source (IPython's input
    history: In, _ih, _i, _ii, _iii, _iN) is blanked, so the function cannot read the test from it."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    ns = shell.user_ns
    saved = []
    history = ns.get("_ih")
    if isinstance(history, list) and history:
        saved.append(("list", history, len(history) - 1, history[-1]))
        history[-1] = ""
    for name in [n for n in list(ns) if n in ("_i", "_ii", "_iii") or (n.startswith("_i") and n[2:].isdigit())]:
        if isinstance(ns.get(name), str):
            saved.append(("ns", ns, name, ns[name]))
            ns[name] = ""
    return saved


def _restore_cell_history(saved: list) -> None:
    for kind, container, key, value in saved:
        container[key] = value


class CallTimeout(Exception):
    """A learner's function did not return in time."""


def call_safely(fn: Callable, arg: Any, seconds: float = 1.0) -> tuple[Any, str | None]:
    """Call ``fn(arg)`` with a time limit, quietly. Returns ``(value, None)`` or ``(None, problem)``.

    What the function prints is swallowed (a test cell that writes to stderr scores 0 in
    nbgrader), warnings are silenced, and an endless loop is interrupted after ``seconds``
    (on the main thread, where notebook cells run).
    """
    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def on_alarm(signum, frame):
        raise CallTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm) if use_alarm else None
    hidden = _hide_cell_history()
    try:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, seconds)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return fn(arg), None
    except CallTimeout:
        return None, f"took longer than {seconds:g} s"
    except NotImplementedError:
        return None, "is not written yet (it raises NotImplementedError)"
    except RecursionError:
        return None, "recursed without end (RecursionError)"
    except Exception as exc:  # the learner's bug, reported, never re-raised
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"raised {type(exc).__name__}" + (f": {message[:120]}" if message else "")
    finally:
        _restore_cell_history(hidden)
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def read_label(value: Any, labels: LabelSet) -> tuple[str | None, str | None]:
    """What a learner's function returned, read as one of ``labels``: ``(label, None)``, or ``(None, problem)``
    with the problem in a learner's words (the self-checks and the explorers say the same)."""
    if value is None:
        return None, "returned None: did you forget a return statement?"
    if not isinstance(value, str):
        return None, f"returned {_describe(value)}; return one of {labels.listing()}"
    if type(value) is str and value in labels.names:
        return value, None
    guess = labels.closest(value)
    tip = f"return exactly {guess!r} (lowercase, no spaces)" if guess else f"return one of {labels.listing()}"
    return None, f"returned {value!r}, which is not a label; {tip}"


class FunctionQuestion(Question):
    """Write ``fn(row) -> label``; checked against reference labels on practice rows.

    ``rows`` holds the rows the function is called with (a DataFrame indexed by item id,
    columns as the learner sees them). Leave ``key`` out for graded rows: the check then
    only confirms that the function returns a valid label for every row.
    """

    def __init__(self, name: str, rows: pd.DataFrame, labels: LabelSet, *, key: Mapping[str, str] | None = None,
                 why: Mapping[str, str] | None = None, read: Mapping[str, str] | None = None,
                 hints: Sequence[str] = (), function_name: str = "your function", timeout: float = 1.0):
        self.name = name
        self.rows = rows
        self.labels = labels
        self.key = dict(key) if key is not None else None
        self.why = dict(why or {})
        self.read = dict(read or {})
        self.before_check = list(hints)    # the hints before any check; a kind may follow the last check
        self.function_name = function_name
        self.timeout = timeout
        self.last_run = None    # what the function returned in the last check: run()'s frame

    @property
    def graded(self) -> bool:
        return self.key is None

    @property
    def _hints(self) -> list[str]:
        return self.before_check

    @property
    def how_to_write(self) -> str:
        return f"Pass {self.function_name} itself, a plain function."

    def run(self, fn: Callable) -> pd.DataFrame:
        """What the function returns for every row: columns ``answer`` and ``problem`` (empty when fine)."""
        out = []
        for item_id, row in self.rows.iterrows():
            value, problem = call_safely(fn, row.copy(), self.timeout)
            label = None
            if problem is None:
                label, problem = read_label(value, self.labels)
            out.append({"id": item_id, "answer": label, "problem": problem or ""})
        self.last_run = pd.DataFrame(out).set_index("id")
        return self.last_run

    def first_miss(self, result: CheckResult):
        """Where hints start after a check: CORRECT, None (nothing ran), or the first row that broke
        (``{"id", "problem", "count"}``) or else the first row answered wrong (``{"id", "said", "count"}``)."""
        if result.status == CORRECT:
            return CORRECT
        run = self.last_run
        if run is None:
            return None
        broken = run[run["problem"] != ""]
        if len(broken):
            return {"id": broken.index[0], "problem": broken["problem"].iloc[0], "count": len(broken)}
        if result.wrong:
            return {"id": result.wrong[0], "said": run.at[result.wrong[0], "answer"], "count": len(result.wrong)}
        return None

    def _check(self, fn: Any) -> CheckResult:
        """Run the function on every row and say what to fix. Hints start again from the first level when the
        first miss changes."""
        self.last_run = None
        result = self._verdict(fn)
        self._remember(self.first_miss(result))
        return result

    def _verdict(self, fn: Any) -> CheckResult:
        total = len(self.rows)
        if fn is None or fn is Ellipsis:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write {self.function_name} first.",
                               total=total)
        if not callable(fn):
            return CheckResult(INVALID, f"{self.name}: expected a function, like {self.function_name}, but got "
                               f"{_describe(fn)}. Pass the function itself, without calling it.", total=total)
        try:
            results = self.run(fn)
        except Exception as exc:  # a crafted object breaking pandas: say so, never crash
            return CheckResult(INVALID, f"{self.name}: could not run {self.function_name} ({type(exc).__name__}).",
                               total=total)
        not_written = results["problem"].str.contains("not written yet")
        if not_written.all():
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; {self.function_name} still raises "
                               "NotImplementedError. Replace that line with your code.", total=total)
        problems = [f"{i}: {self.function_name} {p}." for i, p in results["problem"].items() if p]
        if self.graded:
            if problems:
                return CheckResult(INVALID, f"{self.name}: {len(problems)} of {total} rows did not give a valid "
                                   "label.", problems[:8], total=total, missing=list(results.index[results["problem"] != ""]))
            return CheckResult(READY, f"{self.name}: {self.function_name} gives a valid label for all {total} "
                               "graded rows. Your score appears after grading.", total=total)
        answered = results[results["problem"] == ""]
        wrong = [i for i, a in answered["answer"].items() if not label_right(a, self.key[i])]
        correct = len(answered) - len(wrong)
        lines = problems[:8] + [self._explain(i, answered.at[i, "answer"]) for i in wrong]
        if not wrong and not problems:
            return CheckResult(CORRECT, f"{self.name}: {self.function_name} agrees with the reference on all "
                               f"{total} rows.", correct=correct, total=total)
        status = INCORRECT if wrong else INVALID
        headline = f"{self.name}: {correct} of {total} rows agree with the reference"
        if problems:
            headline += f"; {len(problems)} call(s) need fixing"
        return CheckResult(status, headline + ".", lines, correct=correct, total=total, wrong=wrong,
                           missing=[i for i, p in results["problem"].items() if p])

    def _explain(self, item_id: str, chosen: str) -> str:
        return why_and_where(f"{item_id}: {self.function_name} says {self.labels.name(chosen)}, the reference "
                             f"says {self.labels.name(self.key[item_id])}.", item_id, self.why, self.read)

    def solution(self):
        """The reference label of every practice row with its reason (graded rows have none here)."""
        if self.graded:
            return "These are graded rows: their answers are not in your copy of the course."
        return pd.DataFrame({"reference": {i: self.labels.name(v) for i, v in self.key.items()},
                             "why": {i: self.why.get(i, "") for i in self.key}})

