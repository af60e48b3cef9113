"""Prove the study site and guide hold no graded work: no graded item's text, key, feedback or id."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from cps_ethics.model.content import Course

MIN_CHARS = 20  # shorter graded strings ("DPPC", "Ask first") are ordinary words, not a graded item's text
JSON_SCRIPT = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def _strings(x) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [s for v in x.values() for s in _strings(v)]
    if isinstance(x, list):
        return [s for v in x for s in _strings(v)]
    return []


def _item_texts(it: dict) -> list[str]:
    out = [it["prompt"], it["rationale"]]
    for seq in ("options", "choices", "pairs", "steps"):
        out += [s for x in it.get(seq, []) for k in ("text", "feedback") if k in x for s in [x[k]]]
    return out


def _scenario_texts(sc: dict) -> list[str]:
    out = [sc["title"]]
    for n in sc["nodes"]:
        out += [n["situation"], n.get("question", "")]
        out += [o[k] for o in n.get("options", []) for k in ("text", "feedback")]
    return out


def graded(course: Course) -> tuple[set[str], set[str]]:
    """(texts, ids) of every graded item, graded scenario and reflection (exam-only ones too): prompts, options,
    keys, feedback."""
    texts, ids = set(), set()
    for m in [*course.modules, *course.exam_bank]:  # exam-only questions are never study material
        for it in m.items():
            if it["kind"] == "graded":
                texts |= set(_item_texts(it))
                ids.add(it["id"])
        for sc in m.scenarios():
            if sc["kind"] == "graded":
                texts |= set(_scenario_texts(sc))
                ids.add(sc["id"])
        for r in m.reflections():
            texts |= {r["prompt"], r["mark_scheme"]}
            ids.add(r["id"])
    return {_flat(t) for t in texts if t.strip()}, ids


def public_text(course: Course) -> str:
    """All the text the site may show: module titles and summaries, readings, notes, principles, practice."""
    out = [s for k, p in course.principles.items() for s in (f"{k} {p['name']}", p["statement"])]
    for m in course.modules:
        out += [m.data["title"], m.data.get("summary", "")]
        out += [s for r in m.readings() for s in (r["title"], r["text"])]
        out += [n["text"] for n in m.data.get("notes", [])]
        out += [s for it in m.items() if it["kind"] == "practice" for s in _item_texts(it)]
        out += [s for sc in m.scenarios() if sc["kind"] == "practice" for s in _scenario_texts(sc)]
    return _flat(" \n ".join(out))


def secrets(course: Course) -> tuple[set[str], set[str]]:
    """Graded texts that are not also public material (a reading may repeat a key idea), and graded ids."""
    texts, ids = graded(course)
    public = public_text(course)
    return {t for t in texts if len(t) >= MIN_CHARS and t not in public}, ids


def page_text(raw: str) -> str:
    """What a page shows or carries: its text without tags, and every string of its embedded data."""
    data = []
    for block in JSON_SCRIPT.findall(raw):
        data += _strings(json.loads(block))
    return _flat(html.unescape(TAG.sub(" ", JSON_SCRIPT.sub(" ", raw))) + " " + " ".join(data))


def found_in(text: str, hidden: tuple[set[str], set[str]], where: str) -> list[str]:
    """Sentences naming each graded text (or id) of `hidden` (from secrets()) found in `text`."""
    texts, ids = hidden
    out = [f"{where}: holds graded text \u201c{t[:60]}\u201d" for t in sorted(texts) if t in text]
    words = set(re.findall(r"[a-z][a-z0-9_]*", text))
    out += [f"{where}: names the graded part '{i}'" for i in sorted(ids & words)]
    return out


def leaks(folder: Path, course: Course) -> list[str]:
    """Every graded text or id found in the built site's files, as plain sentences (empty when clean)."""
    out, hidden = [], secrets(course)
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = page_text(raw) if path.suffix == ".html" else _flat(raw)
        out += found_in(text + " " + _flat(raw), hidden, str(path))
    return out
