"""Helpers for tests that drive JupyterLab in Debian's headless Chromium (tests/browser, tests/hub).

A course notebook shows no code: every code cell's input is collapsed, so a cell is found by its place in
the notebook (JupyterLab keeps every cell in the page, in notebook order), never by the code in it.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "out" / "test-artifacts"  # gitignored (/out/)
CELLS = ".jp-Notebook .jp-Cell"
# What must never be in sight in a trainee's notebook: the course's code, nbgrader's markers, Python words.
CODE_TEXT = re.compile(r'show\("|progress\(\)|\bimport\b|cps_ethics|grade\("|### BEGIN|### END|\bdef |print\(')
NEWS_TOAST = ".Toastify__toast"


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright; closed on exit, also when the test fails."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, url: str, width: int = 1280, height: int = 1000,
              prepare: Callable[[Page], None] | None = None) -> Page:
    """A new tab of `width` x `height` at `url` (loaded); `prepare(page)` runs first (e.g. to route requests)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    if prepare:
        prepare(page)
    page.goto(url)
    return page


def open_notebook(browser: Browser, base: str, token: str, path: str, width: int = 1280,
                  height: int = 1000) -> Page:
    """JupyterLab (server `base`, `token`) with the notebook at `path` (under its root) open and its kernel idle."""
    page = open_page(browser, f"{base}/lab/tree/{path}?token={token}", width, height)
    wait_idle(page)
    return page


def quiet_lab_settings(home: Path) -> None:
    """JupyterLab user settings in `home` (see labserver.jupyterlab) that ask about no news and no updates."""
    folder = home / "settings" / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True)
    (folder / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')


def read_notebook(path: Path, limit: float = 30) -> nbformat.NotebookNode:
    """The notebook file. Jupyter's save (and autosave) writes the file in place, after keeping a backup, so a
    read at that moment finds it empty or cut short: read again until it is whole."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return nbformat.read(path, as_version=4)
        except ValueError:  # nbformat's NotJSONError and json's JSONDecodeError
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for_saved_run(path: Path, limit: float = 60) -> None:
    """After Ctrl+S: wait until the file on disk is the run notebook (a code cell has outputs)."""
    deadline = time.monotonic() + limit
    while not any(c.get("outputs") for c in read_notebook(path).cells if c.cell_type == "code"):
        assert time.monotonic() < deadline, "Ctrl+S did not save the notebook"
        time.sleep(0.5)


def cell_index(notebook: Path, grade_id: str) -> int:
    """Position of the cell with nbgrader id `grade_id` in the notebook file."""
    nb = read_notebook(notebook)
    return next(n for n, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def output_of(page: Page, notebook: Path, ref: str):
    """The output area of the cell that shows item or scenario `ref` (nbgrader id show_<ref>)."""
    return page.locator(CELLS).nth(cell_index(notebook, f"show_{ref}")).locator(".jp-OutputArea-output").first


def wait_idle(page: Page) -> None:
    page.locator(CELLS).first.wait_for(timeout=120_000)
    page.locator(".jp-Notebook-ExecutionIndicator, #jp-main-statusbar").first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.body.innerText.includes('Idle')", timeout=120_000)


def run_all(page: Page) -> None:
    """Run menu's Run All Cells, reached from the keyboard through the command palette."""
    page.keyboard.press("Control+Shift+C")
    page.locator(".lm-CommandPalette input").wait_for(state="visible")
    page.keyboard.type("Run All Cells")
    active = page.locator(".lm-CommandPalette-item.lm-mod-active")
    active.wait_for()
    assert active.inner_text().strip() == "Run All Cells"
    page.keyboard.press("Enter")


def focused_label(page: Page) -> str:
    return page.evaluate("() => { const e = document.activeElement; return (e.labels && e.labels[0] ? "
                         "e.labels[0].textContent : e.textContent || '').replace(/\\s+/g, ' ').trim(); }")


def tab_to(page: Page, label: str, limit: int = 12) -> None:
    """Press Tab until the focused control is the one named `label` (fails if it is never reached)."""
    for _ in range(limit):
        if focused_label(page) == label:
            return
        page.keyboard.press("Tab")
    assert focused_label(page) == label, f"Tab never reached \u201c{label}\u201d"


def pick(page: Page, area, label: str) -> None:
    """Keyboard only: into the widget's first control, Tab to the option, Space to choose it."""
    first = area.locator("input[type=radio]").first
    first.wait_for(state="visible")
    first.focus()  # where a keyboard user lands when the widget is reached; every choice below is a key press
    tab_to(page, label)
    page.keyboard.press("Space")
    assert area.locator("label", has_text=label).locator("input[type=radio]").is_checked()


def option_text(key: dict, node_id: str | None, option_id: str) -> str:
    opts = key["options"] if node_id is None else next(n for n in key["nodes"] if n["id"] == node_id)["options"]
    return next(o["text"] for o in opts if o["id"] == option_id)


def answer_with_keyboard(page: Page, notebook: Path, question: tuple[str, dict, str],
                         scenario: tuple[str, dict, list[tuple[str, str]]]) -> None:
    """Keyboard only: choose one option of a graded question and walk a graded scenario step by step.
    Each is (slot id of its notebook cell, the key of what the trainee is shown, the option ids to choose)."""
    q_ref, q_key, q_pick = question
    q_area = output_of(page, notebook, q_ref)
    pick(page, q_area, option_text(q_key, None, q_pick))
    q_area.get_by_text("Saved at").wait_for(timeout=30_000)
    s_ref, s_key, steps = scenario
    s_area = output_of(page, notebook, s_ref)
    for step, (node_id, option_id) in enumerate(steps, 1):
        pick(page, s_area, option_text(s_key, node_id, option_id))
        confirm = s_area.get_by_role("button", name="Confirm this choice")
        page.wait_for_function("el => !el.disabled", arg=confirm.element_handle(), timeout=30_000)
        tab_to(page, "Confirm this choice")
        page.keyboard.press("Enter")
        s_area.locator("b", has_text="You chose:").nth(step - 1).wait_for(timeout=30_000)


def code_in_sight(page: Page) -> dict:
    """What of the notebook's code a trainee could see: editors, placeholder previews, code-like text."""
    return page.evaluate("""re => {
      const nb = document.querySelector('.jp-Notebook');
      const code = [...nb.querySelectorAll('.jp-CodeCell')];
      const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                              return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
      return {
        code_cells: code.length,
        cells: nb.querySelectorAll('.jp-Cell').length,
        editors: code.flatMap(c => [...c.querySelectorAll('.jp-InputArea-editor, .cm-editor')]).length,
        visible_editors: code.flatMap(c => [...c.querySelectorAll('.jp-InputArea-editor, .cm-editor')])
                             .filter(visible).length,
        collapsed: code.filter(c => c.querySelector('.jp-InputPlaceholder')).length,
        previews: [...nb.querySelectorAll('.jp-CodeCell .jp-PlaceholderText')].map(e => e.textContent)
                      .filter(t => t.trim()),
        code_text: (nb.textContent.match(new RegExp(re, 'g')) || []),
      };
    }""", CODE_TEXT.pattern)


def news_toasts(page: Page) -> list[str]:
    """Notification toasts on screen that ask about or bring Jupyter news or updates."""
    return [t for t in page.locator(NEWS_TOAST).all_text_contents() if re.search(r"news|update", t, re.IGNORECASE)]


def screenshots(page: Page, folder: Path, stem: str, pages: int = 8) -> list[Path]:
    """The notebook from top to bottom, one viewport per file, into `folder` (e.g. out/test-artifacts/...)."""
    folder.mkdir(parents=True, exist_ok=True)
    outer = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
    total, view = page.evaluate(f"() => {{ const e = {outer}; return e ? [e.scrollHeight, e.clientHeight] : [0, 0]; }}")
    step = max(view - 80, 200)
    out = []
    for n in range(min(pages, max(1, -(-total // step)))):
        page.evaluate(f"y => {{ const e = {outer}; if (e) e.scrollTop = y; }}", n * step)
        page.wait_for_timeout(400)
        out.append(folder / f"{stem}_{n + 1:02d}.png")
        page.screenshot(path=str(out[-1]))
    return out
