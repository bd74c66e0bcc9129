"""The benchmark package (benchmarks/): importing it changes nothing, RESULTS.md is what results.json renders
to, no module of it edits the import path, and RESULTS.md's advice links lead to sections of its README.

Nothing here measures: the benchmark itself runs with ``make bench``.
"""
import ast
import difflib
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
# Scripts that also run alone and set up their own import path; this check leaves them as they are.
ADVICE_HEADING = "## What costs the time, and what could be done"


def benchmarks_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m benchmarks ARGS`` from the repository root, as ``make bench`` runs it."""
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def probe() -> dict:
    """In a fresh interpreter: import every module of the benchmarks package and say what that changed in
    the environment and in the temporary directory."""
    temp = tempfile.gettempdir()
    environ, entries = dict(os.environ), set(os.listdir(temp))
    folder = Path(importlib.util.find_spec("benchmarks").submodule_search_locations[0])   # finds, not imports
    names = ["benchmarks"] + [f"benchmarks.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"]
    for name in names:
        importlib.import_module(name)
    after = dict(os.environ)
    return {
        "imported": names,
        "environ": {k: [environ.get(k), after.get(k)] for k in set(environ) | set(after)
                    if environ.get(k) != after.get(k)},
        "new_temp_entries": sorted(set(os.listdir(temp)) - entries),
    }


def test_importing_any_benchmark_module_changes_nothing(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(temp)}
    proc = subprocess.run([sys.executable, __file__], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.splitlines()[-1])
    modules = sorted(p.stem for p in BENCH.glob("*.py"))
    assert len(found["imported"]) == len(modules)
    assert {"benchmarks.__main__", "benchmarks.core", "benchmarks.render", "benchmarks.grade_runner"} <= set(
        found["imported"])
    assert found["environ"] == {}
    assert found["new_temp_entries"] == []
    assert os.listdir(temp) == []


def test_committed_results_md_is_what_results_json_renders_to(tmp_path):
    shutil.copy(BENCH / "results.json", tmp_path / "results.json")
    proc = benchmarks_cli("--render-only", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    rendered = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    committed = (BENCH / "RESULTS.md").read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(committed.splitlines(True), rendered.splitlines(True),
                                        "benchmarks/RESULTS.md", "rendered from benchmarks/results.json", n=1))
    assert rendered == committed, "RESULTS.md and results.json disagree; `python -m benchmarks --render-only`:\n" + diff


def sys_path_uses(tree: ast.AST) -> list[int]:
    """Lines that read or change the import path: sys.path (and its hooks), from sys import path,
    site.addsitedir."""
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys"
                and node.attr in ("path", "meta_path", "path_hooks", "path_importer_cache")):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "sys" and any(
                a.name in ("path", "meta_path", "path_hooks", "path_importer_cache") for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "addsitedir":
            lines.append(node.lineno)
    return sorted(lines)


def test_sys_path_check_sees_the_ways_of_editing_the_path():
    source = "import sys\nsys.path.insert(0, 'x')\nfrom sys import path\nimport site\nsite.addsitedir('y')\n"
    assert sys_path_uses(ast.parse(source)) == [2, 3, 5]


def test_no_benchmark_module_touches_sys_path():
    checked, offenders = [], []
    for path in sorted(BENCH.rglob("*.py")):
        checked.append(path.name)
        offenders += [f"{path.relative_to(REPO)}:{line}"
                      for line in sys_path_uses(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))]
    assert {"__main__.py", "core.py", "browser.py", "browser_session.py", "grading.py"} <= set(checked)
    assert offenders == []


def github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_advice_link_leads_to_a_readme_section_and_every_section_is_linked(tmp_path):
    data = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    # the committed run has no figure of these groups; one each, so that every group is shown
    for group in ("sandbox", "content", "hub"):
        data["figures"].append({"id": f"{group}.probe", "group": group, "name": f"{group} probe", "unit": "s"})
    for f in data["figures"]:       # every figure misses its aim
        f.update(aim="< 0", values=[1.0], error=None)
    (tmp_path / "results.json").write_text(json.dumps(data), encoding="utf-8")
    proc = benchmarks_cli("--render-only", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    links = re.findall(r"\]\(README\.md#([\w-]+)\)", (tmp_path / "RESULTS.md").read_text(encoding="utf-8"))
    readme = (BENCH / "README.md").read_text(encoding="utf-8")
    assert ADVICE_HEADING in readme
    section = readme.split(ADVICE_HEADING, 1)[1].split("\n## ", 1)[0]
    anchors = [github_anchor(h) for h in re.findall(r"^### (.+)$", section, re.M)]
    assert len(links) == len(set(links)), "a group's advice is linked once"
    assert sorted(links) == sorted(anchors)


if __name__ == "__main__":
    # run by test_importing_any_benchmark_module_changes_nothing in a fresh interpreter
    print(json.dumps(probe()))
