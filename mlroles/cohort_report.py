"""The instructor's report: grades per student, and an item analysis that shows what needs work.

- ``grades.csv``: one row per student, one column per assignment (points), its status, and the total.
- ``item_analysis.csv``: per question (grade cell) and per graded item, the share of students who
  got it right and how well it separates strong from weak submissions (the discrimination index:
  share right in the top 27% by score minus share right in the bottom 27%; below 0.2 is weak).
- ``items_<assignment>.png`` charts and ``report.html``, one page that opens in a browser.

Per-item results come from the grader's scorer (mlroles.scoring): it keeps, in each scored test cell
of the autograded notebooks, which graded item was right, so nothing here re-reads a learner's answer
or a key. Which cells hold items, and of what kind, comes from the exercises' manifests.
"""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

WEAK = 0.2


def db_url(course: Path) -> str:
    from mlroles import settings

    return settings.load(course).db_url


def discrimination(correct: pd.Series, totals: pd.Series) -> float:
    """Share right among the top 27% by total minus the bottom 27% (NaN with fewer than 4 students)."""
    frame = pd.DataFrame({"correct": correct.astype(float), "total": totals}).dropna()
    if len(frame) < 4:
        return float("nan")
    k = max(1, round(0.27 * len(frame)))
    ranked = frame.sort_values("total", kind="mergesort")
    return float(ranked["correct"].tail(k).mean() - ranked["correct"].head(k).mean())


def waiting_grades(submission) -> list:
    """The grades of a gradebook submission that wait for a grader (written answers nobody has scored yet)."""
    return [g for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade]


def gradebook_tables(course: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(submissions: student, assignment, score, max; cells: student, assignment, grade_id, score, max)."""
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
                             "pending_points": sum(float(g.max_score) for g in waiting_grades(submission))})
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
    from mlroles.sandbox import UNSANDBOXED

    text = outcome.get("status", "no submission")
    text = text if outcome.get("sandboxed", True) else f"{text} ({UNSANDBOXED})"
    return f"{text}; {pending_text(pending_points)}" if pending_points else text


def rostered_students(course: Path) -> list[str]:
    """Every student in the gradebook (from ``roster import`` or from grading), whether or not they submitted."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course)) as gb:
        return sorted(s.id for s in gb.students)


def grades_table(subs: pd.DataFrame, status: dict, roster: list[str] = ()) -> pd.DataFrame:
    """One row per student (every one of ``roster`` too, with "no submission"), per assignment its points and status."""
    if subs.empty:
        return pd.DataFrame()
    scores = subs.pivot(index="student", columns="assignment", values="score")
    scores.columns.name = None
    scores = scores.reindex(sorted(set(scores.index) | set(roster)))
    table = scores.copy()
    pending = (subs.pivot(index="student", columns="assignment", values="pending_points")
               if "pending_points" in subs else scores * 0).reindex(scores.index)
    for assignment in scores.columns:
        table[f"{assignment} status"] = [_status_text(status.get(f"{s}/{assignment}", {}),
                                                      float(pending.at[s, assignment] or 0))
                                         if pd.notna(scores.at[s, assignment]) else "no submission"
                                         for s in scores.index]
    table["total"] = scores.sum(axis=1)
    table["max_total"] = subs.groupby("assignment")["max_score"].max().sum()
    ordered = [c for a in scores.columns for c in (a, f"{a} status")] + ["total", "max_total"]
    return table[ordered].reset_index()


# kinds of graded part whose per-item results are items of a dataset (rows of the chart);
# the checks of frame parts (a metric column, a schema) are listed as "check"
DATASET_ITEMS = ("labels", "function_labels", "reviews")


def cell_results(nb, part) -> dict | None:
    """What the scorer kept in the test cell of ``part``: status, score, points, items (None when absent)."""
    from mlroles.scoring import RESULTS_MIMETYPE

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
    from mlroles.scoring import SCORED

    results = cell_results(nb, part)
    return results.get("items", []) if results and results.get("status") == SCORED else None


def item_name(item: dict) -> str:
    """A per-item result's item as text (a table row's index may be a list)."""
    return item["item"] if isinstance(item["item"], str) else " / ".join(map(str, item["item"]))


def item_rows(course: Path, subs: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    from mlroles import manifest

    rows = []
    totals = subs.set_index(["assignment", "student"])["auto_score"] if not subs.empty else pd.Series(dtype=float)
    # per question (grade cell scored by tests; written answers wait for the formgrader)
    for (assignment, grade_id), group in cells[cells["auto"]].groupby(["assignment", "grade_id"]):
        share = group["score"] / group["max_score"].where(group["max_score"] > 0)
        rows.append({"assignment": assignment, "kind": "question", "item": grade_id,
                     "students": len(group), "share_right": float(share.mean()),
                     "discrimination": discrimination(share.set_axis(group["student"]),
                                                      totals.loc[assignment].reindex(group["student"]))})
    for assignment in sorted(set(subs["assignment"])):
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
            for item, by_student in right.items():
                series = pd.Series(by_student)
                rows.append({"assignment": assignment,
                             "kind": "item" if part.kind in DATASET_ITEMS else "check",
                             "item": item if part.kind in DATASET_ITEMS else f"{part.grade_id}: {item}",
                             "students": len(series), "share_right": float(series.mean()),
                             "discrimination": discrimination(series, totals.loc[assignment].reindex(series.index))})
    return pd.DataFrame(rows)


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


def write(course: Path, out_dir: Path, status: dict) -> Path:
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
        charts.append(path)
    problems = {k: v for k, v in status.items() if v.get("status") != "ok"}
    unsandboxed = sorted(k for k, v in status.items() if not v.get("sandboxed", True))
    from mlroles.sandbox import UNSANDBOXED

    weak = items[(items["discrimination"] < WEAK)] if not items.empty else items
    images = "".join(f"<h3>{html.escape(p.stem[6:])}</h3><img alt='item chart {html.escape(p.stem)}' "
                     f"src='data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}'>" for p in charts)
    waiting = subs[subs["pending_points"] > 0] if "pending_points" in subs else subs.iloc[0:0]
    pending_summary = (f"<b>Written answers pending ({float(waiting['pending_points'].sum()):g} points) in "
                       f"{len(waiting)} submission(s).</b>" if len(waiting) else "No written answer waits for a grader.")
    page = out_dir / "report.html"
    page.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Cohort report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}} table{{border-collapse:collapse;font-size:0.9em}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}} .bad{{color:#b00020}}</style></head><body>
<h1>Cohort report</h1>
<p>{grades['student'].nunique() if not grades.empty else 0} students, {len(subs)} graded submissions,
{len(problems)} with problems. Discrimination below {WEAK} (in red) marks items that do not separate strong from
weak submissions: check their wording, their key, or the lesson behind them.</p>
{f"<p class='bad'><b>{len(unsandboxed)} submission(s) were {UNSANDBOXED} (--no-sandbox): their code could "
  "reach the keys, the gradebook and other submissions while it ran.</b></p>" if unsandboxed else ""}
<h2>Submissions with problems</h2>
{('<ul>' + ''.join(f"<li class='bad'>{html.escape(k)}: {html.escape(v['status'])}</li>" for k, v in sorted(problems.items())) + '</ul>') if problems else '<p>None.</p>'}
<h2>Grades</h2>
<p>Written answers are graded by hand in the Formgrader ({int((~cells['auto']).sum()) if len(cells) else 0} answer cells);
their points are included here once graded. {pending_summary}</p>{grades.to_html(index=False, na_rep="—", float_format=lambda x: f"{x:g}")}
<h2>Items and questions that need work</h2>{weak.to_html(index=False, float_format=lambda x: f"{x:.2f}") if len(weak) else '<p>None.</p>'}
<h2>Item analysis</h2>{images}
{items.to_html(index=False, float_format=lambda x: f"{x:.2f}") if len(items) else ''}
</body></html>""", encoding="utf-8")
    return page
