"""Preprocessors that nbgrader_config.py names by dotted path.

They run on the instructor's side when nbgrader builds feedback, so they may use
nbgrader freely; nothing here is imported by a learner's notebook.
"""
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader import utils
from traitlets import Bool


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
