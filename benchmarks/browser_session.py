"""The browser figures' measurements, in a process of their own, with the browser tests' helpers
(tests/browser_support.py). ``benchmarks.browser`` starts it with the tests folder on PYTHONPATH for this
process alone and reads what it measured from OUT (JSON):

    PYTHONPATH=tests python -P benchmarks/browser_session.py --runs 5 --workdir DIR --out OUT

OUT holds ``values`` (seconds, or ms for round trips, per figure key), ``unavailable`` (why nothing could be
measured, or null) and ``error`` (a measurement that broke part way, or null).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
LESSON = "course/01_two_roles_two_risks.ipynb"
EX2 = "solutions/ex2_serving_handoff/ex2_serving_handoff.ipynb"
KEYS = ("ready", "open", "run_lesson", "run_ex2", "round_trip")
NEEDED = ("LabServer", "LabBrowser", "open_notebook", "run_all", "round_trip", "find_chromium")


def browser_helpers():
    """tests/browser_support.py's helpers, or the reason they cannot be used."""
    if not (TESTS / "browser_support.py").exists():
        return None, "browser helpers absent (tests/browser_support.py does not exist)"
    try:
        import browser_support as bs
    except Exception as exc:  # noqa: BLE001
        return None, f"browser helpers do not import: {type(exc).__name__}: {exc}"
    missing = [n for n in NEEDED if not hasattr(bs, n)]
    if missing:
        return None, f"browser helpers lack {', '.join(missing)}"
    if bs.find_chromium() is None:
        return None, "Chromium is missing (apt-get install -y chromium)"
    return bs, None


def drop_tests_from_pythonpath() -> None:
    """The tests folder was on PYTHONPATH for this process's own imports: the JupyterLab servers and
    kernels it starts get PYTHONPATH as the benchmark had it."""
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p) != TESTS]
    if rest:
        os.environ["PYTHONPATH"] = os.pathsep.join(rest)
    else:
        os.environ.pop("PYTHONPATH", None)


def explorer_round_trips(bs, page) -> list[float]:
    """Tick, untick, choose in a dropdown on the serving explorer: seconds until the decision changes."""
    p = page.page
    explorer = p.locator(bs.WIDGET_OUTPUT).filter(has_text="Serving mode explorer").first
    box = explorer.locator(".widget-checkbox", has_text="only known at request time").locator("input")
    panel = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').textContent"
    online = f"() => {panel}.includes('decides: online')"
    batch = f"() => {panel}.includes('decides: batch')"
    times = [bs.round_trip(p, box.check, online), bs.round_trip(p, box.uncheck, batch)]
    select = explorer.locator(".widget-dropdown select")
    times.append(bs.round_trip(p, lambda: select.select_option(label="seconds"), online))
    return times


def measure(bs, runs: int, workdir: Path, values: dict[str, list[float]]) -> None:
    """``runs`` rounds of: a server started, lesson 01 opened and run, the ex2 solution run and its explorer
    clicked; appends to ``values`` as it goes, so a round that breaks keeps the ones before it."""
    browser = bs.LabBrowser(viewport=(1400, 1000))
    try:
        for _ in range(runs):
            # the solution of ex2 is on the instructor side: make instructor, as graders open it
            server = bs.LabServer(workdir=Path(tempfile.mkdtemp(prefix="lab-", dir=workdir)), instructor=True)
            try:
                values["ready"].append(server.start())
                page = browser.new_page()
                try:
                    values["open"].append(bs.open_notebook(page, server, LESSON))
                    values["run_lesson"].append(bs.run_all(page))
                finally:
                    page.close()
                    server.shutdown_sessions(LESSON)
                page = browser.new_page()
                try:
                    bs.open_notebook(page, server, EX2)
                    values["run_ex2"].append(bs.run_all(page))
                    values["round_trip"].extend(t * 1000 for t in explorer_round_trips(bs, page))
                finally:
                    page.close()
                    server.shutdown_sessions(EX2)
            finally:
                server.stop()
    finally:
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/browser_session.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--workdir", type=Path, required=True, help="where the servers' temporary roots go")
    parser.add_argument("--out", type=Path, required=True, help="where the measurements go (JSON)")
    args = parser.parse_args(argv)
    result = {"values": {k: [] for k in KEYS}, "unavailable": None, "error": None}
    bs, result["unavailable"] = browser_helpers()
    drop_tests_from_pythonpath()
    if bs is not None:
        try:
            measure(bs, args.runs, args.workdir, result["values"])
        except Exception as exc:  # noqa: BLE001 -- reported as a broken measurement by the parent
            result["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
