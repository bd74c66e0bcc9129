"""One manifest per exercise: the one place its graded structure is written.

``mlroles/manifests/<assignment>.toml`` declares each graded part once: its grade id, its
kind, the cell the learner answers in, the dataset and key field it is scored against, the
shape of an answer (a label set, the columns a function sees or returns, the named graded
inputs) and its points. The exercise modules, the kernel-side recorder, the release, the
grader's scorer, the synthetic cohort, the item analysis and the tests all read it.

A manifest holds no answer: the keys live in ``solutions/graded_keys.csv`` on the
instructor's side, and a learner may read this file freely.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from mlroles import data

# kind -> what the part needs besides grade_id, kind and points
KINDS = {
    "labels_format": ("answer_cell", "dataset", "labels"),
    "labels": ("answer_cell", "dataset", "field", "labels"),
    "reviews_format": ("answer_cell", "dataset"),
    "reviews": ("answer_cell", "dataset", "field", "flags_field"),
    "function_labels": ("answer_cell", "function", "dataset", "field", "labels", "columns"),
    "schema": ("answer_cell",),
    "unified_log": ("answer_cell", "function", "inputs"),
    "metric_table": ("answer_cell", "function", "inputs", "columns"),
    "share_table": ("answer_cell", "function", "inputs", "columns"),
    "written": (),
}
AUTOGRADED = frozenset(KINDS) - {"written"}
LABEL_SETS = {"OWNERS": data.OWNERS, "SERVING_MODES": data.SERVING_MODES, "NEXT_NEEDS": data.NEXT_NEEDS,
              "REAL_ROLES": data.REAL_ROLES}


class ManifestError(ValueError):
    """A manifest that does not describe a gradable exercise; the message names the file and the fix."""


@dataclass(frozen=True)
class Part:
    assignment: str
    grade_id: str
    kind: str
    points: float
    answer_cell: str | None = None
    dataset: str | None = None
    field: str | None = None
    flags_field: str | None = None
    labels: tuple = ()
    function: str | None = None
    columns: tuple = ()
    inputs: str | None = None

    @property
    def autograded(self) -> bool:
        return self.kind in AUTOGRADED

    def graded_ids(self) -> list[str]:
        """The graded items of the part's dataset, in file order (empty for parts without a dataset)."""
        return graded_ids(self.dataset) if self.dataset else []


@dataclass(frozen=True)
class Manifest:
    assignment: str
    notebook: str
    parts: tuple = field(default_factory=tuple)

    def part(self, grade_id: str) -> Part:
        for part in self.parts:
            if part.grade_id == grade_id:
                return part
        raise KeyError(f"{self.assignment} has no graded part {grade_id!r}")

    @property
    def points(self) -> dict[str, float]:
        return {p.grade_id: p.points for p in self.parts}

    @property
    def autograded(self) -> list[Part]:
        return [p for p in self.parts if p.autograded]


@lru_cache(maxsize=None)
def graded_ids(dataset: str) -> list[str]:
    from mlroles.data import SCHEMAS

    import pandas as pd

    schema = SCHEMAS[dataset]
    frame = pd.read_csv(data.dataset_path(schema.file), dtype=str, keep_default_na=False)
    return frame.loc[frame["pool"] == "graded", schema.id_column].tolist()


def _part(assignment: str, where: str, raw: dict) -> Part:
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ManifestError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    for name in ("grade_id", "points", *KINDS[kind]):
        if name not in raw:
            raise ManifestError(f"{where}: a {kind} part needs {name!r}")
    known = {"grade_id", "kind", "points", *Part.__dataclass_fields__}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {', '.join(unknown)}")
    labels = raw.get("labels")
    if labels is not None and labels not in LABEL_SETS:
        raise ManifestError(f"{where}: labels {labels!r} is not one of {', '.join(LABEL_SETS)} (mlroles/data.py)")
    return Part(assignment=assignment, grade_id=raw["grade_id"], kind=kind, points=float(raw["points"]),
                answer_cell=raw.get("answer_cell"), dataset=raw.get("dataset"), field=raw.get("field"),
                flags_field=raw.get("flags_field"), labels=LABEL_SETS[labels] if labels else (),
                function=raw.get("function"), columns=tuple(raw.get("columns", ())), inputs=raw.get("inputs"))


def parse(text: str, where: str) -> Manifest:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{where}: not valid TOML ({exc})") from None
    assignment = raw.get("assignment")
    if not assignment or not raw.get("notebook"):
        raise ManifestError(f"{where}: 'assignment' and 'notebook' are required")
    parts = tuple(_part(assignment, f"{where} part {n + 1}", p) for n, p in enumerate(raw.get("parts", [])))
    ids = [p.grade_id for p in parts]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{where}: a grade id is declared twice")
    return Manifest(assignment=assignment, notebook=raw["notebook"], parts=parts)


@lru_cache(maxsize=None)
def load(assignment: str) -> Manifest:
    """The manifest of ``assignment`` (KeyError when the course has none)."""
    folder = resources.files("mlroles").joinpath("manifests")
    source = folder.joinpath(f"{assignment}.toml")
    if not source.is_file():
        raise KeyError(f"no manifest for {assignment!r} in mlroles/manifests/")
    manifest = parse(source.read_text(encoding="utf-8"), f"mlroles/manifests/{assignment}.toml")
    if manifest.assignment != assignment:
        raise ManifestError(f"mlroles/manifests/{assignment}.toml declares assignment {manifest.assignment!r}")
    return manifest


def assignments() -> list[str]:
    folder = resources.files("mlroles").joinpath("manifests")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


@lru_cache(maxsize=None)
def find_part(grade_id: str) -> Part:
    """The part with ``grade_id`` in any exercise: grade ids are unique across the course."""
    found = [p for a in assignments() for p in load(a).parts if p.grade_id == grade_id]
    if len(found) != 1:
        raise KeyError(f"{grade_id!r} names {len(found)} graded parts in the course's manifests; expected one")
    return found[0]


def differences(plan: Manifest, nb) -> list[str]:
    """Where a source notebook's graded cells disagree with the manifest (empty when they agree):
    a grade cell the manifest does not declare, a declared part with no cell, other points, an
    autograded test cell that does not record under its own grade id, an answer cell that is missing."""
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade_id")}
    graded = {gid: c for gid, c in cells.items() if c.metadata["nbgrader"].get("grade")}
    found = []
    for gid in sorted(set(graded) - set(plan.points)):
        found.append(f"cell {gid!r} is graded but not declared in the manifest")
    for part in plan.parts:
        cell = graded.get(part.grade_id)
        if cell is None:
            found.append(f"part {part.grade_id!r} has no graded cell")
            continue
        if float(cell.metadata["nbgrader"].get("points", 0)) != part.points:
            found.append(f"cell {part.grade_id!r} gives {cell.metadata['nbgrader'].get('points')} points, "
                         f"the manifest {part.points:g}")
        if part.autograded and f'_recording.record("{part.grade_id}", ' not in cell.source:
            found.append(f"test cell {part.grade_id!r} does not record under its grade id "
                         f'(_recording.record("{part.grade_id}", ...))')
        if part.answer_cell and part.answer_cell not in cells:
            found.append(f"part {part.grade_id!r} names answer cell {part.answer_cell!r}, which is not in the notebook")
    return found


# --- cells of a notebook, by grade id -------------------------------------------------------

def grade_id(cell) -> str | None:
    """The nbgrader grade id of a cell (a NotebookNode or a plain dict), or None."""
    return ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")


def cell_by_grade_id(nb, wanted: str):
    """The cell of notebook ``nb`` with grade id ``wanted``; KeyError when there is none."""
    for cell in nb["cells"]:
        if grade_id(cell) == wanted:
            return cell
    raise KeyError(f"no cell with grade id {wanted!r}")
