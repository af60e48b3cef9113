"""Question widgets: single choice, multiple select, matching and ordering, in practice or graded mode."""

from __future__ import annotations

import html

import ipywidgets as W

from .exam import content_note
from .widget_kit import FULL, Context, paragraphs, shuffled

# A drop-down's "nothing chosen" entry has the value "" and not None: ipywidgets turns a value of None into an
# index of None and sends that back to the browser, which then blanks the drop-down. A key pressed before that
# message arrives (Home, then a letter) was lost. value() reports "" as not chosen.
CHOOSE = ("Choose\u2026", "")


class Question:
    """A question widget. `controls` are the trainee's inputs; `value()` is what gets saved."""

    def __init__(self, ctx: Context, ref: str, slot: str | None = None):
        # `ref` is what is shown (a variant); answers are saved under `key`, the slot, with the variant.
        self.ctx, self.ref, self.key, self.slot = ctx, ref, slot or ref, slot
        self.spec = ctx.content["items"][ref]
        self.practice = self.spec["kind"] == "practice"
        self.status = W.HTML(layout=FULL)
        self._restoring = False
        self.controls: list[W.Widget] = []
        build = {"single": self._single, "multiple": self._multiple, "matching": self._matching,
                 "ordering": self._ordering}[self.spec["type"]]
        body = build()
        tag = "Practice (not graded)" if self.practice else f"Graded question ({self.spec['points']} point" + (
            "s)" if self.spec["points"] != 1 else ")")
        head = W.HTML(f"{content_note(self.spec)}<p><b>{tag}</b></p>{paragraphs(self.spec['prompt'])}", layout=FULL)
        self.widget = W.VBox([head, body, self.status], layout=FULL)
        saved, problem = ctx.answers()
        if problem:
            self.status.value = html.escape(problem)
        elif self.key in saved and saved[self.key].get("variant", self.key) == ref:
            self._restore(saved[self.key]["value"])
            shown = self.value()
            if not self.practice and (any(shown) if isinstance(shown, (list, dict)) else shown):
                self.status.value = "Your saved answer is shown. You can change it until you submit."
        for c in self.controls:
            c.observe(self._changed, names="value")

    def _order(self, seq: list[dict]) -> list[dict]:
        return shuffled(seq, self.ctx.trainee, self.ref)

    def _single(self):
        opts = self._order(self.spec["options"])
        self.radio = W.RadioButtons(options=[(o["text"], o["id"]) for o in opts], value=None,
                                    description="Your answer", layout=FULL,
                                    style={"description_width": "initial"})
        self.controls = [self.radio]
        return self.radio

    def _multiple(self):
        opts = self._order(self.spec["options"])
        self.boxes = {o["id"]: W.Checkbox(value=False, description=o["text"], indent=False, layout=FULL)
                      for o in opts}
        self.controls = list(self.boxes.values())
        return W.VBox([W.HTML("<i>Choose all that apply.</i>"), *self.controls], layout=FULL)

    def _matching(self):
        choices = [CHOOSE] + [(c["text"], c["id"]) for c in self.spec["choices"]]
        rows, self.drops = [], {}
        for n, pair in enumerate(self._order(self.spec["pairs"]), 1):
            d = W.Dropdown(options=choices, value="", description=f"Situation {n} matches",
                           style={"description_width": "initial"})
            self.drops[pair["id"]] = d
            rows += [W.HTML(f"<b>Situation {n}.</b> {html.escape(pair['text'])}", layout=FULL), d]
        self.controls = list(self.drops.values())
        return W.VBox(rows, layout=FULL)

    def _ordering(self):
        steps = [CHOOSE] + [(s["text"], s["id"]) for s in self._order(self.spec["steps"])]
        self.slots = [W.Dropdown(options=steps, value="", description=f"Step {n}",
                                 style={"description_width": "initial"}, layout=W.Layout(width="95%"))
                      for n in range(1, len(self.spec["steps"]) + 1)]
        self.controls = list(self.slots)
        return W.VBox([W.HTML("<i>Put the steps in order: choose what comes first, then second, and so on.</i>"),
                       *self.slots], layout=FULL)

    def value(self):
        t = self.spec["type"]
        if t == "single":
            return self.radio.value
        if t == "multiple":
            return [k for k, b in self.boxes.items() if b.value]
        if t == "matching":
            return {k: d.value for k, d in self.drops.items() if d.value}
        return [d.value or None for d in self.slots]

    def _restore(self, value) -> None:
        self._restoring = True
        try:
            t = self.spec["type"]
            if t == "single" and value in {o["id"] for o in self.spec["options"]}:
                self.radio.value = value
            elif t == "multiple" and isinstance(value, list):
                for k, b in self.boxes.items():
                    b.value = k in value
            elif t == "matching" and isinstance(value, dict):
                for k, d in self.drops.items():
                    if k in value and value[k] in [v for _, v in d.options]:
                        d.value = value[k]
            elif t == "ordering" and isinstance(value, list):
                for d, v in zip(self.slots, value):
                    if v in [x for _, x in d.options]:
                        d.value = v
        finally:
            self._restoring = False

    def _changed(self, change) -> None:
        if self._restoring:
            return
        value = self.value()
        if self.practice:
            self.status.value = self._practice_feedback(value)
            return
        if value is None:
            return
        self.status.value = html.escape(self.ctx.save(self.key, value, self.ref if self.slot else None))

    def _practice_feedback(self, value) -> str:
        s = self.spec
        if s["type"] == "single":
            opt = next(o for o in s["options"] if o["id"] == value)
            verdict = {"best": "A strong choice.", "acceptable": "Partly there.", "harmful": "Think again."}
            return f"<b>{verdict[opt['rating']]}</b> {html.escape(opt['feedback'])}"
        if s["type"] == "multiple":
            parts = [f"{html.escape(o['text'])}: {html.escape(o['feedback'])}" for o in s["options"] if o["id"] in value]
            done = sorted(value) == sorted(o["id"] for o in s["options"] if o["correct"])
            head = "<b>That is the full set.</b>" if done else "<b>Keep going, or look again.</b>"
            return head + "<ul>" + "".join(f"<li>{p}</li>" for p in parts) + "</ul>"
        if s["type"] == "matching":
            right = sum(1 for p in s["pairs"] if value.get(p["id"]) == p["answer"])
            return f"<b>{right} of {len(s['pairs'])} matched well.</b> {html.escape(s['rationale'])}" if len(
                value) == len(s["pairs"]) else "Choose a match for every situation to see feedback."
        if None in value:
            return "Fill every step to see feedback."
        ok = value == s["answer"]
        return ("<b>That order works.</b> " if ok else "<b>Not quite.</b> ") + html.escape(s["rationale"])
