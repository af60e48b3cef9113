"""One widget module renders every question and scenario, in practice or graded mode.

Widgets only ever *read* answers when a cell runs; they write only from a trainee's event
(a choice, a confirmed step, a "start again" click). That is what keeps answers alive when
nbgrader re-runs the notebook top to bottom at autograde. The pieces: widget_kit (shared context),
questions, scenarios; this module builds them by id and holds the progress panel.
"""

from __future__ import annotations

import html

import ipywidgets as W
from IPython.display import Javascript, display

from cps_ethics.errors import CourseError

from .exam import JUMP, ExamNav, first_question_script
from .questions import Question
from .reflections import Reflection
from .scenarios import Scenario, path_ends
from .widget_kit import FIT, FULL, Context, _contexts, context, paragraphs, shuffled, trainee_id
from .widget_kit import guard_keys  # keys pressed in a widget stay in it

__all__ = ["Context", "Progress", "Question", "Scenario", "build", "context", "paragraphs", "progress",
           "show", "shuffled", "trainee_id", "_contexts"]


def _problem(text: str):
    return W.HTML(f"<p style='color:#8a1c1c'><b>{html.escape(text)}</b></p>")


def build(ref: str, ctx: Context | None = None):
    """The widget object (Question, Scenario or Reflection) for `ref`."""
    ctx = ctx or context()
    shown = ctx.variant(ref)
    slot = ref if shown != ref or ref in ctx.content.get("slots", {}) else None
    if shown in ctx.content["items"]:
        return Question(ctx, shown, slot)
    if shown in ctx.content["scenarios"]:
        return Scenario(ctx, shown, slot)
    if shown in ctx.content.get("reflections", {}):
        return Reflection(ctx, shown)
    raise CourseError(f"'{ref}' is not part of this module. Please tell your trainer.")


def show(ref: str) -> None:
    """Display one question or scenario; "exam": the practice exam's progress bar and jump list."""
    try:
        if ref == "exam":
            ctx = context()
            if not ctx.content.get("exam"):
                raise CourseError("This notebook has no practice exam. Please tell your trainer.")
            display(ExamNav(ctx, Progress.rows).widget)
            display(Javascript(JUMP))
            return
        display(build(ref).widget)
    except CourseError as e:
        display(_problem(str(e)))
    guard_keys()


def answered(item: dict, entry) -> bool:
    """Whether a saved value answers the whole question: every situation matched, every step filled."""
    if item["type"] == "matching":
        return isinstance(entry, dict) and all(entry.get(p["id"]) for p in item["pairs"])
    if item["type"] == "ordering":
        return isinstance(entry, list) and len(entry) == len(item["steps"]) and all(entry)
    return entry not in (None, "", [], {})


class Progress:
    """Which graded items of this module have a saved answer; refreshes after every save."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.html = W.HTML(layout=FULL)
        self.refresh_button = W.Button(description="Refresh my progress", tooltip="Check which items are saved",
                                       layout=FIT)
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.widget = W.VBox([self.html, self.refresh_button], layout=FULL)
        ctx.listeners.append(self.refresh)
        self.refresh()

    def rows(self) -> list[tuple[str, str, bool | None]]:
        saved, _ = self.ctx.answers()
        out = []
        for t in self.ctx.content["tracked"]:
            if t["kind"] == "reflection":
                text = saved.get(t["id"], {}).get("value")
                out.append((self.ctx.content["reflections"][t["id"]]["prompt"], "reflection",
                            isinstance(text, str) and bool(text.strip())))
                continue
            shown = self.ctx.variant(t["id"])
            entry = saved.get(t["id"], {})
            entry = entry.get("value") if entry.get("variant", t["id"]) == shown else None
            if t["kind"] == "scenario":
                spec = self.ctx.content["scenarios"][shown]
                done = isinstance(entry, list) and bool(entry) and path_ends(spec, entry)
                out.append((spec["title"], "scenario", done))
            else:
                item = self.ctx.content["items"][shown]
                out.append((item["prompt"], "question", answered(item, entry)))
        return out

    def refresh(self) -> None:
        rows = self.rows()
        done = sum(1 for *_, d in rows if d)
        total = sum(1 for *_, d in rows if d is not None)
        lis = []
        for text, kind, d in rows:
            short = html.escape(" ".join(text.split())[:80])
            mark = "written in the notebook (saved when you save)" if d is None else ("saved" if d else "not yet")
            lis.append(f"<li>{'&#10003;' if d else '&#9675;'} {kind}: {short} \u2014 <b>{mark}</b></li>")
        self.html.value = (f"<h4>Your progress</h4><p>{done} of {total} graded items answered.</p>"
                           f"<ul>{''.join(lis)}</ul><p><small>Your course name: "
                           f"<b>{html.escape(self.ctx.trainee)}</b> (if you hand in a folder, your trainer names "
                           f"it with this)</small></p>")


def progress() -> None:
    try:
        ctx = context()
        display(Progress(ctx).widget)
        if ctx.content.get("exam"):  # the exam's last cell: after Run All, go to question 1
            display(Javascript(first_question_script(len(ctx.content["exam"]["positions"]))))
    except CourseError as e:
        display(_problem(str(e)))
    guard_keys()
