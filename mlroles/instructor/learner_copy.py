"""What a cohort receives: ``make learner-copy DEST=folder`` (``python -m mlroles.instructor.learner_copy DEST``).

This repository holds the keys (``solutions/``: worked solutions and ``graded_keys.csv``), so a cohort gets
this copy, never a clone. The copy holds the lessons, the exercise releases, the datasets, the package and
its install files, a README with the learner's part only, and a Makefile whose ``make lab`` sets up and opens
the course as here. It never holds ``solutions/``, a keys file, the tests, the benchmarks, the hub's files,
nbgrader's course configuration or an instructor's run folders. Before it is left in place, the copy is
scanned for keys (``mlroles.instructor.leak_scan``) with the keys of this repository; a copy with a finding is removed.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from mlroles.instructor import course_root

PARTS = ("course", "exercises", "datasets", "mlroles", "pyproject.toml", "environment.yml", "LICENSE")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.choices.json", "*.egg-info",
                                ".jupyter-course", "*.course-update.*", ".release-record.json")
MARKER = ".learner-copy"

MAKEFILE = """\
# A learner's copy of the course. `make lab` sets up (first time only) and opens the course in JupyterLab.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
LAB_ARGS ?=

.PHONY: lab
lab: $(STAMP)
\t@$(BIN)/python -m mlroles.launch.lab $(LAB_ARGS)

$(STAMP): pyproject.toml
\t@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
\t$(BIN)/python -m pip install --quiet --upgrade pip
\t$(BIN)/python -m pip install --quiet -e .
\t@touch $(STAMP)
"""


class CopyError(RuntimeError):
    """The copy cannot be written where asked; the message says what to do."""


def learner_readme(repo: Path) -> str:
    """The README's title, introduction and learner part, with the commands a copy has."""
    text = (repo / "README.md").read_text(encoding="utf-8")
    head, _, rest = text.partition("## For learners")
    learner = "## For learners" + rest.split("\n## ", 1)[0]
    head = head.replace("make test   # set up (first time only) and run the whole test suite\n", "")
    # the self-grading command needs the keys, which a learner's copy does not hold
    learner = "\n".join(line for line in learner.splitlines() if "make check-work" not in line)
    lines = [line for line in head.splitlines() if not line.startswith("Both commands need only")]
    return ("\n".join(lines).rstrip() + "\n\n`make lab` needs only Python 3.11 or newer and `make`; the first run "
            "creates a virtual environment in `.venv/` and installs the course into it.\n\n" + learner.rstrip()
            + "\n\nThis is a learner's copy of the course: it holds no answer keys. Your instructor's feedback "
            "tells you how your graded exercises went.\n")


def write(dest: Path, repo: Path | None = None, keys_file: Path | None = None, out=print) -> Path:
    """Write the learner's copy into ``dest`` (new or empty, or an earlier learner's copy, which is replaced)."""
    from mlroles.instructor import leak_scan
    from mlroles.instructor.answer_keys import load_graded_keys

    dest, repo = Path(dest).resolve(), Path(repo or course_root.find()).resolve()
    if dest == repo or repo in dest.parents:
        raise CopyError(f"{dest} is inside the course repository: write the copy somewhere else.")
    if dest.exists() and any(dest.iterdir()):
        if not (dest / MARKER).exists():
            raise CopyError(f"{dest} is not empty and is not an earlier learner's copy: choose a new or empty folder.")
        shutil.rmtree(dest)
    keys_file = Path(keys_file or repo / "solutions" / "graded_keys.csv")
    if not keys_file.is_file():
        raise CopyError(f"{keys_file} is missing: the copy is checked against the keys, so it needs them.")
    keys = load_graded_keys(keys_file)
    dest.mkdir(parents=True, exist_ok=True)
    for name in PARTS:
        src = repo / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    (dest / "README.md").write_text(learner_readme(repo), encoding="utf-8")
    (dest / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    (dest / MARKER).write_text("written by make learner-copy; holds no keys\n", encoding="utf-8")
    leaks = leak_scan.scan(dest, keys)
    if leaks:
        shutil.rmtree(dest, ignore_errors=True)
        raise CopyError("The copy would give away keys, so it was removed:\n  " + "\n  ".join(leaks[:20]))
    files = sum(1 for p in dest.rglob("*") if p.is_file())
    out(f"Learner's copy: {files} files in {dest}; the key scan found nothing. Hand out this folder (or an archive "
        "of it), not a clone of the repository, which holds the keys. In it, `make lab` opens the course.")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlroles.instructor.learner_copy", description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="a new or empty folder (or an earlier learner's copy, replaced)")
    args = parser.parse_args(argv)
    try:
        write(args.dest)
    except CopyError as exc:
        print(exc)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
