"""Branching scenario widgets: one decision at a time; the path so far is the saved answer."""

from __future__ import annotations

import html

import ipywidgets as W

from .exam import content_note
from .widget_kit import FIT, FULL, Context, paragraphs, shuffled


class Scenario:
    """A branching scenario: one decision at a time; the path so far is the saved answer."""

    def __init__(self, ctx: Context, ref: str, slot: str | None = None):
        # `ref` is what is shown (a variant); answers are saved under `key`, the slot, with the variant.
        self.ctx, self.ref, self.key, self.slot = ctx, ref, slot or ref, slot
        self.spec = ctx.content["scenarios"][ref]
        self.practice = self.spec["kind"] == "practice"
        saved, problem = ctx.answers()
        entry = saved.get(self.key, {})
        path = entry.get("value") if entry.get("variant", self.key) == ref else []
        self.path: list[list[str]] = self._valid_prefix(path if isinstance(path, list) else [])
        self.status = W.HTML(html.escape(problem) if problem else "", layout=FULL)
        self.body = W.VBox(layout=FULL)
        tag = "Practice scenario (not graded)" if self.practice else "Graded scenario"
        self.widget = W.VBox([W.HTML(f"{content_note(self.spec)}<h4>{html.escape(self.spec['title'])}</h4>"
                                     f"<p><i>{tag}</i></p>"),
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
        if self.path and self.practice:  # a graded scenario is answered once, like a real situation
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
        """Practice scenarios only: a graded one cannot be cleared and tried again after its consequences
        were seen (trial and error would earn the marks without the learning)."""
        if not self.practice:
            return
        self.path = []
        self._saved()

    def _saved(self) -> None:
        line = self.ctx.save(self.key, self.path, self.ref if self.slot else None)
        self.status.value = html.escape(line)
        self.render()


def path_ends(spec: dict, path: list) -> bool:
    nid = spec["start"]
    for step in path:
        if not (isinstance(step, list) and len(step) == 2):
            return False
        opt = next((o for o in spec["nodes"].get(step[0], {}).get("options", []) if o["id"] == step[1]), None)
        if opt is None:
            return False
        nid = opt["next"]
    return not spec["nodes"][nid].get("options")
