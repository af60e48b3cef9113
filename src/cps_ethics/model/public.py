"""The public projection of a module: what a trainee's notebook may see (no key for graded work)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cps_ethics.course import CONTENT_FILE
from cps_ethics.errors import CourseError

from .content import Course, Module, exam_plan

FORMAT = "cps-content"
VERSION = 1


def _scramble(owner: str, seq: list[dict]) -> list[dict]:
    """A fixed order that does not depend on the authored order (which could hint at the key)."""
    return sorted(seq, key=lambda x: hashlib.sha256(f"{owner}:{x['id']}".encode()).hexdigest())


def _item(it: dict, reveal: bool = False) -> dict:
    practice = it["kind"] == "practice" or reveal
    out = {k: it[k] for k in ("kind", "type", "prompt", "principles")}
    out["kind"] = "practice" if practice else "graded"
    out["points"] = it.get("points", 1) if not practice else 0
    if it["type"] in ("single", "multiple"):
        keep = ("id", "text", "rating", "correct", "feedback") if practice else ("id", "text")
        out["options"] = [{k: o[k] for k in keep if k in o} for o in _scramble(it["id"], it["options"])]
    elif it["type"] == "matching":
        out["choices"] = [dict(c) for c in it["choices"]]
        keep = ("id", "text", "answer") if practice else ("id", "text")
        out["pairs"] = [{k: p[k] for k in keep} for p in it["pairs"]]
    else:  # ordering: the authored order is the key
        out["steps"] = [{"id": s["id"], "text": s["text"]} for s in _scramble(it["id"], it["steps"])]
        if practice:
            out["answer"] = [s["id"] for s in it["steps"]]
    if practice:
        out["rationale"] = it["rationale"]
    if "content_note" in it:  # exam-only questions: shown before the question
        out["content_note"] = it["content_note"]
    return out


def _scenario(sc: dict, reveal: bool = False) -> dict:
    practice = sc["kind"] == "practice" or reveal
    keep = ("id", "text", "next", "rating", "feedback", "principles") if practice else ("id", "text", "next")
    nodes = {}
    for n in sc["nodes"]:
        node = {"situation": n["situation"]}
        if "question" in n:
            node["question"] = n["question"]
        if n.get("options"):
            node["options"] = [{k: o[k] for k in keep} for o in _scramble(sc["id"] + n["id"], n["options"])]
        nodes[n["id"]] = node
    out = {"kind": "practice" if practice else "graded", "title": sc["title"], "principles": sc["principles"], "start": sc["start"],
           "nodes": nodes}
    if "content_note" in sc:
        out["content_note"] = sc["content_note"]
    return out


def project(course: Course, module: Module, reveal: bool = False) -> dict:
    """The public content of a module; `reveal` shows every key (authors' preview, never shipped)."""
    if module.exam:
        return _exam(course, module, reveal)
    m = module.data
    tracked = []
    for ref in m["layout"]:
        kind, _, rid = ref.partition(":")
        if kind == "item" and module_item(module, rid)["kind"] == "graded":
            tracked.append({"id": rid, "kind": "item"})
        elif kind == "scenario" and module_scenario(module, rid)["kind"] == "graded":
            tracked.append({"id": rid, "kind": "scenario"})
        elif kind == "reflection":
            tracked.append({"id": rid, "kind": "reflection"})
    return {
        **_header(course, module),
        "items": {it["id"]: _item(it, reveal) for it in module.items()},
        "scenarios": {sc["id"]: _scenario(sc, reveal) for sc in module.scenarios()},
        "reflections": {r["id"]: {"prompt": r["prompt"]} for r in module.reflections()},
        "tracked": tracked,
        # Graded places with parallel variants: each trainee sees one (cps_ethics.model.variants.pick).
        "slots": {sid: [x["id"] for x in xs] for sid, (_, xs) in module.slots().items() if len(xs) > 1},
    }


def _header(course: Course, module: Module) -> dict:
    return {"format": FORMAT, "version": VERSION, "module": module.id, "title": module.data["title"],
            "principles": {k: {"name": p["name"], "statement": p["statement"]} for k, p in course.principles.items()}}


def _exam(course: Course, module: Module, reveal: bool) -> dict:
    """The practice exam: its plan and the text (never the key) of every exam-only question it can draw."""
    plan = exam_plan(course, module)
    drawn = {t for t in plan["pools"]}
    topics = [t for t in course.exam_bank if t.id in drawn]
    return {
        **_header(course, module),
        "items": {it["id"]: _item(it, reveal) for t in topics for it in t.items()},
        "scenarios": {sc["id"]: _scenario(sc, reveal) for t in topics for sc in t.scenarios()},
        "reflections": {},
        "tracked": [{"id": pos, "kind": plan["kinds"][pos]} for pos in plan["positions"]],
        "slots": {}, "exam": plan,
    }


def module_item(module: Module, rid: str) -> dict:
    return next(x for x in module.items() if x["id"] == rid)


def module_scenario(module: Module, rid: str) -> dict:
    return next(x for x in module.scenarios() if x["id"] == rid)


def dumps(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def load(folder: Path) -> dict:
    """Read the public content file of the notebook's folder, with a message a trainee can pass on."""
    path = folder / CONTENT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseError(f"The course file {CONTENT_FILE} is missing from this folder. Please tell your trainer.")
    except (OSError, ValueError) as e:
        raise CourseError(f"The course file {CONTENT_FILE} cannot be read ({e}). Please tell your trainer.")
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise CourseError(f"The course file {CONTENT_FILE} is not in a format this course version knows.")
    return data
