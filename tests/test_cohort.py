"""The instructor's cohort pipeline through the real nbgrader: a synthetic cohort with exact expected
scores, parallel equal to sequential, every failure kind reported with its reason, a clean feedback
scan, and report numbers checked against hand-computed values."""
import math
import re
import shutil

import pandas as pd
import pytest

from mlroles.instructor import cli, cohort, course_root, demo as cohort_demo, report as cohort_report
from mlroles.instructor.answer_keys import load_graded_keys

pytestmark = pytest.mark.slow

PROFILES = ["full", "blank", "partial", "always_shared", "swapped",
            "kernel_dies", "timeout", "invalid_json", "old_format", "missing"]
ASSIGNMENTS = ["ex1_responsibilities", "ex2_serving_handoff", "ex3_job_ads", "ex4_team_coverage"]


def students():
    return [f"s{n:03d}-{p}" for n, p in enumerate(PROFILES, start=1)]



@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("cohort") / "course"
    cohort_demo.build(course, profiles=PROFILES)
    outcomes = cohort.grade(course, jobs=2, timeout=5)
    return course, {(o.student, o.assignment): o for o in outcomes}


def count(series, value):
    return int((series == value).sum())


def expected_auto(profile, assignment, keys):
    """Automatic points a profile must earn, worked out from the keys and the manifests' points alone."""
    from mlroles import manifest

    def pts(grade_id):
        return manifest.find_part(grade_id).points

    owners1 = keys["responsibilities"]["owner"]
    owners2 = keys["handoff_artifacts"]["owner"]
    modes = keys["serving_scenarios"]["expected_mode"]
    roles = keys["job_ads"]["real_role"]
    no_flags = count(keys["job_ads"]["red_flags"], "none")
    needs = keys["team_scenarios"]["next_need"]
    full = {a: sum(p.points for p in manifest.load(a).autograded) for a in ASSIGNMENTS}
    half = lambda s: math.ceil(len(s) / 2)   # the partial profile answers every other item right
    # partial and swapped solve every other frame part: the log schema and the metrics of ex2, the mix of ex3
    frames = {"ex2_serving_handoff": pts("log_schema") + pts("metrics"), "ex3_job_ads": pts("mix")}
    table = {
        "full": full,
        "blank": dict.fromkeys(ASSIGNMENTS, 0),
        "partial": {"ex1_responsibilities": 1 + half(owners1),
                    "ex2_serving_handoff": len(modes) + 1 + half(owners2) + frames["ex2_serving_handoff"],
                    "ex3_job_ads": 1 + len(roles) + no_flags + frames["ex3_job_ads"], "ex4_team_coverage": len(needs)},
        "always_shared": {"ex1_responsibilities": 1 + count(owners1, "shared"),
                          "ex2_serving_handoff": count(modes, "batch") + 1 + count(owners2, "shared"),
                          "ex3_job_ads": 1 + count(roles, "unclear") + no_flags,
                          "ex4_team_coverage": count(needs, "data_scientist")},
        "swapped": {"ex1_responsibilities": 1 + count(owners1, "shared"),
                    "ex2_serving_handoff": len(modes) + 1 + count(owners2, "shared") + frames["ex2_serving_handoff"],
                    "ex3_job_ads": 1 + count(roles, "unclear") + no_flags + frames["ex3_job_ads"],
                    "ex4_team_coverage": len(needs)},
    }
    if profile in cohort_demo.BROKEN:
        return 0 if cohort_demo.BROKEN[profile] == assignment else full[assignment]
    return table[profile][assignment]


def auto_scores(course, assignments=ASSIGNMENTS):
    subs, cells = cohort_report.gradebook_tables(course)
    auto = cells[cells["auto"] & cells["assignment"].isin(assignments)]
    return auto.groupby(["student", "assignment"])["score"].sum().to_dict(), auto


def test_every_student_gets_exactly_the_expected_automatic_points(graded, keys):
    course, outcomes = graded
    got, _ = auto_scores(course)
    for student, profile in zip(students(), PROFILES):
        for assignment in ASSIGNMENTS:
            if profile == "missing" and assignment == "ex4_team_coverage":
                assert (student, assignment) not in got or got[(student, assignment)] == 0
                continue
            assert got.get((student, assignment), 0.0) == expected_auto(profile, assignment, keys), (student, assignment)


@pytest.mark.parametrize("profile, reason", [
    ("kernel_dies", "the kernel died"),
    ("timeout", "a cell timed out (cell "),
    ("invalid_json", "is not valid JSON"),
    ("old_format", "is in an old notebook format (v3)"),
    ("missing", "missing notebook ex4_team_coverage.ipynb"),
])
def test_each_failure_is_reported_with_its_reason_and_spares_the_rest(graded, profile, reason):
    course, outcomes = graded
    student = students()[PROFILES.index(profile)]
    broken = cohort_demo.BROKEN[profile]
    assert reason in outcomes[(student, broken)].status
    for assignment in ASSIGNMENTS:
        if assignment != broken:
            assert outcomes[(student, assignment)].status == "ok"
    for other in students():
        if other.split("-", 1)[1] not in cohort_demo.BROKEN:
            assert all(outcomes[(other, a)].status == "ok" for a in ASSIGNMENTS)


def test_parallel_gradebook_equals_sequential(graded, tmp_path):
    course, _ = graded
    again = tmp_path / "course"
    cohort_demo.build(again, profiles=PROFILES[:4])      # the same first four students, graded one by one
    subset = ["ex1_responsibilities", "ex4_team_coverage"]
    cohort.grade(again, jobs=1, assignments=subset, timeout=5)
    _, parallel = auto_scores(course, subset)
    _, sequential = auto_scores(again, subset)
    parallel = parallel[parallel["student"].isin(students()[:4])]
    assert sorted(sequential["student"].unique()) == students()[:4]
    key = ["student", "assignment", "grade_id"]
    assert parallel.sort_values(key).reset_index(drop=True).equals(sequential.sort_values(key).reset_index(drop=True))


def test_the_terminal_says_which_points_wait_for_a_grader(graded):
    course, outcomes = graded
    from mlroles import manifest

    written = sum(p.points for p in manifest.load("ex1_responsibilities").parts if p.kind == "written")
    full = outcomes[(students()[0], "ex1_responsibilities")]
    assert full.pending_points == written
    line = cohort._progress(1, 1, full)
    assert line.endswith(f"ok; written answers pending ({written:g} points)"), line


def test_feedback_for_everyone_and_the_leak_scan(graded, capsys):
    course, _ = graded
    # no grader has read the written answers: feedback says how many wait and writes nothing, unless told to go on
    assert cohort.feedback(course) == 1
    out = capsys.readouterr().out
    waiting = re.search(r"(\d+) written answer\(s\) in (\d+) of (\d+) submission\(s\) \(([\d.]+) points\) wait", out)
    assert waiting and int(waiting.group(1)) > 0, out
    assert "Feedback not written" in out and not (course / "feedback").exists()
    assert cohort.feedback(course, allow_pending=True) == 0
    out = capsys.readouterr().out
    # each ungraded written answer of a full submission says so on its page, under nbgrader's "Score: 0.0"
    from mlroles import manifest

    full_page = course / "feedback" / students()[0] / "ex1_responsibilities" / "ex1_responsibilities.html"
    written = [p for p in manifest.load("ex1_responsibilities").parts if p.kind == "written"]
    assert full_page.read_text().count("Awaiting grading.") == len(written)
    # ... and once a grader scores one, its note goes
    from nbgrader.api import Gradebook

    def grade_by_hand(score):   # as the formgrader saves a manual score (None: back to ungraded)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            grade = gb.find_grade(written[0].grade_id, "ex1_responsibilities", "ex1_responsibilities", students()[0])
            grade.manual_score, grade.needs_manual_grade = score, score is None
            gb.db.commit()

    grade_by_hand(written[0].points)
    try:
        assert cohort.feedback(course, allow_pending=True) == 0
        capsys.readouterr()
        assert full_page.read_text().count("Awaiting grading.") == len(written) - 1
    finally:
        grade_by_hand(None)   # the other tests of this module read the cohort as graded by the machine alone
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) >= 30 and f"Leak check: {len(pages)} feedback page(s), no graded key" in out
    # each kind of failure gets its own page: what happened and what to do; where nbgrader could not read the
    # notebook, in place of nbgrader's page of errors, and where it ran in part, above nbgrader's scores
    kinds = {"kernel_dies": "kernel_died", "timeout": "timeout", "invalid_json": "damaged",
             "old_format": "old_format", "missing": "missing"}
    for student in students():
        profile = student.split("-", 1)[1]
        if profile not in kinds:
            continue
        assignment = cohort_demo.BROKEN[profile]
        text = (course / "feedback" / student / assignment / f"{assignment}.html").read_text()
        assert f"data-kind='{kinds[profile]}'" in text and "What to do:" in text, (student, text[:500])
        if kinds[profile] not in ("kernel_died", "timeout"):    # nothing of nbgrader's page of errors is left
            assert "Grade cell:" not in text and "Score:" not in text and "NameError" not in text, student
    # the scan is not a check that cannot fail: plant a hidden line and a graded rationale in a copy
    planted = course.parent / "planted"
    shutil.copytree(course, planted)
    page = next((planted / "feedback").rglob("*.html"))
    secret = sorted(course_root.hidden_lines(planted))[0]
    rationale = keys_rationale(planted)
    page.write_text(page.read_text() + f"<pre>{secret}</pre><p>{rationale}</p>")
    findings = cohort.scan_feedback(planted)
    assert any("shows hidden line" in f for f in findings) and any("shows the rationale" in f for f in findings)


def keys_rationale(course):
    return load_graded_keys(course / "solutions" / "graded_keys.csv")["responsibilities"]["rationale"].iloc[0]


def test_report_numbers_match_hand_computed_values(graded, keys, tmp_path):
    course, outcomes = graded
    # a rostered student who handed in nothing still has a row
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nzz-absent,Absent,Student,absent@example.org\n")
    assert cohort.import_roster(course, roster, out=lambda *_: None) == 0
    page = cohort.report(course)
    grades = pd.read_csv(page.parent / "grades.csv").set_index("student")
    assert list(grades.loc["zz-absent", [f"{a} status" for a in ASSIGNMENTS]]) == ["no submission"] * len(ASSIGNMENTS)
    full = students()[0]
    assert grades.at[full, "ex1_responsibilities"] == expected_auto("full", "ex1_responsibilities", keys) + 0  # manual pending
    assert "the kernel died" in grades.at[students()[PROFILES.index("kernel_dies")], "ex1_responsibilities status"]
    # the written answers nobody graded yet are named with their points, in grades.csv and on the page
    from mlroles import manifest

    written = sum(p.points for p in manifest.load("ex1_responsibilities").parts if p.kind == "written")
    assert grades.at[full, "ex1_responsibilities status"] == f"ok; written answers pending ({written:g} points)"
    assert f"written answers pending ({written:g} points)" in page.read_text()
    # the report counts as the grading run's closing line does: the missing notebook is found, not graded
    found, unscored = len(outcomes), sum(o.score is None for o in outcomes.values())
    assert unscored == 1 and f"{found} submission(s) found, {found - unscored} graded into the gradebook" \
        in " ".join(page.read_text().split())
    items = pd.read_csv(page.parent / "item_analysis.csv")
    # R-item share right, by hand: which profiles answer it right
    owner = keys["responsibilities"]["owner"]
    item = owner.index[0]          # an item at an even position: "partial" answers it right
    right = {"full": True, "blank": False, "partial": True, "always_shared": owner[item] == "shared",
             "swapped": owner[item] == "shared", "timeout": True, "invalid_json": True, "old_format": True,
             "missing": True}      # kernel_dies has no autograded answers for ex1
    row = items[(items["assignment"] == "ex1_responsibilities") & (items["item"] == item)].iloc[0]
    assert row["students"] == len(right)
    assert row["share_right"] == pytest.approx(sum(right.values()) / len(right), abs=0.005)   # 2 decimals
    assert page.read_text().count("<img") == len(ASSIGNMENTS)
    assert (page.parent / "items_ex1_responsibilities.png").stat().st_size > 1000


def test_discrimination_by_hand():
    totals = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype=float)
    correct = pd.Series([0, 0, 0, 1, 0, 1, 1, 1, 1, 1], dtype=float)
    # 27% of 10 is 3 students: top three all right (1.0), bottom three all wrong (0.0)
    assert cohort_report.discrimination(correct, totals) == 1.0
    assert math.isnan(cohort_report.discrimination(correct[:3], totals[:3]))


def test_command_line_help_and_bad_input(capsys, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for command in ("release", "grade", "feedback", "report", "demo"):
        assert command in text
    assert cli.main(["--course", str(tmp_path), "grade"]) == 2
    assert "has no solutions/ folder" in capsys.readouterr().out


def test_feedback_with_nothing_graded_says_so(tmp_path, capsys):
    course = tmp_path / "course"
    (course / "solutions" / "ex1_responsibilities").mkdir(parents=True)
    assert cohort.feedback(course) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"No graded submissions in {course / 'autograded'}") and "run grade first" in out


def test_release_says_why_it_failed_and_exits_non_zero(tmp_path, repo, capsys, monkeypatch):
    course = tmp_path / "course"
    for part in ("solutions", "exercises"):
        shutil.copytree(repo / part, course / part, ignore=shutil.ignore_patterns("*.choices.json"))
    shutil.copy(repo / "nbgrader_config.py", course)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(exchange))
    assert cohort.release(course, assignments=["ex1_responsibilities"]) == 0
    assert "released to the exchange: ex1_responsibilities" in capsys.readouterr().out
    assert cohort.release(course, assignments=["ex1_responsibilities"]) == 1   # mid-term: already there
    out = capsys.readouterr().out
    assert "FAILED to release ex1_responsibilities to the exchange" in out and "already exists" in out, out
    assert "add --force to overwrite" in out   # nbgrader's own reason; our release takes --force as well
    assert cohort.release(course, assignments=["ex1_responsibilities"], force=True) == 0
    assert "released to the exchange: ex1_responsibilities" in capsys.readouterr().out
