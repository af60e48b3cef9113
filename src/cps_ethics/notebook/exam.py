"""The practice exam's way around: a progress bar, a jump list to every question, and Run All ending at question 1."""

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


# Run All ends with JupyterLab at the last cell. Once no cell of this notebook is still waiting to run, this
# brings the trainee to question 1 and makes its cell the active one. It runs only in the trainee's own session.
TO_FIRST = """
(function (el) {
  const nb = el.closest('.jp-Notebook');
  if (!nb) { return; }
  let checks = 0;
  const go = () => {
    const busy = [...nb.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
    const head = nb.querySelector('[id=' + JSON.stringify(%s) + ']');
    if ((busy || !head) && ++checks < 6000) { setTimeout(go, 100); return; }
    if (!head) { return; }
    const cell = head.closest('.jp-Cell');
    if (cell) {
      cell.dispatchEvent(new MouseEvent('mousedown', {bubbles: true, cancelable: true, button: 0}));
      cell.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, cancelable: true, button: 0}));
    }
    head.scrollIntoView({block: 'start'});
  };
  setTimeout(go, 100);
})(element);
"""


class ExamNav:
    """How far the trainee is (a progress bar) and links to every question, marked when answered."""

    def __init__(self, ctx: Context, progress_rows):
        # progress_rows(self): the progress panel's rows (text, kind, answered) for this notebook's context
        self.ctx, self._rows = ctx, progress_rows
        total = len(ctx.content["exam"]["positions"])
        self.bar = W.IntProgress(value=0, min=0, max=total, description="Answered",
                                 style={"description_width": "initial", "bar_color": "#2e6b30"}, layout=FULL)
        self.bar.add_class("cps-exam-progress")
        self.count = W.HTML(layout=FULL)
        self.jump = W.HTML(layout=FULL)
        self.widget = W.VBox([self.count, self.bar, self.jump], layout=FULL)
        ctx.listeners.append(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        rows = self._rows(self)
        total = len(rows)
        done = [bool(d) for *_, d in rows]
        self.bar.value = sum(done)
        self.count.value = (f"<h4>Your way around the exam</h4><p><b>{sum(done)} of {total}</b> questions "
                            "answered. Go to a question:</p>")
        links = []
        for n, d in enumerate(done, 1):
            mark = " &#10003;" if d else ""
            state = "answered" if d else "not answered yet"
            links.append(f"<a href='#{anchor(n, total)}' title='Question {n}: {state}' "
                         f"aria-label='Question {n}, {state}' style='display:inline-block;min-width:3.2em;"
                         f"padding:2px 4px'>{n}{mark}</a>")
        self.jump.value = f"<nav aria-label='Exam questions'>{' '.join(links)}</nav>"

    def first_question_script(self) -> str:
        """The script that brings Run All to question 1."""
        return TO_FIRST % json.dumps(anchor(1, len(self.ctx.content["exam"]["positions"])))
