"""``python -m mlroles.instructor.cli roster import``: the cohort's students into nbgrader's gradebook, all or nothing."""
import shutil
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from mlroles.instructor import roster



@pytest.fixture
def course(tmp_path, repo):
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(repo / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def run(course, *args):
    done = subprocess.run([sys.executable, "-m", "mlroles.instructor.cli", "--course", str(course), "roster", "import", *args],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def students(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}


def test_an_lms_export_fills_the_gradebook_and_a_second_import_updates_it(course, tmp_path):
    export = tmp_path / "export.csv"
    # columns as an LMS writes them: other names, other order, extra columns, a byte-order mark
    export.write_text("\ufeffLast Name,First Name,Login ID,Email Address,Section\n"
                      "Lovelace,Ada,ada,ada@example.org,A\nBabbage,Charles,charles,,B\n", encoding="utf-8")
    code, out = run(course, str(export))
    assert code == 0, out
    assert "2 student(s) added, 0 updated" in out
    assert students(course) == {"ada": ("Ada", "Lovelace", "ada@example.org"), "charles": ("Charles", "Babbage", None)}

    export.write_text("id,first_name,last_name,email\ncharles,Charles,Babbage,cb@example.org\nalan,Alan,Turing,\n")
    code, out = run(course, str(export))
    assert code == 0 and "1 student(s) added, 1 updated" in out, out
    assert students(course)["charles"] == ("Charles", "Babbage", "cb@example.org")
    assert set(students(course)) == {"ada", "charles", "alan"}


def test_a_bad_roster_names_every_line_and_imports_nothing(course, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,first_name,last_name,email\n"
                   "ada,Ada,Lovelace,ada@example.org\n"
                   ",No,Id,noid@example.org\n"
                   "ada,Ada,Again,ada2@example.org\n"
                   "bob smith,Bob,Smith,bob@example.org\n"
                   "eve,Eve,E,not-an-address\n"
                   "x+y,X,Y,\n")
    code, out = run(course, str(bad))
    assert code == 2, out
    for expected in ("line 3: the student id is missing", "line 4: student id 'ada' is already on line 2",
                     "line 5: student id 'bob smith' is not usable", "line 6: email 'not-an-address' is not an address",
                     "line 7: student id 'x+y' is not usable", "Nothing was imported"):
        assert expected in out, out
    assert "Traceback" not in out
    assert not (course / "gradebook.db").exists() or students(course) == {}


@pytest.mark.parametrize("text, expected", [
    ("", "is empty"),
    ("id,email\n", "has a header and no students"),
    ("name,email\nada,ada@example.org\n", "no column holds the student id"),
])
def test_an_empty_or_headless_roster_says_what_to_fix(tmp_path, text, expected):
    path = tmp_path / "r.csv"
    path.write_text(text)
    with pytest.raises(roster.RosterError, match=expected):
        roster.read(path)


def test_a_missing_file_is_one_line(course, tmp_path):
    code, out = run(course, str(tmp_path / "nope.csv"))
    assert code == 2 and out.strip() == f"{tmp_path / 'nope.csv'} does not exist."
