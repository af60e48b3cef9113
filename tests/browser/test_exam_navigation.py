"""The practice exam is navigable in JupyterLab (issue 17, part 4), in headless Chromium: every question says
"Question n of 60", a progress bar counts the answered ones and names the ones left, a jump list goes to any
question, and Run All leaves the trainee at question 1 (not at the bottom of the notebook). Every wait is for a
condition on the page, never for a time."""

from __future__ import annotations

import shutil

import pytest
from courselib import REPO, copy_course
from exam_seed import seed
from lablib import output_of, run_all, wait_idle
from labserver import CHROMIUM, CHROMIUM_ARGS, jupyterlab
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from cps_ethics import store
from cps_ethics.authoring import build
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.course import ANSWERS_FILE
from cps_ethics.model import variants
from cps_ethics.model.content import load_course

pytestmark = [pytest.mark.browser, pytest.mark.slow]
EXAM, TRAINEE = "13_practice_exam", "trainee_exam_nav"
IN_VIEW = """([id, top]) => {
  const h = document.querySelector('[data-jupyter-id="' + id + '"]');
  const outer = h && h.closest('.jp-WindowedPanel-outer');
  if (!h || !outer) return false;
  const r = h.getBoundingClientRect(), o = outer.getBoundingClientRect();
  return r.top >= o.top - 2 && r.bottom <= o.top + (top ? o.height / 2 : o.height);
}"""
TEXT = "document.querySelector('.jp-Notebook').textContent"  # innerText leaves out cells not yet laid out
BAR = ".cps-exam-progress .progress-bar"


@pytest.mark.xfail(strict=False, reason=(
    "issue 17 part 4 is open: in the integrated course the exam's headings, progress bar and jump list render, "
    "but neither Run All nor a jump-list link keeps the view on its question (the view drifts back)"))
def test_the_exam_is_numbered_has_a_progress_bar_and_a_jump_list_and_run_all_ends_at_question_1(tmp_path,
                                                                                              monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    root = copy_course(tmp_path / "course")
    if not list((root / "content" / "exam").glob("*.yaml")):
        seed(root)
    course = load_course(root)
    build.build(root, course)
    nbgrader(["generate_assignment", EXAM, "--force"], root)
    exam = course.module(EXAM)
    plan = course.exam_plan(exam)
    total = len(plan["positions"])
    first_pos = next(iter(plan["positions"]))
    first = course.find(variants.exam_draw(TRAINEE, EXAM, plan)[first_pos])
    home = tmp_path / "home"
    (home / "settings" / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    student = tmp_path / "trainee" / EXAM
    shutil.copytree(root / "release" / EXAM, student)
    shots = REPO / "artifacts" / "browser" / "exam_navigation"
    shots.parent.mkdir(parents=True, exist_ok=True)
    with jupyterlab(student.parent, home, TRAINEE, tmp_path / "lab.log") as (base, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/lab/tree/{EXAM}/{exam.notebook}.ipynb?token={token}")
            wait_idle(page)
            run_all(page)
            page.locator(".cps-exam-progress").wait_for(timeout=120_000)
            # Run All is over when the last cell, the progress panel, has shown its panel and its script.
            page.wait_for_function(f"() => {TEXT}.includes('graded items answered') && "
                                   "document.querySelectorAll('.jp-RenderedJavaScript').length >= 2", timeout=300_000)
            # Run All is over: question 1 is at the top of the notebook's view and its cell is the active one.
            # Run All's question 1 is the active cell; whether the view also stays on it is checked last (below).
            page.wait_for_function("() => (document.querySelector('.jp-Notebook .jp-Cell.jp-mod-active') || "
                                   "{textContent: ''}).textContent.includes('Question 1 of')", timeout=60_000)
            try:
                page.wait_for_function(IN_VIEW, arg=[f"Question-1-of-{total}", True], timeout=60_000)
                run_all_in_view = True
            except PlaywrightTimeout:
                run_all_in_view = False
                page.evaluate("() => { const o = document.querySelector("
                              "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer'); if (o) o.scrollTop = 0; }")
                page.locator(".cps-exam-progress").first.wait_for(state="visible", timeout=60_000)
            page.screenshot(path=str(shots.with_suffix(".run_all.png")))
            # Every position says which question it is.
            text = page.evaluate(f"() => {TEXT}")
            assert all(f"Question {n} of {total}" in text for n in (1, 12, total))
            # The progress bar and the count: nothing answered yet.
            nav = page.locator(".jp-OutputArea-output", has=page.locator(".cps-exam-progress"))
            assert f"0 of {total}" in nav.inner_text() and "Not answered yet: 1, 2, 3" in nav.inner_text()
            assert page.locator(BAR).evaluate("e => parseFloat(e.style.width || '0')") == 0
            # The jump list goes to question 12, and back to question 1.
            for n in (12, 1):
                page.locator(f".jp-RenderedMarkdown a[href='#Question-{n}-of-{total}']:not(.jp-InternalAnchorLink)"
                             ).first.click()
                page.wait_for_function(IN_VIEW, arg=[f"Question-{n}-of-{total}", True], timeout=30_000)
            # Answer question 1: the bar and the count follow.
            question = output_of(page, student / f"{exam.notebook}.ipynb", first_pos)
            if question.locator("input").count():
                question.locator("input").first.check()  # a single-choice or multiple-select question
            else:
                question.locator("select").first.select_option(index=1)  # matching or ordering
            page.wait_for_function(f"() => {TEXT}.includes('1 of {total} answered')", timeout=30_000)
            assert "Not answered yet: 2, 3" in nav.inner_text()
            width = page.locator(BAR).evaluate("e => parseFloat(e.style.width || '0')")
            assert width == pytest.approx(100 / total, abs=0.5)
            page.screenshot(path=str(shots.with_suffix(".answered.png")))
        finally:
            page.screenshot(path=str(shots.with_suffix(".last.png")))
            browser.close()
    saved = store.read(student / ANSWERS_FILE)
    assert list(saved) == [first_pos] and saved[first_pos]["variant"] == first[1]["id"]
    if not run_all_in_view:  # known gap (issue 17 part 4): question 1 is selected, but the view drifts away
        pytest.xfail("after Run All question 1 is the active cell, but the view does not stay on it yet")
