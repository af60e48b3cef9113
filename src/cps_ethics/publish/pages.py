"""The pages of the study site: home, one per module, the practice set, the glossary, help and contacts."""

from __future__ import annotations

from cps_ethics.model.content import Course

from .facts import facts, glossary
from .markup import blocks_html, esc, flat, principle_label, principle_names, script_json
from .material import StudyModule, feedback_data, progress_map
from .practice import item_html, scenario_html

SITE_TITLE = "CPS Code of Ethics: study anywhere"
NAV = (("index.html", "Home"), ("practice.html", "Practice set"), ("glossary.html", "Glossary"),
       ("help.html", "Help and contacts"), ("sources.html", "Sources"))
PRACTICE_SET_SIZE = 5


def page(title: str, body: str, *, current: str, data: dict, kind: str) -> str:
    """A whole page: language, landmarks, skip link, navigation, the crisis line, the data and the script."""
    here = ' aria-current="page"'
    nav = "".join(f'<li><a href="{href}"{here if href == current else ""}>{esc(label)}</a></li>'
                  for href, label in NAV)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} \u2013 {esc(SITE_TITLE)}</title>'
        '<link rel="stylesheet" href="assets/site.css"></head>'
        f'<body data-page="{esc(kind)}"><a class="skip" href="#main">Skip to the main content</a>'
        f'<header class="site"><p class="site-name"><a href="index.html">{esc(SITE_TITLE)}</a></p>'
        f'<nav aria-label="Site"><ul>{nav}</ul></nav></header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        '<footer class="site"><p class="crisis"><strong>Need to talk now?</strong> '
        f'{esc(flat(facts()["crisis"]))}</p>'
        '<p>Practice only: graded work stays in the course notebooks. Your progress is kept in this browser, '
        'on this device only.</p></footer>'
        f'<script type="application/json" id="cps-data">{script_json(data)}</script>'
        '<script src="assets/site.js"></script></body></html>\n'
    )


def _note(text: str) -> str:
    """A content note before hard material, with the 988 line unless the note already gives it."""
    crisis = "" if "988" in text else f'<p>{esc(flat(facts()["crisis"]))} You can skip ahead and come back later.</p>'
    return f'<div class="note" role="note"><p><strong>Content note.</strong> {esc(flat(text))}</p>{crisis}</div>'


def module_page(course: Course, m: StudyModule, mods: list[StudyModule]) -> str:
    parts, toc, q = [], [], 0
    for b in m.blocks:
        if b.kind == "reading":
            r, anchor = b.data, f"reading_{b.id}"  # a reading may share its id with a (graded) item
            parts.append(f'<section class="reading" id="{esc(anchor)}" aria-labelledby="{esc(anchor)}-h">'
                         f'<h2 id="{esc(anchor)}-h">{esc(r["title"])}</h2>{blocks_html(r["text"])}'
                         f'<p class="principles">Principles in this part: '
                         f'{esc(principle_names(course.principles, r["principles"]))}</p></section>')
            toc.append((anchor, r["title"]))
        elif b.kind == "note":
            parts.append(_note(b.data["text"]))
        elif b.kind == "item":
            q += 1
            parts.append(item_html(b.data, f"Practice question {q}"))
            toc.append((b.id, f"Practice question {q}"))
        else:
            title = flat(b.data["title"])
            parts.append(scenario_html(b.data, title))
            toc.append((b.id, title))
    n = mods.index(m)
    pager = "".join(
        f'<li><a href="{o.page}" rel="{rel}">{esc(label)}: {esc(o.title)}</a></li>'
        for o, rel, label in ((mods[n - 1] if n else None, "prev", "Back"),
                              (mods[n + 1] if n + 1 < len(mods) else None, "next", "Next")) if o)
    body = (f'<h1>{esc(m.title)}</h1>' + (f'<div class="summary">{blocks_html(m.summary)}</div>' if m.summary else "")
            + f'<p class="progress" data-progress-module="{esc(m.id)}">Your progress is shown here when the page '
              'has loaded.</p>'
            + '<nav class="toc" aria-label="Parts of this module"><h2>In this module</h2><ol>'
            + "".join(f'<li><a href="#{esc(i)}">{esc(t)}</a></li>' for i, t in toc) + "</ol></nav>"
            + "".join(parts)
            + f'<nav class="pager" aria-label="Other modules"><ul>{pager}</ul></nav>')
    return page(m.title, body, current="", kind="module",
                data={"modules": progress_map(mods), **feedback_data(m.blocks)})


def home_page(mods: list[StudyModule]) -> str:
    rows = "".join(
        f'<li><a href="{m.page}">{esc(m.title)}</a>'
        f'<span class="progress" data-progress-module="{esc(m.id)}"></span></li>' for m in mods)
    body = (f'<h1>{esc(SITE_TITLE)}</h1>'
            '<p>Read each module, try the practice questions and scenarios, and get feedback at once. '
            'Nothing here is graded. It works offline, on a phone or a computer.</p>'
            f'<h2 id="modules-h">Modules</h2><ol class="modules" aria-labelledby="modules-h">{rows}</ol>'
            '<p><a class="button" href="practice.html">Try a practice set</a></p>'
            '<h2>Your progress</h2><p id="progress-total" class="progress-total">Your progress is shown here when '
            'the page has loaded.</p>'
            '<p><button type="button" id="clear-progress">Clear my progress on this device</button></p>'
            '<p class="feedback" id="clear-status" role="status" aria-live="polite"></p>')
    return page("Home", body, current="index.html", kind="home", data={"modules": progress_map(mods)})


def practice_page(mods: list[StudyModule]) -> str:
    blocks = [b for m in mods for b in m.of("item")]
    titles = {m.id: m.title for m in mods}
    items = "".join(item_html(b.data, f"From {titles[b.data['module']]}", hidden=True,
                              note=_note(b.data["content_note"]) if b.data["content_note"] else "") for b in blocks)
    body = ('<h1>Practice set</h1>'
            f'<p>Each time you open this page you get {PRACTICE_SET_SIZE} practice questions, drawn at random '
            f'from all {len(blocks)}. Nothing here is graded.</p>'
            '<p><button type="button" id="new-set">Give me a new set</button></p>'
            '<p class="feedback" id="set-status" role="status" aria-live="polite"></p>'
            f'<div id="practice-set" data-size="{PRACTICE_SET_SIZE}">{items}</div>'
            '<noscript><p>The practice set needs JavaScript. The questions are also in each module.</p></noscript>')
    return page("Practice set", body, current="practice.html", kind="practice",
                data={"modules": progress_map(mods), **feedback_data(blocks)})


def glossary_page(course: Course, mods: list[StudyModule]) -> str:
    terms = "".join(f'<dt id="term-{n}">{esc(g["term"])}</dt><dd>{esc(flat(g["means"]))}</dd>'
                    for n, g in enumerate(glossary(), 1))
    groups = {"principle": "The principles of the code", "legal": "Laws and reporting topics"}
    keys = "".join(
        f'<h2>{esc(head)}</h2><dl class="principles-list">' + "".join(
            f'<dt id="{esc(k)}">{esc(principle_label(k, p))}</dt><dd>{esc(flat(p["statement"]))}</dd>'
            for k, p in course.principles.items() if p["group"] == group) + "</dl>"
        for group, head in groups.items())
    body = (f'<h1>Glossary</h1><p>Words the course uses, in plain language.</p><dl class="glossary">{terms}</dl>'
            '<p>The course names each principle by a short key (K1, K2 and so on). These keys are not the '
            'numbers in the official Massachusetts text.</p>' + keys)
    return page("Glossary", body, current="glossary.html", kind="glossary", data={"modules": progress_map(mods)})


def reporting_table(level: int = 2) -> str:
    rep = facts()["reporting"]
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in rep["columns"])
    rows = "".join(f'<tr><th scope="row">{esc(flat(r["who"]))}</th>'
                   + "".join(f"<td>{esc(flat(r[k]))}</td>" for k in ("agency", "how", "written", "note")) + "</tr>"
                   for r in rep["rows"])
    return (f'<h{level} id="reporting">Reporting in Massachusetts</h{level}><p>{esc(flat(rep["intro"]))}</p>'
            f'<div class="table-wrap" role="region" aria-labelledby="reporting" tabindex="0"><table>'
            f'<caption>Who takes a report of harm</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table></div>')


def contacts_html(level: int = 2) -> str:
    items = "".join(f'<li><h{level + 1}>{esc(c["name"])}</h{level + 1}><p>{esc(flat(c["how"]))}</p>'
                    f'<p>For: {esc(flat(c["when"]))}</p></li>' for c in facts()["contacts"])
    return f'<h{level} id="contacts">Key contacts</h{level}><ul class="contacts">{items}</ul>'


def help_page(mods: list[StudyModule]) -> str:
    body = ('<h1>Help and contacts</h1>'
            f'<p class="crisis-box">{esc(flat(facts()["crisis"]))}</p>' + contacts_html() + reporting_table()
            + '<h2>Using this site</h2><ul><li>Use <kbd>Tab</kbd> to move to the next control, <kbd>Space</kbd> '
              'or the arrow keys to pick an option, and <kbd>Enter</kbd> to press a button.</li>'
              '<li>Your answers and progress stay in this browser on this device. Clearing the browser\u2019s '
              'data, or the button on the home page, removes them.</li>'
              '<li>This site has no graded questions. Graded work is in the course notebooks.</li></ul>')
    return page("Help and contacts", body, current="help.html", kind="help", data={"modules": progress_map(mods)})


STATUS_WORDS = {"verified": "Read in the source itself.",
                "secondary": "A secondary page (a training or study site, a blog): believable, not official.",
                "flagged": "Sources disagree or this may be out of date: the course teaches the safe practice."}


def sources_page(course: Course, mods: list[StudyModule]) -> str:
    """Every source the course relies on, grouped by how sure the course is of it."""
    groups = []
    for status, words in STATUS_WORDS.items():
        rows = [e for e in sorted(course.sources, key=lambda e: e["title"].lower()) if e["status"] == status]
        if not rows:
            continue
        # title, publisher and link only: what a source supports is written in the course's own words
        # elsewhere, and could repeat a graded question's wording (the site's guard would refuse the page)
        # the address as text, not a link: the study site works offline and loads nothing from elsewhere
        items = "".join(
            f'<li class="source">{esc(e["title"])} <span class="publisher">({esc(e["publisher"])})</span>'
            f'<br><span class="url">{esc(e["url"])}</span></li>' for e in rows)
        groups.append(f'<h2>{esc(status.capitalize())} ({len(rows)})</h2><p>{esc(words)}</p>'
                      f'<ul class="sources">{items}</ul>')
    body = ('<h1>Sources</h1><p>Where the course\u2019s facts come from. Each module\u2019s readings are built '
            'on these pages; the course tells you where sources disagree.</p>' + "".join(groups))
    return page("Sources", body, current="sources.html", kind="sources", data={"modules": progress_map(mods)})
