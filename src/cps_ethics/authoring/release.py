"""Prove nothing of the key reached what trainees receive (release/, a built package, feedback)."""

from __future__ import annotations

import json
from pathlib import Path

from cps_ethics.model.content import Course

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")
KEY_FIELDS = {"rating", "correct", "feedback", "answer", "rationale"}


def key_strings(course: Course) -> set[str]:
    """Distinctive text that only the key holds: graded items' rationales and feedback, mark schemes."""
    out: set[str] = set()
    for m in [*course.modules, *course.exam_bank]:  # the exam-only bank's keys too
        for it in m.items():
            if it["kind"] == "graded":
                out.add(it["rationale"])
                out |= {o["feedback"] for o in it.get("options", [])}
        for sc in m.scenarios():
            if sc["kind"] == "graded":
                out |= {o["feedback"] for n in sc["nodes"] for o in n.get("options", [])}
        out |= {r["mark_scheme"] for r in m.reflections()}
    public = " ".join(" ".join(_public_text(course)).split())
    # Text the trainee is shown anyway (e.g. a rationale that repeats a reading) is not a secret.
    return {k for k in (" ".join(s.split()) for s in out if len(s.strip()) >= 20) if k not in public}


def _public_text(course: Course) -> list[str]:
    """Every string a trainee is meant to see: readings, prompts, options, situations, practice keys."""
    from cps_ethics.model.public import project

    out = []
    for m in course.modules:
        out += [r["text"] for r in m.readings()] + [n["text"] for n in m.data.get("notes", [])]
        out += _strings(project(course, m))
    return out


def _content_keys(path: Path, data: dict) -> list[str]:
    """Graded items or scenarios in a public content file that carry key fields."""
    out = []
    for iid, it in data.get("items", {}).items():
        if it.get("kind") == "graded":
            parts = [it, *it.get("options", []), *it.get("pairs", [])]
            if any(KEY_FIELDS & set(p) for p in parts):
                out.append(f"{path}: graded item {iid} carries its key")
    for sid, sc in data.get("scenarios", {}).items():
        if sc.get("kind") == "graded":
            for nid, node in sc.get("nodes", {}).items():
                if any(KEY_FIELDS & set(o) for o in node.get("options", [])):
                    out.append(f"{path}: graded scenario {sid} node {nid} carries its key")
    return out


def _strings(data) -> list[str]:
    """Every string inside parsed JSON (so escaped quotes cannot hide key text)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return ["".join(data)] if data and all(isinstance(x, str) for x in data) else [
            s for v in data for s in _strings(v)]
    return []


def leaks(folder: Path, course: Course) -> list[str]:
    """Everything under `folder` that a trainee must never receive, as plain sentences."""
    found = []
    keys = key_strings(course)
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        if path.name.startswith("cps_answers"):
            found.append(f"{path}: an answers file")
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        flat = " ".join(text.split())
        if path.suffix in (".ipynb", ".json"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            flat += " " + " ".join(" ".join(_strings(data)).split())
            if isinstance(data, dict) and path.suffix == ".ipynb":
                if "widgets" in data.get("metadata", {}):
                    found.append(f"{path}: saved widget state")
                if any(c.get("outputs") for c in data.get("cells", [])):
                    found.append(f"{path}: cells with outputs")
            elif isinstance(data, dict) and data.get("format") == "cps-content":
                found += _content_keys(path, data)
        for marker in MARKERS:
            if marker in text:
                found.append(f"{path}: contains '{marker}'")
        for k in keys:
            if k in flat:
                found.append(f"{path}: contains key text \u201c{k[:50]}\u2026\u201d")
    return found
