"""A synthetic cohort, so anyone can see the instructor's path in one command (``make grade-demo``).

Students follow profiles: full marks, blank, partial, patterned mistakes (always "shared",
data scientist and ML engineer swapped, seeded guesses) and a few broken submissions (a
kernel that dies, a cell that never ends, a notebook that is not valid JSON, an old notebook
format, a missing notebook). Answers are generated from the solution notebooks and the
instructor's keys, in a separate course folder (default ``cohort-demo/``, git-ignored).
"""
from __future__ import annotations

import copy
import json
import random
import shutil
import sys
from pathlib import Path

import nbformat

from mlroles.course import REPO_ROOT

SWAP = {"data_scientist": "ml_engineer", "ml_engineer": "data_scientist", "shared": "shared"}
OTHER = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}
BROKEN = {"kernel_dies": "ex1_responsibilities", "timeout": "ex4_team_coverage", "invalid_json": "ex2_serving_handoff",
          "old_format": "ex3_job_ads", "missing": "ex4_team_coverage"}
PROFILES = ["full", "partial", "always_shared", "swapped", "guessing", "blank"]


def profiles_for(students: int) -> list[str]:
    """A mix of profiles for ``students`` learners: at least one of each broken kind when there is room."""
    plan = list(BROKEN) if students >= 12 else []
    cycle = ["full", "partial", "swapped", "guessing", "partial", "full", "always_shared", "guessing", "blank"]
    while len(plan) < students:
        plan.append(cycle[len(plan) % len(cycle)])
    return plan[:students]


def _keys(course: Path):
    from mlroles.answer_keys import load_graded_keys

    return load_graded_keys(course / "solutions" / "graded_keys.csv")


def _cell(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def _solution_code(solution, grade_id) -> str:
    return "\n".join(l for l in _cell(solution, grade_id).source.splitlines()
                     if "### BEGIN SOLUTION" not in l and "### END SOLUTION" not in l)


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


def submission(assignment: str, profile: str, solution, release, keys, rng: random.Random):
    """The notebook a learner with ``profile`` would hand in for ``assignment``, part by part as the
    exercise's manifest declares them:

    - full: every part as the worked solution has it;
    - partial: every other label right, job-ad roles right without flags, the label functions solved,
      every other frame part (first, third, ...) solved, a first sentence for each written answer;
    - swapped: data scientist and ML engineer swapped, every ad "unclear", functions and frames as partial;
    - always_shared, guessing: all "shared" or seeded guesses, every ad "unclear", each label function
      returning the first label of its set, no frame part;
    - blank: the release as it is.
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


def build(course: Path, students: int = 30, profiles: list[str] | None = None, seed: int = 7) -> list[tuple[str, str]]:
    """Create the course folder and its submissions; returns (student, profile) pairs."""
    from mlroles.cohort import make_api, source_assignments

    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(REPO_ROOT / "solutions", course / "solutions", ignore=shutil.ignore_patterns("*.choices.json"))
    api = make_api(course)
    assignments = source_assignments(course)
    for assignment in assignments:
        result = api.generate_assignment(assignment, force=True)
        if not result["success"]:
            raise SystemExit(f"could not generate {assignment}: {result['error']}\n{result['log'][-2000:]}")
    keys = _keys(course)
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
                    _write_broken(profile, path, submission(assignment, "full", solution, release, keys, rng))
                    continue
                nb = submission(assignment, "full", solution, release, keys, rng)
            else:
                nb = submission(assignment, profile, solution, release, keys, rng)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(path))
        cohort.append((student, profile))
    return cohort


def run(course: Path, students: int = 30, jobs: int = 0, timeout: int = 10) -> int:
    from mlroles import cohort as pipeline

    print(f"Building a synthetic cohort of {students} students in {course} ...", flush=True)
    build(course, students)
    outcomes = pipeline.grade(course, jobs=jobs, timeout=timeout)
    code = pipeline.feedback(course, allow_pending=True)   # no grader reads a synthetic cohort's written answers
    page = pipeline.report(course)
    broken = sum(o.status != "ok" for o in outcomes)
    print(f"\n{len(outcomes)} submissions graded, {broken} reported with their problem. Open {page} in a browser.")
    return code


if __name__ == "__main__":
    sys.exit(run(REPO_ROOT / "cohort-demo"))
