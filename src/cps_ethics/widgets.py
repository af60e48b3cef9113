"""One widget module renders every question and scenario, in practice or graded mode.

Widgets only ever *read* answers when a cell runs; they write only from a trainee's event
(a choice, a confirmed step, a "start again" click). That is what keeps answers alive when
nbgrader re-runs the notebook top to bottom at autograde.
"""

from __future__ import annotations

import hashlib
import html
import os
import random
from datetime import datetime
from pathlib import Path

import ipywidgets as W
from IPython.display import display

from . import public
from .course import instructor_preview_dir
from .errors import CourseError
from .store import AnswerStore, StoreError

FULL = W.Layout(width="100%")
FIT = W.Layout(width="auto", align_self="flex-start")  # as wide as its label (the default cuts labels off)
SAVED_GRADED = "Saved at {time}. You can change this answer until you submit the assignment."


def trainee_id() -> str:
    for var in ("JUPYTERHUB_USER", "NB_USER", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "trainee"


def shuffled(seq: list, trainee: str, owner: str) -> list:
    """The trainee's own option order: fixed for a trainee and item, different across trainees."""
    seed = int(hashlib.sha256(f"{trainee}:{owner}".encode()).hexdigest()[:16], 16)
    out = list(seq)
    random.Random(seed).shuffle(out)
    return out


def paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.strip().split("\n\n") if p.strip())


class Context:
    """What every widget of one notebook shares: its public content, answers store, trainee and listeners."""

    def __init__(self, folder: Path | None = None, trainee: str | None = None, content: dict | None = None,
                 answers_folder: Path | None = None):
        folder = Path(folder or Path.cwd())
        self.content = content if content is not None else public.load(folder)
        preview = answers_folder or instructor_preview_dir(folder)
        self.preview = preview is not None
        self.store = AnswerStore(preview or folder)
        self.trainee = trainee or trainee_id()
        self.listeners: list = []

    def answers(self) -> tuple[dict, str | None]:
        try:
            return self.store.answers(), None
        except StoreError as e:
            return {}, f"Your saved answers could not be read ({e}). Your next choice starts a fresh file."

    def save(self, ref: str, value) -> str:
        """Record an answer; returns the line to show the trainee."""
        try:
            note = self.store.record(ref, value)
        except OSError as e:
            return f"Could not save your answer ({e.strerror or e}). Please tell your trainer."
        for fn in list(self.listeners):
            fn()
        line = SAVED_GRADED.format(time=datetime.now().strftime("%H:%M"))
        if self.preview:
            line += " (Instructor preview: saved outside source/.)"
        return f"{line} {note}" if note else line


_contexts: dict[str, Context] = {}


def context() -> Context:
    key = str(Path.cwd().resolve())
    if key not in _contexts:
        _contexts[key] = Context()
    return _contexts[key]


class Question:
    """A question widget. `controls` are the trainee's inputs; `value()` is what gets saved."""

    def __init__(self, ctx: Context, ref: str):
        self.ctx, self.ref = ctx, ref
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
        head = W.HTML(f"<p><b>{tag}</b></p>{paragraphs(self.spec['prompt'])}", layout=FULL)
        self.widget = W.VBox([head, body, self.status], layout=FULL)
        saved, problem = ctx.answers()
        if problem:
            self.status.value = html.escape(problem)
        elif ref in saved:
            self._restore(saved[ref]["value"])
            if not self.practice:
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
        choices = [("Choose\u2026", None)] + [(c["text"], c["id"]) for c in self.spec["choices"]]
        rows, self.drops = [], {}
        for n, pair in enumerate(self._order(self.spec["pairs"]), 1):
            d = W.Dropdown(options=choices, value=None, description=f"Situation {n} matches",
                           style={"description_width": "initial"})
            self.drops[pair["id"]] = d
            rows += [W.HTML(f"<b>Situation {n}.</b> {html.escape(pair['text'])}", layout=FULL), d]
        self.controls = list(self.drops.values())
        return W.VBox(rows, layout=FULL)

    def _ordering(self):
        steps = [("Choose\u2026", None)] + [(s["text"], s["id"]) for s in self._order(self.spec["steps"])]
        self.slots = [W.Dropdown(options=steps, value=None, description=f"Step {n}",
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
            return {k: d.value for k, d in self.drops.items() if d.value is not None}
        return [d.value for d in self.slots]

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
        self.status.value = html.escape(self.ctx.save(self.ref, value))

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


class Scenario:
    """A branching scenario: one decision at a time; the path so far is the saved answer."""

    def __init__(self, ctx: Context, ref: str):
        self.ctx, self.ref = ctx, ref
        self.spec = ctx.content["scenarios"][ref]
        self.practice = self.spec["kind"] == "practice"
        saved, problem = ctx.answers()
        path = saved.get(ref, {}).get("value") if ref in saved else []
        self.path: list[list[str]] = self._valid_prefix(path if isinstance(path, list) else [])
        self.status = W.HTML(html.escape(problem) if problem else "", layout=FULL)
        self.body = W.VBox(layout=FULL)
        tag = "Practice scenario (not graded)" if self.practice else "Graded scenario"
        self.widget = W.VBox([W.HTML(f"<h4>{html.escape(self.spec['title'])}</h4><p><i>{tag}</i></p>"),
                              self.body, self.status], layout=FULL)
        self.render()

    def _valid_prefix(self, path: list) -> list[list[str]]:
        out, nid, nodes = [], self.spec["start"], self.spec["nodes"]
        for step in path:
            if not (isinstance(step, list) and len(step) == 2 and step[0] == nid):
                break
            opt = next((o for o in nodes[nid].get("options", []) if o["id"] == step[1]), None)
            if opt is None:
                break
            out.append([nid, opt["id"]])
            nid = opt["next"]
        return out

    def current(self) -> str:
        nid = self.spec["start"]
        for node_id, opt_id in self.path:
            nid = next(o["next"] for o in self.spec["nodes"][node_id]["options"] if o["id"] == opt_id)
        return nid

    def render(self) -> None:
        nodes, parts = self.spec["nodes"], []
        for n, (node_id, opt_id) in enumerate(self.path, 1):
            node = nodes[node_id]
            opt = next(o for o in node["options"] if o["id"] == opt_id)
            text = paragraphs(node["situation"]) + f"<p><b>You chose:</b> {html.escape(opt['text'])}</p>"
            if self.practice:
                text += f"<p><i>{html.escape(opt['feedback'])}</i></p>"
            parts.append(W.HTML(f"<div><b>Step {n}</b>{text}</div>", layout=FULL))
        nid = self.current()
        node = nodes[nid]
        parts.append(W.HTML(paragraphs(node["situation"]), layout=FULL))
        self.radio = self.confirm = None
        if node.get("options"):
            opts = shuffled(node["options"], self.ctx.trainee, f"{self.ref}:{nid}")
            self.radio = W.RadioButtons(options=[(o["text"], o["id"]) for o in opts], value=None,
                                        description=node.get("question", "What do you do?"),
                                        layout=FULL, style={"description_width": "initial"})
            self.confirm = W.Button(description="Confirm this choice", disabled=True, button_style="primary",
                                    tooltip="Save this choice and see what happens next", layout=FIT)
            self.radio.observe(lambda ch: setattr(self.confirm, "disabled", ch["new"] is None), names="value")
            self.confirm.on_click(lambda _b: self.choose(self.radio.value))
            parts += [self.radio, self.confirm]
        else:
            parts.append(W.HTML("<p><b>End of this scenario.</b></p>"))
        if self.path:
            again = W.Button(description="Start this scenario again", tooltip="Clear your path and begin again",
                             layout=FIT)
            again.on_click(lambda _b: self.restart())
            parts.append(again)
        self.body.children = parts

    def choose(self, option_id: str) -> None:
        nid = self.current()
        if option_id not in {o["id"] for o in self.spec["nodes"][nid].get("options", [])}:
            return
        self.path.append([nid, option_id])
        self._saved()

    def restart(self) -> None:
        self.path = []
        self._saved()

    def _saved(self) -> None:
        line = self.ctx.save(self.ref, self.path)
        self.status.value = html.escape(line)
        self.render()


def _problem(text: str):
    return W.HTML(f"<p style='color:#8a1c1c'><b>{html.escape(text)}</b></p>")


def build(ref: str, ctx: Context | None = None):
    """The widget object (Question or Scenario) for `ref`."""
    ctx = ctx or context()
    if ref in ctx.content["items"]:
        return Question(ctx, ref)
    if ref in ctx.content["scenarios"]:
        return Scenario(ctx, ref)
    raise CourseError(f"'{ref}' is not part of this module. Please tell your trainer.")


def show(ref: str) -> None:
    try:
        display(build(ref).widget)
    except CourseError as e:
        display(_problem(str(e)))


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
                out.append((self.ctx.content["reflections"][t["id"]]["prompt"], "reflection", None))
                continue
            entry = saved.get(t["id"], {}).get("value")
            if t["kind"] == "scenario":
                spec = self.ctx.content["scenarios"][t["id"]]
                done = isinstance(entry, list) and bool(entry) and _ends(spec, entry)
                out.append((spec["title"], "scenario", done))
            else:
                done = entry not in (None, [], {}) and not (isinstance(entry, list) and None in entry)
                out.append((self.ctx.content["items"][t["id"]]["prompt"], "question", done))
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
                           f"<ul>{''.join(lis)}</ul>")


def _ends(spec: dict, path: list) -> bool:
    nid = spec["start"]
    for step in path:
        if not (isinstance(step, list) and len(step) == 2):
            return False
        opt = next((o for o in spec["nodes"].get(step[0], {}).get("options", []) if o["id"] == step[1]), None)
        if opt is None:
            return False
        nid = opt["next"]
    return not spec["nodes"][nid].get("options")



def progress() -> None:
    try:
        display(Progress(context()).widget)
    except CourseError as e:
        display(_problem(str(e)))
