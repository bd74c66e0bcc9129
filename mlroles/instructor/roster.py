"""A cohort's students into the gradebook: ``python -m mlroles.instructor.cli roster import FILE.csv``.

The file is a CSV with a header: a student id, first name, last name and email, the columns most schools'
LMS exports have. Headers are matched without regard to case, spaces or underscores, and a few common
names are understood (``id``, ``student id``, ``username``, ``login id``, ``sis user id``; ``first name``,
``given name``; ``last name``, ``surname``, ``family name``; ``email``, ``email address``). Only the id is
required.

Every line is checked before anything is written: a missing or malformed id, an id used twice, a bad email.
Each problem is reported with its line number, and then nothing is imported. When the file is clean, every
student is added (or updated, when the id is already in the gradebook) in one transaction.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

COLUMNS = {
    "id": ("id", "studentid", "student", "username", "loginid", "sisloginid", "sisuserid", "userid"),
    "first_name": ("firstname", "givenname", "first"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "email": ("email", "emailaddress", "mail"),
}
# what nbgrader's folders and the exchange's file names accept: "+" separates the parts of a submission's name
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


class RosterError(ValueError):
    """The roster cannot be imported; the message lists every problem with its line."""


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str
    last_name: str
    email: str
    line: int


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lower())


def numbered_rows(path: Path, layout: str) -> list[tuple[int, list[str]]]:
    """The non-blank lines of the CSV file ``path``, each with its line number (a byte-order mark is dropped).
    RosterError when it is missing, unreadable or empty; ``layout`` says what an empty file should hold."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path} cannot be read ({exc}): save it as a UTF-8 CSV file.") from None
    numbered = [(n, row) for n, row in enumerate(csv.reader(text.splitlines()), start=1)
                if any(cell.strip() for cell in row)]
    if not numbered:
        raise RosterError(f"{path} is empty: {layout}.")
    return numbered


def read(path: Path) -> list[Student]:
    """The students in ``path``; raises RosterError naming every problem (file, line, what to fix)."""
    numbered = numbered_rows(path, "its first line names the columns (id,first_name,last_name,email), "
                                   "then one line per student")
    header_line, header = numbered[0]
    where = {}
    for index, name in enumerate(header):
        for column, aliases in COLUMNS.items():
            if _key(name) in aliases and column not in where:
                where[column] = index
    if "id" not in where:
        raise RosterError(f"{path}, line {header_line}: no column holds the student id (found: {', '.join(header)}). "
                          "Name it id (or student id, username, login id).")
    problems, students, seen = [], [], {}
    for n, row in numbered[1:]:
        def cell(column):
            index = where.get(column)
            return row[index].strip() if index is not None and index < len(row) else ""

        sid, email = cell("id"), cell("email")
        if not sid:
            problems.append(f"{path}, line {n}: the student id is missing.")
        elif not STUDENT_ID.match(sid):
            problems.append(f"{path}, line {n}: student id {sid!r} is not usable: use letters, digits, '.', '_', '-' "
                            "or '@', starting with a letter or digit, at most 64 (no spaces, no '+').")
        elif sid in seen:
            problems.append(f"{path}, line {n}: student id {sid!r} is already on line {seen[sid]}; give each student "
                            "one line.")
        else:
            seen[sid] = n
        if email and not EMAIL.match(email):
            problems.append(f"{path}, line {n}: email {email!r} is not an address (name@domain).")
        students.append(Student(sid, cell("first_name"), cell("last_name"), email, n))
    if not problems and not students:
        problems.append(f"{path} has a header and no students: add one line per student.")
    if problems:
        raise RosterError("\n".join(problems) + "\nNothing was imported: fix these lines and run the import again.")
    return students


def import_into(db_url: str, students: list[Student]) -> tuple[int, int]:
    """Add or update every student in the gradebook at ``db_url`` in one transaction. Returns (added, updated)."""
    from nbgrader.api import Gradebook, Student as DbStudent

    added = updated = 0
    with Gradebook(db_url) as gb:
        session = gb.db
        try:
            for s in students:
                existing = session.query(DbStudent).filter(DbStudent.id == s.id).one_or_none()
                fields = {"first_name": s.first_name or None, "last_name": s.last_name or None,
                          "email": s.email or None}
                if existing is None:
                    session.add(DbStudent(id=s.id, **fields))
                    added += 1
                else:
                    for name, value in fields.items():
                        if value is not None:
                            setattr(existing, name, value)
                    updated += 1
            session.commit()
        except Exception:
            session.rollback()
            raise
    return added, updated
