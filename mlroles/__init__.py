"""mlroles: the helper package of the course "Machine Learning Engineer vs Data Scientist".

Notebooks stay thin and call into this package. Read it from the bottom layer up; a module
imports only from its own layer or the layers below it (tests/test_layers.py checks this):

1. The course itself, for everyone: ``course`` (the map of lessons and exercises), ``data``
   (the datasets and their label sets), ``sources`` (episodes and citations), ``manifest``
   (each exercise's graded parts, no keys), ``graded_inputs`` and ``prediction_log`` (the
   inputs of graded calls, the prediction log's rules), ``tables`` (answer tables, full-text
   tables) and ``file_record``.
2. ``checks``: the self-check engine, one ``Question`` protocol, and ``checks.scoring``, the
   one way each kind of answer is scored.
3. ``widgets``: boards, explorers and quizzes, views over questions.
4. ``lessons`` and ``exercises``: what the notebooks in ``course/`` and ``exercises/`` call.
   A lesson never imports an exercise.
5. ``instructor``: the course root and nbgrader's API, release, grading, the cohort commands
   and reports. Only this layer reads the graded keys.
6. ``launch``: ``make lab`` and ``make hub``.

Importing the package is cheap: each module is imported only when used.
"""
__version__ = "0.1.0"

# Notebooks copied before the package had layers import the old module names (``from mlroles
# import ex1``, ``import mlroles.recording``). They keep working: each old name is an alias of the
# module's new home, made when first imported.
import importlib.abc as _abc
import importlib.util as _util
import sys as _sys

MOVED = {
    "ex1": "exercises.ex1", "ex2": "exercises.ex2", "ex3": "exercises.ex3", "ex4": "exercises.ex4",
    "recording": "exercises.recording", "quiz": "widgets.quiz",
}


class _MovedModules(_abc.MetaPathFinder, _abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        old = fullname.partition("mlroles.")[2] if fullname.startswith("mlroles.") else None
        if old in MOVED:
            return _util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        import importlib

        module = importlib.import_module("mlroles." + MOVED[spec.name.partition(".")[2]])
        spec.loader_state = module.__spec__      # importlib puts the alias's spec on the module:
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state    # give it back its own


if not any(isinstance(f, _MovedModules) for f in _sys.meta_path):
    _sys.meta_path.append(_MovedModules())
