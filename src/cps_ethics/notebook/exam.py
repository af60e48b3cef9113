"""The practice exam's way around: a progress bar, what is not answered yet, a jump list, and Run All ending at
question 1."""

from __future__ import annotations

import html
import json

import ipywidgets as W

from cps_ethics.model.exam import anchor

from .widget_kit import FULL, Context


def content_note(spec: dict) -> str:
    """HTML of an exam-only question's content note, shown before the question ('' when it has none)."""
    if not spec.get("content_note"):
        return ""
    return ("<div style='border-left:4px solid #8a5a00;padding:4px 10px;margin:4px 0 8px'>"
            f"<b>Content note.</b> {html.escape(' '.join(spec['content_note'].split()))} "
            "You can skip this question and come back to it.</div>")


# Scripts shown by the exam's own cells, so they run only in the trainee's session (outputs are cleared at
# autograde and never reach feedback). Where the view goes is decided by events, never by a time:
# - Run All's own scroll: JupyterLab scrolls to the last cell when Run All starts or, when that cell is not in the
#   page yet (far-away cells are added lazily, in idle time), as soon as it is, waiting up to 10 s for it
#   (NotebookActions.runAll, WindowedList.scrollToItem): that scroll can come after the exam's script has run.
# - Outputs render after the scroll (widget views are built asynchronously), cells are added late, the window is
#   resized: every one of these moves the heading unless the view is put back.
# So a jump (or Run All's end) makes the question's heading cell the active cell (focused, as a click on it would)
# and holds it at the top of the notebook's scrolling viewport: after every scroll made by code and every change of
# the content's size it is put back, until the trainee acts themselves (mouse wheel, touch, a click or a key): from
# then on the view is theirs and is never moved again. A newer jump replaces an older one (one hold per notebook).
SETTLE = """
const cpsNotebook = (el, id) => {  // the notebook that showed this script, else the visible one with the heading
  const own = el && el.closest ? el.closest('.jp-Notebook') : null;
  if (own) { return own; }
  const shown = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')];
  return shown.find(nb => nb.querySelector('[data-jupyter-id=' + JSON.stringify(id) + ']')) || shown[0] || null;
};
const cpsHold = (nb, id) => {
  if (nb.cpsHold) { nb.cpsHold(); }  // a newer jump replaces an older one
  const outer = nb.querySelector('.jp-WindowedPanel-outer');  // the notebook's scrolling viewport
  const content = nb.querySelector('.jp-WindowedPanel-viewport') || nb;
  const sel = '[data-jupyter-id=' + JSON.stringify(id) + ']';
  const inputs = ['wheel', 'touchstart', 'pointerdown', 'keydown'];
  let cell = null, done = false;
  const sizes = new ResizeObserver(() => place());
  const added = new MutationObserver(() => place());
  const byTrainee = ev => { if (ev.isTrusted) { stop(); } };
  const stop = () => {
    if (done) { return; }
    done = true;
    sizes.disconnect();
    added.disconnect();
    if (outer) { outer.removeEventListener('scroll', place); }
    inputs.forEach(t => window.removeEventListener(t, byTrainee, true));
    if (nb.cpsHold === stop) { delete nb.cpsHold; }
  };
  const place = () => {
    if (done) { return; }
    if (!nb.isConnected) { stop(); return; }
    if (!cell || !cell.isConnected) {
      const head = nb.querySelector(sel);
      cell = head && (head.closest('.jp-Cell') || head);
      if (!cell) { return; }  // not in the page yet: called again when cells are added
      cell.focus({preventScroll: true});  // JupyterLab makes the focused cell the active one
      sizes.observe(cell);
      if (!outer) { cell.scrollIntoView({block: 'start'}); stop(); return; }
    }
    if (!outer.clientHeight) { return; }  // its tab is hidden
    const off = cell.getBoundingClientRect().top - outer.getBoundingClientRect().top;
    if (Math.abs(off) >= 1) { outer.scrollTop += off; }  // at the end of the notebook it stops where it can
  };
  nb.cpsHold = stop;
  inputs.forEach(t => window.addEventListener(t, byTrainee, true));
  if (outer) {
    outer.addEventListener('scroll', place, {passive: true});
    sizes.observe(outer);
  }
  sizes.observe(content);
  added.observe(content, {childList: true});
  place();
};
const cpsElement = typeof element === 'undefined' ? null : element;  // JupyterLab's output node for this script
"""
# Run All ends with JupyterLab's active cell at the bottom: the exam's last cell (the progress panel) shows this,
# so it runs once every cell above it has run, and brings the trainee to question 1.
TO_FIRST = SETTLE + """
(function (id) { const nb = cpsNotebook(cpsElement, id); if (nb) { cpsHold(nb, id); } })(%s);
"""
# The jump list's links ("[12](#Question-12-of-60)" in the markdown cell above the bar) go exactly to the question
# (JupyterLab's own handler would scroll the heading once, then lose it as outputs render). One listener per page,
# on the window before anything else sees the click, for every notebook showing an exam.
JUMP = SETTLE + """
(function () {
  if (window.cpsJump) { return; }
  window.cpsJump = true;
  window.addEventListener('click', ev => {
    const a = ev.target instanceof Element ? ev.target.closest('a[href^="#Question-"]') : null;
    const nb = a && !a.classList.contains('jp-InternalAnchorLink') ? a.closest('.jp-Notebook') : null;
    if (!nb || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    cpsHold(nb, decodeURIComponent(a.getAttribute('href').slice(1)));
  }, true);
})();
"""


def first_question_script(total: int) -> str:
    """The script that brings Run All to question 1 of `total`."""
    return TO_FIRST % json.dumps(anchor(1, total))


class ExamNav:
    """How far the trainee is: a progress bar and the numbers of the questions not answered yet."""

    def __init__(self, ctx: Context, progress_rows):
        # progress_rows(self): the progress panel's rows (text, kind, answered) for this notebook's context
        self.ctx, self._rows = ctx, progress_rows
        total = len(ctx.content["exam"]["positions"])
        self.bar = W.IntProgress(value=0, min=0, max=total, description="Answered",
                                 style={"description_width": "initial", "bar_color": "#2e6b30"}, layout=FULL)
        self.bar.add_class("cps-exam-progress")
        self.count = W.HTML(layout=FULL)
        self.widget = W.VBox([self.bar, self.count], layout=FULL)
        ctx.listeners.append(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        rows = self._rows(self)
        total = len(rows)
        done = [bool(d) for *_, d in rows]
        self.bar.value = sum(done)
        self.bar.description = f"{sum(done)} of {total} answered"
        left = [str(n) for n, d in enumerate(done, 1) if not d]
        self.count.value = (f"<p><b>{sum(done)} of {total}</b> questions answered.</p>"
                            + (f"<p>Not answered yet: {', '.join(left)}.</p>" if left else
                               "<p>Every question has an answer. You can still change any of them until you "
                               "submit.</p>"))
