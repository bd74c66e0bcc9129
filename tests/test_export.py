"""Grades out of a real nbgrader gradebook into Canvas and a plain CSV (mlroles.instructor.export).

The Canvas layout is Canvas's own: ``tests/fixtures/canvas_export_header.csv`` holds the identity columns
and the "Points Possible" row as the gradebook export of instructure/canvas-lms writes them
(``lib/gradebook_exporter.rb``: ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
column per assignment; second row ``"    Points Possible"``, four leading spaces, then each assignment's
points with two decimals), which is also what its import reads (``lib/gradebook_importer.rb``: a header
row starting ``Student``, ``ID``; ``SIS User ID`` followed by ``SIS Login ID``; ``Section`` last of the
identity columns; a row whose first cell contains "Points Possible"; an assignment column without a
"(<id>)" suffix is matched by title or becomes a new assignment). The same required columns are listed on
the page "Import CSV File for Carmen Grades" (Ohio State's Teaching and Learning Resource Center).

The gradebook: ex1 (30 points: 10 + 20), ex2 (18 points); Ada (Canvas user 4711) submits both, ex1 with a
3-point late penalty; Alan submits both; Grace submits ex1 only.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from mlroles.instructor import export

FIXTURE = Path(__file__).parent / "fixtures" / "canvas_export_header.csv"
SCORES = {("ex1", "s001"): (10, 14), ("ex2", "s001"): (18,), ("ex1", "s002"): (3, 4), ("ex2", "s002"): (7,),
          ("ex1", "s003"): (5, 10)}


def fill(gb: Gradebook) -> None:
    """Three students, two assignments with grade cells, the submissions of SCORES."""
    gb.add_student("s001", first_name="Ada", last_name="Lovelace", email="ada@example.org", lms_user_id="4711")
    gb.add_student("s002", first_name="Alan", last_name="Turing", email="alan@example.org")
    gb.add_student("s003", first_name="Grace", last_name="Hopper", email="grace@example.org")
    for name, cells in {"ex1": {"q1": 10, "q2": 20}, "ex2": {"q1": 18}}.items():
        gb.add_assignment(name)
        gb.add_notebook("nb", name)
        for cell, points in cells.items():
            gb.add_grade_cell(cell, "nb", name, cell_type="code", max_score=points)
    for (name, student), points in SCORES.items():
        sub = gb.add_submission(name, student)
        for cell, score in zip(("q1", "q2"), points):
            gb.find_grade(cell, "nb", name, student).auto_score = score
        if (name, student) == ("ex1", "s001"):
            sub.notebooks[0].late_submission_penalty = 3.0
    gb.db.commit()


@pytest.fixture(scope="module")
def gradebooks(tmp_path_factory) -> dict[str, Path]:
    """An empty and a filled gradebook, made once (a new gradebook runs alembic) and copied per test."""
    root = tmp_path_factory.mktemp("gradebooks")
    with Gradebook(f"sqlite:///{root / 'empty.db'}"):
        pass
    shutil.copy(root / "empty.db", root / "filled.db")
    with Gradebook(f"sqlite:///{root / 'filled.db'}") as gb:
        fill(gb)
    return {"empty": root / "empty.db", "filled": root / "filled.db"}


@pytest.fixture
def make_course(gradebooks):
    def make(root: Path, assignments: str = "", gradebook: str = "filled") -> Path:
        """A course folder: cohort.toml with ``assignments`` (TOML tables) and a copy of a gradebook."""
        root.mkdir(parents=True)
        (root / "cohort.toml").write_text('[late]\npolicy = "none"\n' + assignments, encoding="utf-8")
        shutil.copy(gradebooks[gradebook], root / "gradebook.db")
        return root
    return make


def weights(ex1: float, ex2: float, ex2_due: str = "") -> str:
    return f'[assignments.ex1]\nweight = {ex1}\n[assignments.ex2]\nweight = {ex2}\ndue = "{ex2_due}"\n'


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def by_login(rows: list[list[str]]) -> dict[str, list[str]]:
    """Canvas student rows by SIS Login ID."""
    return {row[3]: row for row in rows[2:]}


def run(course: Path, fmt: str) -> tuple[int, list[str]]:
    said = []
    return export.write(course, fmt, print_fn=said.append), said


def test_canvas_header_is_canvas_layout_with_assignment_columns_named_by_title(tmp_path, make_course):
    course = make_course(tmp_path / "c", weights(40, 60))
    code, said = run(course, "canvas")
    assert code == 0
    rows = read(course / "reports" / "grades_canvas.csv")
    header, points_possible = read(FIXTURE)
    assert rows[0][:5] == header
    assert rows[1][:5] == points_possible
    # after the identity columns: one column per assignment, named as Canvas's import matches a title
    # (no "(<id>)" suffix: nbgrader has no Canvas id), and nothing else that it would take for an assignment
    assert rows[0][5:] == ["ex1", "ex2"]
    assert rows[1][5:] == ["40.00", "60.00"]
    assert len(rows) == 2 + 3 and all(len(row) == 7 for row in rows)
    assert said == [f"Wrote {course / 'reports' / 'grades_canvas.csv'}: 3 students, weights ex1 40%, ex2 60%; "
                    "1 missing submission(s) left empty (no due date passed)."]


def test_canvas_identity_columns_map_the_roster(tmp_path, make_course):
    course = make_course(tmp_path / "c", weights(40, 60))
    run(course, "canvas")
    rows = by_login(read(course / "reports" / "grades_canvas.csv"))
    assert rows["s001"][:5] == ["Lovelace, Ada", "4711", "", "s001", ""]
    assert rows["s002"][:5] == ["Turing, Alan", "", "", "s002", ""]   # no Canvas user id: left to the login


def test_canvas_values_are_weighted_points(tmp_path, make_course):
    course = make_course(tmp_path / "c", weights(40, 60))
    run(course, "canvas")
    rows = by_login(read(course / "reports" / "grades_canvas.csv"))
    # Ada ex1: (24 - 3 late) / 30 * 40 = 28; Alan ex1: 7 / 30 * 40 = 9.333; ex2: 7 / 18 * 60 = 23.333
    assert rows["s001"][5:] == ["28.00", "60.00"]
    assert rows["s002"][5:] == ["9.33", "23.33"]


def test_weights_from_cohort_toml_change_the_numbers(tmp_path, make_course):
    equal = make_course(tmp_path / "equal")                       # no weights: equal shares, 50 each
    weighted = make_course(tmp_path / "weighted", weights(40, 60))
    run(equal, "canvas")
    run(weighted, "canvas")
    alan_equal = by_login(read(equal / "reports" / "grades_canvas.csv"))["s002"]
    alan_weighted = by_login(read(weighted / "reports" / "grades_canvas.csv"))["s002"]
    assert alan_equal[5:] == ["11.67", "19.44"]                    # 7 / 30 * 50, 7 / 18 * 50
    assert alan_weighted[5:] == ["9.33", "23.33"]


def test_weights_not_adding_to_100_say_so_and_write_nothing(tmp_path, make_course):
    course = make_course(tmp_path / "c", weights(40, 50))
    for fmt, name in (("canvas", "grades_canvas.csv"), ("csv", "grades_export.csv")):
        code, said = run(course, fmt)
        assert code == 1
        assert said == [f"{course.resolve() / 'cohort.toml'}: the weights add up to 90, not 100; "
                        "change them so they do"]
        assert not (course / "reports" / name).exists()


@pytest.mark.parametrize("due, cell", [("", ""), ("2999-01-01 00:00 UTC", ""), ("2000-01-01 00:00 UTC", "0.00")])
def test_missing_submission_is_empty_until_its_due_date_then_0(tmp_path, make_course, due, cell):
    course = make_course(tmp_path / "c", weights(40, 60, ex2_due=due))
    run(course, "canvas")
    grace = by_login(read(course / "reports" / "grades_canvas.csv"))["s003"]
    assert grace[5:] == ["20.00", cell]                             # ex1: 15 / 30 * 40


def test_plain_csv_has_penalty_no_submission_and_final(tmp_path, make_course):
    course = make_course(tmp_path / "c", weights(40, 60, ex2_due="2000-01-01 00:00 UTC"))
    code, said = run(course, "csv")
    assert code == 0 and said[0].startswith(f"Wrote {course / 'reports' / 'grades_export.csv'}: 3 students")
    rows = read(course / "reports" / "grades_export.csv")
    assert rows[0] == ["id", "last_name", "first_name", "email",
                       "ex1 raw score", "ex1 max score", "ex1 late penalty", "ex1 weighted",
                       "ex2 raw score", "ex2 max score", "ex2 late penalty", "ex2 weighted", "final"]
    table = {row[0]: row for row in rows[1:]}
    assert table["s001"] == ["s001", "Lovelace", "Ada", "ada@example.org",
                             "24", "30", "3", "28.00", "18", "18", "0", "60.00", "88.00"]
    assert table["s002"][-1] == "32.66"     # 9.33 + 23.33: the columns add up to it (unrounded: 32.67)
    assert table["s003"][8:] == ["no submission", "18", "", "0.00", "20.00"]


def test_gradebook_without_students_or_assignments_says_what_to_do(tmp_path, make_course):
    no_students = make_course(tmp_path / "no_students", gradebook="empty")
    with Gradebook(f"sqlite:///{no_students / 'gradebook.db'}") as gb:
        gb.add_assignment("ex1")
    code, said = run(no_students, "canvas")
    assert code == 1 and "has no students" in said[0] and "roster import" in said[0]
    no_assignments = make_course(tmp_path / "no_assignments", gradebook="empty")
    with Gradebook(f"sqlite:///{no_assignments / 'gradebook.db'}") as gb:
        gb.add_student("s001")
    code, said = run(no_assignments, "csv")
    assert code == 1 and "has no assignments yet" in said[0] and "cli grade" in said[0]
    assert not (no_students / "reports").exists() and not (no_assignments / "reports").exists()


def test_missing_gradebook_is_not_created(tmp_path):
    code, said = run(tmp_path, "canvas")
    assert code == 1 and said[0].startswith("No gradebook at")
    assert not (tmp_path / "gradebook.db").exists()


def test_unknown_format_says_the_choices(tmp_path, make_course):
    course = make_course(tmp_path / "c")
    code, said = run(course, "xlsx")
    assert code == 1 and said == ["Unknown export format 'xlsx'; choose canvas or csv"]


def test_weighted_assignment_not_in_the_gradebook_yet_counts_0(tmp_path, make_course):
    course = make_course(tmp_path / "c", weights(20, 30) + "[assignments.ex3]\nweight = 50\n")
    code, said = run(course, "csv")
    assert code == 0 and "ex1 20%, ex2 30%; ex3 50% not in the gradebook yet (counts 0)" in said[0]
    ada = {row[0]: row for row in read(course / "reports" / "grades_export.csv")[1:]}["s001"]
    assert ada[7] == "14.00" and ada[-1] == "44.00"                # (24 - 3) / 30 * 20 + 18 / 18 * 30
