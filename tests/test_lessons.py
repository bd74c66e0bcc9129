"""The lessons in course/ keep the course's shape: objectives and time first, claims cited from the
registry with their checked timestamps (the source page's own errors only in the references table), a
picture (a chart or a concept diagram, each with alt text), a widget built on mlroles, a self-check, a summary,
the link to the exercise and a references table. (nbval, run on course/ by the same command,
re-runs each lesson and compares its outputs.)"""
import json
import re

import pytest

from mlroles import course, data
from course_helpers import REPO

LESSONS = [p for p in course.LESSONS if p.id != "00_start_here"]
CITATION = re.compile(r"\[([a-z0-9]+-\d{4})\]")
IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT = re.compile(r'\balt="([^"]*)"')
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


def html_of(output):
    return "".join(output.get("data", {}).get("text/html", ""))


def alt_of(img_tag):
    found = ALT.search(img_tag)
    return found.group(1).strip() if found else ""


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
    figures = re.findall(r"!\[([^\]]{40,})\]\((figures/[^)]+\.svg)\)", text)
    images = [tag for o in outputs for tag in IMG.findall(html_of(o))]
    charts = [o for o in outputs if "image/png" in o.get("data", {})] + images
    assert charts or figures, "at least one chart, or a diagram with alt text a screen reader can read"
    # JupyterLab shows a bare image/png output as an <img> with no alt text: a chart comes as HTML
    # (mlroles.lessons.charts.Chart) whose <img> says what it shows
    assert all(alt_of(tag) for tag in images), "every chart image has alt text"
    assert all(any(alt_of(tag) for tag in IMG.findall(html_of(o)))
               for o in outputs if "image/png" in o.get("data", {})), \
        "a PNG output also comes as an <img> with alt text (JupyterLab shows that one)"
    for _, figure in figures:
        assert (REPO / "course" / figure).is_file(), f"{figure} is shown but not in course/"
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
    prose = text.split("## References")[0]
    assert "source page" not in prose and "the page gives" not in prose, \
        "what the source page got wrong goes in the references table's checked column, not in the lesson's prose"


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


def test_a_chart_shows_as_an_image_with_its_alt_text():
    import base64

    import matplotlib
    import matplotlib.pyplot as plt

    from mlroles.lessons.charts import Chart

    matplotlib.use("Agg")
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.bar(["a", "b"], [1, 2])
    plt.close(fig)
    chart = Chart(fig, 'Two bars, "a" at 1 and\n b at 2 & more.')
    assert chart.alt == 'Two bars, "a" at 1 and b at 2 & more.', "one line, as a screen reader reads it"
    page = chart._repr_html_()
    assert IMG.fullmatch(page) and alt_of(page) == "Two bars, &quot;a&quot; at 1 and b at 2 &amp; more."
    payload = page.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(payload) == chart._repr_png_() and chart.png().startswith(b"\x89PNG")
    assert repr(chart) == f"Chart: {chart.alt}"
    with pytest.raises(ValueError, match="alt text"):
        Chart(fig, "  ")
