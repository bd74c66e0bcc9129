"""The instructor's report: grades per student, and an item analysis that shows what needs work.

- ``grades.csv``: one row per student, per assignment its points, its status, how late it came
  (``<assignment> late``: hours after the due date, to 0.1, at least 0.1 when late at all; empty when on
  time) and the points the late policy took off (``<assignment> penalty``; empty when none), then the total.
  Points and total are after the late penalty.
- ``item_analysis.csv``: per question (grade cell) and per graded item, the text the learner saw
  (``item_text``, shortened), how many students answered it, the share who got it right, its
  discrimination (both to 2 decimals) and ``needs_a_look``: why it needs attention, empty when it does not.
- ``items_<assignment>.png`` charts and ``report.html``, one page that opens in a browser (its HTML is
  ``templates/report.html``).

What discrimination means, in plain words: take the strongest quarter of the students on this
assignment (the top 27% by points) and the weakest quarter (the bottom 27%), and subtract the share of
the weak group who got the item right from the share of the strong group. 0.5 means: among the
strongest quarter, half more of the students got it right than among the weakest quarter (say 9 in 10
against 4 in 10). Near 0, the item does not tell strong from weak students; below 0, weaker students did
better than stronger ones. Below 0.2, reread the item: is it ambiguous, or does it ask for something
the lesson did not teach? Below 0, check the key first (a wrong key is the usual cause), then the
wording. An item almost everyone gets right, or almost nobody, cannot separate anyone either: the
first tells you little, the second points at the key or the lesson.

Per-item results come from the grader's scorer (mlroles.checks.scoring): it keeps, in each scored test cell
of the autograded notebooks, which graded item was right, so nothing here re-reads a learner's answer
or a key. Which cells hold items, and of what kind, comes from the exercises' manifests; the item
texts come from the course's datasets (mlroles.data).
"""
from __future__ import annotations

import base64
import functools
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from mlroles.instructor.settings import db_url

WEAK = 0.2            # discrimination below this: the item does not separate strong from weak students
TOO_EASY = 0.95       # share right above this: almost everyone right
TOO_HARD = 0.2        # share right below this: almost nobody right
TEXT_WIDTH = 90       # characters of an item's text in the report and item_analysis.csv

# needs_a_look: the reasons, in the words the report and item_analysis.csv use
NOT_SEPARATING = "does not separate strong from weak"
NEGATIVE = "weaker students do better: check the key"
EASY = "too easy to tell anything"
HARD = "almost nobody right: check the key and the lesson"

def discrimination(correct: pd.Series, totals: pd.Series) -> float:
    """Share right among the top 27% by total minus the bottom 27% (NaN with fewer than 4 students)."""
    frame = pd.DataFrame({"correct": correct.astype(float), "total": totals}).dropna()
    if len(frame) < 4:
        return float("nan")
    k = max(1, round(0.27 * len(frame)))
    ranked = frame.sort_values("total", kind="mergesort")
    return float(ranked["correct"].tail(k).mean() - ranked["correct"].head(k).mean())


def waiting_grades(submission) -> list:
    """The grades of a gradebook submission that wait for a grader: written answers nobody has scored yet. (A test
    cell nbgrader flags for a grader, after a kernel died, is not one: its submission's status says what happened.)"""
    return [g for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade and g.cell_type == "markdown"]


def gradebook_tables(course: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(submissions: student, assignment, score, max_score, auto_score, pending_points, seconds_late,
    late_penalty; cells: student, assignment, grade_id, score, max_score, auto).

    ``seconds_late`` is nbgrader's ``total_seconds_late`` (from the submission's timestamp and the due
    date, extension included; 0 when on time or either is unknown), ``late_penalty`` the points its late
    policy took off (nbgrader's ``late_submission_penalty``, summed over the notebooks)."""
    from nbgrader.api import Gradebook

    subs, cells = [], []
    with Gradebook(db_url(course)) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                subs.append({"student": submission.student.id, "assignment": assignment.name,
                             "score": float(submission.score), "max_score": float(submission.max_score),
                             "auto_score": sum(float(g.auto_score or 0) for nb in submission.notebooks
                                               for g in nb.grades if g.auto_score is not None),
                             # written answers no grader has scored yet: read live, so grading them clears it
                             "pending_points": sum(float(g.max_score) for g in waiting_grades(submission)),
                             "seconds_late": float(submission.total_seconds_late or 0),
                             "late_penalty": float(submission.late_submission_penalty or 0)})
                for nb in submission.notebooks:
                    for g in nb.grades:
                        cells.append({"student": submission.student.id, "assignment": assignment.name,
                                      "grade_id": g.name, "score": float(g.score), "max_score": float(g.max_score),
                                      "auto": g.cell_type == "code"})
    return pd.DataFrame(subs), pd.DataFrame(cells)


def pending_text(points: float) -> str:
    """How the terminal, grades.csv and the report say that written answers wait for a grader."""
    return f"written answers pending ({points:g} points)" if points else ""


def _status_text(outcome: dict, pending_points: float = 0.0) -> str:
    """A submission's status as the report shows it, saying when its kernel ran outside the sandbox and how many
    points of written answers wait for a grader."""
    from mlroles.instructor.sandbox import UNSANDBOXED

    text = outcome.get("status", "no submission")
    text = text if outcome.get("sandboxed", True) else f"{text} ({UNSANDBOXED})"
    return f"{text}; {pending_text(pending_points)}" if pending_points else text


def rostered_students(course: Path) -> list[str]:
    """Every student in the gradebook (from ``roster import`` or from grading), whether or not they submitted."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course)) as gb:
        return sorted(s.id for s in gb.students)


def late_hours(seconds) -> float:
    """How late, in hours to 0.1 (at least 0.1 when late at all); NaN when on time or unknown."""
    if seconds is None or pd.isna(seconds) or seconds <= 0:
        return float("nan")
    return max(0.1, round(seconds / 3600, 1))


def penalty_points(points) -> float:
    """Points a late policy took off; NaN when none."""
    if points is None or pd.isna(points) or points <= 0:
        return float("nan")
    return round(float(points), 2)


def grades_table(subs: pd.DataFrame, status: dict, roster: list[str] = ()) -> pd.DataFrame:
    """One row per student (every one of ``roster`` too, with "no submission"), per assignment its points,
    status, lateness (``<assignment> late``, hours) and late penalty (``<assignment> penalty``, points), both
    empty when there is none, then the total and the maximum. Points and total are after the late penalty
    (nbgrader keeps the penalty apart from the score; the penalty column shows what was taken off)."""
    if subs.empty:
        return pd.DataFrame()
    scores = subs.pivot(index="student", columns="assignment", values="score")
    scores.columns.name = None
    scores = scores.reindex(sorted(set(scores.index) | set(roster)))
    table = scores.copy()

    def per_submission(column):
        if column not in subs:
            return scores * float("nan")
        return subs.pivot(index="student", columns="assignment", values=column).reindex(
            index=scores.index, columns=scores.columns)

    pending = (subs.pivot(index="student", columns="assignment", values="pending_points")
               if "pending_points" in subs else scores * 0).reindex(scores.index)
    late, penalty = per_submission("seconds_late"), per_submission("late_penalty")
    table[scores.columns] = (scores - penalty.fillna(0)).clip(lower=0).where(scores.notna())
    for assignment in scores.columns:
        table[f"{assignment} status"] = [_status_text(status.get(f"{s}/{assignment}", {}),
                                                      float(pending.at[s, assignment] or 0))
                                         if pd.notna(scores.at[s, assignment]) else "no submission"
                                         for s in scores.index]
        table[f"{assignment} late"] = late[assignment].map(late_hours).astype(float)
        table[f"{assignment} penalty"] = penalty[assignment].map(penalty_points).astype(float)
    table["total"] = table[scores.columns].sum(axis=1)
    table["max_total"] = subs.groupby("assignment")["max_score"].max().sum()
    ordered = [c for a in scores.columns
               for c in (a, f"{a} status", f"{a} late", f"{a} penalty")] + ["total", "max_total"]
    return table[ordered].reset_index()


# kinds of graded part whose per-item results are items of a dataset (rows of the chart);
# the checks of frame parts (a metric column, a schema) are listed as "check"
DATASET_ITEMS = ("labels", "function_labels", "reviews")


def cell_results(nb, part) -> dict | None:
    """What the scorer kept in the test cell of ``part``: status, score, points, items (None when absent)."""
    from mlroles.checks.scoring import RESULTS_MIMETYPE

    for cell in nb.get("cells", []):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != part.grade_id:
            continue
        for output in cell.get("outputs", []):
            results = output.get("data", {}).get(RESULTS_MIMETYPE)
            if isinstance(results, dict):
                return results
    return None


def scored_items(nb, part) -> list[dict] | None:
    """The scorer's per-item results in the test cell of ``part`` (None when it was not scored)."""
    from mlroles.checks.scoring import SCORED

    results = cell_results(nb, part)
    return results.get("items", []) if results and results.get("status") == SCORED else None


def item_name(item: dict) -> str:
    """A per-item result's item as text (a table row's index may be a list)."""
    return item["item"] if isinstance(item["item"], str) else " / ".join(map(str, item["item"]))


# per dataset: the text a learner saw for each of its items (the loader in mlroles.data, the id column and
# how the text is put together from a row)
ITEM_TEXTS = {
    "responsibilities": ("responsibility_id", lambda r: r["responsibility"]),
    "serving_scenarios": ("scenario_id", lambda r: r["product"]),
    "job_ads": ("ad_id", lambda r: f"{r['title']} at {r['company']}: {r['summary']}"),
    "team_scenarios": ("team_id", lambda r: r["situation"]),
    "handoff_artifacts": ("artifact_id", lambda r: f"{r['artifact']}: {r['description']}"),
}


def shorten(text: str, width: int = TEXT_WIDTH) -> str:
    """``text`` on one line, cut at a word to at most ``width`` characters (with "…" when cut)."""
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder=" …")


def item_texts(dataset: str) -> dict[str, str]:
    """Item id -> the text a learner saw for it (shortened), for a dataset of mlroles.data ({} if unknown)."""
    from mlroles import data

    if dataset not in ITEM_TEXTS:
        return {}
    id_column, text = ITEM_TEXTS[dataset]
    frame = getattr(data, f"load_{dataset}")()
    return {row[id_column]: shorten(text(row)) for _, row in frame.iterrows()}


def needs_a_look(share_right: float, discrimination: float) -> str:
    """Why an item needs attention, in words ("" when it does not); several reasons are joined with "; ".

    A low discrimination is not repeated when almost everyone or almost nobody got the item right: then
    it cannot separate anyone, and the share says why."""
    reasons = []
    easy = pd.notna(share_right) and share_right > TOO_EASY
    hard = pd.notna(share_right) and share_right < TOO_HARD
    if pd.notna(discrimination) and discrimination < 0:
        reasons.append(NEGATIVE)
    elif pd.notna(discrimination) and discrimination < WEAK and not (easy or hard):
        reasons.append(NOT_SEPARATING)
    if easy:
        reasons.append(EASY)
    if hard:
        reasons.append(HARD)
    return "; ".join(reasons)


# the item tables' column names as report.html shows them (item_analysis.csv keeps those of ITEM_COLUMNS)
HEADERS = {"item_text": "text the learner saw", "share_right": "share right", "needs_a_look": "needs a look"}

ITEM_COLUMNS = ["assignment", "kind", "item", "item_text", "students", "share_right", "discrimination",
                "needs_a_look"]


def _rounded(x: float) -> float:
    return x if pd.isna(x) else round(x, 2) + 0.0     # + 0.0: no "-0.0"


def item_rows(course: Path, subs: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Per question (grade cell scored by tests) and per graded item or check: assignment, kind, item,
    item_text (what the learner saw; empty for questions and checks), students, share_right and
    discrimination (to 2 decimals), needs_a_look (judged on the rounded numbers, as they are shown)."""
    from mlroles import manifest

    rows = []
    texts: dict[str, dict[str, str]] = {}
    totals = subs.set_index(["assignment", "student"])["auto_score"] if not subs.empty else pd.Series(dtype=float)
    # per question (grade cell scored by tests; written answers wait for the formgrader)
    for (assignment, grade_id), group in cells[cells["auto"]].groupby(["assignment", "grade_id"]):
        share = group["score"] / group["max_score"].where(group["max_score"] > 0)
        rows.append({"assignment": assignment, "kind": "question", "item": grade_id, "item_text": "",
                     "students": len(group), "share_right": float(share.mean()),
                     "discrimination": discrimination(share.set_axis(group["student"]),
                                                      totals.loc[assignment].reindex(group["student"]))})
    for assignment in sorted(set(subs["assignment"])) if not subs.empty else []:
        try:
            plan = manifest.load(assignment)
        except KeyError:
            continue
        notebooks = {}
        for student in subs.loc[subs["assignment"] == assignment, "student"]:
            path = course / "autograded" / student / assignment / plan.notebook
            if path.exists():
                notebooks[student] = json.loads(path.read_text(encoding="utf-8"))
        for part in plan.autograded:
            if part.kind.endswith("format") or part.kind == "schema":
                continue
            right: dict[str, dict[str, bool]] = {}
            for student, nb in notebooks.items():
                for result in scored_items(nb, part) or []:
                    right.setdefault(item_name(result), {})[student] = bool(result.get("right"))
            dataset_items = part.kind in DATASET_ITEMS
            if dataset_items and part.dataset not in texts:
                texts[part.dataset] = item_texts(part.dataset)
            for item, by_student in right.items():
                series = pd.Series(by_student)
                rows.append({"assignment": assignment,
                             "kind": "item" if dataset_items else "check",
                             "item": item if dataset_items else f"{part.grade_id}: {item}",
                             "item_text": texts[part.dataset].get(item, "") if dataset_items else "",
                             "students": len(series), "share_right": float(series.mean()),
                             "discrimination": discrimination(series, totals.loc[assignment].reindex(series.index))})
    items = pd.DataFrame(rows, columns=ITEM_COLUMNS[:-1])
    for column in ("share_right", "discrimination"):
        items[column] = items[column].astype(float).map(_rounded)
    items["needs_a_look"] = [needs_a_look(s, d) for s, d in zip(items["share_right"], items["discrimination"])]
    return items


def _chart(items: pd.DataFrame, assignment: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    part = items[(items["assignment"] == assignment) & (items["kind"] == "item")].sort_values("item")
    if part.empty:
        part = items[items["assignment"] == assignment].sort_values("item")
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.32 * len(part) + 1)))
    colors = ["#b00020" if (pd.notna(d) and d < WEAK) else "#2b6cb0" for d in part["discrimination"]]
    ax.barh(part["item"], part["share_right"], color=colors)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("share of students right")
    ax.set_title(f"{assignment}: items (red: discrimination below {WEAK})")
    for y, (share, d) in enumerate(zip(part["share_right"], part["discrimination"])):
        ax.text(min(share + 0.01, 0.9), y, f"D={d:.2f}" if pd.notna(d) else "D=n/a", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def counts_sentence(status: dict, graded: int) -> str:
    """The same counts as the grading run's closing line: submissions found, graded into the gradebook, with
    problems; the difference between the first two is the submissions nbgrader had nothing to grade in."""
    found = len(status) or graded
    problems = sum(v.get("status", "ok") != "ok" for v in status.values())
    missing = found - graded
    return (f"{found} submission(s) found, {graded} graded into the gradebook, {problems} with problems"
            + (f" ({missing} with nothing nbgrader could grade, such as a missing notebook: no gradebook entry, "
               "they count 0)" if missing > 0 else "") + ".")


@functools.cache
def _templates():
    """The page templates in mlroles/instructor/templates (package data, so a wheel has them too), escaping every
    value they are given: the data that fills them (student ids, status lines, item texts) is plain text."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("mlroles.instructor", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined)


def render(template: str, **context) -> str:
    """The HTML of ``template`` (a file of mlroles/instructor/templates) filled with ``context``, escaped."""
    return _templates().get_template(template).render(**context)


def _table(frame: pd.DataFrame, number: Callable[[float], str], missing: str) -> dict | None:
    """A table as the report shows it: its column names and rows of text, numbers written by ``number`` and a
    missing number as ``missing`` (None for a table without columns)."""
    def text(value) -> str:
        if isinstance(value, float):
            return missing if pd.isna(value) else number(value)
        return str(value)

    if not len(frame.columns):
        return None
    return {"columns": [str(c) for c in frame.columns],
            "rows": [[text(v) for v in row] for row in frame.itertuples(index=False, name=None)]}


def write(course: Path, out_dir: Path, status: dict) -> Path:
    """Write grades.csv, item_analysis.csv, one chart per assignment and report.html into ``out_dir``; the page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subs, cells = gradebook_tables(course)
    grades = grades_table(subs, status, rostered_students(course))
    grades.to_csv(out_dir / "grades.csv", index=False)
    items = item_rows(course, subs, cells) if not subs.empty else pd.DataFrame()
    items.to_csv(out_dir / "item_analysis.csv", index=False)
    charts = []
    for assignment in sorted(set(items["assignment"])) if not items.empty else []:
        path = out_dir / f"items_{assignment}.png"
        _chart(items, assignment, path)
        charts.append({"assignment": assignment, "name": path.stem,
                       "png": base64.b64encode(path.read_bytes()).decode()})
    from mlroles.instructor.sandbox import UNSANDBOXED

    flagged = items[items["needs_a_look"] != ""] if not items.empty else items
    flagged = flagged[[c for c in ("assignment", "item", "item_text", "needs_a_look", "share_right",
                                   "discrimination", "students") if c in flagged]]
    waiting = subs[subs["pending_points"] > 0] if "pending_points" in subs else subs.iloc[0:0]
    shown = grades.copy()       # lateness as in grades.csv: hours late and points off, empty when none
    for column in [c for c in shown.columns if c.endswith((" late", " penalty"))]:
        shown[column] = [f"{x:g}" if pd.notna(x) else "" for x in shown[column]]
    two_decimals = "{:.2f}".format
    page = out_dir / "report.html"
    page.write_text(render(
        "report.html",
        students=grades["student"].nunique() if not grades.empty else 0,
        counts=counts_sentence(status, len(subs)),
        flagged_count=len(flagged),
        weak=f"{WEAK:g}", too_easy=f"{TOO_EASY:.0%}", too_hard=f"{TOO_HARD:.0%}",
        unsandboxed=sum(not v.get("sandboxed", True) for v in status.values()),
        unsandboxed_text=UNSANDBOXED,
        problems=sorted((k, v["status"]) for k, v in status.items() if v.get("status") != "ok"),
        answer_cells=int((~cells["auto"]).sum()) if len(cells) else 0,
        pending={"points": f"{float(waiting['pending_points'].sum()):g}", "submissions": len(waiting)}
        if len(waiting) else None,
        grades=_table(shown, "{:g}".format, "—") if len(shown) else None,
        flagged=_table(flagged.rename(columns=HEADERS), two_decimals, "NaN") if len(flagged) else None,
        charts=charts,
        items=_table(items.rename(columns=HEADERS), two_decimals, "NaN") if len(items) else None,
    ), encoding="utf-8")
    return page
