"""Practice questions and practice scenarios as plain HTML forms; the site's script gives the feedback."""

from __future__ import annotations

from .markup import blocks_html, esc, flat

HINT = {"multiple": "Choose all that apply.",
        "matching": "Choose a match for each one.",
        "ordering": "Put the steps in order: choose what comes first, then second, and so on."}


def _choice(kind: str, name: str, uid: str, value: str, text: str) -> str:
    return (f'<div class="choice"><input type="{kind}" name="{esc(name)}" id="{esc(uid)}" value="{esc(value)}">'
            f'<label for="{esc(uid)}">{esc(text)}</label></div>')


def _select(uid: str, label: str, options: list[tuple[str, str]]) -> str:
    opts = '<option value="">Choose\u2026</option>' + "".join(
        f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in options)
    return (f'<div class="pick"><label for="{esc(uid)}">{esc(label)}</label>'
            f'<select id="{esc(uid)}" name="{esc(uid)}">{opts}</select></div>')


def item_html(item: dict, heading: str, level: int = 2, hidden: bool = False, note: str = "") -> str:
    """One practice question: a form with real radios, boxes or lists, a button and a feedback area
    (and `note`, the HTML of a content note, before the question)."""
    iid, t = item["id"], item["type"]
    hint_id = f"{iid}-hint"
    if t in ("single", "multiple"):
        kind = "radio" if t == "single" else "checkbox"
        controls = "".join(_choice(kind, iid, f"{iid}--{o['id']}", o["id"], o["text"]) for o in item["options"])
    elif t == "matching":
        choices = [(c["id"], c["text"]) for c in item["choices"]]
        controls = "".join(_select(f"{iid}--{p['id']}", p["text"], choices) for p in item["pairs"])
    else:
        steps = [(s["id"], s["text"]) for s in item["steps"]]
        controls = "".join(_select(f"{iid}--{n}", f"Step {n}", steps) for n in range(1, len(steps) + 1))
    hint = f'<p class="hint" id="{esc(hint_id)}">{esc(HINT[t])}</p>' if t in HINT else ""
    described = f' aria-describedby="{esc(hint_id)}"' if hint else ""
    return (
        f'<section class="card practice-item" id="{esc(iid)}" aria-labelledby="{esc(iid)}-h"'
        f' data-module="{esc(item["module"])}"{" hidden" if hidden else ""}>'
        f'<h{level} id="{esc(iid)}-h" class="card-title">{esc(heading)}</h{level}>{note}'
        f'<form class="practice" data-item="{esc(iid)}" data-type="{esc(t)}">'
        f'<fieldset{described}><legend>{esc(flat(item["prompt"]))}</legend>{hint}{controls}</fieldset>'
        f'<button type="submit">Check my answer</button>'
        f'<div class="feedback" role="status" aria-live="polite"></div></form></section>'
    )


def scenario_html(sc: dict, heading: str, level: int = 2) -> str:
    """A branching practice scenario: every step is here; the script shows the trainee's path through it."""
    sid = sc["id"]
    nodes = []
    for nid, node in sc["nodes"].items():
        body = blocks_html(node["situation"])
        if node.get("options"):
            name = f"{sid}--{nid}"
            radios = "".join(_choice("radio", name, f"{name}--{o['id']}", o["id"], o["text"])
                             for o in node["options"])
            body += (f'<form class="decision" data-node="{esc(nid)}"><fieldset>'
                     f'<legend>{esc(flat(node.get("question", "What do you do?")))}</legend>{radios}</fieldset>'
                     f'<button type="submit">Confirm this choice</button>'
                     f'<div class="feedback" role="status" aria-live="polite"></div></form>')
        else:
            body += '<p class="end"><strong>End of this scenario.</strong></p>'
        start = nid == sc["start"]
        nodes.append(f'<div class="node" data-node="{esc(nid)}" tabindex="-1"{"" if start else " hidden"}>'
                     f'<p class="step-label">Step</p>{body}</div>')
    return (
        f'<section class="card practice-scenario" id="{esc(sid)}" aria-labelledby="{esc(sid)}-h"'
        f' data-scenario="{esc(sid)}" data-module="{esc(sc["module"])}">'
        f'<h{level} id="{esc(sid)}-h" class="card-title">{esc(heading)}</h{level}>'
        f'<p class="tag">Practice scenario: each choice leads to what happens next.</p>'
        f'<div class="steps">{"".join(nodes)}</div>'
        f'<button type="button" class="restart" hidden>Start this scenario again</button></section>'
    )
