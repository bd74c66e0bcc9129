"""How each hostile submission in cases.csv is made from the released notebook.

Each recipe takes (release notebook, keys) and returns the notebook to hand in (or None plus
file-level tampering). Keys are only used to build wrong or right answers on purpose.
"""
import copy
import json

OTHER = {"data_scientist": "ml_engineer", "ml_engineer": "shared", "shared": "data_scientist"}


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answers_cell(nb, source, grade_id="graded_answers"):
    nb = copy.deepcopy(nb)
    cell(nb, grade_id).source = source
    return nb


def all_owner(owner, keys):
    return {item: owner for item in keys["responsibilities"]["owner"].index}


def right_owners(keys):
    return keys["responsibilities"]["owner"].to_dict()


NEXT_NEED_RIGHT = '''def next_need(team):
    symptoms = set(team["symptoms"])
    science = bool(symptoms & {"no_metric_owner", "no_statistical_validity", "unclear_questions", "results_not_trusted"})
    engineering = bool(symptoms & {"models_stuck_in_notebooks", "no_monitoring", "frequent_incidents", "slow_deployments"})
    if science and engineering:
        return "both"
    if science:
        return "data_scientist"
    if engineering:
        return "ml_engineer"
    if team["risk"] == "low" and team["serving_mode"] in ("none", "batch") and team["models_in_production"] <= 2:
        return "one_person"
    return "ml_engineer"'''


def recipes(keys):
    owners = right_owners(keys)
    wrong = {i: OTHER[o] for i, o in owners.items()}
    r = {}
    r["lying_eq_object"] = lambda nb: answers_cell(nb, '''class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def get(self, key, default=None):
        return self
graded_answers = Anything()''')
    r["dict_claims_any_key"] = lambda nb: answers_cell(nb, '''class Claims(dict):
    def __contains__(self, key):
        return True
    def __getitem__(self, key):
        return "shared"
    def get(self, key, default=None):
        return "shared"
    def __eq__(self, other):
        return True
graded_answers = Claims()''')
    r["str_subclass_values"] = lambda nb: answers_cell(nb, f'''class Yes(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
graded_answers = {{k: Yes("shared") for k in {sorted(owners)!r}}}''')
    r["sneaky_keys"] = lambda nb: answers_cell(nb, f'''class Key(str):
    def __eq__(self, other):
        import inspect
        for frame in inspect.stack():
            key = frame.frame.f_locals.get("key")
            if isinstance(key, dict):
                graded_answers.update({{Key(k): v for k, v in key.items()}})
        return str.__eq__(self, other)
    __hash__ = str.__hash__
graded_answers = {{Key(k): "data_scientist" for k in {sorted(owners)!r}}}''')
    r["numbers_as_labels"] = lambda nb: answers_cell(nb, "def next_need(team):\n    return 1", "next_need")
    r["shadow_builtins"] = lambda nb: answers_cell(nb, f'''type = lambda *args: dict
isinstance = lambda *args: True
len = lambda *args: 0
str = object
AssertionError = Warning
graded_answers = {all_owner("shared", keys)!r}''')
    r["monkeypatch_grading"] = lambda nb: answers_cell(nb, f'''import mlroles.checks.scoring as g
g.score = lambda *args, **kwargs: 18.0
g.label_problems = lambda *args, **kwargs: []
g.SCORERS = {{k: (lambda *a: (18.0, [], [])) for k in g.SCORERS}}
graded_answers = {all_owner("data_scientist", keys)!r}''')
    r["monkeypatch_data"] = lambda nb: answers_cell(nb, '''import mlroles.data, mlroles.exercises.ex4
import pandas as pd
mlroles.data.load_team_scenarios = lambda *a, **k: pd.DataFrame()
mlroles.exercises.ex4.graded_teams = lambda: pd.DataFrame()
def next_need(team):
    return "one_person"''', "next_need")
    r["replace_key_loader"] = lambda nb: answers_cell(nb, f'''import mlroles.instructor.answer_keys as k
k.load_graded_keys = lambda *args, **kwargs: {{"responsibilities": None}}
graded_answers = {all_owner("ml_engineer", keys)!r}''')
    r["rebind_grading_name"] = lambda nb: answers_cell(nb, f'''class FakeGrading:
    def __getattr__(self, name):
        return lambda *args, **kwargs: 18.0
    def verified(self):
        return self
grading = _grading = _recording = FakeGrading()
graded_answers = {all_owner("shared", keys)!r}''')
    r["peek_cell_history"] = lambda nb: answers_cell(nb, '''import re, ast
def next_need(team):
    source = get_ipython().user_ns["_ih"][-1]
    for match in re.finditer(r"compare\\(_collected, (\\{.*?\\})\\)", source, re.S):
        return ast.literal_eval(match.group(1))[team.name]
    return "not found"''', "next_need")
    r["peek_frames"] = lambda nb: answers_cell(nb, '''import inspect
def next_need(team):
    for info in inspect.stack():
        for name, value in info.frame.f_locals.items():
            if isinstance(value, dict) and team.name in value and isinstance(value[team.name], str):
                return value[team.name]
    return "not found"''', "next_need")
    r["print_grading_files"] = lambda nb: answers_cell(nb, f'''import glob
for path in glob.glob("../../../solutions/**/*", recursive=True):
    if path.endswith((".csv", ".ipynb")):
        print(open(path).read())
graded_answers = {wrong!r}''')
    r["sys_exit"] = lambda nb: answers_cell(nb, f'''import sys
sys.exit()
graded_answers = {owners!r}''')
    r["kernel_death"] = lambda nb: answers_cell(nb, f'''import os
os._exit(1)
graded_answers = {owners!r}''')
    r["infinite_loop"] = lambda nb: answers_cell(nb, "while True:\n    pass\n" + NEXT_NEED_RIGHT, "next_need")
    r["million_lines"] = lambda nb: answers_cell(nb, f'''print("\\n".join(f"line {{i}}" for i in range(1_000_000)))
graded_answers = {owners!r}''')
    r["huge_allocation"] = lambda nb: answers_cell(nb, '''try:
    hog = bytearray(16 * 1024 ** 3)
except MemoryError:
    hog = None
''' + NEXT_NEED_RIGHT, "next_need")

    def deleted(nb):
        nb = answers_cell(nb, f"graded_answers = {owners!r}")
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in
                    ("graded_items", "graded_format")]
        return nb
    r["deleted_test_cells"] = deleted

    def edited(nb):
        nb = answers_cell(nb, f"graded_answers = {all_owner('shared', keys)!r}")
        cell(nb, "graded_items").source = "18.0"
        cell(nb, "graded_format").source = "pass"
        return nb
    r["edited_test_cells"] = edited

    def points(nb):
        nb = answers_cell(nb, f"graded_answers = {all_owner('shared', keys)!r}")
        cell(nb, "graded_items").metadata["nbgrader"]["points"] = 100
        cell(nb, "graded_format").metadata["nbgrader"]["points"] = 100
        return nb
    r["changed_points_metadata"] = points

    def grade_ids(nb):
        nb = answers_cell(nb, f"graded_answers = {all_owner('shared', keys)!r}")
        cell(nb, "graded_items").metadata["nbgrader"]["grade_id"] = "bonus_points"
        cell(nb, "graded_format").metadata["nbgrader"]["grade_id"] = "more_bonus"
        return nb
    r["changed_grade_ids"] = grade_ids

    def reordered(nb):
        nb = answers_cell(nb, f"graded_answers = {owners!r}")
        answer = cell(nb, "graded_answers")
        nb.cells.remove(answer)
        nb.cells.append(answer)
        return nb
    r["cells_reordered"] = reordered

    def extra(nb):
        import nbformat

        nb = answers_cell(nb, NEXT_NEED_RIGHT, "next_need")
        index = nb.cells.index(cell(nb, "next_need"))
        nb.cells.insert(index, nbformat.v4.new_code_cell("helper = 41 + 1"))
        nb.cells.insert(index + 2, nbformat.v4.new_markdown_cell("My own notes."))
        return nb
    r["extra_cells"] = extra
    r["renamed_notebook"] = lambda nb: answers_cell(nb, f"graded_answers = {owners!r}")
    # output dressed as the course's own list of items ("items" feedback), to slip past the feedback's redaction
    r["forged_item_feedback"] = lambda nb: answers_cell(nb, """from IPython.display import display
display({"text/plain": "Every graded item (the due date has passed):\\n  FORGED-" + "ITEM-LIST all 18 right"},
        raw=True,
        metadata={"mlroles": {"item_feedback": True}})
graded_answers = {}""")
    r["invalid_json"] = lambda nb: nb
    r["old_format"] = lambda nb: nb
    r["empty_file"] = lambda nb: nb
    sandbox_attacks(r, owners)
    board = lambda nb: answers_cell(nb, "graded_answers = graded_board.answers")

    def board_shown(nb):
        """Answered on the board, as saved after running: the board's cell shows its widget view."""
        import nbformat

        nb = board(nb)
        cell(nb, "graded_board").outputs = [nbformat.v4.new_output(
            "display_data", data={"application/vnd.jupyter.widget-view+json": {
                "model_id": "0123456789abcdef", "version_major": 2, "version_minor": 0},
                "text/plain": "ClassificationBoard(...)"})]
        return nb
    r["choices_missing"] = board_shown
    r["choices_in_notebook_only"] = lambda nb: carrying(board_shown(nb), "ex1_responsibilities.choices.json", owners)
    r["carried_path_escape"] = lambda nb: carrying(board_shown(nb), "../../x.choices.json", owners)
    r["choices_corrupt"] = board
    r["choices_unknown_items"] = board
    return r


# Attacks on the grading machine rather than on the scoring. Each answers exercise 1 from what
# it finds: if the sandbox let it through, it would earn what a full submission earns; where it
# finds nothing, it hands in no answers and earns what a blank submission earns.
LISTEN_PORT = 9          # the test sets this to a port it listens on before building the recipes
LATE_WRITE = "MLROLES_HOSTILE_LATE_WRITE"
FIND_COURSE = """import pathlib
import mlroles
places = list(pathlib.Path.cwd().resolve().parents) + [pathlib.Path(mlroles.__file__).resolve().parents[1]]
"""
OWNERS_FROM = """
def owners_from(text):
    import csv, io
    return {r["item_id"]: r["value"] for r in csv.DictReader(io.StringIO(text))
            if r.get("dataset") == "responsibilities" and r.get("field") == "owner"}
"""
LATE_PROCESS = """import pathlib, sys, time
time.sleep(15)
for folder in sys.argv[1:]:
    try:
        (pathlib.Path(folder) / "%s").write_text("written after the notebook ended")
    except OSError:
        pass
""" % LATE_WRITE


def carrying(nb, file_name, choices):
    """The notebook as JupyterLab saves it with widget state: a hidden carrier widget holding the
    graded board's choices (see mlroles.widgets.choices)."""
    from mlroles.widgets.choices import CARRIER_CLASS, WIDGET_STATE

    nb = copy.deepcopy(nb)
    value = json.dumps({"file": file_name, "board": "graded", "choices": choices})
    nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "0123456789abcdef": {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                             "model_name": "TextModel",
                             "state": {"_dom_classes": [CARRIER_CLASS], "value": value}}}}}
    return nb


def sandbox_attacks(r, owners):
    def attack(code):
        return lambda nb: answers_cell(nb, code + "\ngraded_answers = found\n")

    r["read_keys_file"] = attack(FIND_COURSE + OWNERS_FROM + """found = {}
for place in places:
    try:
        found = owners_from(open(place / "solutions" / "graded_keys.csv").read())
        break
    except OSError:
        pass""")
    r["read_own_notebook"] = attack(r"""import glob, re
found = {}
for path in glob.glob("*.ipynb"):
    text = open(path).read()
    hidden = text[text.find("BEGIN HIDDEN TESTS"):]
    found.update(re.findall(r'\\"(R\d\d)\\": \\"(data_scientist|ml_engineer|shared)\\"', hidden))""")
    r["write_gradebook"] = attack(FIND_COURSE + """import sqlite3
found = {}
for place in places:
    if (place / "gradebook.db").exists():
        try:
            with sqlite3.connect(place / "gradebook.db") as db:
                db.execute("UPDATE grade SET manual_score = 100")
        except sqlite3.Error:
            pass""")
    r["append_to_package"] = attack(r"""import mlroles, pathlib
found = {}
for module in pathlib.Path(mlroles.__file__).parent.glob("*.py"):
    try:
        with open(module, "a") as f:
            f.write("\nFULL_MARKS = True\n")
    except OSError:
        pass""")
    r["sitecustomize"] = attack(r"""import site, sysconfig
found = {}
for folder in [sysconfig.get_paths()["purelib"], site.getusersitepackages()] + site.getsitepackages():
    try:
        with open(folder + "/sitecustomize.py", "w") as f:
            f.write("import builtins\nbuiltins.MLROLES_TAMPERED = True\n")
    except OSError:
        pass""")
    r["ipython_startup"] = attack(r"""import os, pathlib
from IPython.paths import get_ipython_dir
found = {}
for folder in {get_ipython_dir(), os.path.expanduser("~/.ipython"), os.environ.get("IPYTHONDIR", "")} - {""}:
    try:
        startup = pathlib.Path(folder) / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-mlroles-hostile.py").write_text("MLROLES_TAMPERED = True\n")
    except OSError:
        pass""")
    r["delete_other_submission"] = attack(FIND_COURSE + """import shutil
found = {}
for place in places:
    for other in list((place / "submitted").glob("*")) + list((place / "autograded").glob("*")):
        if other.name != "delete_other_submission":
            shutil.rmtree(other, ignore_errors=True)""")
    r["detached_process"] = attack(FIND_COURSE + f"""import subprocess, sys
subprocess.Popen([sys.executable, "-c", {LATE_PROCESS!r}, "/tmp", *map(str, places)], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
found = {{}}""")
    r["print_keys_rot13"] = attack(FIND_COURSE + """import codecs
found = {}
for place in places:
    try:
        print(codecs.encode(open(place / "solutions" / "graded_keys.csv").read(), "rot13"))
    except OSError:
        pass""")
    r["open_socket"] = lambda nb: answers_cell(nb, f"""import socket
found = {{}}
try:
    with socket.create_connection(("127.0.0.1", {LISTEN_PORT}), timeout=2) as s:
        s.sendall(b"the keys would go here")
except OSError:
    pass
graded_answers = found
""")
    # --- attacks on the grading code inside the kernel: every score is computed outside it ---
    all_shared = {i: "shared" for i in owners}
    all_mle = {i: "ml_engineer" for i in owners}
    r["fake_verified"] = lambda nb: answers_cell(nb, '''import sys, types
import mlroles
fake = types.ModuleType("mlroles.grading")
class Fake:
    def __getattr__(self, name):
        return lambda *a, **k: 18.0
fake.verified = lambda: Fake()
sys.modules["mlroles.grading"] = mlroles.grading = fake
graded_answers = {}''')
    r["patched_call_safely"] = lambda nb: answers_cell(nb, '''import re
import mlroles.checks.functions as fc
fc.call_safely = lambda fn, arg, seconds=1.0: (fn(arg), None)    # no time limit, no blanking of the cell's source
def next_need(team):
    source = get_ipython().user_ns["_ih"][-1]
    found = re.search(rf"{team.name}\\W+(data_scientist|ml_engineer|both|one_person)", source)
    return found.group(1) if found else "one_person"''', "next_need")
    r["score_as_last_value"] = lambda nb: answers_cell(nb, '''import ast
class LastValue(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body.append(ast.Expr(ast.Constant(18.0)))
        return ast.fix_missing_locations(node)
get_ipython().ast_transformers.append(LastValue())
graded_answers = {}''')
    r["forged_recording"] = lambda nb: answers_cell(nb, f'''import mlroles.exercises.recording as rec
from IPython.display import display
def forged(grade_id, answer, schema=None):
    display({{rec.MIMETYPE: {{"grade_id": grade_id, "kind": rec.manifest.find_part(grade_id).kind,
                             "answers": {all_shared!r}}}, "text/plain": "forged"}}, raw=True)
rec.record = forged
graded_answers = {{}}''')
    r["extra_recordings"] = lambda nb: answers_cell(nb, f'''from IPython.display import display
import mlroles.exercises.recording as rec
def again(result):
    for grade_id in ("graded_items", "graded_format"):
        display({{rec.MIMETYPE: {{"grade_id": grade_id, "kind": rec.manifest.find_part(grade_id).kind,
                                 "answers": {all_mle!r}}}, "text/plain": ""}}, raw=True)
get_ipython().events.register("post_run_cell", again)
graded_answers = {all_shared!r}''')
    r["zz_full_after_attacks"] = lambda nb: answers_cell(nb, f"graded_answers = {owners!r}")


def write(case, nb, folder, notebook_name, keys):
    """Write the submission, with the file-level tampering some cases need."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook_name}.ipynb"
    owners = right_owners(keys)
    if case == "renamed_notebook":
        path = folder / f"{notebook_name}_final_v2.ipynb"
    if case == "invalid_json":
        text = nbformat.writes(nb)
        path.write_text(text[: len(text) // 2])
        return
    if case == "old_format":
        path.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                    "worksheets": [{"cells": []}]}))
        return
    if case == "empty_file":
        path.write_bytes(b"")
        return
    nbformat.write(nb, str(path))
    choices = folder / f"{notebook_name}.choices.json"
    if case == "choices_corrupt":
        choices.write_text("{this is not json")
    if case == "choices_unknown_items":
        two = dict(list(owners.items())[:2])
        choices.write_text(json.dumps({"format": 1, "boards": {"graded": {
            **two, "R999": "shared", list(owners)[2]: "the boss", "<script>": "x"}}}))
