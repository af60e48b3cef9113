"""A trainee's session in a real browser: JupyterLab in headless Chromium, keyboard only, then autograde.

The trainee opens the student version, runs it from the command palette, answers a graded question
and both decisions of a graded branching scenario with Tab / Space / Enter, and saves with Ctrl+S.
Then the answers file holds exactly those choices, and nbgrader's autograde credits exactly them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from courselib import REPO
from lablib import (
    answer_with_keyboard,
    chromium,
    open_page,
    output_of,
    quiet_lab_settings,
    run_all,
    wait_for_saved_run,
    wait_idle,
)
from labserver import jupyterlab
from nbgrader.api import Gradebook
from playwright.sync_api import Page

from cps_ethics import store
from cps_ethics.authoring import build
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.course import ANSWERS_FILE, db_url
from cps_ethics.model import scoring, variants
from cps_ethics.model.content import load_course

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT, NOTEBOOK = "01_why_a_code", "why_a_code"
QUESTION, SCENARIO = "why_purpose_framework", "why_scn_day_program"
SCENARIO_PICKS = [("ask", "curious"), ("meeting", "silent")]
_SLOTS = load_course(REPO, validate=False).module(ASSIGNMENT).slots()


def _shown(trainee: str, slot: str) -> str:
    return variants.pick(trainee, slot, [x["id"] for x in _SLOTS[slot][1]])


# A trainee who is shown the question's second version and the scenario's first: the browser session goes
# through a variant end to end (shown, saved with its variant, graded as that variant).
TRAINEE = next(t for t in (f"trainee_browser_{n}" for n in range(200))
               if _shown(t, QUESTION) != QUESTION and _shown(t, SCENARIO) == SCENARIO)
QUESTION_SHOWN = _shown(TRAINEE, QUESTION)
QUESTION_PICK = next(o["id"] for o in _SLOTS[QUESTION][1][1]["options"] if o["rating"] == "best")
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


def _session(page: Page, course, student_dir: Path) -> None:
    wait_idle(page)
    run_all(page)
    nb_path = student_dir / f"{NOTEBOOK}.ipynb"
    output_of(page, nb_path, SCENARIO).locator("button", has_text="Confirm this choice").wait_for(timeout=120_000)
    page.wait_for_function("() => document.body.innerText.includes('graded items answered')", timeout=120_000)

    # A graded question (one choice), then both decisions of a branching scenario, each confirmed.
    answer_with_keyboard(page, nb_path, (QUESTION, course.find(QUESTION_SHOWN)[1], QUESTION_PICK),
                         (SCENARIO, course.find(SCENARIO)[1], SCENARIO_PICKS))
    output_of(page, nb_path, SCENARIO).get_by_text("End of this scenario.").wait_for(timeout=30_000)

    # Save with the keyboard, and wait until the file on disk is the run notebook.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    wait_for_saved_run(nb_path)


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
    build.build(course_copy, course)  # the student version made here, whatever state the repo's release/ is in
    nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course_copy)
    home = tmp_path / "home"
    quiet_lab_settings(home)
    work = tmp_path / "trainee"
    student_dir = work / ASSIGNMENT
    shutil.copytree(course_copy / "release" / ASSIGNMENT, student_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with jupyterlab(work, home, TRAINEE, ARTIFACTS / "jupyterlab.log") as (base, token), chromium() as browser:
        page = open_page(browser, f"{base}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}.ipynb?token={token}")
        try:
            _session(page, course, student_dir)
        finally:
            page.screenshot(path=str(ARTIFACTS / "trainee_session.png"), full_page=True)
        output_of(page, student_dir / f"{NOTEBOOK}.ipynb", SCENARIO).screenshot(
            path=str(ARTIFACTS / "scenario.png"))
        names = _accessible_names(page)
        cut_off = _cut_off_buttons(page)

    # Every control in the widgets has an accessible name.
    assert len(names) >= 20, names
    assert [html for html, name in names if not name] == []
    assert cut_off == [], "buttons whose label is cut off on screen"

    # The answers file holds exactly the trainee's choices.
    answers = store.read(student_dir / ANSWERS_FILE)
    expected_values = {QUESTION: QUESTION_PICK, SCENARIO: [list(s) for s in SCENARIO_PICKS]}
    assert {k: v["value"] for k, v in answers.items()} == expected_values
    assert answers[QUESTION]["variant"] == QUESTION_SHOWN != QUESTION
    # Collect and autograde it with nbgrader; the gradebook credits exactly those choices.
    submitted = course_copy / "submitted" / TRAINEE / ASSIGNMENT
    shutil.copytree(student_dir, submitted, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.lock"))
    nbgrader(["autograde", ASSIGNMENT, "--student", TRAINEE, "--force"], course_copy)
    module = course.module(ASSIGNMENT)
    keys = {x["id"]: x for x in [*module.items(), *module.scenarios()] if x["kind"] == "graded"}
    expected = {QUESTION: scoring.score_item(keys[QUESTION_SHOWN], QUESTION_PICK).points,
                SCENARIO: scoring.score_scenario(keys[SCENARIO], expected_values[SCENARIO]).points}
    assert expected[QUESTION] > 0 and 0 < expected[SCENARIO] < scoring.scenario_max(keys[SCENARIO])
    nb = nbformat.read(course_copy / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    graded_cells = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert QUESTION in graded_cells and SCENARIO in graded_cells
    with Gradebook(db_url(course_copy)) as gb:
        got = {g: gb.find_grade(g, NOTEBOOK, ASSIGNMENT, TRAINEE).score for g in graded_cells}
    assert got == {g: expected.get(g, 0.0) for g in graded_cells}
