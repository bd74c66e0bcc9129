"""Preprocessors that nbgrader_config.py names by dotted path.

They run on the instructor's side when nbgrader builds feedback, so they may use
nbgrader freely; nothing here is imported by a learner's notebook.
"""
import json

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, NbGraderPreprocessor, OverwriteCells
from nbgrader.plugins import BasePlugin
from traitlets import Bool, Enum, Float, Unicode


class BoardAnswerStubs(ClearSolutions):
    """nbgrader's ClearSolutions, except in a cell that hands a board's answers to the grader (the
    answer cell of a labels or reviews part in the exercise's manifest): there the solution region
    becomes a comment, not ``raise NotImplementedError()``. The cell's first line already reads the
    board, so a learner who answers by clicking never has to edit code. Function cells keep nbgrader's
    stub, which is how the self-checks tell an unwritten function from a wrong one."""

    board_stub = Unicode("# Your answers come from the board above. To type them instead, put a dict after the "
                         "= sign.").tag(config=True)

    def preprocess(self, nb, resources):
        from mlroles import manifest

        try:
            plan = manifest.load(resources.get("nbgrader", {}).get("assignment", ""))
            self._board_cells = {p.answer_cell for p in plan.parts
                                 if p.kind in ("labels", "labels_format", "reviews", "reviews_format")}
        except KeyError:
            self._board_cells = set()
        return super().preprocess(nb, resources)

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade_id") not in self._board_cells:
            return super()._replace_solution_region(cell, language)
        usual = dict(self.code_stub)
        self.code_stub = {**usual, language: self.board_stub}
        try:
            return super()._replace_solution_region(cell, language)
        finally:
            self.code_stub = usual


def due_note(root, assignment: str) -> str:
    """The line a learner's release shows under its title: the due date and the late policy (empty: no due date)."""
    from mlroles.instructor import settings

    config = settings.load(root)
    due = config.assignment(assignment).due
    if not due:
        return ""
    return f"**Due {config.assignment(assignment).due_text()}.** {config.late.describe()}"


class ShowDueDate(NbGraderPreprocessor):
    """At release: the due date and late policy of cohort.toml, in a cell under the notebook's title. Nothing
    when the assignment has no due date (a self-paced course)."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell
        from nbgrader.coursedir import CourseDirectory

        note = due_note(CourseDirectory(config=self.config).root, resources.get("nbgrader", {}).get("assignment", ""))
        if note:
            cell = new_markdown_cell(note)
            cell.metadata["mlroles"] = {"due_date": True}
            cell.pop("id", None)
            nb.cells.insert(1 if nb.cells else 0, cell)
        return nb, resources


class RedactTestTracebacks(NbGraderPreprocessor):
    """Cut the traceback of every autograded test cell to one line.

    A traceback quotes the code around the failing line, and in a test cell that
    code can be a hidden test. The learner still sees which error was raised and
    its message (``AssertionError: ...``), which is what they need to act on.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    line = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
                    output["traceback"] = [line]
        return cell, resources


_MATERIAL: dict = {}


def _grading_material(root: str) -> tuple:
    """Hidden-test lines, rubric lines and graded rationales of the course at ``root`` (cached)."""
    if root not in _MATERIAL:
        from pathlib import Path

        from mlroles.instructor.answer_keys import load_graded_keys
        from mlroles.instructor.course_root import hidden_lines

        course = Path(root)
        secrets = set(hidden_lines(course)) if (course / "solutions").is_dir() else set()
        keys_file = course / "solutions" / "graded_keys.csv"
        if keys_file.exists():
            for table in load_graded_keys(keys_file).values():
                if "rationale" in table:
                    secrets.update(v[:50] for v in table["rationale"] if v)
        _MATERIAL[root] = tuple(sorted(secrets))
    return _MATERIAL[root]


class ClearHiddenTestsOfTestCells(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, applied to the read-only test cells only, which are the cells
    that hold hidden tests. A learner's own cell whose text merely contains the marker line would
    otherwise stop that learner's feedback ("No end hidden tests statement found")."""

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_solution(cell) or not utils.is_grade(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)


class RedactGradingMaterial(NbGraderPreprocessor):
    """Remove any output that shows grading material (a hidden-test line, a rubric line, a graded
    item's rationale) from the feedback, whoever printed it: learner code runs in the grading
    kernel and can read files there, but what it prints does not reach the feedback page."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        import os

        self._secrets = _grading_material(os.getcwd())
        return super().preprocess(nb, resources)

    def _shows_secret(self, output) -> bool:
        parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
        for value in output.get("data", {}).values():
            parts.append(value if isinstance(value, str) else str(value))
        text = "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)
        return any(secret in text for secret in self._secrets)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and self._secrets:
            test_cell = utils.is_grade(cell) and not utils.is_solution(cell)
            for i, output in enumerate(cell.get("outputs", [])):
                # the "items" feedback's list under a read-only test cell, written by DropScoringDetails, shows the
                # key's reasons on purpose; a learner's cell can carry the same mark but is not a test cell
                if test_cell and output.get("metadata", {}).get("mlroles", {}).get(ITEM_FEEDBACK):
                    continue
                if self._shows_secret(output):
                    cell.outputs[i] = {"output_type": "stream", "name": "stdout",
                                       "text": "[output removed from this feedback: it showed grading material]\n"}
        return cell, resources


class GradingContext:
    """What the scorer compares with, for one course root and assignment, loaded once per process:
    the instructor's keys (solutions/graded_keys.csv) and, for frames, the worked solution's
    output on the part's graded inputs (run here, in nbgrader's process, never in the kernel)."""

    _cache: dict = {}

    def __init__(self, root, assignment: str, notebook: str):
        self.root, self.assignment, self.notebook = root, assignment, notebook
        self._keys = None
        self._refs = {}

    @classmethod
    def get(cls, root, assignment: str, notebook: str) -> "GradingContext":
        from pathlib import Path

        keys_file = Path(root) / "solutions" / "graded_keys.csv"
        source = Path(root) / "solutions" / assignment / f"{notebook}.ipynb"
        stamp = tuple(p.stat().st_mtime_ns if p.exists() else None for p in (keys_file, source))
        key = (str(root), assignment, notebook, stamp)
        if key not in cls._cache:
            cls._cache[key] = cls(root, assignment, notebook)
        return cls._cache[key]

    def keys(self):
        if self._keys is None:
            from pathlib import Path

            from mlroles.instructor.answer_keys import load_graded_keys

            self._keys = load_graded_keys(Path(self.root) / "solutions" / "graded_keys.csv")
        return self._keys

    def key(self, part):
        table = self.keys()[part.dataset]
        if part.kind in ("reviews", "reviews_format"):
            flags = {k: ([] if v == "none" else v.split(";")) for k, v in table[part.flags_field or "red_flags"].items()}
            return table["real_role"].to_dict(), flags
        if part.kind == "labels_format":
            return {i: None for i in table.index}
        return table[part.field].to_dict()

    def reference(self, part):
        if part.grade_id not in self._refs:
            from mlroles import graded_inputs
            from mlroles.exercises.recording import _frame

            if part.kind == "unified_log":
                self._refs[part.grade_id] = graded_inputs.unify_reference()
            else:
                fn = self._worked_solution(part)
                self._refs[part.grade_id] = {name: _frame(fn(*args))
                                             for name, args in graded_inputs.build(part.inputs).items()}
        return self._refs[part.grade_id]

    def _worked_solution(self, part):
        """The part's function as the solution notebook writes it (solution markers dropped)."""
        import warnings
        from pathlib import Path

        import nbformat
        import numpy as np
        import pandas as pd

        from mlroles.instructor.course_root import without_solution_markers
        from mlroles.manifest import cell_by_grade_id

        path = Path(self.root) / "solutions" / self.assignment / f"{self.notebook}.ipynb"
        nb = nbformat.read(path, as_version=4)
        code = without_solution_markers(cell_by_grade_id(nb, part.answer_cell).source)
        namespace = {"pd": pd, "np": np, "__name__": f"worked_solution_{part.grade_id}"}
        exec(compile(code, f"{path}:{part.answer_cell}", "exec"), namespace)
        fn = namespace[part.function]

        def quiet(*args):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(*args)
        return quiet


def recordings_of(cell) -> list:
    """The recordings a test cell's outputs hold (only this cell's, never another's), as plain JSON
    (a notebook reader's dict subclasses are turned back into the exact types the scorer insists on)."""
    from mlroles.checks.scoring import MIMETYPE

    found = []
    for output in cell.get("outputs", []):
        if output.get("output_type") in ("display_data", "execute_result") and MIMETYPE in output.get("data", {}):
            try:
                found.append(json.loads(json.dumps(output["data"][MIMETYPE])))
            except (TypeError, ValueError):
                found.append(None)
    return found


class ScoreRecordings(NbGraderPreprocessor):
    """After the notebook has run, and in nbgrader's own process: score every autograded test cell
    from what it recorded, against the instructor's keys, and replace the cell's outputs with the
    score (where nbgrader's partial credit reads it), the learner-facing lines and the per-item
    results. Whatever the kernel printed in a test cell, including an error or a number, is
    dropped: every autograded point of an exercise with a manifest comes from here.

    An assignment without a manifest (a course's own extra notebook) keeps nbgrader's rules.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        import nbformat
        from nbgrader.coursedir import CourseDirectory

        from mlroles import manifest
        from mlroles.checks import scoring

        info = resources.get("nbgrader", {})
        try:
            plan = manifest.load(info.get("assignment", ""))
        except KeyError:
            self.log.warning("No manifest for %s: its test cells are scored by nbgrader's own rules",
                             info.get("assignment"))
            return nb, resources
        root = CourseDirectory(config=self.config).root
        context = GradingContext.get(root, plan.assignment, info.get("notebook", plan.notebook[:-6]))
        known = {p.grade_id: p for p in plan.parts}
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
                continue
            part = known.get(cell.metadata["nbgrader"].get("grade_id"))
            result = scoring.score(part, recordings_of(cell), context)
            cell.outputs = [nbformat.from_dict(o) for o in scoring.outputs(result)]
        return nb, resources


class DropScoringDetails(NbGraderPreprocessor):
    """Feedback at the level cohort.toml sets per assignment (``python -m mlroles.instructor.cli feedback`` picks it):

    - ``score`` (while late work may still come in): the score and the learner-facing lines; the per-item
      results are dropped, since they would tell, item by item, what the key says;
    - ``items`` (after the due date): under each test cell, every graded item right or wrong, with the key's
      reason and the lesson and source to read (mlroles.instructor.item_lines.part_lines, from the scorer's results)."""

    enabled = Bool(True).tag(config=True)
    level = Enum(["score", "items"], default_value="score").tag(config=True)

    def preprocess(self, nb, resources):
        self._items = {}
        if self.level == "items":
            self._items = self._item_lines(nb, resources)
        return super().preprocess(nb, resources)

    def _item_lines(self, nb, resources) -> dict:
        from nbgrader.coursedir import CourseDirectory

        from mlroles import manifest
        from mlroles.instructor.item_lines import part_lines

        try:
            plan = manifest.load(resources.get("nbgrader", {}).get("assignment", ""))
        except KeyError:
            return {}
        root = CourseDirectory(config=self.config).root
        keys = GradingContext.get(root, plan.assignment, plan.notebook[:-6]).keys()
        return {part.grade_id: part_lines(nb, part, keys, every_item=True) for part in plan.autograded}

    def preprocess_cell(self, cell, resources, cell_index):
        from mlroles.checks.scoring import MIMETYPE, RESULTS_MIMETYPE

        if cell.cell_type == "code":
            # the scorer's outputs go, and so does anything else wearing the items list's mark: only ours below has it
            cell.outputs = [o for o in cell.get("outputs", [])
                            if RESULTS_MIMETYPE not in o.get("data", {}) and MIMETYPE not in o.get("data", {})
                            and not o.get("metadata", {}).get("mlroles", {}).get(ITEM_FEEDBACK)]
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in self._items and utils.is_grade(cell) and not utils.is_solution(cell):
                cell.outputs.append(item_list_output("\n".join(self._items[grade_id][1:]) or "Nothing to fix here."))
        return cell, resources


ITEM_FEEDBACK = "item_feedback"   # metadata of the output that lists the items (RedactGradingMaterial keeps it)


def item_list_output(text: str):
    """The list of items under a test cell, marked so RedactGradingMaterial knows it is the course's own."""
    from nbformat.v4 import new_output

    return new_output("display_data", data={"text/plain": "Every graded item (the due date has passed):\n" + text},
                      metadata={"mlroles": {ITEM_FEEDBACK: True}})


AWAITING_GRADING = ("**Awaiting grading.** No grader has scored this answer yet: the 0 shown for it is not its "
                    "score. Your instructor's next feedback will have it.")


class MarkAwaitingGrading(NbGraderPreprocessor):
    """Feedback written while some written answers wait for a grader (``feedback --allow-pending``): a note
    under each of them, so nbgrader's "Score: 0.0" is not read as a verdict."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell
        from nbgrader.api import Gradebook, MissingEntry

        info = resources.get("nbgrader", {})
        if not info.get("db_url"):
            return nb, resources
        cells = []
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                cells.append(cell)
                if not utils.is_grade(cell) or cell.cell_type != "markdown":   # written answers only
                    continue
                try:
                    grade = gb.find_grade(cell.metadata.nbgrader["grade_id"], info["notebook"], info["assignment"],
                                          info["student"])
                except MissingEntry:
                    continue
                if grade.needs_manual_grade:
                    note = new_markdown_cell(AWAITING_GRADING)
                    note.metadata["mlroles"] = {"awaiting_grading": cell.metadata.nbgrader["grade_id"]}
                    note.pop("id", None)
                    cells.append(note)
        nb.cells = cells
        return nb, resources


BOARD_ANSWERS_MISSING = "board answers missing"


def board_answers_notice(notebook_name: str) -> str:
    """What a learner reads when graded answers came from boards whose choices did not arrive."""
    return (f"**⚠ {BOARD_ANSWERS_MISSING[0].upper()}{BOARD_ANSWERS_MISSING[1:]}.** This notebook takes graded answers "
            f"from boards, but neither `{notebook_name}.choices.json` nor the boards' saved state in the notebook "
            "came with it, so those answers counted as empty. Next time, hand in the choices file with the "
            "notebook, or open the notebook in the course's JupyterLab, run it, check the boards show your "
            "answers and save before you hand it in.")


class RecoverCarriedChoices(NbGraderPreprocessor):
    """Before grading: where a submission's choices file is missing, rebuild it from the choices the
    notebook carries in its saved widget state (see mlroles.widgets.choices), so the notebook alone grades as
    notebook plus file. Where graded answers come from a board and nothing can be recovered, a notice
    at the top of the graded notebook (and so of the feedback) says so and what to do."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from pathlib import Path

        from nbgrader.coursedir import CourseDirectory

        from mlroles.widgets.choices import board_answers_lost, carried_choices

        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        folder = Path(coursedir.format_path(coursedir.autograded_directory, info.get("student", "."),
                                            info.get("assignment", ".")))
        name = info.get("notebook", "")
        for file_name, content in carried_choices(nb).items():
            target = folder / file_name
            if not target.exists():   # a file handed in wins; nbgrader copied it here already
                folder.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(content, indent=1, sort_keys=True), encoding="utf-8")
                self.log.info("Rebuilt %s from the choices saved in the notebook", target)
        if board_answers_lost(nb, folder, name):
            import nbformat

            nb.cells.insert(0, nbformat.v4.new_markdown_cell(board_answers_notice(name)))
        return nb, resources


class RobustOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted test cells put back wherever they were deleted,
    and renamed grade ids no longer fatal.

    nbgrader 0.9.6 re-inserts a deleted grade cell after the cell that preceded it in the source,
    but only finds that cell when it is itself a grade or solution cell; when it is a read-only
    cell (a table, an instruction), autograde stops with a KeyError and the whole submission
    fails. Here a missing cell goes after the nearest earlier source cell that the submission
    still has, whatever its kind (or first, when none is left).
    """

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_ids = [cell.name for cell in source_nb.source_cells]
        source_by_id = {cell.name: cell for cell in source_nb.source_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}

        def present():
            return {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(nb.cells)
                    if "nbgrader" in c.metadata and c.metadata["nbgrader"].get("grade_id")}

        for grade_cell in source_nb.grade_cells:
            if grade_cell.name in present():
                continue
            self.log.warning(f"Missing grade cell {grade_cell.name} encountered, adding to notebook")
            new_cell = self.missing_cell_transform(source_by_id[grade_cell.name], grade_cell.max_score,
                                                   is_solution=grade_cell.name in solution_ids)
            where = present()
            earlier = source_ids[:source_ids.index(grade_cell.name)]
            anchor = next((where[i] for i in reversed(earlier) if i in where), None)
            nb.cells.insert(0 if anchor is None else anchor + 1, new_cell)
        return nb, resources

    def add_missing_task_cells(self, nb, resources):
        """nbgrader's version, but a cell whose grade id was removed (a learner renamed it, and
        nbgrader dropped the unknown id) no longer stops the whole submission with a KeyError."""
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = source_nb.source_cells
        source_ids = [cell.name for cell in source_cells]
        submitted = {c["metadata"]["nbgrader"].get("grade_id") for c in nb.cells if "nbgrader" in c["metadata"]}
        for task_cell in source_nb.task_cells:
            if task_cell.name not in submitted:
                cell = source_cells[source_ids.index(task_cell.name)]
                nb.cells.append(self.missing_cell_transform(cell, task_cell.max_score, is_task=True))
        return nb, resources

    def preprocess(self, nb, resources):
        """A cell whose grade id the source does not know (a learner invented or renamed it) is the
        learner's own cell: its nbgrader metadata is dropped, and the real test cell, now missing,
        is put back from the source. nbgrader alone rejects such a notebook."""
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            known = {c.name for c in gb.find_notebook(info["notebook"], info["assignment"]).source_cells}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is not None and meta.get("grade_id") not in known:
                del cell.metadata["nbgrader"]
        return super().preprocess(nb, resources)


class CourseLatePenalty(BasePlugin):
    """The late policy of cohort.toml (mlroles.instructor.settings), applied by nbgrader's AssignLatePenalties at autograde:
    points off per submission, from how late nbgrader's timestamp says it came."""

    policy = Enum(["none", "fixed", "per_hour", "per_day"], default_value="none").tag(config=True)
    points = Float(0.0).tag(config=True)
    cap = Float(0.0).tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        from mlroles.instructor.settings import LatePolicy

        penalty = LatePolicy(self.policy, self.points, self.cap).penalty(float(score or 0), total_seconds_late)
        self.log.info("Late policy %s: %s is %.0f s late, %g point(s) off", self.policy, student_id,
                      total_seconds_late, penalty)
        return penalty
