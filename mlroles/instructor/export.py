"""Grades out of the nbgrader gradebook into an LMS: ``write(course, "canvas")`` or ``write(course, "csv")``.

**Weights.** Each assignment counts with its weight from cohort.toml (``[assignments.<id>] weight``,
percent of the final grade; equal shares when none is set). Its cell holds ``score / max_score * weight``
points, rounded to 2 decimals, where ``score`` is nbgrader's score minus the late penalty nbgrader stored
(``SubmittedAssignment.score`` does not include it), never below 0. A student's cells add up to a final
grade out of 100, whatever the number of points an exercise happens to hold. An assignment cohort.toml
weighs but the gradebook does not hold yet (not graded) has no column and counts 0; the printed line says so.

**canvas** (``reports/grades_canvas.csv``) has the layout of the file Canvas's gradebook "Export" writes
and its grade import reads (instructure/canvas-lms, ``lib/gradebook_exporter.rb`` and
``lib/gradebook_importer.rb``):

- row 1: ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per assignment;
- row 2: ``"    Points Possible"`` under the identity columns, each assignment's weight under its column;
- one row per student.

Identity: Canvas's import finds a student by ``ID`` (Canvas's numeric user id), else by ``SIS User ID``,
else by ``SIS Login ID``, else by name. nbgrader's ``lms_user_id``, when set, is that Canvas user id, so it
goes in ``ID``; otherwise ``ID`` stays empty (a school login there would be read as a user number).
nbgrader's student ``id`` is the school login, which is what Canvas exports as ``SIS Login ID``, so it
goes there. ``SIS User ID`` (the registrar's number) and ``Section`` are not in the gradebook and stay
empty: Canvas needs the columns, not their content. ``Student`` is "Last, First", Canvas's sortable name.

Assignment columns: Canvas heads an exported column "<title> (<Canvas id>)"; on import it matches a
column by that id, else by a title equal to the whole header, else creates a new assignment of that
title with row 2 as its points possible. nbgrader knows no Canvas ids, so each column is headed by the
assignment's name: give the Canvas assignment exactly that name (and its weight as points), or the first
import creates it. No total column: Canvas computes its own, and any header it does not know becomes an
assignment.

No submission: an empty cell is "no change" to Canvas's import (it never overwrites a grade or an "EX"
entered in Canvas); Canvas's "Current Score" leaves it out and its "Final Score" counts it 0. So a
missing submission gets 0 once the assignment's due date (cohort.toml, else the gradebook's) has passed,
when it must count, and an empty cell before that or without a due date: a 0 written while work may
still come in would show learners a failing grade, and could overwrite an excused one.

**csv** (``reports/grades_export.csv``) is for people: per student id, last name, first name, email; per
assignment the raw score, max score, late penalty (points off; "no submission" in the score column when
there is none) and weighted points (the Canvas cell); then ``final``, their sum out of 100.
"""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

from mlroles.instructor import settings

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"          # as Canvas writes it, four spaces included
FILES = {"canvas": "grades_canvas.csv", "csv": "grades_export.csv"}


class ExportError(ValueError):
    """Nothing to export, said as what to do."""


def _utc(moment: datetime | None) -> datetime | None:
    """nbgrader keeps naive UTC datetimes."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def _check_gradebook(url: str) -> None:
    """Opening a missing SQLite file would create an empty gradebook: say what to run instead."""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise ExportError(f"No gradebook at {url[len('sqlite:///'):]}; grade first "
                          "(python -m mlroles.instructor.cli grade), then export")


def _weights(config: settings.Settings, names: list[str]) -> tuple[dict, dict]:
    """(weight per gradebook assignment, weight per weighted assignment not in the gradebook yet)."""
    later = [n for n, a in config.assignments.items() if a.weight is not None and n not in names]
    weights = config.weights(names + later)
    return {n: weights[n] for n in names}, {n: weights[n] for n in later}


def _result(gb, name: str, student: str, top: float, weight: float, past_due: bool) -> dict:
    from nbgrader.api import MissingEntry

    try:
        sub = gb.find_submission(name, student)
    except MissingEntry:
        return {"raw": None, "penalty": None, "weighted": 0.0 if past_due else None}
    raw, penalty = float(sub.score or 0), float(sub.late_submission_penalty or 0)
    return {"raw": raw, "penalty": penalty, "weighted": round(max(0.0, raw - penalty) / top * weight, 2)}


def collect(course: Path, now: datetime | None = None) -> dict:
    """Assignments (name, max score, weight) and per student identity and results, from the gradebook."""
    from nbgrader.api import Gradebook

    config = settings.load(course)
    if (Path(course) / "solutions").is_dir():   # a misspelt assignment in cohort.toml stops here, not as a silent 0
        from mlroles.instructor.cohort import source_assignments

        settings.check_assignments(config, source_assignments(Path(course)))
    _check_gradebook(config.db_url)
    now = now or datetime.now(timezone.utc)
    with Gradebook(config.db_url) as gb:
        assignments = sorted((a.name, float(a.max_score or 0), a.duedate) for a in gb.assignments)
        if not assignments:
            raise ExportError(f"The gradebook {settings.shown_url(config.db_url)} has no assignments yet; "
                              "grade first (python -m mlroles.instructor.cli grade), then export")
        if not gb.students:
            raise ExportError(f"The gradebook {settings.shown_url(config.db_url)} has no students; add them "
                              "with python -m mlroles.instructor.cli roster import FILE.csv, then export")
        empty = [name for name, top, _ in assignments if top <= 0]
        if empty:
            raise ExportError(f"{', '.join(empty)} has no points in the gradebook (max score 0); "
                              "regenerate it (python -m mlroles.instructor.cli release) or remove it from the gradebook")
        weights, later = _weights(config, [name for name, _, _ in assignments])
        due = {name: config.assignment(name).due or _utc(d) for name, _, d in assignments}
        students = [{"id": s.id, "first": s.first_name or "", "last": s.last_name or "", "email": s.email or "",
                     "lms": s.lms_user_id or "",
                     "results": {name: _result(gb, name, s.id, top, weights[name], bool(due[name] and now >= due[name]))
                                 for name, top, _ in assignments}}
                    for s in gb.students]
    return {"assignments": [(name, top, weights[name]) for name, top, _ in assignments],
            "later": later, "students": students}


def _cell(value: float | None, fmt: str = ".2f") -> str:
    return "" if value is None else format(value, fmt)


def canvas_rows(data: dict) -> list[list[str]]:
    names = [name for name, _, _ in data["assignments"]]
    rows = [IDENTITY + names, [POINTS_POSSIBLE, "", "", "", ""] + [_cell(w) for _, _, w in data["assignments"]]]
    for s in data["students"]:
        name = ", ".join(part for part in (s["last"], s["first"]) if part) or s["id"]
        rows.append([name, s["lms"], "", s["id"], ""] + [_cell(s["results"][n]["weighted"]) for n in names])
    return rows


def csv_rows(data: dict) -> list[list[str]]:
    header = ["id", "last_name", "first_name", "email"]
    for name, _, _ in data["assignments"]:
        header += [f"{name} raw score", f"{name} max score", f"{name} late penalty", f"{name} weighted"]
    rows = [header + ["final"]]
    for s in data["students"]:
        row, final = [s["id"], s["last"], s["first"], s["email"]], 0.0
        for name, top, _ in data["assignments"]:
            r = s["results"][name]
            raw = "no submission" if r["raw"] is None else _cell(r["raw"], "g")
            row += [raw, _cell(top, "g"), _cell(r["penalty"], "g"), _cell(r["weighted"])]
            final += r["weighted"] or 0.0
        rows.append(row + [f"{final:.2f}"])
    return rows


def write(course: Path, fmt: str, out: Path | None = None, print_fn=print) -> int:
    """Write the grades of ``course`` as ``fmt`` ("canvas" or "csv"); 0, or 1 after one line saying what to fix."""
    if fmt not in FILES:
        print_fn(f"Unknown export format {fmt!r}; choose canvas or csv")
        return 1
    course = Path(course)
    try:
        data = collect(course)
    except (settings.SettingsError, ExportError) as exc:
        print_fn(str(exc))
        return 1
    out = Path(out) if out else course / "reports" / FILES[fmt]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(canvas_rows(data) if fmt == "canvas" else csv_rows(data))
    used = ", ".join(f"{name} {w:g}%" for name, _, w in data["assignments"])
    later = "".join(f"; {name} {w:g}% not in the gradebook yet (counts 0)" for name, w in data["later"].items())
    empty = sum(r["weighted"] is None for s in data["students"] for r in s["results"].values())
    left = f"; {empty} missing submission(s) left empty (no due date passed)" if empty else ""
    print_fn(f"Wrote {out}: {len(data['students'])} students, weights {used}{later}{left}.")
    return 0
