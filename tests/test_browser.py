"""The course in real JupyterLab, in real Chromium, as a learner and an instructor use it.

Two JupyterLabs, started as ``make lab`` and ``make instructor`` start them (see
``browser_support.LabServer``), and one Chromium serve the whole module: lessons and exercise
releases open in the learner's JupyterLab (a fresh workspace, as ``my-work/``), solutions and the
formgrader in the instructor's (a temporary copy of the course root). Every notebook gets a page
of its own, and its kernel is shut down when the test is done with it.

- Every lesson, every exercise's solution and every exercise's release: Run All; no error
  (release notebooks stop at their first NotImplementedError, by design), every widget
  drawn, no console error. A screenshot of the whole notebook goes to
  ``tests/artifacts/screenshots/``.
- Accessibility, with axe-core on the same page after Run All: no serious or critical violation,
  and no heading out of order, in the course's own part of the notebook (outputs, widgets,
  rendered markdown). JupyterLab's chrome is not the course's: one whole-page run records what
  axe says about it. A scratch notebook with badly made widgets shows the check failing.
- One test per kind of widget, clicked as a learner clicks it (the checked board and quiz go
  through axe too: the colours of the marks and the feedback); the Validate button; the
  formgrader.

Timings go to ``tests/artifacts/browser_timings.json``, console messages to
``tests/artifacts/browser_console.json``, axe's findings to ``tests/artifacts/accessibility.json``;
nothing asserts on speed.
"""
from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser_support import (
    ACCESSIBILITY_FILE,
    AXE_BLOCKING_IMPACTS,
    AXE_BLOCKING_RULES,
    CONSOLE_FILE,
    ERROR_OUTPUT,
    LAB_THEME_FINDINGS,
    NOTEBOOK_PANEL,
    REPO,
    SCREENSHOTS,
    STDERR_OUTPUT,
    TIMINGS_FILE,
    WIDGET_OUTPUT,
    WIDGETS_DRAWN_JS,
    LabServer,
    Timings,
    axe_counts,
    axe_course_problems,
    board_row,
    clear_outputs,
    click_menu,
    new_page_or_fail,
    notebook_state,
    open_notebook,
    round_trip,
    run_all,
    run_axe,
    screenshot_notebook,
    screenshot_widget,
    widget_outputs_in_model,
)
from mlroles import course
from mlroles.exercises import ex1
from mlroles.widgets.quiz import lesson_questions

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Console errors that come from JupyterLab itself, not from the course. Each entry is a
# regular expression and a note on where the message comes from. None seen so far.
KNOWN_LAB_CONSOLE_ERRORS: tuple[tuple[str, str], ...] = ()


# Run All in the browser, with the checks of _after_run_all, on one notebook per kind of widget. nbval runs
# every notebook's cells already; what only a browser shows (widgets drawn, errors drawn, accessibility) is
# checked here where each kind first appears:
#   lesson 2's threshold explorer, lesson 3's latency-budget explorer, lesson 4's threshold explorer and its
#   figures: test_run_all below;
#   the classification board (exercise 1's release), the function explorer (exercise 2's solution), the
#   job-ad reviewer (exercise 3's release) and the lesson quiz (lesson 1): the interaction tests further down,
#   right after their own Run All.
# Whether each release draws every widget its solution draws is checked without a browser, from the
# notebooks' own outputs (tests/test_release_widgets.py).
RUN_ALL_HERE = ("02_data_scientist_fit", "03_ml_engineer_fit", "04_production_handoff")


def _notebooks():
    return [pytest.param(part.path, "lesson", id=part.id) for part in course.LESSONS if part.id in RUN_ALL_HERE]


def _stem(path: str) -> str:
    """course/01_x.ipynb -> course-01_x; solutions/ex1/ex1.ipynb -> solutions-ex1."""
    parts = Path(path).with_suffix("").parts
    return "-".join(dict.fromkeys(parts))


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def timings():
    t = Timings()
    yield t
    t.write(TIMINGS_FILE, note="seconds; written by tests/test_browser.py, no assertions on speed")


@pytest.fixture(scope="module")
def console_log():
    log: dict[str, list] = {}
    yield log
    CONSOLE_FILE.parent.mkdir(parents=True, exist_ok=True)
    CONSOLE_FILE.write_text(json.dumps(log, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def accessibility_log():
    """What axe-core reported, per notebook and widget, written to tests/artifacts/accessibility.json."""
    log = {"note": "axe-core violations; 'course' counts elements in the notebook's outputs, widgets and "
                   "rendered markdown, 'theme' those of them that JupyterLab's own styling causes, 'chrome' "
                   "the rest of JupyterLab's page (out of scope). A test fails on impacts "
                   f"{', '.join(AXE_BLOCKING_IMPACTS)} and rules {', '.join(AXE_BLOCKING_RULES)} in 'course'.",
           "theme_findings": [{"rule": r, "selector": sel, "why": why} for r, sel, why in LAB_THEME_FINDINGS],
           "notebooks": {}, "widgets": {}, "chrome": None}
    yield log
    ACCESSIBILITY_FILE.parent.mkdir(parents=True, exist_ok=True)
    ACCESSIBILITY_FILE.write_text(json.dumps(log, indent=1), encoding="utf-8")


@contextmanager
def _running(server: LabServer, timings):
    try:
        timings.add("server start to ready", server.start(), mode="instructor" if server.instructor else "learner")
        yield server
    finally:
        with timings.measure("server stop"):
            server.stop()


@pytest.fixture(scope="module")
def lab(timings):
    """The learner's JupyterLab, as ``make lab`` starts it."""
    with _running(LabServer(), timings) as server:
        yield server


@pytest.fixture(scope="module")
def instructor_lab(timings):
    """The instructor's JupyterLab, as ``make instructor`` starts it."""
    with _running(LabServer(instructor=True), timings) as server:
        yield server


@pytest.fixture
def notebook(request, chromium, timings, console_log):
    """``with notebook(path) as nb``: a fresh page on ``path`` with an idle kernel, in the learner's
    JupyterLab, or the instructor's for ``solutions/``. On leaving, the page is closed, the
    notebook's kernel shut down and its console checked."""
    @contextmanager
    def open_(path: str, label: str | None = None):
        lab = request.getfixturevalue("instructor_lab" if path.startswith("solutions/") else "lab")
        nb = new_page_or_fail(chromium)
        try:
            timings.add("notebook open to kernel idle", open_notebook(nb, lab, path), notebook=path)
            yield nb
        finally:
            console_log.setdefault(label or path, []).extend(m.as_dict() for m in nb.console)
            with timings.measure("page close and kernel shutdown", notebook=path):
                nb.close()
                lab.shutdown_sessions(path)
        _assert_console_clean(nb, label or path)

    return open_


def _assert_console_clean(nb, where: str) -> None:
    unexpected = [m for m in nb.errors
                  if not any(re.search(pattern, m.text) for pattern, _ in KNOWN_LAB_CONSOLE_ERRORS)]
    assert not unexpected, f"{where}: console errors:\n" + "\n".join(f"  [{m.type}] {m.text}" for m in unexpected)


# --- accessibility ----------------------------------------------------------------------------

# The course's own part of the notebook in front: every output area and rendered markdown cell.
COURSE_PART = f"{NOTEBOOK_PANEL} .jp-OutputArea, {NOTEBOOK_PANEL} .jp-MarkdownOutput"
# The notebook whose whole page (JupyterLab's chrome included) axe also checks once, for the record.
CHROME_NOTEBOOK = course.LESSONS[1].path


def _axe_on(nb, locator) -> dict:
    """axe-core inside one widget (a locator), after it was clicked into the state to check."""
    locator.evaluate("e => e.setAttribute('data-axe-root', '')")
    try:
        return run_axe(nb, "[data-axe-root]")
    finally:
        locator.evaluate("e => e.removeAttribute('data-axe-root')")


def _accessibility_problems(nb, path: str, log: dict, timings) -> list[str]:
    """axe-core once over the course's part of the page; its blocking violations, in words."""
    result = run_axe(nb, COURSE_PART)
    timings.add("axe on the course's outputs", result["seconds"], notebook=path)
    log["notebooks"][path] = {"seconds": result["seconds"], "course": axe_counts(result, "course"),
                              "theme": axe_counts(result, "theme")}
    if path == CHROME_NOTEBOOK:
        page = run_axe(nb)
        timings.add("axe on the whole page", page["seconds"], notebook=path)
        log["chrome"] = {"notebook": path, "seconds": page["seconds"], "rules": axe_counts(page, "chrome")}
    return [f"accessibility: {p}" for p in axe_course_problems(result)]


# --- Run All on every notebook ---------------------------------------------------------------

RAW_WIDGET_TEXT = re.compile(r"\b(?:VBox|HBox|Box)\(|\b[A-Z]\w*\(children=")


def _run_problems(nb, state: dict, kind: str) -> list[str]:
    """What a learner would see go wrong after Run All, in words."""
    page, problems = nb.page, []
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    code = state["code"]
    first_error = next((c["index"] for c in code for o in c["outputs"] if o["type"] == "error"), None)

    for c in code:
        if c["empty"] or c["count"] is not None:
            continue
        if kind == "release" and first_error is not None and c["index"] > first_error:
            continue  # Run All stops at the first error, as it does for a learner
        problems.append(f"cell {c['index']} did not run")
    for c in code:
        for o in c["outputs"]:
            if o["type"] == "error":
                # a release stops where the learner's work goes: NotImplementedError, or a
                # visible test saying the function still raises it or that the board is not answered yet
                unanswered = ("no answer yet", "no role yet", "No graded")   # the visible tests' own words
                if kind == "release" and ("NotImplementedError" in f"{o['ename']}: {o['evalue']}" or (
                        o["ename"] == "AssertionError" and any(w in o["evalue"] for w in unanswered))):
                    continue
                problems.append(f"cell {c['index']} raised {o['ename']}: {o['evalue']}")
            elif o["type"] == "stream" and o["name"] == "stderr":
                problems.append(f"cell {c['index']} wrote to stderr: {o['text'].strip()[:200]}")
    if kind == "release" and first_error is None:
        problems.append("the release ran to the end: expected it to stop where the learner's work goes")

    # What is drawn: tracebacks and stderr are drawn as application/vnd.jupyter.stderr, also
    # inside widgets (ipywidgets.Output), which the model above does not see.
    model_errors = sum(o["type"] == "error" for c in code for o in c["outputs"])
    drawn_stderr = panel.locator(STDERR_OUTPUT).count()
    allowed = model_errors if kind == "release" else 0
    if drawn_stderr > allowed:
        texts = panel.locator(STDERR_OUTPUT).all_text_contents()
        problems.append(f"{drawn_stderr} error/stderr outputs drawn (expected {allowed}): "
                        + " | ".join(t.strip()[:150] for t in texts))
    if panel.locator(ERROR_OUTPUT).count():
        problems.append(f"{panel.locator(ERROR_OUTPUT).count()} application/vnd.jupyter.error outputs drawn")

    want = widget_outputs_in_model(state)
    drawn = page.evaluate(WIDGETS_DRAWN_JS)
    if sum(o["drawn"] for o in drawn) != want:
        problems.append(f"{want} widget outputs in the notebook, {sum(o['drawn'] for o in drawn)} drawn as widgets")
    failed = panel.get_by_text("Error displaying widget")
    if failed.count():
        problems.append(f"'Error displaying widget' shown {failed.count()} time(s): "
                        + " | ".join(failed.all_text_contents())[:300])
    for text in panel.locator(".jp-OutputArea-output[data-mime-type='text/plain']").all_text_contents():
        if RAW_WIDGET_TEXT.search(text):
            problems.append(f"a widget shown as raw model text: {text.strip()[:150]}")
    return problems


def _after_run_all(nb, path: str, kind: str, timings, accessibility_log) -> None:
    """What a learner sees after Run All: screenshots, then no error drawn where none belongs, every widget
    drawn as a widget, and no blocking accessibility violation in the course's part of the page."""
    state = notebook_state(nb)
    with timings.measure("screenshots", notebook=path):
        screenshot_notebook(nb, _stem(path))
    problems = _run_problems(nb, state, kind)
    problems += _accessibility_problems(nb, path, accessibility_log, timings)
    assert not problems, f"{path} after Run All:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path, kind", _notebooks())
def test_run_all(path, kind, notebook, timings, accessibility_log):
    with notebook(path) as nb:
        clear_outputs(nb)
        timings.add("run all to widgets visible", run_all(nb), notebook=path)
        _after_run_all(nb, path, kind, timings, accessibility_log)


def test_accessibility_check_fails_on_badly_made_widgets(notebook, lab, timings, accessibility_log):
    """The check test_run_all makes, on a scratch notebook in the learner's workspace with one
    badly made thing of each kind beside a well made twin: only the bad ones are reported."""
    import nbformat

    v4 = nbformat.v4
    scratch = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Scratch\n\n### A heading that skips a level"),
        v4.new_code_cell("import ipywidgets as w\nfrom IPython.display import HTML\n"
                         "w.HBox([w.Button(icon='check'), w.Button(icon='check', tooltip='Check my answers')])"),
        v4.new_code_cell("HTML('<p><span style=\"color:#c8c8c8\">✓</span> faint, '\n"
                         "     '<span style=\"color:#1b7a1b\">✓</span> as the board draws it</p>')"),
        v4.new_code_cell("w.VBox([w.Dropdown(options=['a', 'b']), w.Dropdown(options=['a', 'b'], description='named')])"),
        v4.new_code_cell("w.IntSlider(description='a slider')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path = "scratch_accessibility.ipynb"
    nbformat.write(scratch, lab.root / path)
    with notebook(path) as nb:
        run_all(nb)
        problems = _accessibility_problems(nb, path, accessibility_log, timings)
    found = accessibility_log["notebooks"][path]["course"]
    expected = {"button-name", "color-contrast", "select-name", "aria-input-field-name", "heading-order"}
    assert {p.split(" ")[1] for p in problems} == expected, "\n".join(problems)
    assert all(found[rule]["elements"] == 1 for rule in expected), found


# --- one test per kind of widget ------------------------------------------------------------

def _widget(page, **filters):
    """The top-level widget output (one cell's widget) that matches ``filters``."""
    return page.locator(WIDGET_OUTPUT).filter(**filters)


def test_classification_board_feedback_names_wrong_items(notebook, lab, timings, accessibility_log):
    path = "exercises/ex1_responsibilities/ex1_responsibilities.ipynb"
    key = dict(ex1.practice.key)
    names = {v: ex1.practice.labels.name(v) for v in ex1.practice.labels.values}
    other = {v: next(w for w in names if w != v) for v in names}
    ids = list(key)[:4]
    chosen = {ids[0]: key[ids[0]], ids[1]: other[key[ids[1]]], ids[2]: key[ids[2]], ids[3]: other[key[ids[3]]]}
    right, wrong = [ids[0], ids[2]], [ids[1], ids[3]]

    with notebook(path) as nb:
        page = nb.page
        clear_outputs(nb)
        timings.add("run all to widgets visible", run_all(nb), notebook=path)
        _after_run_all(nb, path, "release", timings, accessibility_log)
        board = _widget(page, has=page.locator(".widget-toggle-buttons"), has_text=ids[0]).first
        for n, (item, label) in enumerate(chosen.items(), start=1):
            row = board_row(page, board, item)
            button = row.locator("button", has_text=re.compile(rf"^\s*{re.escape(names[label])}\s*$"))
            timings.add("widget round trip", round_trip(
                page, button.click, board.get_by_text(re.compile(rf"\b{n} of 12 answered"))),
                widget="classification board", action="choose an owner")
            assert "mod-active" in (button.get_attribute("class") or "")
        check = board.get_by_role("button", name="Check my answers")
        feedback = board.locator(".mlroles-check")
        timings.add("widget round trip", round_trip(page, check.click, feedback),
                    widget="classification board", action="Check my answers")
        text = feedback.text_content()
        screenshot_widget(nb, board, SCREENSHOTS / "exercises-ex1_responsibilities-board-checked.png")

        assert "2 of 12 correct, 2 to rethink" in text, text
        for item in wrong:
            assert re.search(rf"\b{item}\b \(", text), f"{item} was answered wrongly but the feedback does not name it:\n{text}"
        for item in right:
            assert not re.search(rf"\b{item}\b", text), f"{item} was right but the feedback names it:\n{text}"
        for item in ids:
            mark = board_row(page, board, item).locator(".widget-html-content").first.text_content()
            assert mark.strip() == ("✓" if item in right else "✗"), (item, mark)
        # the marks and the feedback, drawn: their colours against the background, the buttons' names
        checked = _axe_on(nb, board)
        accessibility_log["widgets"]["classification board, checked"] = axe_counts(checked, "course")
        assert not axe_course_problems(checked), "\n".join(axe_course_problems(checked))
        contrast_checked = "".join(checked["passes"].get("color-contrast", []))
        assert "✓" in contrast_checked and "✗" in contrast_checked, "axe did not check the marks' contrast"

    saved = lab.root / "exercises" / "ex1_responsibilities" / "ex1_responsibilities.choices.json"
    assert json.loads(saved.read_text())["boards"]["practice"] == chosen
    assert not (REPO / "exercises" / "ex1_responsibilities" / saved.name).exists()


def test_serving_explorer_decision_follows_the_controls(notebook, timings, accessibility_log):
    path = "solutions/ex2_serving_handoff/ex2_serving_handoff.ipynb"
    with notebook(path) as nb:
        page = nb.page
        clear_outputs(nb)
        timings.add("run all to widgets visible", run_all(nb), notebook=path)
        _after_run_all(nb, path, "solution", timings, accessibility_log)
        explorer = _widget(page, has_text="Serving mode explorer").first
        decision = explorer.locator(".widget-html-content", has_text="decides:")
        assert decision.text_content().strip() == "choose_serving_mode decides: batch"
        assert decision.locator("b").text_content() == "batch"

        request_time = explorer.locator(".widget-checkbox", has_text="only known at request time").locator("input")
        online = "() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').textContent.includes('decides: online')"
        batch = "() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').textContent.includes('decides: batch')"
        timings.add("widget round trip", round_trip(page, request_time.check, online),
                    widget="serving explorer", action="tick a checkbox")
        assert decision.locator("b").text_content() == "online"
        timings.add("widget round trip", round_trip(page, request_time.uncheck, batch),
                    widget="serving explorer", action="untick a checkbox")
        freshness = explorer.get_by_label("freshness", exact=True)   # the menu is named by its label
        timings.add("widget round trip", round_trip(page, lambda: freshness.select_option(label="seconds"), online),
                    widget="serving explorer", action="choose in a dropdown")
        assert decision.locator("b").text_content() == "online"
        screenshot_widget(nb, explorer, SCREENSHOTS / "solutions-ex2_serving_handoff-explorer-online.png")


def _plain(text: str | None) -> str | None:
    """Text as written: ipywidgets draws spaces in option labels as no-break spaces and puts a
    zero-width space before a checkbox's description."""
    return None if text is None else text.replace("\xa0", " ").replace("\u200b", "").strip()


def _reviewer_state(page, reviewer) -> dict:
    select = reviewer.locator(".widget-dropdown select")
    flags = {}
    for box in reviewer.locator(".widget-checkbox").all():
        flags[_plain(box.text_content()).split(":")[0]] = box.locator("input").is_checked()
    # nothing chosen: ipywidgets draws value None as no selection at all (selectedIndex -1),
    # not as the "(choose the real role)" option
    role = select.evaluate("s => s.selectedIndex < 0 ? null : s.options[s.selectedIndex].text")
    role = _plain(role)
    return {"role": None if role == "(choose the real role)" else role,
            "flags": sorted(f for f, on in flags.items() if on),
            "where": _plain(reviewer.get_by_text(re.compile(r"Ad \d+ of \d+")).text_content())}


def test_job_ad_reviewer_choices_survive_a_fresh_kernel(notebook, lab, timings, accessibility_log):
    path = "exercises/ex3_job_ads/ex3_job_ads.ipynb"
    first = {"role": "ML engineer", "flags": ["no_team", "unicorn_scope"]}
    second = {"role": "data scientist", "flags": ["no_objectives"]}

    def graded_reviewer(page):
        reviewers = _widget(page, has=page.locator(".widget-dropdown"), has_text="Real role:")
        assert reviewers.count() == 2, "expected the practice and the graded reviewer"
        return reviewers.nth(1)

    with notebook(path, label=path + " (choosing)") as nb:
        page = nb.page
        clear_outputs(nb)
        timings.add("run all to widgets visible", run_all(nb), notebook=path)
        _after_run_all(nb, path, "release", timings, accessibility_log)
        reviewer = graded_reviewer(page)
        assert _reviewer_state(page, reviewer) == {"role": None, "flags": [],
                                                   "where": "Ad 1 of 12 · 0 reviewed"}
        timings.add("widget round trip", round_trip(
            page, lambda: reviewer.locator(".widget-dropdown select").select_option(label=first["role"]),
            reviewer.get_by_text("1 reviewed")), widget="job-ad reviewer", action="choose a role")
        for flag in first["flags"]:
            reviewer.locator(".widget-checkbox", has_text=f"{flag}:").locator("input").check()
        timings.add("widget round trip", round_trip(
            page, reviewer.get_by_role("button", name="Next ▶").click, reviewer.get_by_text("Ad 2 of 12")),
            widget="job-ad reviewer", action="Next")
        reviewer.locator(".widget-dropdown select").select_option(label=second["role"])
        reviewer.get_by_text("2 reviewed").wait_for()
        for flag in second["flags"]:
            reviewer.locator(".widget-checkbox", has_text=f"{flag}:").locator("input").check()
        saved = lab.root / "exercises" / "ex3_job_ads" / "ex3_job_ads.choices.json"
        deadline = time.time() + 10
        while time.time() < deadline:   # the kernel saves on every change
            try:
                graded = json.loads(saved.read_text())["boards"]["graded"]
                if graded.get("A04", {}).get("flags") == second["flags"]:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.1)
        graded = json.loads(saved.read_text())["boards"]["graded"]
        assert graded == {"A02": {"role": "ml_engineer", "flags": first["flags"]},
                          "A04": {"role": "data_scientist", "flags": second["flags"]}}

    # The page is closed and the kernel shut down: reopen, a fresh kernel, Run All.
    with notebook(path, label=path + " (reopened)") as nb:
        page = nb.page
        run_all(nb)
        reviewer = graded_reviewer(page)
        assert _reviewer_state(page, reviewer) == {**first, "where": "Ad 1 of 12 · 2 reviewed"}
        reviewer.get_by_role("button", name="Next ▶").click()
        reviewer.get_by_text("Ad 2 of 12").wait_for()
        assert _reviewer_state(page, reviewer) == {**second, "where": "Ad 2 of 12 · 2 reviewed"}
        practice = _widget(page, has=page.locator(".widget-dropdown"), has_text="Real role:").first
        assert _reviewer_state(page, practice)["role"] is None
        screenshot_widget(nb, reviewer, SCREENSHOTS / "exercises-ex3_job_ads-reviewer-reopened.png")
    assert not (REPO / "exercises" / "ex3_job_ads" / "ex3_job_ads.choices.json").exists()


def test_validate_button_reports_success(notebook, timings):
    path = "solutions/ex1_responsibilities/ex1_responsibilities.ipynb"
    with notebook(path) as nb:
        page = nb.page
        validate = page.locator(".jp-NotebookPanel-toolbar .jp-ToolbarButton").get_by_text("Validate", exact=True)
        dialog = page.locator(".jp-Dialog")
        timings.add("validate click to dialog", round_trip(page, validate.click, dialog, timeout=120), notebook=path)
        page.screenshot(path=str(SCREENSHOTS / "solutions-ex1_responsibilities-validate.png"))
        title = dialog.locator(".jp-Dialog-header").text_content().strip()
        body = dialog.locator(".jp-Dialog-body").text_content().strip()
        assert title == "Validation Results", title
        assert body == "Success! Your notebook passes all the tests.", body
        dialog.get_by_role("button", name="Ok").click()
        dialog.wait_for(state="detached")


def test_lesson_quiz_explains_the_chosen_options(notebook, timings, accessibility_log):
    lesson = "01_two_roles_two_risks"
    questions = list(lesson_questions(lesson).values())
    q1, q2, q3 = questions[:3]
    wrong_option = next(o for o in q1.options if o != q1.answer)
    with notebook(f"course/{lesson}.ipynb") as nb:
        page = nb.page
        clear_outputs(nb)
        timings.add("run all to widgets visible", run_all(nb), notebook=f"course/{lesson}.ipynb")
        _after_run_all(nb, f"course/{lesson}.ipynb", "lesson", timings, accessibility_log)
        quiz = _widget(page, has=page.locator(".widget-radio-box")).first
        blocks = quiz.locator(".widget-vbox:has(> .widget-radio)")
        assert blocks.count() == len(questions)
        for block, option in ((blocks.nth(0), wrong_option), (blocks.nth(1), q2.answer)):
            block.locator(".widget-radio-box label", has_text=f"({option})").click()
            expect_checked = block.locator(".widget-radio-box label", has_text=f"({option})").locator("input")
            expect_checked.wait_for()
            assert expect_checked.is_checked()
        check = quiz.get_by_role("button", name="Check my answers")
        timings.add("widget round trip", round_trip(page, check.click, blocks.nth(0).locator(".mlroles-check")),
                    widget="lesson quiz", action="Check my answers")
        feedback = [blocks.nth(i).locator(".mlroles-check").text_content() for i in range(3)]
        screenshot_widget(nb, quiz, SCREENSHOTS / f"course-{lesson}-quiz-checked.png")
        checked = _axe_on(nb, quiz)
        accessibility_log["widgets"]["lesson quiz, checked"] = axe_counts(checked, "course")
    assert not axe_course_problems(checked), "\n".join(axe_course_problems(checked))
    assert f"{q1.quiz_id}: not this one." in feedback[0] and q1.options[wrong_option]["feedback"][:40] in feedback[0]
    assert f"{q2.quiz_id}: right." in feedback[1], feedback[1]
    assert f"{q3.quiz_id}: not attempted yet" in feedback[2], feedback[2]


def test_formgrader_lists_the_four_assignments(instructor_lab, chromium, timings, console_log):
    nb = new_page_or_fail(chromium)
    try:
        page = nb.page
        page.goto(instructor_lab.lab_url())
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()
        start = time.perf_counter()
        click_menu(page, "Nbgrader", "Formgrader")
        frame = page.frame_locator(".jp-MainAreaWidget iframe").first
        names = frame.locator("table tbody tr td:first-child")
        names.filter(has_text="ex4_team_coverage").wait_for(timeout=30000)
        timings.add("formgrader open", time.perf_counter() - start)
        listed = [n.strip() for n in names.all_text_contents()]
        page.screenshot(path=str(SCREENSHOTS / "formgrader.png"))
        assert listed == [part.id for part in course.EXERCISES], listed
        assert page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").text_content().strip() == "Formgrader"
    finally:
        console_log["formgrader"] = [m.as_dict() for m in nb.console]
        nb.close()
    _assert_console_clean(nb, "formgrader")
