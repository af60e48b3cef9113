"""The practice exam's way around: a progress bar, what is not answered yet, and Run All ending at question 1."""

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
# autograde and never reach feedback). JupyterLab renders far-away cells lazily, so a jump to a heading is
# repeated until the heading stays where it is (a settled layout), never for a fixed time.
SETTLE = """
const cpsPanel = () => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
const cpsGo = (panel, id, select) => {
  const head = panel.querySelector('[data-jupyter-id=' + JSON.stringify(id) + ']');
  if (!head) { return false; }
  const cell = head.closest('.jp-Cell');
  if (select && cell) {  // make it the active cell, as a click on it would
    for (const type of ['mousedown', 'mouseup']) {
      cell.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, button: 0}));
    }
  }
  // Until the heading has kept its place for 10 frames in a row (after Run All: and the kernel is idle, so
  // JupyterLab's own scrolling at the end of the run is over too).
  const idle = () => !select || (document.querySelector('.jp-Notebook-ExecutionIndicator') || {dataset: {}})
    .dataset.status !== 'busy';
  let last = null, still = 0, rounds = 0;
  const settle = () => {
    const top = Math.round(head.getBoundingClientRect().top);
    if (top !== last) { head.scrollIntoView({block: 'start'}); }
    still = top === last && idle() ? still + 1 : 0;
    last = Math.round(head.getBoundingClientRect().top);
    if (still < 10 && ++rounds < 6000) { requestAnimationFrame(settle); }
  };
  settle();
  return true;
};
"""
# Run All ends with JupyterLab's active cell at the bottom: the exam's last cell (the progress panel) shows this,
# so it runs once every cell above it has run, and brings the trainee to question 1.
TO_FIRST = SETTLE + "(function () { const p = cpsPanel(); if (p) { cpsGo(p, %s, true); } })();"
# The jump list's links ("[12](#Question-12-of-60)" in the markdown cell above the bar) go exactly to the question.
JUMP = SETTLE + """
(function () {
  const panel = cpsPanel();
  if (!panel || panel.dataset.cpsJump) { return; }
  panel.dataset.cpsJump = '1';
  panel.addEventListener('click', ev => {
    const a = ev.target.closest('a[href^="#Question-"]');
    if (!a || a.classList.contains('jp-InternalAnchorLink')) { return; }
    if (cpsGo(panel, decodeURIComponent(a.getAttribute('href').slice(1)), false)) {
      ev.preventDefault();
      ev.stopPropagation();
    }
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
