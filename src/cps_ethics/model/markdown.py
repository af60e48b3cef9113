"""The content's one markdown: what authors may write, how it renders to HTML and plain text, what is left raw.

Readings (and module summaries) may use a small subset that JupyterLab, the study site and the printed guide
all render the same way: paragraphs, "- " and "1. " lists (block level, see `publish.markup.blocks`),
**bold** and *italic*. Nothing else: no headings, links, code, tables or HTML. Every other text a trainee
reads (prompts, options, feedback, scenario text) is plain: widgets and feedback show it as text, so a
marker there would show raw. `problems()` is what `cps-course validate` checks; `leftover()` is what the
tests look for in everything the course writes.
"""

from __future__ import annotations

import html
import re

# Emphasis may run over a line break inside a paragraph (as in markdown), never over a blank line.
BOLD = re.compile(r"\*\*(?=\S)((?:(?!\n[ \t]*\n).)+?)(?<=\S)\*\*", re.S)
ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])((?:(?!\n[ \t]*\n)[^*])+?)(?<=[^\s*])\*(?![\w*])", re.S)
# Markdown that is not in the subset, anywhere (headings, links, images, code, HTML, tables, rules).
OUTSIDE_SUBSET = [
    (re.compile(r"^\s{0,3}#{1,6}\s", re.M), "a heading ('# ...')"),
    (re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)"), "a link or image ('[text](url)')"),
    (re.compile(r"`"), "code (a backtick)"),
    (re.compile(r"</?[A-Za-z][^>\n]*>"), "an HTML tag"),
    (re.compile(r"^\s*\|.*\|\s*$", re.M), "a table row"),
    (re.compile(r"(?<![\w_])__(?=[A-Za-z])"), "underscore emphasis ('__')"),
    (re.compile(r"\$[^$\n]+\$|\\\(|\\\["), "math ('$...$')"),
]
INLINE_MARKS = [(BOLD, "bold ('**')"), (ITALIC, "italic ('*')")]


def inline_html(text: str) -> str:
    """Escaped HTML for one run of content text, with **bold** and *italic* rendered."""
    out = html.escape(str(text), quote=True)
    out = BOLD.sub(r"<strong>\1</strong>", out)
    return ITALIC.sub(r"<em>\1</em>", out)


def plain(text: str) -> str:
    """The text without its emphasis markers (for places that show text, not HTML)."""
    return ITALIC.sub(r"\1", BOLD.sub(r"\1", str(text)))


def problems(text: str, rich: bool) -> list[str]:
    """What in `text` would show raw: anything outside the subset, and in plain fields any emphasis marker."""
    found = [what for pattern, what in OUTSIDE_SUBSET if pattern.search(text)]
    if not rich:
        found += [what for pattern, what in INLINE_MARKS if pattern.search(text)]
    elif "**" in BOLD.sub("", text):
        found.append("an unclosed '**'")
    return found


LEFTOVER = re.compile(r"\*\*\S|\S\*\*|(?<![\w*])\*[A-Za-z][^*\n]{0,80}\*(?![\w*])|\]\(|^#{1,6} |`|(?<![\w_])__[A-Za-z]",
                      re.M)


def leftover(rendered_text: str) -> list[str]:
    """Markdown tokens left unrendered in text a trainee reads (the visible text of a page, a PDF, a cell)."""
    return sorted({m.group(0) for m in LEFTOVER.finditer(rendered_text)})


RICH_FIELDS = {("readings", "text"), ("", "summary")}


def module_problems(module: dict) -> list[str]:
    """'<where>: <what would show raw>' for every text of a module (or exam file) outside its markdown."""
    out: list[str] = []

    def walk(x, where: str, top: str, key: str) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{where} > {x['id']}" if k != "id" and "id" in x and where else where, top, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, where, top, key)
        elif isinstance(x, str) and key not in ("id", "slot", "act", "rating", "kind", "type", "next", "start",
                                                  "answer", "notebook", "topic", "sources"):
            for what in problems(x, (top, key) in RICH_FIELDS):
                allowed = "readings may use **bold** and *italic* only" if (top, key) in RICH_FIELDS else \
                    "this text is shown as plain text (only readings may use **bold** and *italic*)"
                out.append(f"{where or top or 'module'} ({key}): {what} would show raw to trainees; {allowed}")

    for top, value in module.items():
        walk(value, top, top if isinstance(value, list) else "", top)
    return out
