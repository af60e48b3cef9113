"""`cps-course guide OUT.pdf`: the printable study guide, as HTML with print styles, printed by Chromium."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cps_ethics.model import graph
from cps_ethics.model.content import Course
from cps_ethics.model.markdown import inline_html

from .facts import facts, glossary
from .guide_pdf import print_pdf
from .markup import (
    all_sentences,
    blocks_html,
    esc,
    flat,
    key_points,
    principle_label,
    principle_names,
)
from .material import StudyModule, modules
from .pages import contacts_html, reporting_table

TITLE = "The Massachusetts CPS Code of Ethics: study guide"
RATING = {"best": "Best answer", "acceptable": "Safe but not complete", "harmful": "Not a good choice"}
ORDER = {"best": 0, "acceptable": 1, "harmful": 2}


def _said(text: str) -> str:
    """Option text as a sentence: a full stop added only when it has no end mark of its own."""
    text = flat(text)
    return text if text[-1:] in ".!?\"'\u201d\u2019" else text + "."


def _answer(situation: str, lead: str, choice: str, why: str) -> str:
    return f"{esc(situation)} {lead}: <em>{esc(_said(choice))}</em> {esc(flat(why))}"


def example(course: Course, mods: list[StudyModule], key: str) -> str | None:
    """HTML of a short example of a principle at work, from practice work (never graded work), a reading,
    or else a pointer to the reading that teaches it; None when nothing in the course teaches it."""
    blocks = [(m, b) for m in mods for b in m.blocks]
    for _m, b in blocks:
        if b.kind == "item" and b.data["type"] == "single" and key in b.data["principles"]:
            best = next(o for o in b.data["options"] if o["rating"] == "best")
            return _answer(flat(b.data["prompt"]), "A good answer", best["text"], best["feedback"])
    for _m, b in blocks:
        for node in b.data["nodes"].values() if b.kind == "scenario" else []:
            for o in node.get("options", []):
                if o["rating"] == "best" and key in o["principles"]:
                    return _answer(flat(node["situation"]), "A good step", o["text"], o["feedback"])
    for _m, b in blocks:
        if b.kind == "item" and key in b.data["principles"] and len(b.data["principles"]) <= 3:
            return f"{esc(flat(b.data['prompt']))} {esc(flat(b.data['rationale']))}"
    for _m, b in blocks:
        if b.kind == "reading" and b.data["principles"][0] == key:
            said = [s for s in all_sentences(b.data["text"]) if s.startswith("For example")]
            if said:
                return inline_html(said[0])
    taught = [(m, b) for m, b in blocks if b.kind == "reading" and key in b.data["principles"]]
    if taught:
        m, b = min(taught, key=lambda mb: mb[1].data["principles"].index(key))
        return f"See the reading “{esc(b.data['title'])}” in {esc(m.title)}."
    return None


def _reading(r: dict) -> str:
    lis = []
    for lead, sub in key_points(r["text"]):
        inner = "<ul>" + "".join(f"<li>{inline_html(x)}</li>" for x in sub) + "</ul>" if sub else ""
        lis.append(f"<li>{inline_html(lead)}{inner}</li>" if lead else "".join(f"<li>{inline_html(x)}</li>" for x in sub))
    return f'<h4>{esc(r["title"])}</h4><ul class="points">{"".join(lis)}</ul>'


def _answers(rows: list[tuple[str, str, str, str]]) -> str:
    """A list of (css class, label, option text, feedback) rows: every option with why it is rated so."""
    return '<ul class="answers">' + "".join(
        f'<li class="{css}"><strong>{esc(label)}:</strong> {esc(_said(text))} '
        f'<span class="why">{esc(flat(why))}</span></li>'
        for css, label, text, why in rows) + "</ul>"


def _rated(options: list[dict], first: str | None = None) -> str:
    opts = sorted(options, key=lambda o: (o["id"] != first, ORDER[o["rating"]]))
    return _answers([(o["rating"], RATING[o["rating"]], o["text"], o["feedback"]) for o in opts])


def _item(d: dict, n: int) -> str:
    """One practice question with every option explained and the reason (its rationale)."""
    t = d["type"]
    head = f'<p class="q"><strong>Question {n}.</strong> {esc(flat(d["prompt"]))}</p>'
    if t == "single":
        body = _rated(d["options"])
    elif t == "multiple":
        opts = sorted(d["options"], key=lambda o: not o["correct"])
        body = "<p>Choose all that apply.</p>" + _answers(
            [("best" if o["correct"] else "harmful", "Correct" if o["correct"] else "Not correct", o["text"],
              o["feedback"]) for o in opts])
    elif t == "matching":
        names = {c["id"]: c["text"] for c in d["choices"]}
        rows = "".join(f"<tr><td>{esc(flat(p['text']))}</td><td>{esc(flat(names[p['answer']]))}</td></tr>"
                       for p in d["pairs"])
        body = ('<table class="match"><thead><tr><th scope="col">Situation</th><th scope="col">Match</th></tr>'
                f"</thead><tbody>{rows}</tbody></table>")
    else:
        steps = {s["id"]: s["text"] for s in d["steps"]}
        body = "<p>The order:</p><ol>" + "".join(f"<li>{esc(flat(steps[s]))}</li>" for s in d["answer"]) + "</ol>"
    why = f'<p class="rationale"><strong>Why:</strong> {esc(flat(d["rationale"]))}</p>'
    return f'<div class="question">{head}{body}{why}</div>'


def _scenario(d: dict) -> str:
    """A practice scenario along its best path: each decision with every option explained, then the end."""
    spec = {"start": d["start"], "nodes": [{"id": k, **v} for k, v in d["nodes"].items()]}
    parts, end = [f'<h4>{esc(flat(d["title"]))}</h4>'], d["nodes"][d["start"]]
    for n, (nid, oid) in enumerate(graph.best_path(spec), 1):
        node = d["nodes"][nid]
        question = esc(flat(node.get("question", "What do you do?")))
        parts.append(f'<div class="question"><p class="q"><strong>Step {n}.</strong></p>'
                     f'{blocks_html(node["situation"])}'
                     f"<p><em>{question}</em></p>{_rated(node['options'], first=oid)}</div>")
        end = d["nodes"][next(o["next"] for o in node["options"] if o["id"] == oid)]
    if not end.get("options"):
        parts.append('<div class="ending"><p><strong>How it ends (best path):</strong></p>'
                     f'{blocks_html(end["situation"])}</div>')
    return f'<div class="scenario">{"".join(parts)}</div>'


def _module(course: Course, m: StudyModule) -> str:
    notes = "".join(f'<aside class="note"><p><strong>Content note.</strong> {esc(flat(b.data["text"]))}</p></aside>'
                    for b in m.of("note"))
    if notes:
        notes += f'<p class="crisis">{esc(flat(facts()["crisis"]))}</p>'
    readings = "".join(_reading(b.data) for b in m.of("reading"))
    practice = "".join(_item(b.data, n) for n, b in enumerate(m.of("item"), 1))
    practice += "".join(_scenario(b.data) for b in m.of("scenario"))
    keys = sorted({k for b in m.of("reading") for k in b.data["principles"]}, key=list(course.principles).index)
    return (f'<section class="module" id="{esc(m.id)}"><h2>{esc(m.title)}</h2>{blocks_html(m.summary)}{notes}'
            f'<p class="principles">Principles: {esc(principle_names(course.principles, keys))}</p>'
            f'<h3>Key points</h3>{readings}<h3>Practice questions with explained answers</h3>{practice}</section>')


def html_text(course: Course) -> str:
    """The whole guide as one self-contained HTML page (styles inline)."""
    mods = modules(course)
    css = resources.files("cps_ethics.publish").joinpath("static/guide.css").read_text(encoding="utf-8")
    toc = "".join(f"<li>{esc(m.title)}</li>" for m in mods)
    principles = "".join(
        f'<div class="principle"><h3>{esc(principle_label(k, p))}</h3><p>{esc(flat(p["statement"]))}</p>'
        + (f'<p class="example"><strong>Example:</strong> {ex}</p>' if (ex := example(course, mods, k)) else "")
        + ('<p class="flag">Sources differ on this point. Follow your agency\u2019s policy and ask your '
           'supervisor.</p>'
           if p["status"] == "flag" else "") + "</div>"
        for k, p in course.principles.items())
    terms = "".join(f"<dt>{esc(g['term'])}</dt><dd>{esc(flat(g['means']))}</dd>" for g in glossary())
    body = (
        f'<section class="cover"><h1>{esc(TITLE)}</h1>'
        '<p>This guide goes with the course. For each module it gives the key points of the readings and the '
        'practice questions with their answers explained. Graded questions are not in it. It also has the '
        'principles in plain words, the Massachusetts reporting table, key contacts and a glossary.</p>'
        f'<p class="crisis-box">Some parts talk about abuse, suicide and threats of harm. A content note comes '
        f'first. {esc(flat(facts()["crisis"]))}</p>'
        f'<h2>Contents</h2><ol class="contents"><li>The principles in plain words</li>{toc}'
        '<li>Reporting in Massachusetts and key contacts</li><li>Glossary</li></ol></section>'
        '<section class="chapter" id="principles"><h2>The principles in plain words</h2>'
        '<p>The course names each principle by a short key (K1, K2 and so on), not by a number in the official '
        f'Massachusetts text.</p>{principles}</section>'
        + "".join(_module(course, m) for m in mods)
        + f'<section class="chapter" id="reporting-and-contacts">{reporting_table(2)}{contacts_html(2)}</section>'
        f'<section class="chapter" id="glossary"><h2>Glossary</h2><dl class="glossary">{terms}</dl></section>'
    )
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(TITLE)}</title>'
            f"<style>{css}</style></head><body>{body}</body></html>\n")


def write(course: Course, out: Path) -> int:
    """Write the guide to `out` (a PDF); returns its page count. Fails with a trainer-facing message."""
    from cps_ethics.errors import CourseError

    from .guard import found_in, page_text, secrets

    text = html_text(course)
    found = found_in(page_text(text), secrets(course), "study guide")
    if found:
        raise CourseError("the study guide would hold graded work, so it was not written:\n"
                          + "\n".join(f"  - {x}" for x in found[:20]))
    return print_pdf(text, Path(out))
