"""The practice exam is navigable in JupyterLab (issue 17, part 4), in headless Chromium: every question says
"Question n of 60", a progress bar counts the answered ones and names the ones left, a jump list goes to any
question, and Run All leaves the trainee at question 1 (not at the bottom of the notebook). Every wait is for a
condition on the page, never for a time."""

from __future__ import annotations

import shutil

import pytest
from courselib import REPO, copy_course
from exam_seed import seed
from lablib import chromium, open_notebook, output_of, quiet_lab_settings, run_all
from labserver import jupyterlab

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
OUTER = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
ACTIVE = "(document.querySelector('.jp-Notebook .jp-Cell.jp-mod-active') || {textContent: ''}).textContent"
FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r))))"
LINK_IN_VIEW = f"""sel => {{
  const a = document.querySelector(sel), o = {OUTER};
  if (!a || !o) return false;
  const r = a.getBoundingClientRect(), v = o.getBoundingClientRect();
  return r.top >= v.top && r.bottom <= v.bottom;
}}"""


def link(total: int, n: int) -> str:
    return f".jp-RenderedMarkdown a[href='#Question-{n}-of-{total}']:not(.jp-InternalAnchorLink)"


def on_question(page, total: int, n: int, timeout: int = 60_000) -> None:
    """Question n's heading is in the top half of the notebook's view and its cell is the active one."""
    page.wait_for_function(IN_VIEW, arg=[f"Question-{n}-of-{total}", True], timeout=timeout)
    page.wait_for_function(f"() => {ACTIVE}.includes('Question {n} of {total}')", timeout=timeout)


def scrolled_away_by_code(page, total: int, n: int) -> None:
    """Scroll the notebook to its end by code, as JupyterLab's own scroll to the last cell does, and check the
    view comes back to question n."""
    moved = page.evaluate(f"""id => {{
      const o = {OUTER}; o.scrollTo({{top: o.scrollHeight}});
      const h = document.querySelector('[data-jupyter-id="' + id + '"]');
      return h.getBoundingClientRect().bottom < o.getBoundingClientRect().top;
    }}""", f"Question-{n}-of-{total}")
    assert moved, "the scroll by code did not move the view"
    on_question(page, total, n, timeout=30_000)


def wheel_up_to_jump_list(page, total: int) -> None:
    """The trainee scrolls up with the mouse wheel until the jump list is in view; it stays there."""
    box = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(200):
        if page.evaluate(LINK_IN_VIEW, link(total, 12)):
            break
        page.mouse.wheel(0, -400)
        page.evaluate(FRAMES)
    assert page.evaluate(LINK_IN_VIEW, link(total, 12)), "the mouse wheel never brought the jump list into view"
    # Not yanked back: the layout changes (the window is resized, every observer runs), the view stays theirs.
    for height in (860, 900):
        page.set_viewport_size({"width": 1280, "height": height})
        page.evaluate(FRAMES)
    assert page.evaluate(LINK_IN_VIEW, link(total, 12)), "the view was moved away from where the trainee scrolled"


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
    quiet_lab_settings(home)
    student = tmp_path / "trainee" / EXAM
    shutil.copytree(root / "release" / EXAM, student)
    shots = REPO / "artifacts" / "browser" / "exam_navigation"
    shots.parent.mkdir(parents=True, exist_ok=True)
    with jupyterlab(student.parent, home, TRAINEE, tmp_path / "lab.log") as (base, token), chromium() as browser:
        page = open_notebook(browser, base, token, f"{EXAM}/{exam.notebook}.ipynb", height=900)
        try:
            run_all(page)
            page.locator(".cps-exam-progress").wait_for(timeout=120_000)
            # Run All is over when the last cell, the progress panel, has shown its panel (and its script).
            page.wait_for_function(f"() => {TEXT}.includes('graded items answered')", timeout=300_000)
            # Run All is over: question 1's heading is at the top of the notebook's view and its cell is the active
            # one; when the notebook is scrolled by code (JupyterLab's own scroll to the last cell), it comes back.
            on_question(page, total, 1)
            scrolled_away_by_code(page, total, 1)
            page.screenshot(path=str(shots.with_suffix(".run_all.png")))
            # Every position says which question it is.
            text = page.evaluate(f"() => {TEXT}")
            assert all(f"Question {n} of {total}" in text for n in (1, 12, total))
            # The progress bar and the count: nothing answered yet.
            nav = page.locator(".jp-OutputArea-output", has=page.locator(".cps-exam-progress"))
            assert f"0 of {total}" in nav.inner_text() and "Not answered yet: 1, 2, 3" in nav.inner_text()
            assert page.locator(BAR).evaluate("e => parseFloat(e.style.width || '0')") == 0
            # The jump list goes to question 12, and back to question 1; the trainee scrolls up to it with the
            # mouse wheel each time (and keeps that view), as a trainee would.
            for n in (12, 1):
                wheel_up_to_jump_list(page, total)
                page.locator(link(total, n)).first.click()
                on_question(page, total, n, timeout=30_000)
            scrolled_away_by_code(page, total, 1)
            # Answer question 1: the bar and the count follow.
            question = output_of(page, student / f"{exam.notebook}.ipynb", first_pos)
            if question.locator("input").count():
                question.locator("input").first.check()  # a single-choice or multiple-select question
            else:
                # matching or ordering: counted as answered once every drop-down has a choice
                selects = question.locator("select")
                for n in range(selects.count()):
                    offered = selects.nth(n).locator("option").count() - 1  # after "Choose..."
                    selects.nth(n).select_option(index=1 + n % offered)
            page.wait_for_function(f"() => {TEXT}.includes('1 of {total} answered')", timeout=30_000)
            assert "Not answered yet: 2, 3" in nav.inner_text()
            width = page.locator(BAR).evaluate("e => parseFloat(e.style.width || '0')")
            assert width == pytest.approx(100 / total, abs=0.5)
            page.screenshot(path=str(shots.with_suffix(".answered.png")))
        finally:
            page.screenshot(path=str(shots.with_suffix(".last.png")))
    saved = store.read(student / ANSWERS_FILE)
    assert list(saved) == [first_pos] and saved[first_pos]["variant"] == first[1]["id"]
