"""The cohort pipeline on a course root: release, parallel autograde with progress, safe feedback, report.

Each step is a function here (``release``, ``grade``, ``feedback``, ``report``, ``import_roster``); the
command line that make's targets call is ``mlroles.instructor.cli``.

The instructor's decisions (due dates, late policy, weights, feedback level, the gradebook's database) are
in the course root's cohort.toml (mlroles.instructor.settings). Submissions are where nbgrader expects them: submitted/<student>/<assignment>/<notebook>.ipynb
(nbgrader's collect puts them there, or copy them by hand). Every run prints a line per
student and assignment with its score and a status; a broken submission (invalid or old
notebook, missing notebook, a kernel that dies, a cell that times out) is reported with its
reason and never stops the others.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from mlroles.instructor import course_root
from mlroles.instructor.course_root import source_assignments, source_notebooks
from mlroles.instructor.settings import db_url

STATUS_FILE = "cohort_status.json"   # written into autograded/ (a run folder)


def step(course: Path, target: str, extra: str = "") -> str:
    """How to run the cohort step ``target`` (a make target) on ``course``, as the next line to type."""
    course, here = Path(course).resolve(), Path.cwd().resolve()
    where = ""
    if course != here:
        where = f" COURSE={course.relative_to(here) if here in course.parents else course}"
    return f"make {target}{where}{extra}"


# --- configuration ---------------------------------------------------------------------

def load_config(course: Path, timeout: int | None = None, sandbox: bool = True):
    """The course's nbgrader configuration for grading: a grading kernel logs errors only (over TCP without the
    sandbox it warns once per kernel, which would bury the progress lines)."""
    config = course_root.load_config(course, timeout=timeout, sandbox=sandbox)
    config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
    return config


def make_api(course: Path, timeout: int | None = None, sandbox: bool = True):
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=load_config(course, timeout, sandbox))


def submissions(course: Path, assignments: list[str]) -> list[tuple[str, str]]:
    """(student, assignment) for every submission folder found in submitted/."""
    folder = course / "submitted"
    found = []
    if folder.is_dir():
        for student in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for assignment in assignments:
                if (student / assignment).is_dir():
                    found.append((student.name, assignment))
    return found


# --- checking a submission before and after nbgrader -------------------------------------

def precheck(course: Path, student: str, assignment: str) -> list[str]:
    """Problems nbgrader would trip over, or that would cost the learner points without a word, in
    words an instructor can act on."""
    from mlroles.widgets.choices import board_answers_lost
    from mlroles.instructor.plugins import BOARD_ANSWERS_MISSING

    problems = []
    for name in source_notebooks(course, assignment):
        path = course / "submitted" / student / assignment / f"{name}.ipynb"
        if not path.exists():
            problems.append(f"missing notebook {name}.ipynb")
            continue
        text = path.read_bytes()
        if not text.strip():
            problems.append(f"{name}.ipynb is an empty file")
            continue
        try:
            content = nbformat.reads(text.decode("utf-8", errors="replace"), as_version=nbformat.NO_CONVERT)
        except nbformat.reader.NotJSONError:
            problems.append(f"{name}.ipynb is not valid JSON (it is not a notebook file, or it was cut off)")
            continue
        except nbformat.ValidationError as exc:   # nbformat validates as it reads
            problems.append(f"{name}.ipynb is not a valid notebook ({str(exc.message).splitlines()[0][:120]}); open "
                            "and save it in JupyterLab, then hand it in again")
            continue
        except Exception as exc:   # JSON, but no notebook nbformat can read
            problems.append(f"{name}.ipynb could not be read as a notebook ({type(exc).__name__}); open and save it "
                            "in JupyterLab, then hand it in again")
            continue
        major = content.get("nbformat")
        if not isinstance(major, int) or major < 4:
            problems.append(f"{name}.ipynb is in an old notebook format (v{major}); open and save it in "
                            "JupyterLab, or run `jupyter nbconvert --to notebook --inplace` on it")
            continue
        if board_answers_lost(content, path.parent, name):
            problems.append(f"{BOARD_ANSWERS_MISSING}: {name}.ipynb takes graded answers from boards, but neither "
                            f"{name}.choices.json nor the boards' state saved in the notebook came with it; ask the "
                            "learner for the file, or to save the notebook in the course's JupyterLab and hand it in again")
    return problems


def postcheck(course: Path, student: str, assignment: str) -> list[str]:
    """What happened inside the autograded notebooks: cells that timed out or died."""
    notes = []
    for name in source_notebooks(course, assignment):
        path = course / "autograded" / student / assignment / f"{name}.ipynb"
        if not path.exists():
            continue
        try:
            cells = nbformat.read(path, as_version=4).cells
        except Exception:   # nbgrader wrote it; a file it could not finish says nothing about cells
            continue
        for index, cell in enumerate(cells, start=1):
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") == "CellTimeoutError":
                    notes.append(f"a cell timed out (cell {index} of {name})")
                elif output.get("ename") in ("DeadKernelError",):
                    notes.append(f"the kernel died (cell {index} of {name})")
    return notes


def _reason_from_log(log: str) -> str:
    lowered = log.lower()
    if "kernel died" in lowered or "deadkernel" in lowered:
        return "the kernel died (the notebook calls exit, crashes Python, or runs out of memory)"
    if "timeout" in lowered:
        return "the notebook timed out"
    lines = [line.strip() for line in log.splitlines() if "error" in line.lower()]
    return f"autograde failed: {lines[-1][:160]}" if lines else "autograde failed"


@dataclass
class Outcome:
    student: str
    assignment: str
    status: str = "ok"
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    notes: list = field(default_factory=list)
    sandboxed: bool = True
    pending_points: float = 0.0   # written answers that wait for a grader
    attempts: int = 1             # autogrades run: more than 1 when SQLite's "database is locked" forced a retry
    digest: str = ""              # sha-256 of the files handed in, as graded (a later grade tells a resubmission)


# --- one autograde, in a worker process ---------------------------------------------------

_API = None


def quiet_warnings() -> None:
    """Grading runs print progress lines, not library warnings: SQLAlchemy's about nbgrader's gradebook sessions
    and nbformat's about cell ids nbgrader re-inserts without one (both harmless, and one per submission)."""
    import warnings

    from nbformat.warnings import MissingIDFieldWarning
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    warnings.filterwarnings("ignore", category=MissingIDFieldWarning)


MEMORY_PER_JOB_GB = 6


def _worker_init(course: str, timeout: int | None, memory_gb: float = MEMORY_PER_JOB_GB,
                 sandbox: bool = True) -> None:
    """Each worker (and every kernel it starts, which inherits the limit) gets a bounded address
    space, so a submission that allocates without end fails with MemoryError instead of taking
    the machine down."""
    global _API
    import resource

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    quiet_warnings()
    if memory_gb:
        limit = int(memory_gb * 1024 ** 3)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit if hard == resource.RLIM_INFINITY else min(hard, limit)))
    _API = make_api(Path(course), timeout, sandbox)


def grade_one(course: str, student: str, assignment: str) -> Outcome:
    """Autograde one submission with nbgrader; never raises."""
    from mlroles.instructor.plugins import BOARD_ANSWERS_MISSING

    course_path = Path(course)
    outcome = Outcome(student, assignment)
    outcome.digest = _submitted_digest(course_path, student, assignment)
    start = time.perf_counter()
    problems = precheck(course_path, student, assignment)
    try:
        for attempt in range(3):
            outcome.attempts = attempt + 1
            result = _API.autograde(assignment, student, force=True, create=True)
            if result["success"] or "database is locked" not in (result["error"] + result["log"]):
                break
            time.sleep(0.5 * (attempt + 1))
        explained = [p for p in problems if not p.startswith(BOARD_ANSWERS_MISSING)]
        if not result["success"] and not explained:   # a precheck problem already explains the failure
            problems.append(_reason_from_log(result["error"] + "\n" + result["log"]))
    except Exception as exc:  # nbgrader itself broke on this submission: report it, keep going
        problems.append(f"autograde failed: {type(exc).__name__}: {exc}")
    problems += postcheck(course_path, student, assignment)
    outcome.seconds = time.perf_counter() - start
    if problems:
        outcome.status = "; ".join(dict.fromkeys(problems))
    return outcome


def _read_scores(course: Path, outcomes: list[Outcome]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    from mlroles.instructor.report import waiting_grades

    with Gradebook(db_url(course)) as gb:
        for o in outcomes:
            try:
                submission = gb.find_submission(o.assignment, o.student)
                o.score, o.max_score = float(submission.score), float(submission.max_score)
                o.pending_points = sum(float(g.max_score) for g in waiting_grades(submission))
            except MissingEntry:
                o.score = None


def register_assignments(course: Path, assignments: list[str]) -> None:
    """Record assignments in the gradebook (nbgrader's generate_assignment reads their grade cells)
    without touching exercises/: the release it makes on the way goes to a temporary folder and is
    thrown away. Only ``make release`` writes exercises/, where a learner may have answered."""
    if not assignments:
        return
    from nbgrader.apps import NbGraderAPI

    with tempfile.TemporaryDirectory(prefix="mlroles-register-") as scratch:
        config = load_config(course)
        config.CourseDirectory.release_directory = scratch   # absolute: nbgrader joins it onto the root
        api = NbGraderAPI(config=config)
        for assignment in assignments:
            result = api.generate_assignment(assignment, force=True)
            if not result["success"]:
                raise SystemExit(f"Could not register {assignment} in the gradebook: {result['error']}")


def sync_due_dates(course: Path, assignments: list[str]) -> None:
    """Each assignment's due date in the gradebook, from cohort.toml (the one place it is set): nbgrader
    measures lateness against it, from the timestamp its collect step writes."""
    from nbgrader.api import Gradebook, MissingEntry

    from mlroles.instructor import settings

    config = settings.load(course)
    settings.check_assignments(config, source_assignments(course))
    with Gradebook(config.db_url) as gb:
        for name in assignments:
            due = config.assignment(name).due
            try:
                gb.find_assignment(name)
            except MissingEntry:
                continue
            gb.update_or_create_assignment(name, duedate=due.replace(tzinfo=None) if due else None)


CHANGES_FILE = "score_changes.csv"   # written into autograded/ by a grade run that changed earlier scores


def in_gradebook(gb, todo: list[tuple[str, str]]):
    """(student, assignment, gradebook submission) for each of ``todo`` the gradebook holds."""
    from nbgrader.api import MissingEntry

    for student, assignment in todo:
        try:
            yield student, assignment, gb.find_submission(assignment, student)
        except MissingEntry:
            continue


def score_snapshot(course: Path, todo: list[tuple[str, str]]) -> dict[tuple, float]:
    """Every grade cell's score (manual where a grader set one) of the submissions in ``todo`` already graded."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(db_url(course)) as gb:
        for student, assignment, submission in in_gradebook(gb, todo):
            for nb in submission.notebooks:
                for g in nb.grades:
                    scores[(student, assignment, g.name)] = float(g.score)
    return scores


def _submitted_digest(course: Path, student: str, assignment: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((course / "submitted" / student / assignment).rglob("*")):
        if path.is_file() and path.name != "timestamp.txt":
            digest.update(str(path.relative_to(course)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def graded_by_hand(course: Path, todo: list[tuple[str, str]]) -> dict:
    """Per submission in ``todo``: the digest of what was autograded last time (kept in the status file) and the
    grades a grader has settled since (a manual score, no longer flagged for grading)."""
    from nbgrader.api import Gradebook

    status = load_status(course)
    settled = {}
    with Gradebook(db_url(course)) as gb:
        for student, assignment, submission in in_gradebook(gb, todo):
            grades = [(nb.name, g.name) for nb in submission.notebooks for g in nb.grades
                      if g.manual_score is not None and not g.needs_manual_grade]
            if grades:
                settled[(student, assignment)] = (status.get(f"{student}/{assignment}", {}).get("digest", ""), grades)
    return settled


def keep_settled(course: Path, settled: dict) -> tuple[int, int]:
    """nbgrader's autograde flags every manually scored answer for grading again. Where the submission is the one
    the grader scored, the flag goes (score and comment were kept); where the learner handed in something new,
    it stays, so a grader looks again (and so it does when the last grading left no digest to compare with).
    Returns (answers kept settled, answers to look at again)."""
    from nbgrader.api import Gradebook, MissingEntry

    kept = again = 0
    with Gradebook(db_url(course)) as gb:
        for (student, assignment), (digest, grades) in settled.items():
            if digest != _submitted_digest(course, student, assignment):
                again += len(grades)
                continue
            for notebook, grade_id in grades:
                try:
                    gb.find_grade(grade_id, notebook, assignment, student).needs_manual_grade = False
                    kept += 1
                except MissingEntry:
                    pass
        gb.db.commit()
    return kept, again


def score_changes(before: dict, after: dict) -> list[dict]:
    """Rows for every grade cell whose score a regrade changed: who, which cell, old, new, by how much."""
    return [{"student": s, "assignment": a, "grade_id": g, "before": old, "after": after[(s, a, g)],
             "change": round(after[(s, a, g)] - old, 4)}
            for (s, a, g), old in sorted(before.items()) if (s, a, g) in after and after[(s, a, g)] != old]


def _report_changes(course: Path, changes: list[dict], regraded: int, out) -> None:
    import csv

    path = course / "autograded" / CHANGES_FILE
    if not regraded:
        return
    if not changes:
        print(f"Regrade: {regraded} submission(s) graded before; no score changed. Manual scores and comments "
              "are kept.", file=out)
        path.unlink(missing_ok=True)
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(changes[0]))
        writer.writeheader()
        writer.writerows(changes)
    subs = {(c["student"], c["assignment"]) for c in changes}
    print(f"Regrade: {len(changes)} score(s) changed in {len(subs)} of {regraded} submission(s) graded before "
          f"(manual scores and comments are kept); listed in {path}:", file=out)
    for c in changes[:15]:
        print(f"  {c['student']} / {c['assignment']} / {c['grade_id']}: {c['before']:g} -> {c['after']:g} "
              f"({c['change']:+g})", file=out)
    if len(changes) > 15:
        print(f"  ... and {len(changes) - 15} more in {path.name}", file=out)


def _print_due_dates(course: Path, assignments: list[str], out) -> None:
    from mlroles.instructor import settings

    config = settings.load(course)
    dated = [a for a in assignments if config.assignment(a).due]
    for name in dated:
        print(f"due {config.assignment(name).due_text()}: {name} (the release says so; {config.late.describe()})",
              file=out)
    if not dated:
        print(f"No due dates set (self-paced): set them per assignment in {config.path}.", file=out)


def _progress(done: int, total: int, outcome: Outcome, width: int = 24) -> str:
    from mlroles.instructor.report import pending_text
    from mlroles.instructor.sandbox import UNSANDBOXED

    filled = int(width * done / total)
    score = "   —   " if outcome.score is None else f"{outcome.score:5.1f}/{outcome.max_score:<4.0f}"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done:>3}/{total} {outcome.student:<14.14} "
            f"{outcome.assignment:<22} {score} {outcome.seconds:5.1f}s  {outcome.status}"
            f"{'' if outcome.sandboxed else ' (' + UNSANDBOXED + ')'}"
            f"{'; ' + pending_text(outcome.pending_points) if outcome.pending_points else ''}"
            f"{f' (autograded {outcome.attempts} times: the SQLite gradebook was locked)' if outcome.attempts > 1 else ''}")


def _keys_problem(course: Path) -> str | None:
    """Why the scorer could not read the instructor's keys here (None when it can): said before any
    submission is graded, instead of one failed autograde per submission."""
    from mlroles.instructor.answer_keys import AnswerKeyError, load_graded_keys

    try:
        load_graded_keys(Path(course) / "solutions" / "graded_keys.csv")
    except AnswerKeyError as exc:
        return f"Cannot grade: {exc}"
    return None


def grade(course: Path, *, jobs: int = 0, assignments: list[str] | None = None, timeout: int | None = None,
          memory_gb: float = MEMORY_PER_JOB_GB, sandbox: bool = True, out=None) -> list[Outcome]:
    """Autograde every submission, ``jobs`` at a time (0: one per core), each kernel in the sandbox
    unless ``sandbox=False``. Returns one Outcome each."""
    out = out or sys.stdout
    from nbgrader.api import Gradebook

    from mlroles.instructor.sandbox import UNSANDBOXED, unavailable_reason

    if sandbox and unavailable_reason():
        raise SystemExit(unavailable_reason())
    quiet_warnings()
    keys_problem = _keys_problem(course)
    if keys_problem:
        raise SystemExit(keys_problem)

    assignments = assignments or source_assignments(course)
    todo = submissions(course, assignments)
    if not todo:
        print(f"No submissions found in {course / 'submitted'} for {', '.join(assignments)}.", file=out)
        return []
    jobs = jobs or os.cpu_count() or 1
    # Make sure the gradebook knows every assignment and student before workers share it.
    with Gradebook(db_url(course)) as gb:
        known = {a.name for a in gb.assignments}
    register_assignments(course, [a for a in assignments if a not in known])
    sync_due_dates(course, assignments)
    before = score_snapshot(course, todo)
    settled = graded_by_hand(course, todo)
    with Gradebook(db_url(course)) as gb:
        for student in sorted({s for s, _ in todo}):
            gb.update_or_create_student(student)
    print(f"Grading {len(todo)} submission(s) of {len({s for s, _ in todo})} student(s), {jobs} at a time"
          f"{', each in the sandbox' if sandbox else ', WITHOUT the sandbox (--no-sandbox)'}.", file=out, flush=True)
    outcomes = []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                             initargs=(str(course), timeout, memory_gb, sandbox)) as pool:
        futures = [pool.submit(grade_one, str(course), s, a) for s, a in todo]
        for future in as_completed(futures):
            outcome = future.result()
            outcome.sandboxed = sandbox
            _read_scores(course, [outcome])
            outcomes.append(outcome)
            print(_progress(len(outcomes), len(todo), outcome), file=out, flush=True)
    elapsed = time.perf_counter() - started
    outcomes.sort(key=lambda o: (o.student, o.assignment))
    kept, again = keep_settled(course, settled)
    if kept or again:
        _read_scores(course, outcomes)   # pending points as they now stand
    failed = [o for o in outcomes if o.status != "ok"]
    unscored = [o for o in outcomes if o.score is None]
    print(f"Done: {len(outcomes)} submission(s) in {elapsed:.1f}s ({len(outcomes) / elapsed:.2f} notebooks/s): "
          f"{len(outcomes) - len(unscored)} graded into the gradebook, {len(failed)} with problems"
          + (f" ({len(unscored)} of them with nothing nbgrader could grade, so no gradebook entry: they count "
             "0, and the report lists them)" if unscored else "")
          + f".{'' if sandbox else ' All ' + UNSANDBOXED + '.'}", file=out)
    for o in failed:
        print(f"  {o.student} / {o.assignment}: {o.status}", file=out)
    waiting = [o for o in outcomes if o.pending_points]
    if waiting:
        points = sum(o.pending_points for o in waiting)
        print(f"Written answers pending ({points:g} points) in {len(waiting)} submission(s): the scores above "
              "count them 0 until a grader scores them (Formgrader -> Manual Grading).", file=out)
    _save_status(course, outcomes)
    _report_changes(course, score_changes(before, score_snapshot(course, todo)),
                    len({(s, a) for s, a, _ in before}), out)
    if again:
        print(f"{again} answer(s) a grader had scored came in a submission handed in again: nbgrader flags them for "
              "grading; their earlier scores stand until a grader looks again.", file=out)
    print(f"Next: grade the written answers in the Formgrader ({step(course, 'instructor')}, then Manual Grading), "
          f"then {step(course, 'feedback')}." if waiting else f"Next: {step(course, 'feedback')}, then "
          f"{step(course, 'report')}.", file=out)
    return outcomes


def _save_status(course: Path, outcomes: list[Outcome]) -> None:
    path = course / "autograded" / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(path.read_text()) if path.exists() else {}
    for o in outcomes:
        previous[f"{o.student}/{o.assignment}"] = asdict(o)
    path.write_text(json.dumps(previous, indent=1, sort_keys=True))


def load_status(course: Path) -> dict:
    path = course / "autograded" / STATUS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


# --- release ----------------------------------------------------------------------------

def _exchange_reason(result: dict) -> str:
    """nbgrader's reason for a failed exchange step, from its captured log (it returns, never raises)."""
    import re

    lines = [re.sub(r"^\[[A-Z]+\]\s*", "", line.strip()) for line in (result.get("log") or "").splitlines()
             if re.match(r"\s*\[(ERROR|CRITICAL)\]", line)]
    if lines:
        return " ".join(lines)
    error = (result.get("error") or "").strip().splitlines()
    return error[-1] if error else "nbgrader gave no reason; run it with --debug"


def release(course: Path, out=None, assignments: list[str] | None = None, force: bool = False) -> int:
    """Generate ``assignments`` (default: all) into exercises/ and, where the exchange exists, release them there.
    Every failure is printed with nbgrader's reason; any failure makes the exit code 1."""
    out = out or sys.stdout
    quiet_warnings()
    from mlroles.instructor.release import release as generate

    assignments = assignments or source_assignments(course)
    errors = generate(assignments, course)
    for error in errors:
        print(f"FAILED {error}", file=out)
    if not errors:
        sync_due_dates(course, assignments)
        _print_due_dates(course, assignments, out)
    config = load_config(course)
    if force:
        config.ExchangeReleaseAssignment.force = True
    exchange = Path(config.Exchange.root)
    failed = 0
    if exchange.is_dir() and not errors:
        from nbgrader.apps import NbGraderAPI

        api = NbGraderAPI(config=config)
        for assignment in assignments:
            result = api.release_assignment(assignment)
            if result["success"]:
                print(f"released to the exchange: {assignment}", file=out)
            else:
                failed += 1
                print(f"FAILED to release {assignment} to the exchange ({exchange}): {_exchange_reason(result)}",
                      file=out)
    if not errors and not failed:
        print("Next: learners fetch the exercises (Assignments tab), or hand them exercises/; collect with "
              f"nbgrader collect <assignment> (or the Formgrader), then {step(course, 'grade')}.", file=out)
    return 1 if errors or failed else 0


# --- feedback ---------------------------------------------------------------------------

def pending_written(course: Path, graded: list[tuple[str, str]]) -> tuple[int, float, int]:
    """Written answers no grader has scored yet among ``graded`` (student, assignment) submissions:
    (answers, their points, submissions that have any)."""
    from nbgrader.api import Gradebook

    from mlroles.instructor.report import waiting_grades

    answers, points, subs = 0, 0.0, 0
    with Gradebook(db_url(course)) as gb:
        for _, _, submission in in_gradebook(gb, graded):
            waiting = waiting_grades(submission)
            answers += len(waiting)
            points += sum(g.max_score for g in waiting)
            subs += bool(waiting)
    return answers, points, subs


def feedback_levels(course: Path, assignments: list[str], now=None) -> tuple[dict[str, str], list[str]]:
    """Each assignment's feedback level from cohort.toml, and the reasons it cannot be used yet: "items" shows
    the key's reasons, so only once the due date has passed."""
    from mlroles.instructor import settings

    config = settings.load(course)
    levels, problems = {}, []
    for name in assignments:
        entry = config.assignment(name)
        levels[name] = entry.feedback
        if entry.feedback == "items" and not entry.past_due(now):
            when = f"its due date, {entry.due_text()}, has not passed" if entry.due else "it has no due date"
            problems.append(f"{name}: feedback = \"items\" in {config.path}, but {when}; the items would show the key "
                            "to learners who may still hand in. Set a due date in the past, or feedback = \"score\".")
    return levels, problems


def feedback(course: Path, out=None, allow_pending: bool = False) -> int:
    """Feedback HTML for every graded submission, then a scan of every page for leaked keys.

    Each assignment's page shows what cohort.toml's feedback level says: "score" (each cell's score and what to
    fix) or "items" (every graded item with the key's reason; refused before the due date). Refuses while written
    answers wait for a grader (their pages would show 0 points for them), unless ``allow_pending``; says how many
    either way."""
    out = out or sys.stdout
    quiet_warnings()
    graded = [(s, a) for s, a in submissions(course, source_assignments(course))
              if (course / "autograded" / s / a).is_dir()]
    if not graded:
        print(f"No graded submissions in {course / 'autograded'}: nothing to write. Put submissions in "
              f"{course / 'submitted'}/<student>/<assignment>/ (nbgrader collect does) and run grade first.", file=out)
        return 1
    levels, problems = feedback_levels(course, sorted({a for _, a in graded}))
    if problems:
        for problem in problems:
            print(problem, file=out)
        print("Feedback not written.", file=out)
        return 1
    answers, points, subs = pending_written(course, graded)
    if answers:
        print(f"{answers} written answer(s) in {subs} of {len(graded)} submission(s) ({points:g} points) wait for a "
              "grader (Formgrader -> Manual Grading); until graded they count 0 on the feedback pages.", file=out)
        if not allow_pending:
            print("Feedback not written. Grade them first, or write the pages anyway with --allow-pending.", file=out)
            return 1
    apis = {}
    for level in sorted(set(levels.values())):
        config = load_config(course)
        config.DropScoringDetails.level = level
        from nbgrader.apps import NbGraderAPI

        apis[level] = NbGraderAPI(config=config)
    failures = 0
    for student, assignment in graded:
        result = apis[levels[assignment]].generate_feedback(assignment, student, force=True)
        ok = result["success"]
        failures += not ok
        print(f"{'feedback' if ok else 'FAILED  '} {student:<14} {assignment}"
              f"{' (every item, with the key)' if levels[assignment] == 'items' else ''}", file=out)
    from mlroles.instructor import problem_pages

    # A submission nbgrader could not grade gets a page that says what happened and what to do, in place of
    # nbgrader's (which, for a notebook it could not read, shows a page of errors).
    status = load_status(course)
    for student, assignment in submissions(course, source_assignments(course)):
        outcome = status.get(f"{student}/{assignment}", {})
        if outcome.get("status", "ok") == "ok":
            continue
        for name in source_notebooks(course, assignment):
            page = course / "feedback" / student / assignment / f"{name}.html"
            kind = problem_pages.write(page, student, assignment, name, outcome["status"])
            print(f"feedback {student:<14} {assignment} (page for '{kind.name}': {outcome['status']})", file=out)
    items_level = {a for a, level in levels.items() if level == "items"}
    leaks = scan_feedback(course, items_level=items_level)
    pages = len(list((course / "feedback").rglob("*.html")))
    if leaks:
        print(f"LEAK CHECK FAILED: {len(leaks)} finding(s) in {pages} page(s):", file=out)
        for leak in leaks[:20]:
            print(f"  {leak}", file=out)
        return 1
    shown = (f" (the key's reasons shown, as set, for {', '.join(sorted(items_level))} only)" if items_level else "")
    print(f"Leak check: {pages} feedback page(s), no graded key, hidden test or rubric found{shown}.", file=out)
    if not failures:
        print("Next: release the pages to learners (Formgrader -> Manage Assignments -> Release feedback, or "
              f"nbgrader release_feedback <assignment>), then {step(course, 'report')}.", file=out)
    return 1 if failures else 0


def scan_feedback(course: Path, keys_file: Path | None = None, items_level: set[str] = frozenset()) -> list[str]:
    """Every feedback page, read as a learner sees it, against every graded key and hidden line.

    ``items_level``: assignments whose feedback shows every item with the key's reason (cohort.toml, past the due
    date): on their own pages the reasons of their own items are expected; anything else is still a finding."""
    import html
    import re

    from mlroles import manifest
    from mlroles.instructor.answer_keys import load_graded_keys

    keys_file = keys_file or course / "solutions" / "graded_keys.csv"
    keys = load_graded_keys(keys_file) if keys_file.exists() else {}
    secret_lines = course_root.hidden_lines(course)
    shown = {}
    for assignment in items_level:
        try:
            shown[assignment] = {p.dataset for p in manifest.load(assignment).autograded if p.dataset}
        except KeyError:
            shown[assignment] = set()
    findings = []
    for page in sorted((course / "feedback").rglob("*.html")):
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        rel = page.relative_to(course)
        allowed = shown.get(rel.parts[2] if len(rel.parts) > 3 else "", set())
        for line in secret_lines:
            if line in text:
                findings.append(f"{rel}: shows hidden line {line[:60]!r}")
        for dataset, table in keys.items():
            if "rationale" not in table.columns or dataset in allowed:
                continue
            for item, value in table["rationale"].items():
                if value and value[:50] in text:
                    findings.append(f"{rel}: shows the rationale of graded item {item}")
    return findings


# --- report -----------------------------------------------------------------------------

def report(course: Path, out_dir: Path | None = None, out=None) -> Path:
    """grades.csv (one row per student), item analysis (CSV, PNGs, one HTML page)."""
    out = out or sys.stdout
    from mlroles.instructor import report as cohort_report

    out_dir = out_dir or course / "reports"
    page = cohort_report.write(course, out_dir, load_status(course))
    print(f"Report written: {page} (grades.csv, item_analysis.csv and charts beside it).", file=out)
    print(f"Next: open it in a browser; grades out to an LMS with {step(course, 'export', ' FORMAT=canvas')} "
          "(or FORMAT=csv).", file=out)
    return page


# --- the command line --------------------------------------------------------------------

def import_roster(course: Path, path: Path, out=None) -> int:
    """``roster import``: every student of ``path`` into the course's gradebook, or nothing and every problem."""
    from mlroles.instructor import roster
    from mlroles.instructor.settings import shown_url

    out = out or print
    try:
        students = roster.read(path)
    except roster.RosterError as exc:
        out(str(exc))
        return 2
    added, updated = roster.import_into(load_config(course).CourseDirectory.db_url, students)
    out(f"Roster: {added} student(s) added, {updated} updated in the gradebook "
        f"({shown_url(db_url(course))}) from {path}.")
    out(f"Next: release the exercises ({step(course, 'release')}) and let the cohort fetch them.")
    return 0
