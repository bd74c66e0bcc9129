"""The map of the course: its lessons and exercises, in the order a learner takes them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

class NoCourseCopy(RuntimeError):
    """Not inside a copy of the course: the message says where to run from."""


def find_copy(start: Path | str | None = None) -> Path:
    """The copy of the course at ``start`` (default: the working directory) or the nearest folder above it: a
    folder with ``course/`` and ``exercises/`` (the repository, or a learner's copy of it)."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "course").is_dir() and (folder / "exercises").is_dir():
            return folder
    raise NoCourseCopy(f"{start} is not inside a copy of the course (a folder with course/ and exercises/). "
                       "Run the command from the course's folder.")


@dataclass(frozen=True)
class Part:
    id: str
    kind: str  # "lesson" or "exercise"
    title: str
    path: str  # relative to the repository root


LESSONS = (
    Part("00_start_here", "lesson", "Start here", "course/00_start_here.ipynb"),
    Part("01_two_roles_two_risks", "lesson", "Two roles, two risks", "course/01_two_roles_two_risks.ipynb"),
    Part("02_data_scientist_fit", "lesson", "When the team needs a data scientist", "course/02_data_scientist_fit.ipynb"),
    Part("03_ml_engineer_fit", "lesson", "When the team needs an ML engineer", "course/03_ml_engineer_fit.ipynb"),
    Part("04_production_handoff", "lesson", "The production handoff", "course/04_production_handoff.ipynb"),
    Part("05_skills_and_interview_signals", "lesson", "Skills and interview signals",
         "course/05_skills_and_interview_signals.ipynb"),
    Part("06_one_person_coverage", "lesson", "When one person covers both", "course/06_one_person_coverage.ipynb"),
)

EXERCISES = (
    Part("ex1_responsibilities", "exercise", "Who owns it?",
         "exercises/ex1_responsibilities/ex1_responsibilities.ipynb"),
    Part("ex2_serving_handoff", "exercise", "Batch or online, and who owns the handoff",
         "exercises/ex2_serving_handoff/ex2_serving_handoff.ipynb"),
    Part("ex3_job_ads", "exercise", "Read the job ad", "exercises/ex3_job_ads/ex3_job_ads.ipynb"),
    Part("ex4_team_coverage", "exercise", "Who do we need next?",
         "exercises/ex4_team_coverage/ex4_team_coverage.ipynb"),
)


# The lesson each item bank is taught in (a responsibility names its own lesson).
LESSON_OF = {"serving_scenarios": "04_production_handoff", "handoff_artifacts": "04_production_handoff",
             "job_ads": "05_skills_and_interview_signals", "team_scenarios": "06_one_person_coverage"}


# The order a learner takes them (the start page's map): lessons 1 to 4, the two exercises that
# practise them, then each later lesson followed by its exercise.
PATH = ("00_start_here", "01_two_roles_two_risks", "02_data_scientist_fit", "03_ml_engineer_fit",
        "04_production_handoff", "ex1_responsibilities", "ex2_serving_handoff",
        "05_skills_and_interview_signals", "ex3_job_ads", "06_one_person_coverage", "ex4_team_coverage")


def in_order() -> list[Part]:
    """Every lesson and exercise in the order of ``PATH``."""
    parts = {part.id: part for part in LESSONS + EXERCISES}
    return [parts[part_id] for part_id in PATH]


def copy_root(cwd: Path | None = None) -> Path:
    """The copy of the course a notebook runs in (a learner's ``my-work/`` or the repository): the nearest
    folder at or above ``cwd`` with ``course/`` and ``exercises/``, else ``cwd`` itself."""
    cwd = Path(cwd or Path.cwd())
    try:
        return find_copy(cwd)
    except NoCourseCopy:
        return cwd


def lesson_title(part_id: str) -> str:
    """The title of lesson ``part_id`` ("04_production_handoff" -> "The production handoff");
    an unknown id is returned as it is."""
    return next((part.title for part in LESSONS if part.id == part_id), part_id)


def contents(root: Path | None = None):
    """The course map as a table, in the order to take it: step, kind, title, where to find it (the
    lesson's notebook, the exercise's folder), and whether it is in this copy yet (``root``, default: the copy the calling notebook runs in)."""
    import pandas as pd

    root = Path(root or copy_root())
    rows = [
        # an exercise is a folder of its own: naming the folder keeps the column short enough to show whole
        {"step": i, "kind": part.kind, "title": part.title,
         "where": part.path if part.kind == "lesson" else part.path.rsplit("/", 1)[0] + "/",
         "in this copy": "yes" if (root / part.path).exists() else "not yet"}
        for i, part in enumerate(in_order())
    ]
    return pd.DataFrame(rows).set_index("step")
