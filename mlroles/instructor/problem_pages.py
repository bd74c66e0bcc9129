"""The feedback page a learner gets when their submission could not be graded as it came: one kind of page per
kind of failure, each saying what happened and what to do.

Where nbgrader could not read the notebook at all (missing, empty, damaged, an old format), its own page would be a
page of errors: ours replaces it. Where the notebook was graded in part (the kernel died, a cell ran out of time,
board answers that did not come with it), nbgrader's page holds the scores of what was graded: ours goes on top.
The HTML is in ``templates/problem_section.html`` and ``templates/problem_page.html``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Kind:
    name: str
    pattern: str          # matched against the status line the grader wrote
    replaces: bool        # True: nbgrader's page is replaced; False: ours goes above it
    happened: str
    to_do: str


KINDS = (
    Kind("missing", r"missing notebook", True,
         "Your submission did not include the notebook {notebook}.ipynb, so there was nothing to grade.",
         "Open the exercise in JupyterLab, save it (Ctrl+S), and submit again from the Assignments tab with the "
         "notebook inside the exercise's folder, under its original name."),
    Kind("empty", r"is an empty file", True,
         "The notebook you handed in was an empty file: it was probably submitted before it was saved.",
         "Open the notebook in JupyterLab. If your work is not there, try File → Revert Notebook to Checkpoint. "
         "Save it (Ctrl+S), then submit again."),
    Kind("damaged", r"is not valid JSON", True,
         "The file you handed in is damaged: it is not a notebook JupyterLab or the grader can read (often an "
         "edit outside JupyterLab, or a copy that was cut short).",
         "Open the notebook in JupyterLab. If it opens, save it and submit again; if it does not, fetch the exercise "
         "again, redo or paste back your answers, and submit. Ask your instructor if you need your old file."),
    Kind("old_format", r"old notebook format", True,
         "Your notebook was saved in an old notebook format that the grader cannot read, so none of your answers "
         "could be scored.",
         "Open it in the course's JupyterLab and save it (that writes the current format), then submit again."),
    Kind("board_answers", r"board answers missing", False,
         "The answers you gave on the exercise's boards did not come with your notebook: they are saved beside it in "
         "a file named {notebook}.choices.json, and the notebook alone does not carry them. The scores below count "
         "those answers as not given.",
         "Open the exercise in the course's JupyterLab, check that your board answers are still there, save the "
         "notebook, and submit again from the Assignments tab (it hands in the whole folder)."),
    Kind("kernel_died", r"kernel died", False,
         "While your notebook was being graded, Python stopped (the kernel died): a call to exit(), a crash, or more "
         "memory than a grading run may use. The cells after that point were not graded; the scores below are "
         "for the cells that ran.",
         "In JupyterLab choose Kernel → Restart Kernel and Run All Cells, find the cell after which nothing runs, "
         "and remove what stops Python there (an exit(), a very large object). Then submit again."),
    Kind("timeout", r"timed out", False,
         "A cell of your notebook ran longer than a grading run allows, so it was stopped; the scores below are for "
         "what finished in time.",
         "Find the slow cell (Kernel → Restart Kernel and Run All Cells, and watch which cell keeps running): a loop "
         "that never ends, or work far larger than the exercise needs. Make it finish in a few seconds, then "
         "submit again."),
)
OTHER = Kind("other", "", True,
             "The grader could not grade your submission: {reason}.",
             "Open your notebook in JupyterLab, choose Kernel → Restart Kernel and Run All Cells, check that it runs "
             "to the end without errors, press Validate, and submit again; or ask your instructor to grade it by hand.")


def kind_of(reason: str) -> Kind:
    """The first kind whose pattern the status line matches (several problems: the first one named)."""
    matches = [(m.start(), k) for k in KINDS if (m := re.search(k.pattern, reason, re.IGNORECASE))]
    return min(matches, key=lambda pair: pair[0])[1] if matches else OTHER


def replaces(reason: str) -> bool:
    """Whether the page for ``reason`` replaces nbgrader's (nbgrader's would be a page of errors)."""
    return kind_of(reason).replaces


def _context(kind: Kind, student: str, assignment: str, notebook: str, reason: str) -> dict:
    """What the templates show, as plain text (they escape it)."""
    values = {"notebook": notebook, "reason": reason}
    return {"kind": kind.name, "student": student, "assignment": assignment, "reason": reason,
            "happened": kind.happened.format(**values), "to_do": kind.to_do.format(**values)}


def write(page: Path, student: str, assignment: str, notebook: str, reason: str) -> Kind:
    """Write (or put on top of nbgrader's page) the page for ``reason``; the kind used."""
    from mlroles.instructor.report import render

    kind = kind_of(reason)
    context = _context(kind, student, assignment, notebook, reason)
    page.parent.mkdir(parents=True, exist_ok=True)
    if not kind.replaces and page.exists():
        text = page.read_text(encoding="utf-8")
        if "class='mlroles-problem'" not in text:
            section = render("problem_section.html", **context)
            text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + section, text, count=1)
            page.write_text(text, encoding="utf-8")
        return kind
    page.write_text(render("problem_page.html", **context), encoding="utf-8")
    return kind
