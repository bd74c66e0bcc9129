"""The learner's own copy of the course: ``my-work/``, which git ignores.

A learner who answered in ``exercises/`` would change the committed release: ``git status``
turns dirty, ``git pull`` conflicts with their answers and ``make release`` refuses to run.
So ``make lab`` serves a workspace instead, laid out like the course (``course/`` and
``exercises/<id>/``) so every relative link between lessons and exercises still opens.

``sync`` fills the workspace and keeps it current without ever losing work:

- a file the workspace lacks is copied in ("added");
- a file the learner never changed (it still matches what was copied) is replaced by the
  course's newer version ("updated");
- a file the learner changed is left alone, even when the course has a newer version
  ("kept"): the new version goes beside it as ``<name>.course-update.ipynb``, said once;
- anything else in the workspace (saved widget choices, new notebooks) is never touched.

What was copied is remembered in ``.course-sync.json`` inside the workspace (sha-256 per file).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mlroles import file_record
from mlroles.course import find_copy

RECORD = ".course-sync.json"
DEFAULT_NAME = "my-work"
# Debris a learner never needs a copy of.
SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class SyncReport:
    """What one ``sync`` did, path by path (paths relative to the workspace)."""

    workspace: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    first_time: bool = False

    def lines(self) -> list[str]:
        """The report in a learner's words: one line per kind of change, nothing when nothing changed."""
        out = []
        if self.added:
            out.append(f"Added to {self.workspace.name}/: {', '.join(self.added)}")
        if self.updated:
            out.append(f"Updated in {self.workspace.name}/ (you had not changed them): {', '.join(self.updated)}")
        for path in self.kept:
            out.append(f"Kept your copy of {path}: the course changed it too. Your work is untouched; the "
                       f"course's new version is beside it as {update_name(Path(path).name)}.")
        return out


def update_name(name: str) -> str:
    """Where the course's newer version of a file the learner changed goes: ``ex1.ipynb`` -> ``ex1.course-update.ipynb``."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.course-update.{suffix}" if dot else f"{name}.course-update"


def course_files(repo: Path, with_exercises: bool = True) -> list[str]:
    """The files a learner works on, relative to the course root: the lessons with the figures they show and
    (unless ``with_exercises`` is False, as on a hub, where learners fetch them from the Assignments tab) the
    exercise releases."""
    files = sorted(str(p.relative_to(repo)) for p in (repo / "course").glob("*.ipynb"))
    files += sorted(str(p.relative_to(repo)) for p in (repo / "course" / "figures").glob("*.svg"))
    exercises = repo / "exercises"
    if with_exercises and exercises.is_dir():
        for path in sorted(exercises.rglob("*")):
            rel = path.relative_to(repo)
            if path.is_file() and not SKIP_PARTS & set(rel.parts) and not path.name.endswith(".choices.json"):
                files.append(str(rel))
    return files


def _copy(src: Path, dest: Path) -> None:
    """Copy atomically: a half-written notebook never replaces a whole one."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sync-", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def sync(workspace: Path | None = None, repo: Path | None = None, with_exercises: bool = True) -> SyncReport:
    """Bring ``workspace`` (default ``<repo>/my-work``) up to date with the course at ``repo`` (default: the working
    directory's copy of the course); see the module docstring."""
    repo = Path(repo or find_copy())
    workspace = Path(workspace or repo / DEFAULT_NAME)
    report = SyncReport(workspace, first_time=not (workspace / RECORD).exists())
    # a lost or broken record only means "assume the learner changed it": nothing is overwritten
    record = file_record.read(workspace / RECORD)
    new_record = dict(record)
    for rel in course_files(repo, with_exercises):
        src, dest = repo / rel, workspace / rel
        latest = file_record.sha256(src)
        if not dest.exists():
            _copy(src, dest)
            report.added.append(rel)
            new_record[rel] = latest
            continue
        current = file_record.sha256(dest)
        if current == latest:
            new_record[rel] = latest
        elif record.get(rel) == current:   # still what we copied: the learner has not touched it
            _copy(src, dest)
            report.updated.append(rel)
            new_record[rel] = latest
        elif record.get(rel) != latest:   # the learner changed it and so did the course
            _copy(src, dest.with_name(update_name(dest.name)))
            report.kept.append(rel)
            new_record[rel] = latest   # said once; the learner's file is replaced only if it equals this
    if new_record != record or not (workspace / RECORD).exists():
        file_record.write(workspace / RECORD, new_record)
    return report
