"""Reflections: the trainee types in a text area; the text is saved to the answers file as they type.

Nothing to double-click and no cell to edit: the words go through the same atomic store as every choice
(`Context.save`), a moment after the trainee stops typing (debounced on the kernel's event loop), and the
text area shows a word count. A reflection is capped at `store.MAX_REFLECTION_CHARS` characters; the widget
says so kindly and keeps the first part. The trainee's words are only ever a text area's value here: never
put into an HTML widget (ipywidgets typesets math in those).
"""

from __future__ import annotations

import asyncio
import html

import ipywidgets as W

from cps_ethics.store import MAX_REFLECTION_CHARS

from .widget_kit import FULL, Context

DELAY = 1.0  # seconds after the last key press before the text is saved
TOO_LONG = ("A reflection can be up to {limit:,} characters (about 3,000 words), so the part after that was not "
            "kept. Your words up to there are saved.")


def words(text: str) -> int:
    return len(text.split())


def count_line(text: str) -> str:
    n = words(text)
    return f"{n} word{'s' if n != 1 else ''}"


class Debounce:
    """Call `fn` once, `delay` seconds after the last `poke`. In a kernel the call is scheduled on its running
    event loop (where widget messages are handled); with no running loop (plain Python) it is made at once."""

    def __init__(self, fn, delay: float = DELAY):
        self.fn, self.delay = fn, delay
        self._handle: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def poke(self) -> None:
        self.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.delay <= 0:
            self.fn()
            return
        self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.fn()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def flush(self) -> None:
        """Make a pending call now."""
        if self._handle is not None:
            self.cancel()
            self.fn()


class Reflection:
    """A written answer: a text area with a word count, saved to the answers file under the reflection's id."""

    def __init__(self, ctx: Context, ref: str, delay: float = DELAY):
        self.ctx, self.ref, self.key = ctx, ref, ref
        self.spec = ctx.content["reflections"][ref]
        saved, problem = ctx.answers()
        value = saved.get(ref, {}).get("value")
        text = value[:MAX_REFLECTION_CHARS] if isinstance(value, str) else ""
        self.area = W.Textarea(value=text, placeholder="Type your reflection here.", description="Your reflection",
                               continuous_update=True, layout=W.Layout(width="100%", height="14em"),
                               style={"description_width": "initial"})
        self.count = W.HTML(count_line(text), layout=FULL)
        self.status = W.HTML(layout=FULL)
        if problem:
            self.status.value = html.escape(problem)
        elif text:
            self.status.value = "Your saved reflection is shown. You can change it until you submit."
        else:
            self.status.value = "Your words are saved as you type. There is nothing else to press."
        self._too_long = False
        self.debounce = Debounce(self._save, delay)
        self.area.observe(self._changed, names="value")
        self.widget = W.VBox([self.area, self.count, self.status], layout=FULL)
        self.widget.add_class("cps-reflection")

    def _changed(self, change) -> None:
        text = change["new"] if isinstance(change["new"], str) else ""
        if len(text) > MAX_REFLECTION_CHARS:
            self._too_long = True
            self.area.value = text[:MAX_REFLECTION_CHARS]  # observed again with the kept part
            return
        self.count.value = count_line(text)
        self.status.value = "Saving\u2026"
        self.debounce.poke()

    def _save(self) -> None:
        line = self.ctx.save(self.key, self.area.value)
        if self._too_long:
            line = f"{TOO_LONG.format(limit=MAX_REFLECTION_CHARS)} {line}"
            self._too_long = False
        self.status.value = html.escape(line)

    def flush(self) -> None:
        """Save now if a save is waiting (tests; a notebook never needs it)."""
        self.debounce.flush()

    def value(self) -> str:
        return self.area.value
