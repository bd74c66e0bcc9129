"""What a learner reads about each graded item once it is scored: per test cell its score, per item ✓ or ✗
with, for a wrong one, the key's reason and where to read. ``make check-work`` prints it
(mlroles.instructor.selfgrade); a feedback page at the "items" level shows it (mlroles.instructor.plugins)."""
from __future__ import annotations


def _why(keys, part, item: str) -> str:
    """The key's reason for ``item`` and where to read more, in one line (empty when unknown)."""
    from mlroles import course
    from mlroles.sources import read_in_lesson

    table = keys.get(part.dataset) if part.dataset else None
    if table is None or item not in table.index:
        return ""
    row = table.loc[item]
    sources = [s for s in str(row.get("source_ids", "")).split(";") if s]
    lesson = row.get("lesson") or course.LESSON_OF.get(part.dataset, "")
    return f"{row['rationale']} Read: {read_in_lesson(lesson, sources)}."


def _label(keys, part, item: str) -> str:
    table = keys.get(part.dataset) if part.dataset else None
    if table is None or item not in table.index:
        return item
    field = part.field or "real_role"
    return f"{item} (the key: {table.at[item, field]})"


def report_lines(autograded_nb, assignment: str, keys) -> list[str]:
    """What the learner reads for one graded notebook: per test cell its score, per item ✓ or ✗."""
    from mlroles import manifest

    lines = []
    for part in manifest.load(assignment).autograded:
        lines += part_lines(autograded_nb, part, keys)
    return lines


def part_lines(autograded_nb, part, keys, every_item: bool = False) -> list[str]:
    """One graded part: its score, then per item ✓ or ✗ with, for a wrong one, the key's reason and where to
    read. ``every_item``: the reason and where to read for the right ones too (an instructor's "items" feedback,
    after the deadline; mlroles.instructor.plugins.DropScoringDetails)."""
    from mlroles.instructor.report import cell_results, item_name, scored_items

    results = cell_results(autograded_nb, part)
    if not results:
        return [f"{part.grade_id}: not graded (the notebook stopped before this cell)."]
    lines = [f"{part.grade_id}: {results['score']:g} of {results['points']:g} "
             f"point{'' if results['points'] == 1 else 's'}"
             + ("" if results["status"] == "scored" else f" ({results['status']})")]
    items = scored_items(autograded_nb, part) or []
    if part.kind.endswith("format") or part.kind == "schema":     # one check: only say what to fix
        return lines + [f"  ✗ {i['note']}" for i in items if not i.get("right") and i.get("note")]
    dataset_items = part.kind in ("labels", "function_labels", "reviews")
    if every_item and dataset_items:
        for item in items:
            name = item_name(item)
            note = f" ({item['note']})" if item.get("note") and item["note"] not in ("wrong", "right") else ""
            mark = "✓" if item.get("right") else "✗"
            lines.append(f"  {mark} {_label(keys, part, name)}{note}. {_why(keys, part, name)}".rstrip())
        return lines
    right = [item_name(i) for i in items if i.get("right")]
    if right and len(right) < len(items):
        lines.append(f"  ✓ {len(right)} right: {', '.join(right)}")
    elif right:
        lines.append(f"  ✓ all {len(right)} right")
    for item in items:
        if item.get("right"):
            continue
        name = item_name(item)
        note = f" ({item['note']})" if item.get("note") and item["note"] != "wrong" else ""
        if dataset_items:
            lines.append(f"  ✗ {_label(keys, part, name)}{note}. {_why(keys, part, name)}".rstrip())
        else:
            lines.append(f"  ✗ {name}{note}")
    return lines
