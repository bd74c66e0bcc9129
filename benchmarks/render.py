"""RESULTS.md from the figures: ``templates/RESULTS.md.j2`` holds the page's wording and layout, this module
the numbers it shows. ``render_only`` writes RESULTS.md again from a results.json, measuring nothing
(tests/test_benchmarks.py checks that the committed pair agrees).
"""
from __future__ import annotations

import json
from pathlib import Path

import jinja2

from . import grading, suite
from .core import GROUPS, HERE, Figure, fmt, say

TEMPLATE = "RESULTS.md.j2"
# A per-run reading of a figure that misses its aim, from the numbers it recorded.
ANALYSES = {"grading": grading.analysis, "tests": suite.analysis}


def table_row(f: Figure) -> dict:
    """The cells of a figure's row in its group's table."""
    s = f.stats or {}
    if f.error:
        verdict = "BROKEN: " + f.error.splitlines()[0][:160].replace("|", "/")
    elif not f.values:
        verdict = "not measured"
    else:
        verdict = {True: "meets", False: "**misses**", None: "(no aim)"}[f.met]
    return {"name": f.name, "aim": f"{f.aim} {f.unit}" if f.aim else f"— ({f.unit})",
            "min": fmt(s.get("min"), f.unit), "median": fmt(s.get("median"), f.unit), "max": fmt(s.get("max"), f.unit),
            "runs": str(len(f.values)) + (f" ({f.runs_note})" if f.runs_note and f.values else ""),
            "verdict": verdict, "note": (f.note or "").replace("|", "/")}


def context(info: dict, protocol: dict, figures: list[Figure]) -> dict:
    measured = [f for f in figures if f.values and not f.error]
    meets = sum(f.met is True for f in measured)
    misses = [f.name for f in measured if f.met is False]
    groups = []
    for group in GROUPS:
        figs = [f for f in figures if f.group == group]
        if figs:
            groups.append({"id": group, "rows": [table_row(f) for f in figs]})
    missed, seen = [], set()
    for group in GROUPS:       # in the order of the tables above
        for f in figures:
            if f.group == group and f.met is False:
                missed.append({"name": f.name, "group": f.group, "unit": f.unit, "aim": f.aim,
                               "median": fmt(f.stats["median"], f.unit), "profile": f.profile,
                               "analysis": ANALYSES[f.group](f) if f.group in ANALYSES else "",
                               "first_of_group": f.group not in seen})
                seen.add(f.group)
    return {
        "machine": info, "protocol": protocol, "groups": groups, "missed": missed,
        "summary": {"measured": len(measured), "meets": meets, "misses": misses,
                    "no_aim": len(measured) - meets - len(misses), "broken": sum(bool(f.error) for f in figures)},
        "broken": [{"name": f.name, "error": f.error.strip()[:4000]} for f in figures if f.error],
    }


def render_markdown(info: dict, protocol: dict, figures: list[Figure]) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    return env.get_template(TEMPLATE).render(context(info, protocol, figures))


def write_results(out_dir: Path, info: dict, protocol: dict, figures: list[Figure]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"machine": info, "protocol": protocol, "figures": [f.as_json() for f in figures]}
    (out_dir / "results.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    (out_dir / "RESULTS.md").write_text(render_markdown(info, protocol, figures), encoding="utf-8")


def render_only(out_dir: Path) -> int:
    """RESULTS.md again from the results.json in ``out_dir`` (after the template changed); figures unchanged."""
    data = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    figures = [Figure.from_json(d) for d in data["figures"]]
    (out_dir / "RESULTS.md").write_text(render_markdown(data["machine"], data["protocol"], figures), encoding="utf-8")
    say(f"Rewrote {out_dir / 'RESULTS.md'} from {out_dir / 'results.json'}.")
    return 0
