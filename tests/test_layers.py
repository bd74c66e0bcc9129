"""The package reads in layers: a module imports only from its own layer or the layers below it (see
mlroles/__init__.py), there is no import cycle, and a lesson never imports an exercise."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mlroles"
LAYERS = [
    {"mlroles", "mlroles.course", "mlroles.data", "mlroles.sources", "mlroles.manifest", "mlroles.graded_inputs",
     "mlroles.prediction_log", "mlroles.file_record", "mlroles.tables"},
    {"mlroles.checks"},
    {"mlroles.widgets"},
    {"mlroles.lessons", "mlroles.exercises"},
    {"mlroles.instructor"},
    {"mlroles.launch"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """A top-level module's layer is its own entry; a subpackage's module takes its subpackage's."""
    package = ".".join(module.split(".")[:2])
    for n, members in enumerate(LAYERS):
        if module in members or package in members:
            return n
    raise AssertionError(f"{module} is in no layer: add it to tests/test_layers.py and to mlroles/__init__.py")


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("mlroles"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mlroles"):
            found.add(node.module)
            # "from mlroles.instructor import cohort" imports the module mlroles.instructor.cohort
            found.update(f"{node.module}.{a.name}" for a in node.names
                         if (PACKAGE.parent / node.module.replace(".", "/") / f"{a.name}.py").is_file())
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer():
    assert len(MODULES) > 30
    for name in MODULES:
        layer_of(name)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "mlroles"))
def test_no_import_reaches_a_higher_layer(name):
    mine = layer_of(name)
    upward = sorted(m for m in imports_of(MODULES[name]) if m in MODULES and layer_of(m) > mine)
    assert not upward, f"{name} (layer {mine}) imports from a higher layer: {upward}"


def test_lessons_and_exercises_do_not_import_each_other():
    for name, path in MODULES.items():
        for other in ("lessons", "exercises"):
            if name.startswith(f"mlroles.{other}"):
                continue
            crossing = {"lessons": "exercises", "exercises": "lessons"}[other]
            if name.startswith(f"mlroles.{crossing}"):
                assert not [m for m in imports_of(path) if m.startswith(f"mlroles.{other}")], name


def test_no_import_cycle():
    graph = {name: {m for m in imports_of(path) if m in MODULES and m != name} for name, path in MODULES.items()}
    graph["mlroles"] = set()    # the package's __init__ imports no module of its own
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert not cycles, f"import cycles: {cycles[:3]}"


def test_the_layer_check_catches_an_upward_import(tmp_path):
    """The check itself: a module of the checks layer that imports the instructor's side is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from mlroles.instructor import cohort\n")
    assert max(layer_of(m) for m in imports_of(bad)) > layer_of("mlroles.checks.base")
