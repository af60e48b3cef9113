"""Helpers for the study site and guide tests: the built site, page text, the graded texts, Chromium."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from courselib import REPO

ARTIFACTS = REPO / "artifacts" / "site"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MIN_CHARS = 20  # shorter graded strings ("DPPC", "Ask first") are ordinary words


def study_modules(course) -> list:
    """The modules the site and guide show: all but a practice exam (it holds only graded questions)."""
    return [m for m in course.modules if not m.data.get("exam")]


def flat(text: str) -> str:
    return " ".join(str(text).split())


class _Text(HTMLParser):
    """Everything a page shows or carries: its text, attribute values and embedded JSON strings."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._json = False

    def handle_starttag(self, tag, attrs):
        self.parts += [v for _, v in attrs if v]
        self._json = tag == "script" and ("type", "application/json") in attrs

    def handle_endtag(self, tag):
        self._json = False

    def handle_data(self, data):
        if self._json:
            self.parts += _strings(json.loads(data))
        else:
            self.parts.append(data)


def _strings(x) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return list(x) + [s for v in x.values() for s in _strings(v)]
    if isinstance(x, list):
        return [s for v in x for s in _strings(v)]
    return []


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return flat(" \n ".join(parser.parts))


def site_text(folder: Path) -> dict[Path, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[p] = page_text(p) if p.suffix == ".html" else flat(p.read_text(encoding="utf-8"))
    return out


def graded_texts(course) -> tuple[list[str], set[str]]:
    """Every graded item's prompt, option texts, feedback and rationale (and graded scenarios' and
    reflections' text), as the test itself reads them from content/; and every graded id."""
    texts, ids = [], set()
    for m in course.modules:
        for it in m.items():
            if it["kind"] == "graded":
                ids.add(it["id"])
                texts += [it["prompt"], it["rationale"]]
                for seq in ("options", "choices", "pairs", "steps"):
                    texts += [x[k] for x in it.get(seq, []) for k in ("text", "feedback") if k in x]
        for sc in m.scenarios():
            if sc["kind"] == "graded":
                ids.add(sc["id"])
                texts += [sc["title"]] + [n["situation"] for n in sc["nodes"]]
                texts += [o[k] for n in sc["nodes"] for o in n.get("options", []) for k in ("text", "feedback")]
        for r in m.reflections():
            ids.add(r["id"])
            texts += [r["prompt"], r["mark_scheme"]]
    return sorted({flat(t) for t in texts}), ids


def public_material(course) -> str:
    """The text a trainee may see anyway: readings, notes, principles, practice items and scenarios."""
    parts = [f"{k} {p['name']} {p['statement']}" for k, p in course.principles.items()]
    for m in course.modules:
        parts += [m.data["title"], m.data.get("summary", "")]
        parts += [f"{r['title']} \n {r['text']}" for r in m.readings()] + [n["text"] for n in m.data.get("notes", [])]
        parts += [_flat_strings(x) for x in m.items() if x["kind"] == "practice"]
        parts += [_flat_strings(x) for x in m.scenarios() if x["kind"] == "practice"]
    return flat(" \n ".join(parts))


def _flat_strings(x) -> str:
    return " \n ".join(flat(s) for s in _strings(x))


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z0-9_]*", text))
