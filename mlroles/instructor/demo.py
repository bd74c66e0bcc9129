"""A synthetic cohort, so anyone can see the instructor's path in one command (``make grade-demo``).

Students follow profiles: full marks, blank, partial, patterned mistakes (always "shared",
data scientist and ML engineer swapped, seeded guesses) and a few broken submissions (a
kernel that dies, a cell that never ends, a notebook that is not valid JSON, an old notebook
format, a missing notebook). Answers are generated from the solution notebooks and the
instructor's keys, in a separate course folder (default ``cohort-demo/``, git-ignored).

``make grade-demo`` also sets a term (``term_settings``): exercise 1 due a day before the run, a late policy,
and one student (the first "partial") handing it in late.

One bad item is planted on purpose (``TRAP``, in ``make grade-demo`` only; ``build`` leaves it out
unless asked): exercise 1's R18, "Build one feature pipeline that feeds identical fraud features to
training and serving", keyed "shared". The students who know the material (the full and partial
profiles, and the broken profiles' intact exercises) all answer "ml_engineer", as if they read it as
pipeline work; the weak ones who answer "shared" everywhere, or swap data scientist and ML engineer,
get it right. So the strongest students miss it and the weakest get it: its discrimination is
negative and the report lists it under "needs work" with "weaker students do better: check the key",
which is what a wrong key or a misleading item looks like in a real cohort.
"""
from __future__ import annotations

import copy
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlroles.instructor import cohort as pipeline, course_root
from mlroles.manifest import cell_by_grade_id as _cell

SWAP = {"data_scientist": "ml_engineer", "ml_engineer": "data_scientist", "shared": "shared"}
OTHER = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}
BROKEN = {"kernel_dies": "ex1_responsibilities", "timeout": "ex4_team_coverage", "invalid_json": "ex2_serving_handoff",
          "old_format": "ex3_job_ads", "missing": "ex4_team_coverage"}
PROFILES = ["full", "partial", "always_shared", "swapped", "guessing", "blank"]
STRONG = ("full", "partial")     # the profiles that know the material (a trap catches them)


@dataclass(frozen=True)
class Trap:
    """One graded item the strong profiles answer wrong, all alike, while the weak profiles' patterns happen
    to match its key: a negative discrimination the report flags."""
    assignment: str
    dataset: str
    field: str       # the key field the item is scored on
    item: str
    answer: str      # what the strong profiles answer instead of the key's label

    def plant(self, assignment: str, dataset: str, profile: str, answers: dict) -> dict:
        """``answers`` of a label part, with the trap item changed when the part and profile are caught."""
        if (assignment, dataset) != (self.assignment, self.dataset) or profile not in STRONG:
            return answers
        return {**answers, self.item: self.answer}


TRAP = Trap("ex1_responsibilities", "responsibilities", "owner", "R18", "ml_engineer")


def profiles_for(students: int) -> list[str]:
    """A mix of profiles for ``students`` learners: at least one of each broken kind when there is room."""
    plan = list(BROKEN) if students >= 12 else []
    cycle = ["full", "partial", "swapped", "guessing", "partial", "full", "always_shared", "guessing", "blank"]
    while len(plan) < students:
        plan.append(cycle[len(plan) % len(cycle)])
    return plan[:students]


def _keys(course: Path):
    from mlroles.instructor.answer_keys import load_graded_keys

    return load_graded_keys(course / "solutions" / "graded_keys.csv")


def _solution_code(solution, grade_id) -> str:
    return course_root.without_solution_markers(_cell(solution, grade_id).source)


def _labels(key: dict, profile: str, rng: random.Random, labels: tuple) -> dict:
    items = sorted(key)
    if profile == "full":
        return dict(key)
    if profile == "partial":
        return {i: (key[i] if n % 2 == 0 else OTHER.get(key[i], labels[0])) for n, i in enumerate(items)}
    if profile == "always_shared":
        return {i: "shared" for i in items}
    if profile == "swapped":
        return {i: SWAP.get(key[i], key[i]) for i in items}
    if profile == "guessing":
        return {i: rng.choice(labels) for i in items}
    return {}


FRAME_KINDS = ("schema", "unified_log", "metric_table", "share_table")


def submission(assignment: str, profile: str, solution, release, keys, rng: random.Random,
               trap: Trap | None = None):
    """The notebook a learner with ``profile`` would hand in for ``assignment``, part by part as the
    exercise's manifest declares them:

    - full: every part as the worked solution has it;
    - partial: every other label right, job-ad roles right without flags, the label functions solved,
      every other frame part (first, third, ...) solved, a first sentence for each written answer;
    - swapped: data scientist and ML engineer swapped, every ad "unclear", functions and frames as partial;
    - always_shared, guessing: all "shared" or seeded guesses, every ad "unclear", each label function
      returning the first label of its set, no frame part;
    - blank: the release as it is.

    With ``trap``, its item is answered as the trap says by the strong profiles (see ``Trap``).
    """
    from mlroles import manifest

    if profile == "blank":
        return copy.deepcopy(release)
    nb = copy.deepcopy(release)
    plan = manifest.load(assignment)

    def put(grade_id, source):
        _cell(nb, grade_id).source = source

    solved_frames = [p for p in plan.parts if p.kind in FRAME_KINDS][::1 if profile == "full" else 2]
    if profile not in ("full", "partial", "swapped"):
        solved_frames = []
    done = set()
    for part in plan.parts:
        if part.kind == "written":
            exemplar = _cell(solution, part.grade_id).source
            if profile == "full":
                put(part.grade_id, exemplar)
            elif profile == "partial":
                put(part.grade_id, exemplar.split(". ")[0] + ".")
            continue
        if part.answer_cell in done:
            continue
        done.add(part.answer_cell)
        if part.kind in ("labels", "labels_format"):
            key = keys[part.dataset][manifest_field(plan, part)].to_dict()
            answers = _labels(key, profile, rng, part.labels)
            if trap is not None:
                answers = trap.plant(assignment, part.dataset, profile, answers)
            put(part.answer_cell, f"{part.answer_cell} = {answers!r}")
        elif part.kind in ("reviews", "reviews_format"):
            table = keys[part.dataset]
            roles = table["real_role"].to_dict()
            flags = {k: ([] if v == "none" else v.split(";")) for k, v in table["red_flags"].to_dict().items()}
            if profile == "full":
                answers = {a: {"role": roles[a], "flags": flags[a]} for a in roles}
            elif profile == "partial":
                answers = {a: {"role": roles[a], "flags": []} for a in roles}
            else:
                answers = {a: {"role": "unclear", "flags": []} for a in roles}
            put(part.answer_cell, f"{part.answer_cell} = {answers!r}")
        elif part.kind == "function_labels":
            if profile in ("full", "partial", "swapped"):
                put(part.answer_cell, _solution_code(solution, part.answer_cell))
            else:
                put(part.answer_cell, f"def {part.function}(row):\n    return {part.labels[0]!r}")
        elif part in solved_frames:
            put(part.answer_cell, _solution_code(solution, part.answer_cell))
    return nb


def manifest_field(plan, part) -> str:
    """The key field a label part is scored against (a format part borrows its scored twin's)."""
    if part.field:
        return part.field
    return next(p.field for p in plan.parts if p.answer_cell == part.answer_cell and p.field)


def _write_broken(kind: str, path: Path, nb) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "kernel_dies":
        cell = _cell(nb, "graded_answers")
        cell.source = "import os\nos._exit(1)\n" + cell.source
        nbformat.write(nb, str(path))
    elif kind == "timeout":
        cell = _cell(nb, "next_need")
        cell.source = "while True:\n    pass\n" + cell.source
        nbformat.write(nb, str(path))
    elif kind == "invalid_json":
        text = nbformat.writes(nb)
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    elif kind == "old_format":
        old = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": path.stem},
               "worksheets": [{"cells": [{"cell_type": "code", "input": c.source, "outputs": [], "language": "python"}
                                         for c in nb.cells if c.cell_type == "code"]}]}
        path.write_text(json.dumps(old), encoding="utf-8")
    elif kind == "missing":
        pass  # the folder is there, the notebook is not


def build(course: Path, students: int = 30, profiles: list[str] | None = None, seed: int = 7,
          trap: Trap | None = None, source: Path | None = None) -> list[tuple[str, str]]:
    """Create the course folder and its submissions; returns (student, profile) pairs. With ``trap`` (the demo
    passes ``TRAP``), one item is answered wrong by the strong profiles (see the module's docstring); without
    it every profile answers as its description says. ``source``: the course root whose configuration and
    solutions the demo copies (default: the working directory's)."""
    source = Path(source or course_root.find())
    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    shutil.copy(source / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(source / "solutions", course / "solutions", ignore=shutil.ignore_patterns("*.choices.json"))
    api = pipeline.make_api(course)
    assignments = course_root.source_assignments(course)
    for assignment in assignments:
        result = api.generate_assignment(assignment, force=True)
        if not result["success"]:
            raise SystemExit(f"could not generate {assignment}: {result['error']}\n{result['log'][-2000:]}")
    keys = _keys(course)
    if trap is not None and keys[trap.dataset].at[trap.item, trap.field] == trap.answer:
        raise ValueError(f"the trap's answer for {trap.item} is its key: it would catch nobody")
    rng = random.Random(seed)
    profiles = profiles or profiles_for(students)
    cohort = []
    for n, profile in enumerate(profiles, start=1):
        student = f"s{n:03d}-{profile}"
        for assignment in assignments:
            solution = nbformat.read(str(course / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
            release = nbformat.read(str(course / "exercises" / assignment / f"{assignment}.ipynb"), as_version=4)
            path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
            if profile in BROKEN:
                if BROKEN[profile] == assignment:
                    _write_broken(profile, path, submission(assignment, "full", solution, release, keys, rng, trap))
                    continue
                nb = submission(assignment, "full", solution, release, keys, rng, trap)
            else:
                nb = submission(assignment, profile, solution, release, keys, rng, trap)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(path))
        cohort.append((student, profile))
    return cohort


LATE_HOURS = 26.5     # how late the demo's late student hands in exercise 1


def term_settings(course: Path, cohort: list[tuple[str, str]], now=None, source: Path | None = None) -> str:
    """A term for the demo: the cohort.toml of ``source`` (default: the working directory's course root) with exercise 1 due a day ago, a late policy of 2 points
    per started day (6 at most), and every exercise 1 handed in on time but one, LATE_HOURS late (its
    ``timestamp.txt``, as nbgrader's collect writes it). Returns the late student."""
    import re
    from datetime import datetime, timedelta, timezone

    now = now or datetime.now(timezone.utc)
    due = (now - timedelta(days=1)).replace(second=0, microsecond=0)
    text = (Path(source or course_root.find()) / "cohort.toml").read_text(encoding="utf-8")
    text = re.sub(r'policy = "none"\npoints = 0\n', 'policy = "per_day"\npoints = 2\n', text)
    text = re.sub(r"cap = 0\n", "cap = 6\n", text, count=1)
    text = text.replace('[assignments.ex1_responsibilities]\ndue = ""',
                        f'[assignments.ex1_responsibilities]\ndue = "{due:%Y-%m-%d %H:%M} UTC"')
    (course / "cohort.toml").write_text(text, encoding="utf-8")
    late = next(student for student, profile in cohort if profile == "partial")
    for student, _ in cohort:
        folder = course / "submitted" / student / "ex1_responsibilities"
        if folder.is_dir():
            moment = due + timedelta(hours=LATE_HOURS) if student == late else due - timedelta(hours=2)
            (folder / "timestamp.txt").write_text(f"{moment:%Y-%m-%d %H:%M:%S.%f} UTC")
    return late


def run(course: Path, students: int = 30, jobs: int = 0, timeout: int = 10, source: Path | None = None) -> int:
    print(f"Building a synthetic cohort of {students} students in {course} ...", flush=True)
    cohort = build(course, students, trap=TRAP, source=source)
    late = term_settings(course, cohort, source=source)
    outcomes = pipeline.grade(course, jobs=jobs, timeout=timeout)
    code = pipeline.feedback(course, allow_pending=True)   # no grader reads a synthetic cohort's written answers
    page = pipeline.report(course)
    broken = sum(o.status != "ok" for o in outcomes)
    graded = sum(o.score is not None for o in outcomes)
    print(f"\n{len(outcomes)} submissions found, {graded} graded into the gradebook, {broken} reported with their "
          f"problem. Open {page} in a browser.")
    print(f"{TRAP.item} of {TRAP.assignment} is a planted bad item: the strong students answer it {TRAP.answer!r}, "
          "against the key; see how the report flags it under \"Items and questions that need work\".")
    print(f"{late} handed exercise 1 in {LATE_HOURS:g} hours late: {course / 'cohort.toml'} sets a due date a day ago "
          "and 2 points off per started day; grades.csv shows how late and the penalty.")
    print(f"Next: {pipeline.step(course, 'instructor')} opens its formgrader; {pipeline.step(course, 'export')} "
          "writes grades for Canvas.")
    return code


if __name__ == "__main__":
    sys.exit(run(course_root.find() / "cohort-demo"))
