"""HTML pieces shared by the study site and the study guide: escaped text, reading blocks, key points.

Readings go through `blocks_html` (paragraphs, lists and the content's inline markdown, see
`cps_ethics.model.markdown`); every other piece of content goes in as escaped text through `esc`.
"""

from __future__ import annotations

import html
import json
import re

from cps_ethics.model.markdown import inline_html

LIST_ITEM = re.compile(r"^(?:(?P<bullet>[-*])|(?P<number>\d+)[.)])\s+(?P<text>.*)$")
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d')]))\s+(?=[A-Z0-9\"\u201c(])")
KEY_POINT_WORDS = 8


def esc(text) -> str:
    """Content is data: every piece of it goes into HTML through here."""
    return html.escape(str(text), quote=True)


def flat(text: str) -> str:
    return " ".join(str(text).split())


def blocks(text: str) -> list[tuple[str, object]]:
    """A reading's plain text as ("p", text), ("ul", [items]) and ("ol", [items]) blocks.

    Readings are written as short paragraphs, "- " bullet lists and "1. " numbered lists; a line that
    follows a list item without a marker continues it.
    """
    out: list[tuple[str, object]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        for line in chunk.splitlines():
            hit = LIST_ITEM.match(line.strip())
            kind = ("ol" if hit.group("number") else "ul") if hit else None
            if hit and out and out[-1][0] == kind and not out[-1][2]:
                out[-1][1].append(hit.group("text"))
            elif hit:
                out.append([kind, [hit.group("text")], False])
            elif out and out[-1][0] in ("ul", "ol") and not out[-1][2]:
                out[-1][1][-1] += " " + line.strip()
            elif out and out[-1][0] == "p" and not out[-1][2]:
                out[-1][1] += " " + line.strip()
            else:
                out.append(["p", line.strip(), False])
        if out:
            out[-1][2] = True  # a blank line closes the block
    return [(k, [flat(x) for x in v] if k != "p" else flat(v)) for k, v, _ in out]


def blocks_html(text: str) -> str:
    parts = []
    for kind, body in blocks(text):
        if kind == "p":
            parts.append(f"<p>{inline_html(body)}</p>")
        else:
            parts.append(f"<{kind}>" + "".join(f"<li>{inline_html(x)}</li>" for x in body) + f"</{kind}>")
    return "".join(parts)


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph; a quotation of several sentences stays in one piece."""
    out: list[str] = []
    for s in (s.strip() for s in SENTENCE_END.split(flat(text))):
        if out and (out[-1].count('"') % 2 or out[-1].count("\u201c") > out[-1].count("\u201d")):
            out[-1] += " " + s
        elif s:
            out.append(s)
    return out


def all_sentences(text: str) -> list[str]:
    """Every sentence of a reading, paragraph by paragraph and list item by list item."""
    return [s for kind, body in blocks(text) for part in ([body] if kind == "p" else body) for s in sentences(part)]


def key_points(text: str) -> list[tuple[str, list[str]]]:
    """The key points of a reading: each paragraph's opening (a lead-in keeps its list), every list."""
    bl = blocks(text)
    out: list[tuple[str, list[str]]] = []
    for n, (kind, body) in enumerate(bl):
        nxt = bl[n + 1][0] if n + 1 < len(bl) else None
        if kind != "p":
            if out and out[-1][1] == [] and out[-1][0].endswith(":"):
                out[-1] = (out[-1][0], list(body))
            else:
                out.append(("", list(body)))
            continue
        said = sentences(body)
        if said and said[0].startswith("For example"):
            continue  # an example, not a key point
        if nxt in ("ul", "ol") and said and said[-1].endswith(":"):
            out.append((said[-1], []))
            continue
        point = []
        for s in said:
            point.append(s)
            if len(" ".join(point).split()) >= KEY_POINT_WORDS:
                break
        out.append((" ".join(point), []))
    return out


def script_json(data: dict) -> str:
    """JSON that is safe inside <script type="application/json"> (no '<', '>' or '&' in it)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def principle_label(key: str, principle: dict) -> str:
    """"<key> <name>" (for example "K1 Self-determination"); just the name when it starts with the key."""
    name = principle["name"]
    return name if name.split(" ")[0] == key else f"{key} {name}"


def principle_names(principles: dict, keys: list[str]) -> str:
    return ", ".join(principle_label(k, principles[k]) for k in keys if k in principles)
