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

# The gradebook's database and the late policy come from cohort.toml, the one file an instructor edits
# (mlroles.instructor.settings): SQLite in gradebook.db by default, PostgreSQL when several graders share it.
from mlroles.instructor import settings as _settings  # noqa: E402

try:
    _settings.apply(c, c.CourseDirectory.root)
except _settings.SettingsError as _exc:
    raise SystemExit(str(_exc)) from None

# nbgrader's exchange (release, fetch, submit, collect). A folder inside the course by default,
# so the formgrader works out of the box; on JupyterHub point it at the shared exchange.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", os.path.join(c.CourseDirectory.root, ".exchange"))
os.makedirs(c.Exchange.root, exist_ok=True)
# Files nbgrader never copies, neither into a release nor from a submission into grading.
# The learners' *.choices.json files (answers saved by the widgets) must NOT be listed
# here: autograde copies a submission's files with this same filter, and the choices are
# what it grades. Instead, solutions/ must never hold one (a test checks it), because
# autograde also overwrites a submission's files with the source folder's.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# The release: nbgrader's own steps, with the answer cells of board questions left runnable (see
# mlroles.instructor.plugins.BoardAnswerStubs): no `raise NotImplementedError()` for a learner who only clicks.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    # the due date and late policy of cohort.toml under the title (none in a self-paced course)
    "mlroles.instructor.plugins.ShowDueDate",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "mlroles.instructor.plugins.BoardAnswerStubs",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Every cell gets at most this many seconds during autograde and validate; a cell that
# runs longer is interrupted and the cells after it still run.
c.Execute.timeout = 30

# A learner who deletes a test cell gets it back at autograde instead of a silent
# "needs manual grading" with no score.
c.OverwriteCells.add_missing_cells = True
# ... and put back where it was, even after a read-only cell (see RobustOverwriteCells: nbgrader
# itself stops with a KeyError there).
c.Autograde.sanitize_preprocessors = [
    # a notebook handed in without its *.choices.json still carries the boards' choices (mlroles.widgets.choices)
    "mlroles.instructor.plugins.RecoverCarriedChoices",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "mlroles.instructor.plugins.RobustOverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A written answer is a manually graded markdown cell; its rubric and exemplar sit in the
# read-only question cell above it, between BEGIN/END MARK SCHEME. nbgrader would insist
# on a "task" cell there, which would carry points of its own: points stay on the answer.
c.ClearMarkScheme.enforce_metadata = False

# Every kernel that grades runs in the bubblewrap sandbox of mlroles.instructor.sandbox: it sees its own
# submission folder and the read-only environment, never the keys, the gradebook, other students'
# work or the instructor's files. Named here, so the cohort command, `nbgrader autograde` and the
# formgrader all use it. (nbgrader's own Execute is the first of nbgrader's default list.)
c.Autograde.autograde_preprocessors = [
    "mlroles.instructor.sandbox.SandboxedExecute",
    # Scores come from here, outside the kernel: each test cell's recording against solutions/graded_keys.csv
    # (mlroles.checks.scoring). Whatever the kernel printed in a test cell is replaced by the score.
    "mlroles.instructor.plugins.ScoreRecordings",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Runaway prints are cut so a notebook that prints a million lines stays gradable.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 20

# Feedback shows learners their score, never the hidden tests or the graders' rubrics:
# hidden regions and mark schemes (rubric and exemplar) are removed, tracebacks of test
# cells are cut to one line, and any output showing grading material is removed (learner
# code runs in the grading kernel and could print what it finds on the grading machine).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    # a written answer no grader has scored yet says so under its "Score: 0.0" (feedback --allow-pending)
    "mlroles.instructor.plugins.MarkAwaitingGrading",
    "mlroles.instructor.plugins.ClearHiddenTestsOfTestCells",
    "mlroles.instructor.plugins.DropScoringDetails",
    "nbgrader.preprocessors.ClearMarkScheme",
    "mlroles.instructor.plugins.RedactTestTracebacks",
    "mlroles.instructor.plugins.RedactGradingMaterial",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
