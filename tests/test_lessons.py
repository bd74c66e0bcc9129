"""The lessons in course/ keep the course's shape: objectives and time first, claims cited from the
registry with their checked timestamps, a chart, a widget built on mlroles, a self-check, a summary,
the link to the exercise and a references table. (nbval, run on course/ by the same command,
re-runs each lesson and compares its outputs.)"""
import json
import re
from pathlib import Path

import pytest

from mlroles import course, data

REPO = Path(__file__).resolve().parents[1]
LESSONS = [p for p in course.LESSONS if p.id != "00_start_here"]
CITATION = re.compile(r"\[([a-z0-9]+-\d{4})\]")
EXERCISE_OF = {
    "01_two_roles_two_risks": "ex1_responsibilities", "02_data_scientist_fit": "ex1_responsibilities",
    "03_ml_engineer_fit": "ex2_serving_handoff", "04_production_handoff": "ex2_serving_handoff",
    "05_skills_and_interview_signals": "ex3_job_ads", "06_one_person_coverage": "ex4_team_coverage",
}


def load(part):
    return json.loads((REPO / part.path).read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(nb):
    return [source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]


def code(nb):
    return [source(c) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def registry():
    return data.load_sources().set_index("source_id")


@pytest.mark.parametrize("part", LESSONS, ids=lambda p: p.id)
def test_lesson_shape(part):
    nb = load(part)
    first = markdown(nb)[0]
    assert first.startswith("# Lesson "), "the first cell is the lesson's title"
    assert re.search(r"Estimated time: \d+", first) and "You will learn to" in first
    sources_code = "\n".join(code(nb))
    assert "from mlroles.lessons import" in sources_code or "mlroles.lessons." in sources_code
    assert f'lesson_quiz("{part.id}")' in sources_code, "the self-check at the end"
    assert "sources.references(" in code(nb)[-1], "the references table is the last code cell"
    text = "\n".join(markdown(nb))
    assert "## Summary" in text
    exercise = EXERCISE_OF[part.id]
    assert f"../exercises/{exercise}/{exercise}.ipynb" in text, "the link to the exercise"
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert all(c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"), "committed with outputs"
    assert any("image/png" in o.get("data", {}) for o in outputs), "at least one chart"
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), "a widget"
    assert any("<table" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs), "a table"
    assert not any(o.get("output_type") == "error" for o in outputs), "no errors"
    assert not any(o.get("name") == "stderr" for o in outputs), "no warnings"


@pytest.mark.parametrize("part", LESSONS, ids=lambda p: p.id)
def test_citations_use_the_checked_timestamp_and_reach_the_references_table(part, registry):
    nb = load(part)
    text = "\n".join(markdown(nb))
    cited = CITATION.findall(text)
    assert len(cited) >= 3, "claims cite the sources registry as [source-id]"
    refs_cell = code(nb)[-1]
    listed = re.findall(r'"([a-z0-9]+-\d{4})"', refs_cell)
    assert set(cited) == set(listed), "the references table lists exactly the passages the lesson cites"
    for match in CITATION.finditer(text):
        row = registry.loc[match.group(1)]
        before = text[max(0, match.start() - 160):match.start()]
        assert row["said_at"] in before, f"[{match.group(1)}] should follow its checked timestamp {row['said_at']}"
        if row["status"] == "corrected" and row["cited_at"] != row["said_at"]:
            window = text[max(0, match.start() - 400):match.end() + 400]
            assert row["cited_at"] in window, f"say near [{match.group(1)}] that the page gives {row['cited_at']}"


def test_every_registry_row_is_cited_in_a_lesson_or_an_exercise(registry):
    texts = []
    for part in course.LESSONS:
        if (REPO / part.path).exists():
            texts.append((REPO / part.path).read_text(encoding="utf-8"))
    for folder in ("solutions", "datasets"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".ipynb", ".csv") and path.name != "sources.csv":
                texts.append(path.read_text(encoding="utf-8"))
    everything = "\n".join(texts)
    uncited = [i for i in registry.index if i not in everything]
    assert not uncited, f"cite these passages somewhere: {uncited}"
