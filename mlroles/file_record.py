"""A record of files by content: ``{relative path: sha-256}`` in a small JSON file.

The learner's workspace remembers what it copied (so it never overwrites a notebook the
learner changed), and the release remembers what it wrote (so it never overwrites what a
learner wrote in place). Both ask the same question: is this file still the one we wrote?
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read(path: Path) -> dict:
    """The record at ``path``; empty when it is missing or unreadable (so every file counts as changed)."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def write(path: Path, record: dict) -> None:
    """Write the record atomically: a half-written record never replaces a whole one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
