"""A trainee's session in a real browser: JupyterLab in headless Chromium, keyboard only, then autograde.

The trainee opens the student version, runs it from the command palette, answers a graded question
and both decisions of a graded branching scenario with Tab / Space / Enter, and saves with Ctrl+S.
Then the answers file holds exactly those choices, and nbgrader's autograde credits exactly them.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import Page, sync_playwright

from cps_ethics import scoring, store
from cps_ethics.content import load_course
from cps_ethics.course import ANSWERS_FILE, db_url
from cps_ethics.runner import nbgrader

from courselib import REPO
from labserver import CHROMIUM, CHROMIUM_ARGS, jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT, NOTEBOOK = "01_why_a_code", "why_a_code"
TRAINEE = "trainee_browser"
QUESTION, QUESTION_PICK = "why_purpose_framework", "framework"
SCENARIO, SCENARIO_PICKS = "why_scn_day_program", [("ask", "curious"), ("meeting", "silent")]
ARTIFACTS = REPO / "artifacts" / "browser"
CONTROLS = ".jp-OutputArea-output :is(input, button, select, textarea)"

ACCESSIBLE_NAME = """el => {
  const text = s => (s || '').replace(/\\s+/g, ' ').trim();
  if (text(el.getAttribute('aria-label'))) return text(el.getAttribute('aria-label'));
  const by = el.getAttribute('aria-labelledby');
  if (by) { const t = text(by.split(/\\s+/).map(id => document.getElementById(id)?.textContent).join(' '));
            if (t) return t; }
  if (el.labels && el.labels.length) { const t = text([...el.labels].map(l => l.textContent).join(' '));
                                       if (t) return t; }
  if (el.tagName === 'BUTTON' && text(el.textContent)) return text(el.textContent);
  return text(el.getAttribute('title'));
}"""


def _option_text(key: dict, node_id: str | None, option_id: str) -> str:
    opts = key["options"] if node_id is None else next(n for n in key["nodes"] if n["id"] == node_id)["options"]
    return next(o["text"] for o in opts if o["id"] == option_id)


def _widget(page: Page, ref: str):
    """The output area of the notebook cell `show("<ref>")`."""
    cell = page.locator(".jp-CodeCell").filter(has=page.locator(".cm-content", has_text=f'show("{ref}")'))
    return cell.locator(".jp-OutputArea-output").first


def _focused_label(page: Page) -> str:
    return page.evaluate("() => { const e = document.activeElement; return (e.labels && e.labels[0] ? "
                         "e.labels[0].textContent : e.textContent || '').replace(/\\s+/g, ' ').trim(); }")


def _tab_to(page: Page, label: str, limit: int = 12) -> None:
    """Press Tab until the focused control is the one named `label` (fails if it is never reached)."""
    for _ in range(limit):
        if _focused_label(page) == label:
            return
        page.keyboard.press("Tab")
    assert _focused_label(page) == label, f"Tab never reached \u201c{label}\u201d"


def _pick(page: Page, area, label: str) -> None:
    """Keyboard only: into the widget's first control, Tab to the option, Space to choose it."""
    first = area.locator("input[type=radio]").first
    first.wait_for(state="visible")
    first.focus()  # where a keyboard user lands when the widget is reached; every choice below is a key press
    _tab_to(page, label)
    page.keyboard.press("Space")
    checked = area.locator("label", has_text=label).locator("input[type=radio]")
    assert checked.is_checked()


def _run_all(page: Page) -> None:
    page.keyboard.press("Control+Shift+C")  # the command palette
    page.locator(".lm-CommandPalette input").wait_for(state="visible")
    page.keyboard.type("Run All Cells")
    active = page.locator(".lm-CommandPalette-item.lm-mod-active")
    active.wait_for()
    assert active.inner_text().strip() == "Run All Cells"
    page.keyboard.press("Enter")


def _session(page: Page, url: str, course, student_dir: Path) -> None:
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    page.locator(".jp-Notebook-ExecutionIndicator, #jp-main-statusbar").first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.body.innerText.includes('Idle')", timeout=120_000)
    _run_all(page)
    _widget(page, SCENARIO).locator("button", has_text="Confirm this choice").wait_for(
        timeout=120_000)
    page.wait_for_function("() => document.body.innerText.includes('graded items answered')", timeout=120_000)

    # The graded question: one choice.
    q_key = course.find(QUESTION)[1]
    q_area = _widget(page, QUESTION)
    _pick(page, q_area, _option_text(q_key, None, QUESTION_PICK))
    q_area.get_by_text("Saved at").wait_for(timeout=30_000)

    # The branching scenario: two decisions, each chosen and then confirmed with the keyboard.
    s_key = course.find(SCENARIO)[1]
    s_area = _widget(page, SCENARIO)
    for step, (node_id, option_id) in enumerate(SCENARIO_PICKS, 1):
        _pick(page, s_area, _option_text(s_key, node_id, option_id))
        confirm = s_area.get_by_role("button", name="Confirm this choice")
        page.wait_for_function("el => !el.disabled", arg=confirm.element_handle(), timeout=30_000)
        _tab_to(page, "Confirm this choice")
        page.keyboard.press("Enter")
        s_area.locator("b", has_text="You chose:").nth(step - 1).wait_for(timeout=30_000)
    s_area.get_by_text("End of this scenario.").wait_for(timeout=30_000)

    # Save with the keyboard, and wait until the file on disk is the run notebook.
    nb_path = student_dir / f"{NOTEBOOK}.ipynb"
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 60
    while not any(c.get("outputs") for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == "code"):
        assert time.monotonic() < deadline, "Ctrl+S did not save the notebook"
        time.sleep(0.5)


def _accessible_names(page: Page) -> list[tuple[str, str]]:
    out = []
    for el in page.locator(CONTROLS).all():
        out.append((el.evaluate("e => e.outerHTML.slice(0, 120)"), el.evaluate(ACCESSIBLE_NAME)))
    return out


def _cut_off_buttons(page: Page) -> list[str]:
    """Buttons whose visible label does not fit (shown as "Start this scenari…")."""
    return [b.text_content() for b in page.locator(".jp-OutputArea-output button").all()
            if b.evaluate("e => e.scrollWidth > e.clientWidth + 1")]


def test_trainee_answers_with_the_keyboard_and_autograde_credits_exactly_that(course_copy, tmp_path):
    course = load_course(course_copy)
    home = tmp_path / "home"
    (home / "settings" / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    work = tmp_path / "trainee"
    student_dir = work / ASSIGNMENT
    shutil.copytree(course_copy / "release" / ASSIGNMENT, student_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with jupyterlab(work, home, TRAINEE, ARTIFACTS / "jupyterlab.log") as (base, token):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                url = f"{base}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}.ipynb?token={token}"
                try:
                    _session(page, url, course, student_dir)
                finally:
                    page.screenshot(path=str(ARTIFACTS / "trainee_session.png"), full_page=True)
                _widget(page, SCENARIO).screenshot(path=str(ARTIFACTS / "scenario.png"))
                names = _accessible_names(page)
                cut_off = _cut_off_buttons(page)
            finally:
                browser.close()

    # Every control in the widgets has an accessible name.
    assert len(names) >= 20, names
    assert [html for html, name in names if not name] == []
    assert cut_off == [], "buttons whose label is cut off on screen"

    # The answers file holds exactly the trainee's choices.
    answers = store.read(student_dir / ANSWERS_FILE)
    expected_values = {QUESTION: QUESTION_PICK, SCENARIO: [list(s) for s in SCENARIO_PICKS]}
    assert {k: v["value"] for k, v in answers.items()} == expected_values

    # Collect and autograde it with nbgrader; the gradebook credits exactly those choices.
    nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course_copy)
    submitted = course_copy / "submitted" / TRAINEE / ASSIGNMENT
    shutil.copytree(student_dir, submitted, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.lock"))
    nbgrader(["autograde", ASSIGNMENT, "--student", TRAINEE, "--force"], course_copy)
    module = course.module(ASSIGNMENT)
    keys = {x["id"]: x for x in [*module.items(), *module.scenarios()] if x["kind"] == "graded"}
    expected = {QUESTION: scoring.score_item(keys[QUESTION], QUESTION_PICK).points,
                SCENARIO: scoring.score_scenario(keys[SCENARIO], expected_values[SCENARIO]).points}
    assert expected[QUESTION] > 0 and 0 < expected[SCENARIO] < scoring.scenario_max(keys[SCENARIO])
    nb = nbformat.read(course_copy / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    graded_cells = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert QUESTION in graded_cells and SCENARIO in graded_cells
    with Gradebook(db_url(course_copy)) as gb:
        got = {g: gb.find_grade(g, NOTEBOOK, ASSIGNMENT, TRAINEE).score for g in graded_cells}
    assert got == {g: expected.get(g, 0.0) for g in graded_cells}
