"""Keyboard only, in JupyterLab (headless Chromium): one graded question of every type, every step of a graded
scenario and a reflection, with no cell added, deleted or changed in type and no dialog.

In JupyterLab's command mode single keys are notebook shortcuts ("d d" deletes a cell, "a"/"b" insert cells,
"m"/"y"/"r" change a cell's type, arrows move between cells). The course's key guard (widget_kit.KEY_GUARD_JS)
keeps keys inside a focused widget, so drop-downs change with arrow keys and letters and the reflection box
takes any text. The reflection typed here holds "dd", "a", "b", "m" and "y" and a Shift+Enter. Then the
answers file holds exactly what the keys chose, and the notebook saved with Ctrl+S has the released cells.
Screenshots: artifacts/browser/keyboard/.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from courselib import REPO
from lablib import (
    CELLS,
    answer_with_keyboard,
    chromium,
    open_notebook,
    output_of,
    quiet_lab_settings,
    run_all,
    wait_for_saved_run,
)
from labserver import jupyterlab
from playwright.sync_api import Page

from cps_ethics import store
from cps_ethics.authoring import build
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.course import ANSWERS_FILE
from cps_ethics.model import graph, variants
from cps_ethics.model.content import load_course

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT, NOTEBOOK = "01_why_a_code", "why_a_code"
TRAINEE = "trainee_keyboard"
SHOTS = REPO / "artifacts" / "browser" / "keyboard"
TYPED = ("I added a dd note: a b m y, and an odd address.", "Then I would ask what they want.")
STRUCTURE = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c =>
  c.classList.contains('jp-CodeCell') ? 'code' : c.classList.contains('jp-MarkdownCell') ? 'markdown' :
  c.classList.contains('jp-RawCell') ? 'raw' : 'other')"""
# ipywidgets shows option labels with no-break spaces
SELECTED = "s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].text.replace(/\\u00a0/g, ' ') : null"


def _slots(module, trainee: str) -> dict[str, tuple[str, dict]]:
    """The first graded slot of each question type and the first graded scenario: (slot id, shown content)."""
    out = {}
    for sid, (kind, xs) in module.slots().items():
        if xs[0]["kind"] != "graded":
            continue
        shown = variants.pick(trainee, sid, [x["id"] for x in xs]) if len(xs) > 1 else sid
        key = next(x for x in xs if x["id"] == shown)
        out.setdefault("scenario" if kind == "scenario" else key["type"], (sid, key))
    return out


def _no_dialog(page: Page) -> None:
    assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").all_inner_texts()


def _focused_is(page: Page, element) -> bool:
    return element.evaluate("e => document.activeElement === e")


def _keys_on_select(page: Page, select, keys: list[str]) -> str | None:
    """Press `keys` on a focused drop-down; it keeps the focus and no dialog opens. Returns the option shown."""
    select.focus()
    for key in keys:
        page.keyboard.press(key)
        assert _focused_is(page, select), f"{key} took the focus out of the drop-down"
        _no_dialog(page)
    return select.evaluate(SELECTED)


def _session(page: Page, nb_path: Path, course, slots: dict, rid: str) -> dict:
    """Answer everything with the keyboard; returns what the page shows was chosen."""
    chosen = {}
    structure = page.evaluate(STRUCTURE)

    # Single choice and every step of a branching scenario (Tab to the option, Space, Tab to Confirm, Enter).
    s_id, s_key = slots["single"]
    best = next(o["id"] for o in s_key["options"] if o["rating"] == "best")
    c_id, c_key = slots["scenario"]
    path = graph.best_path(c_key)
    answer_with_keyboard(page, nb_path, (s_id, s_key, best), (c_id, c_key, path))
    output_of(page, nb_path, c_id).get_by_text("End of this scenario.").wait_for(timeout=30_000)
    chosen[s_id], chosen[c_id] = best, [list(p) for p in path]
    _no_dialog(page)

    # Multiple select: Space ticks the focused box, Tab moves to the next.
    m_id, m_key = slots["multiple"]
    area = output_of(page, nb_path, m_id)
    boxes = area.locator("input[type=checkbox]")
    want = {o["text"] for o in m_key["options"] if o["correct"]}
    boxes.first.focus()
    ticked = []
    for n in range(boxes.count()):
        label = boxes.nth(n).evaluate("e => e.closest('label').textContent.trim()")
        assert _focused_is(page, boxes.nth(n))
        if label in want:
            page.keyboard.press("Space")
            ticked.append(next(o["id"] for o in m_key["options"] if o["text"] == label))
        if n + 1 < boxes.count():
            page.keyboard.press("Tab")
    assert ticked and all(boxes.nth(n).is_checked() == (
        boxes.nth(n).evaluate("e => e.closest('label').textContent.trim()") in want) for n in range(boxes.count()))
    chosen[m_id] = sorted(ticked)
    _no_dialog(page)

    # Matching: a letter (type-ahead) on the first drop-down, arrow keys on the others.
    t_id, t_key = slots["matching"]
    texts = {c["text"]: c["id"] for c in t_key["choices"]}
    selects = output_of(page, nb_path, t_id).locator("select")
    assert selects.count() == len(t_key["pairs"])
    letter = t_key["choices"][-1]["text"][0].lower()
    shown = [_keys_on_select(page, selects.nth(0), [letter])]
    assert shown[0] in texts and shown[0].lower().startswith(letter), shown  # not left on "Choose..."
    for n in range(1, selects.count()):
        shown.append(_keys_on_select(page, selects.nth(n), ["ArrowDown"] * (n + 1)))
        assert shown[-1] in texts, shown
    # The widget lists the pairs in the trainee's own order: read which pair each drop-down matches.
    pair_of = {p["text"]: p["id"] for p in t_key["pairs"]}
    situations = output_of(page, nb_path, t_id).locator("b", has_text="Situation")
    order = [situations.nth(n).evaluate("e => e.parentElement.textContent.replace(/\\u00a0/g, ' ')"
                                        ".replace(/^Situation \\d+\\.\\s*/, '')").strip()
             for n in range(selects.count())]
    chosen[t_id] = {pair_of[text]: texts[s] for text, s in zip(order, shown)}
    _no_dialog(page)

    # Ordering: arrow keys on each step's drop-down, then a letter on the last.
    o_id, o_key = slots["ordering"]
    steps = {s["text"]: s["id"] for s in o_key["steps"]}
    selects = output_of(page, nb_path, o_id).locator("select")
    order = [_keys_on_select(page, selects.nth(n), ["ArrowDown"] * (n + 2)) for n in range(selects.count())]
    last = o_key["steps"][0]["text"]
    order[-1] = _keys_on_select(page, selects.nth(selects.count() - 1), ["Home", last[0].lower()])
    assert all(x in steps for x in order), order
    chosen[o_id] = [steps[x] for x in order]
    _no_dialog(page)

    # The reflection: type into the box (no double-click, no Enter first), with a Shift+Enter between lines.
    box = output_of(page, nb_path, rid).locator("textarea")
    box.focus()
    page.keyboard.type(TYPED[0], delay=15)
    page.keyboard.press("Shift+Enter")
    page.keyboard.type(TYPED[1], delay=15)
    assert _focused_is(page, box)
    _no_dialog(page)
    chosen[rid] = "\n".join(TYPED)
    output_of(page, nb_path, rid).get_by_text("words").first.wait_for()
    assert page.evaluate(STRUCTURE) == structure, "a key press added, deleted or changed a cell"
    return chosen


def _wait_for_file(path: Path, test, what: str, limit: float = 60) -> dict:
    deadline = time.monotonic() + limit
    while True:
        try:
            found = store.read(path)
        except store.StoreError:
            found = {}
        if test(found):
            return found
        assert time.monotonic() < deadline, f"{what} never reached {path.name}: {found}"
        time.sleep(0.5)


def test_keyboard_answers_every_widget_and_leaves_the_cells_alone(course_copy, tmp_path):
    course = load_course(course_copy)
    module = course.module(ASSIGNMENT)
    build.build(course_copy, course)
    nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course_copy)
    released = course_copy / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    released_types = [c.cell_type for c in nbformat.read(released, as_version=4).cells]
    assert all(c.metadata.get("deletable") is False and c.metadata.get("editable") is False
               for c in nbformat.read(released, as_version=4).cells)
    slots = _slots(module, TRAINEE)
    assert set(slots) == {"single", "multiple", "matching", "ordering", "scenario"}
    rid = module.reflections()[0]["id"]
    home = tmp_path / "home"
    quiet_lab_settings(home)
    work = tmp_path / "trainee"
    student_dir = work / ASSIGNMENT
    shutil.copytree(released.parent, student_dir)
    nb_path = student_dir / f"{NOTEBOOK}.ipynb"
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)

    with jupyterlab(work, home, TRAINEE, SHOTS / "jupyterlab.log") as (base, token), chromium() as browser:
        page = open_notebook(browser, base, token, f"{ASSIGNMENT}/{NOTEBOOK}.ipynb")
        run_all(page)
        output_of(page, nb_path, rid).locator("textarea").wait_for(timeout=180_000)
        page.wait_for_function("() => document.body.innerText.includes('graded items answered')",
                               timeout=120_000)
        assert page.locator(CELLS).count() == len(released_types)
        try:
            chosen = _session(page, nb_path, course, slots, rid)
            answers = _wait_for_file(student_dir / ANSWERS_FILE, lambda a: a.get(rid, {}).get("value") ==
                                     chosen[rid], "the reflection (saved as typed)")
        finally:
            page.screenshot(path=str(SHOTS / "session.png"))
        output_of(page, nb_path, rid).screenshot(path=str(SHOTS / "reflection.png"))
        output_of(page, nb_path, slots["ordering"][0]).screenshot(path=str(SHOTS / "ordering.png"))
        output_of(page, nb_path, slots["matching"][0]).screenshot(path=str(SHOTS / "matching.png"))
        # Save with the keyboard from the reflection box: Ctrl+S reaches JupyterLab (no browser dialog).
        output_of(page, nb_path, rid).locator("textarea").focus()
        page.keyboard.press("Control+s")
        wait_for_saved_run(nb_path)
        assert page.locator(CELLS).count() == len(released_types)

    assert {k: v["value"] for k, v in answers.items()} == chosen
    for sid, key in slots.values():
        if sid != key["id"]:
            assert answers[sid]["variant"] == key["id"]
    saved_types = [c.cell_type for c in nbformat.read(nb_path, as_version=4).cells]
    assert saved_types == released_types, "the saved notebook's cells differ from the released ones"
