"""The instructor's report, fast: needs-a-look reasons, rounded item analysis with the item texts, lateness
columns from a tiny real nbgrader gradebook, the pages' escaping, the problem pages, and the demo's planted bad item
(without grading anything)."""
import html
import json
import random
import re
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from mlroles.instructor import demo as cohort_demo, problem_pages, report as cohort_report
from mlroles.instructor.answer_keys import load_graded_keys
from mlroles.instructor.report import EASY, HARD, NEGATIVE, NOT_SEPARATING
from course_helpers import REPO

ASSIGNMENT = "ex1_responsibilities"
DUE = datetime(2030, 3, 1, 17, 0, tzinfo=timezone.utc)
# ten students from strongest to weakest (their automatic points on graded_items, out of 18), and per
# item who got it right, in the same order
TOTALS = [17, 16, 15, 14, 12, 10, 8, 3, 2, 1]
PATTERNS = {
    "R02": "1111111111",   # everyone right: too easy
    "R18": "0000000111",   # only the three weakest right: discrimination -1
    "R03": "1111100100",   # a working item: 1 - 1/3 = 0.67
    "R08": "1000000000",   # almost nobody right (discrimination 1/3, not low)
    "R13": "1010110101",   # 2/3 right in both the top and the bottom three: discrimination 0
}
STUDENTS = [f"s{n:02d}" for n in range(1, len(TOTALS) + 1)]
# a student id and a status line are text the pages show, never markup they run
HOSTILE = "o'brien<&>"
HOSTILE_STATUS = 'missing notebook <ex1>.ipynb & "more"'


@pytest.mark.parametrize("share, d, expected", [
    (0.6, 0.67, ""),
    (0.6, 0.2, ""),                           # 0.2 itself is not below 0.2
    (0.6, 0.19, NOT_SEPARATING),
    (0.6, 0.0, NOT_SEPARATING),
    (0.3, -0.5, NEGATIVE),                    # negative is said once, not also as "does not separate"
    (1.0, 0.0, EASY),                         # the share says why it separates nobody
    (0.96, 0.5, EASY),
    (0.95, 0.5, ""),
    (0.1, 0.33, HARD),
    (0.1, 0.0, HARD),
    (0.19, -0.33, f"{NEGATIVE}; {HARD}"),
    (0.2, 0.5, ""),
    (1.0, float("nan"), EASY),                # fewer than 4 students: no discrimination
    (0.5, float("nan"), ""),
])
def test_needs_a_look_gives_a_reason_per_case(share, d, expected):
    assert cohort_report.needs_a_look(share, d) == expected


def test_the_reasons_are_the_words_the_instructor_reads():
    assert NOT_SEPARATING == "does not separate strong from weak"
    assert NEGATIVE == "weaker students do better: check the key"
    assert EASY == "too easy to tell anything"
    assert HARD == "almost nobody right: check the key and the lesson"


def test_item_texts_are_what_the_learner_saw_and_short():
    from mlroles import data

    ads = data.load_job_ads().set_index("ad_id")
    texts = cohort_report.item_texts("job_ads")
    ad = ads.index[ads["pool"] == "graded"][0]
    assert texts[ad].startswith(f"{ads.at[ad, 'title']} at {ads.at[ad, 'company']}: ")
    assert len(texts[ad]) <= cohort_report.TEXT_WIDTH and texts[ad].endswith("…")   # the summary is long
    handoff = cohort_report.item_texts("handoff_artifacts")
    assert handoff["H03"].startswith("Metric definition: The one number")
    for dataset in cohort_report.ITEM_TEXTS:
        keys = load_graded_keys(cohort_report_keys())[dataset]
        texts = cohort_report.item_texts(dataset)
        assert all(texts[i].strip() and len(texts[i]) <= cohort_report.TEXT_WIDTH for i in keys.index), dataset
    assert cohort_report.item_texts("not_a_dataset") == {}


def cohort_report_keys():
    return REPO / "solutions" / "graded_keys.csv"


def test_grades_table_without_lateness_columns_still_works():
    subs = pd.DataFrame([{"student": "a", "assignment": "x", "score": 3.0, "max_score": 5.0},
                         {"student": "b", "assignment": "x", "score": 5.0, "max_score": 5.0}])
    table = cohort_report.grades_table(subs, {"a/x": {"status": "ok"}}, roster=["c"]).set_index("student")
    assert list(table.columns) == ["x", "x status", "x late", "x penalty", "total", "max_total"]
    assert table["x late"].isna().all() and table["x penalty"].isna().all()
    assert table.at["c", "x status"] == "no submission" and table.at["b", "total"] == 5.0


@pytest.mark.parametrize("seconds, hours", [(0, None), (None, None), (60, 0.1), (95_400, 26.5), (3 * 3600 + 179, 3.0)])
def test_late_hours(seconds, hours):
    got = cohort_report.late_hours(seconds)
    assert (pd.isna(got) if hours is None else got == hours)


# --- a tiny course: a real gradebook and autograded notebooks holding the scorer's per-item results -----

def scorer_cell(grade_id, items):
    from mlroles.checks.scoring import RESULTS_MIMETYPE, SCORED

    return {"cell_type": "code", "execution_count": 1, "id": grade_id, "source": "",
            "metadata": {"nbgrader": {"grade_id": grade_id, "grade": True, "solution": False, "points": 18}},
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {RESULTS_MIMETYPE: {"status": SCORED, "items": items}}}]}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Built once for the module (every opening of a gradebook runs nbgrader's `alembic heads`); the tests
    only read it."""
    from nbgrader.api import Gradebook

    from mlroles import manifest

    course = tmp_path_factory.mktemp("report") / "course"
    course.mkdir()
    plan = manifest.load(ASSIGNMENT)
    notebook = plan.notebook.removesuffix(".ipynb")
    with Gradebook(cohort_report.db_url(course)) as gb:
        gb.add_assignment(ASSIGNMENT, duedate=DUE)
        gb.add_notebook(notebook, ASSIGNMENT)
        gb.add_grade_cell("graded_items", notebook, ASSIGNMENT, max_score=18, cell_type="code")
        stamps = {"s01": DUE + timedelta(hours=26, minutes=30),   # a day and a half late, 2 points off
                  "s02": DUE - timedelta(hours=1),                 # on time
                  "s03": DUE + timedelta(seconds=60)}              # a minute late, no penalty
        for student, total in zip(STUDENTS, TOTALS):
            gb.add_student(student)
            submission = gb.add_submission(ASSIGNMENT, student, **({"timestamp": stamps[student]}
                                                                   if student in stamps else {}))
            grade = gb.find_grade("graded_items", notebook, ASSIGNMENT, student)
            grade.auto_score, grade.needs_manual_grade = float(total), False
            if student == "s01":
                submission.notebooks[0].late_submission_penalty = 2.0
            gb.db.commit()
    for n, student in enumerate(STUDENTS):
        items = [{"item": item, "right": pattern[n] == "1", "note": ""} for item, pattern in PATTERNS.items()]
        path = course / "autograded" / student / ASSIGNMENT / plan.notebook
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"cells": [scorer_cell("graded_items", items)], "metadata": {},
                                    "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return course


@pytest.fixture(scope="module")
def report(course):
    status = {f"{s}/{ASSIGNMENT}": {"status": "ok"} for s in STUDENTS}
    status[f"{HOSTILE}/{ASSIGNMENT}"] = {"status": HOSTILE_STATUS}     # not in the gradebook: listed as a problem
    page = cohort_report.write(course, course / "reports", status)
    return page


def test_gradebook_tables_keep_their_columns_and_add_lateness(course):
    subs, cells = cohort_report.gradebook_tables(course)
    assert {"student", "assignment", "score", "max_score", "auto_score", "pending_points"} <= set(subs.columns)
    assert list(cells.columns) == ["student", "assignment", "grade_id", "score", "max_score", "auto"]
    late = subs.set_index("student")
    assert late.at["s01", "seconds_late"] == 26.5 * 3600 and late.at["s01", "late_penalty"] == 2.0
    assert late.at["s02", "seconds_late"] == 0 and late.at["s04", "seconds_late"] == 0   # on time; no timestamp
    assert late.at["s03", "seconds_late"] == 60 and late.at["s03", "late_penalty"] == 0


def test_grades_csv_says_how_late_and_the_penalty(report):
    grades = pd.read_csv(report.parent / "grades.csv").set_index("student")
    late, penalty = f"{ASSIGNMENT} late", f"{ASSIGNMENT} penalty"
    assert list(grades.columns[:4]) == [ASSIGNMENT, f"{ASSIGNMENT} status", late, penalty]
    assert grades.at["s01", late] == 26.5 and grades.at["s01", penalty] == 2.0
    assert grades.at["s03", late] == 0.1 and pd.isna(grades.at["s03", penalty])
    on_time = [s for s in STUDENTS if s not in ("s01", "s03")]
    assert grades.loc[on_time, late].isna().all() and grades.loc[on_time, penalty].isna().all()
    assert grades.at["s01", ASSIGNMENT] == 15 and grades.at["s01", "total"] == 15   # 17 earned, 2 off for lateness
    # empty in the file, not 0 or "nan"
    row = (report.parent / "grades.csv").read_text().splitlines()[2]
    assert row.startswith("s02,16.0,ok,,,"), row


def test_report_shows_lateness_in_the_grades_table(report):
    page = report.read_text()
    grades_table = page[page.index("<h2>Grades</h2>"):page.index("<h2>Items and questions")]
    cells = re.findall(r"<tr>\s*<td>(s\d\d)</td>(.*?)</tr>", grades_table, re.S)
    row = {s: re.findall(r"<td>(.*?)</td>", rest) for s, rest in cells}
    assert row["s01"][:4] == ["15", "ok", "26.5", "2"]   # after the penalty
    assert row["s02"][:4] == ["16", "ok", "", ""]
    assert f"{ASSIGNMENT} late" in grades_table and "hours after the due date" in grades_table


def test_item_analysis_csv_is_rounded_with_texts_and_reasons(report):
    text = (report.parent / "item_analysis.csv").read_text()
    assert not re.search(r"\d\.\d{3,}", text), text        # no 0.6666666666
    assert text.splitlines()[0] == ",".join(cohort_report.ITEM_COLUMNS)
    items = pd.read_csv(report.parent / "item_analysis.csv", keep_default_na=False).set_index("item")
    # the question row: mean of points/18 is 98/180 = 0.5444..., top three 48/54 minus bottom three 6/54 = 0.777...
    assert items.at["graded_items", "share_right"] == 0.54 and items.at["graded_items", "discrimination"] == 0.78
    assert items.at["R03", "discrimination"] == 0.67 and items.at["R08", "discrimination"] == 0.33
    assert items.at["R18", "item_text"] == ("Build one feature pipeline that feeds identical fraud features "
                                            "to training and serving")
    assert items.at["R02", "item_text"].startswith("Feed support agents' routing corrections")
    assert items.at["graded_items", "item_text"] == ""
    assert items.at["R02", "needs_a_look"] == EASY
    assert items.at["R18", "needs_a_look"] == NEGATIVE and items.at["R18", "discrimination"] == -1
    assert items.at["R03", "needs_a_look"] == ""
    assert items.at["R08", "needs_a_look"] == HARD
    assert items.at["R13", "needs_a_look"] == NOT_SEPARATING
    assert items.at["graded_items", "needs_a_look"] == ""


def test_report_explains_discrimination_and_lists_what_needs_a_look(report):
    page = report.read_text()
    section = page[page.index("<h2>Items and questions that need work</h2>"):page.index("<h2>Item analysis</h2>")]
    explanation = section[:section.index("<table")]
    assert "0.5</b> means: among the strongest quarter, half more of the students got it right" in explanation
    assert "check the key first" in explanation
    flagged = section[section.index("<table"):]
    for item in ("R02", "R18", "R08", "R13"):
        assert f"<td>{item}</td>" in flagged
    assert "<td>R03</td>" not in flagged and "<td>graded_items</td>" not in flagged
    assert "Build one feature pipeline that feeds identical fraud features to training and serving" in flagged
    assert "weaker students do better: check the key" in flagged
    assert "4 item(s) and question(s) need a look" in page



def visible(page: str) -> str:
    """A page's text as a browser shows it: tags dropped, entities read, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_report_shows_ids_and_status_lines_as_text_escaped_once(report):
    page = report.read_text()
    problems = page[page.index("<h2>Submissions with problems</h2>"):page.index("<h2>Grades</h2>")]
    assert f"{HOSTILE}/{ASSIGNMENT}: {HOSTILE_STATUS}" in visible(problems)
    assert "<&>" not in problems and "<ex1>" not in problems               # escaped ...
    assert "&amp;lt;" not in page and "&amp;amp;" not in page              # ... once
    assert "0.5 means: among the strongest quarter" in visible(page)      # the page's own markup is kept


# --- the problem pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, reason", [
    ("missing", "missing notebook ex1.ipynb"), ("empty", "ex1.ipynb is an empty file"),
    ("damaged", "ex1.ipynb is not valid JSON"), ("old_format", "ex1.ipynb is in an old notebook format (v3)"),
    ("board_answers", "board answers missing"), ("kernel_died", "kernel died"), ("timeout", "cell 4 timed out"),
    ("other", "nbconvert failed"),
])
def test_a_problem_page_says_what_happened_and_what_to_do(tmp_path, kind, reason):
    page = tmp_path / "feedback" / HOSTILE / ASSIGNMENT / "ex1.html"
    assert problem_pages.write(page, HOSTILE, ASSIGNMENT, "ex1", reason).name == kind
    text = page.read_text(encoding="utf-8")
    assert f"data-kind='{kind}'" in text and text.count("class='mlroles-problem'") == 1
    shown = visible(text)
    chosen = problem_pages.kind_of(reason)
    assert f"What happened: {chosen.happened.format(notebook='ex1', reason=reason)}" in shown
    assert f"What to do: {chosen.to_do.format(notebook='ex1', reason=reason)}" in shown
    assert f"The grader's note: {reason}." in shown and f"Student: {HOSTILE}" in shown
    assert f"{ASSIGNMENT}: your submission could not be graded in full" in shown


def test_a_problem_page_shows_a_status_line_as_text_escaped_once(tmp_path):
    reason = "kernel died: <script>alert('x')</script> & more"
    page = tmp_path / "ex1.html"
    problem_pages.write(page, HOSTILE, "ex1 <i>", "ex1", reason)
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text and "<i>" not in text and "<&>" not in text
    assert "&amp;lt;" not in text and "&amp;amp;" not in text
    assert f"The grader's note: {reason}." in visible(text) and "ex1 <i>: your submission" in visible(text)


def test_a_problem_page_goes_on_top_of_nbgraders_once_or_replaces_it(tmp_path):
    page = tmp_path / "ex1.html"
    page.write_text("<html><head></head><body class='jp'><p>Score: 3.0</p></body></html>", encoding="utf-8")
    for _ in range(2):                  # feedback run twice: one section, above nbgrader's scores
        assert problem_pages.write(page, HOSTILE, ASSIGNMENT, "ex1", "kernel died").name == "kernel_died"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<html><head></head><body class='jp'><section class='mlroles-problem'")
    assert text.count("class='mlroles-problem'") == 1 and text.endswith("<p>Score: 3.0</p></body></html>")
    page.write_text("<html><body><pre>NameError</pre></body></html>", encoding="utf-8")
    problem_pages.write(page, HOSTILE, ASSIGNMENT, "ex1", "missing notebook ex1.ipynb")
    text = page.read_text(encoding="utf-8")
    assert "NameError" not in text and "data-kind='missing'" in text

# --- the demo's planted bad item ----------------------------------------------------------------

def test_the_trap_catches_the_strong_profiles_only():
    trap = cohort_demo.TRAP
    answers = {trap.item: "shared", "R02": "shared"}
    for profile in cohort_demo.STRONG:
        assert trap.plant(trap.assignment, trap.dataset, profile, answers) == {trap.item: trap.answer, "R02": "shared"}
    for profile in ("always_shared", "swapped", "guessing"):
        assert trap.plant(trap.assignment, trap.dataset, profile, answers) == answers
    assert trap.plant("ex2_serving_handoff", "handoff_artifacts", "full", answers) == answers


def demo_item(trap):
    """R18 in the default demo mix as the grader would score it: per student right or not, and the totals."""
    keys = load_graded_keys(cohort_report_keys())[cohort_demo.TRAP.dataset]["owner"].to_dict()
    rng = random.Random(7)
    right, totals = {}, {}
    for n, profile in enumerate(cohort_demo.profiles_for(30), start=1):
        if cohort_demo.BROKEN.get(profile) == ASSIGNMENT:
            continue                       # its kernel died: no results for exercise 1
        base = "full" if profile in cohort_demo.BROKEN else profile
        answers = cohort_demo._labels(keys, base, rng, ("data_scientist", "ml_engineer", "shared"))
        if trap:
            answers = cohort_demo.TRAP.plant(ASSIGNMENT, "responsibilities", base, answers)
        student = f"s{n:03d}"
        right[student] = answers.get(cohort_demo.TRAP.item) == keys[cohort_demo.TRAP.item]
        totals[student] = bool(answers) + sum(answers.get(i) == k for i, k in keys.items())
    return pd.Series(right), pd.Series(totals, dtype=float)


def test_the_demo_mix_makes_the_trap_item_flagged_as_weaker_students_do_better():
    right, totals = demo_item(trap=True)
    d = cohort_report.discrimination(right, totals)
    assert d < 0 and NEGATIVE in cohort_report.needs_a_look(round(right.mean(), 2), round(d, 2)), d
    right, totals = demo_item(trap=False)          # without the trap the same item works
    assert cohort_report.discrimination(right, totals) > 0


def test_the_demo_sets_a_term_with_one_late_submission(tmp_path):
    """``make grade-demo``'s term: exercise 1 due a day before the run, 2 points off per started day (6 at most),
    the first "partial" student handing in LATE_HOURS late and everyone else on time (nbgrader's timestamp.txt)."""
    from datetime import datetime, timedelta, timezone

    from mlroles.instructor import settings

    cohort = [("s001-full", "full"), ("s002-partial", "partial"), ("s003-partial", "partial")]
    for student, _ in cohort:
        (tmp_path / "submitted" / student / "ex1_responsibilities").mkdir(parents=True)
    now = datetime(2027, 3, 10, 12, 0, tzinfo=timezone.utc)
    assert cohort_demo.term_settings(tmp_path, cohort, now=now, source=REPO) == "s002-partial"
    term = settings.load(tmp_path)
    due = term.assignment("ex1_responsibilities").due
    assert due == now - timedelta(days=1) and term.late == settings.LatePolicy("per_day", 2.0, 6.0)
    assert term.weights(sorted(term.assignments)) == dict.fromkeys(sorted(term.assignments), 25.0)
    stamps = {s: datetime.strptime((tmp_path / "submitted" / s / "ex1_responsibilities" / "timestamp.txt")
                                   .read_text(), "%Y-%m-%d %H:%M:%S.%f UTC").replace(tzinfo=timezone.utc)
              for s, _ in cohort}
    assert stamps["s002-partial"] - due == timedelta(hours=cohort_demo.LATE_HOURS)
    assert all(stamps[s] < due for s in ("s001-full", "s003-partial"))


@pytest.mark.parametrize("profile, caught", [("full", True), ("partial", True), ("always_shared", False),
                                             ("swapped", False)])
def test_a_demo_submission_carries_the_trap_only_when_asked(profile, caught):
    import ast

    import nbformat

    solution = nbformat.read(str(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    keys = load_graded_keys(cohort_report_keys())
    trap = cohort_demo.TRAP

    def answers(with_trap):
        nb = cohort_demo.submission(ASSIGNMENT, profile, solution, solution, keys, random.Random(7),
                                    trap if with_trap else None)
        source = cohort_demo._cell(nb, "graded_answers").source
        return ast.literal_eval(source.split("=", 1)[1].strip())

    planted, plain = answers(True), answers(False)
    assert planted[trap.item] == (trap.answer if caught else plain[trap.item])
    assert {i: a for i, a in planted.items() if i != trap.item} == {i: a for i, a in plain.items() if i != trap.item}
    if profile == "full":
        assert plain[trap.item] == keys[trap.dataset].at[trap.item, trap.field] != trap.answer
