"""The study material of the site and guide: readings, content notes and practice work, never graded work."""

from __future__ import annotations

from dataclasses import dataclass, field

from cps_ethics.model import public
from cps_ethics.model.content import Course


@dataclass
class Block:
    kind: str  # "reading" | "note" | "item" | "scenario"
    id: str
    data: dict  # a reading, a note, or the public projection of a practice item or scenario


@dataclass
class StudyModule:
    number: int
    id: str
    title: str
    summary: str
    blocks: list[Block] = field(default_factory=list)

    def of(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    @property
    def page(self) -> str:
        return f"{self.id}.html"


def modules(course: Course) -> list[StudyModule]:
    """Each module's readings, notes and practice work in the order of its layout (graded parts left out).

    A practice exam module (`exam:` in its file) holds only graded questions, so it is not study material.
    Each practice item carries the content note that comes before it in its module (`content_note`), so
    the practice set can show the note with the question when it is drawn on its own.
    """
    out = []
    for number, module in enumerate(course.modules, 1):
        m = module.data
        if m.get("exam"):
            continue
        proj = public.project(course, module)
        notes = {n["id"]: n for n in m.get("notes", [])}
        sm = StudyModule(number, m["id"], m["title"], m.get("summary", "").strip())
        last_note = None
        for ref in m["layout"]:
            kind, _, rid = ref.partition(":")
            if kind == "reading":
                sm.blocks.append(Block("reading", rid, next(r for r in module.readings() if r["id"] == rid)))
            elif kind == "note":  # as in the notebook: a note in the layout is shown where it stands
                sm.blocks.append(Block("note", rid, notes[rid]))
                last_note = notes[rid]["text"]
            elif kind == "item" and proj["items"][rid]["kind"] == "practice":
                sm.blocks.append(Block("item", rid, {"id": rid, "module": sm.id, "content_note": last_note,
                                                     **proj["items"][rid]}))
            elif kind == "scenario" and proj["scenarios"][rid]["kind"] == "practice":
                note = public.module_scenario(module, rid).get("note")
                if note and not (sm.blocks and sm.blocks[-1].kind == "note" and sm.blocks[-1].id == note):
                    sm.blocks.append(Block("note", note, notes[note]))
                sm.blocks.append(Block("scenario", rid, {"id": rid, "module": sm.id, **proj["scenarios"][rid]}))
        out.append(sm)
    return out


def practice_items(mods: list[StudyModule]) -> list[dict]:
    return [b.data for m in mods for b in m.of("item")]


def feedback_data(blocks: list[Block]) -> dict:
    """What the page's script needs to give practice feedback (practice keys only; they are public)."""
    items, scenarios = {}, {}
    for b in blocks:
        d = b.data
        if b.kind == "item":
            entry = {"type": d["type"], "module": d["module"], "rationale": d["rationale"]}
            if d["type"] in ("single", "multiple"):
                entry["options"] = {o["id"]: {k: o[k] for k in ("text", "rating", "correct", "feedback") if k in o}
                                    for o in d["options"]}
            elif d["type"] == "matching":
                entry["pairs"] = {p["id"]: p["answer"] for p in d["pairs"]}
            else:
                entry["answer"] = d["answer"]
            items[b.id] = entry
        elif b.kind == "scenario":
            scenarios[b.id] = {"module": d["module"], "start": d["start"], "nodes": {
                nid: {"options": {o["id"]: {k: o[k] for k in ("text", "rating", "feedback", "next")}
                                  for o in node.get("options", [])}}
                for nid, node in d["nodes"].items()}}
    return {"items": items, "scenarios": scenarios}


def progress_map(mods: list[StudyModule]) -> dict:
    """{module id: {title, page, items, scenarios}}: what counts towards each module's progress."""
    return {m.id: {"title": m.title, "page": m.page, "items": [b.id for b in m.of("item")],
                   "scenarios": [b.id for b in m.of("scenario")]} for m in mods}
