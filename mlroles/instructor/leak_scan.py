"""Does a set of files give away a graded key? The check behind ``make learner-copy`` and the tests.

A key leaks when a file holds the rationale of a graded item (its first 60 characters), or writes a graded
item's id next to its graded label (``R21: ml_engineer``, ``"T03", "hire_ds"``). Source ids are cited
everywhere and reveal no answer alone, so they are not looked for.
"""
from __future__ import annotations

import re
from pathlib import Path

TEXT_SUFFIXES = {".py", ".ipynb", ".csv", ".md", ".json", ".txt", ".html", ".cfg", ".toml", ".yml", ".yaml"}


def text_files(root: Path):
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            yield path


def findings(texts: dict, keys: dict) -> list[str]:
    """Every leak in ``texts`` ({path: text}) of the graded ``keys`` (``answer_keys.load_graded_keys``)."""
    found = []
    for name, table in keys.items():
        for item, row in table.iterrows():
            for field, value in row.items():
                if field == "source_ids" or not isinstance(value, str) or not value:
                    continue
                if field == "rationale":
                    needle = value[:60]
                    found += [f"{path}: holds the graded rationale of {name} {item}"
                              for path, text in texts.items() if needle in text]
                else:
                    pattern = re.compile(rf"\b{re.escape(str(item))}\b\W{{1,8}}{re.escape(value)}\b")
                    found += [f"{path}: pairs {item} with its graded {field}"
                              for path, text in texts.items() if pattern.search(text)]
    return found


def scan(root: Path, keys: dict) -> list[str]:
    """Leaks of ``keys`` in every text file under ``root``, and any file or folder that holds keys by its name."""
    root = Path(root)
    texts = {path: path.read_text(encoding="utf-8", errors="ignore") for path in text_files(root)}
    named = [f"{path}: a file of keys" for path in root.rglob("graded_keys.csv")]
    named += [f"{path}: the instructor's source notebooks" for path in root.rglob("solutions") if path.is_dir()]
    return named + findings(texts, keys)
