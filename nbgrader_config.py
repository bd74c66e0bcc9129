"""nbgrader configuration: this repository is the course root.

solutions/<assignment>/  nbgrader's source folder (solutions, hidden tests, rubrics)
exercises/<assignment>/  nbgrader's release folder (what learners get; generated, committed)
submitted/, autograded/, feedback/, gradebook.db  an instructor's run folders (git-ignored)

The grading code lives in the mlroles package and is named here by dotted path,
so the formgrader can serialise this configuration.
"""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "mlroles"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# Only notebooks and the files an assignment needs are copied into a release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.choices.json"]

# Every cell gets at most this many seconds during autograde and validate; a cell that
# runs longer is interrupted and the cells after it still run.
c.Execute.timeout = 30

# A learner who deletes a test cell gets it back at autograde instead of a silent
# "needs manual grading" with no score.
c.OverwriteCells.add_missing_cells = True

# Runaway prints are cut so a notebook that prints a million lines stays gradable.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 20

# Feedback shows learners their score, never the hidden tests: the hidden regions are
# removed from the test cells, and tracebacks of test cells are cut to one line.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "mlroles.nbgrader_plugins.RedactTestTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
