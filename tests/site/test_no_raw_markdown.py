"""No raw markdown anywhere a trainee reads: the study site, the guide, the notebooks' widgets; one renderer."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from courselib import REPO
from pypdf import PdfReader
from sitelib import flat, site_text

from cps_ethics.errors import ContentError
from cps_ethics.model import markdown
from cps_ethics.model.content import load_course


def test_renderer_renders_the_subset_and_escapes_the_rest():
    assert markdown.inline_html("**Event:** a <b>fact</b> & *more*") == \
        "<strong>Event:</strong> a &lt;b&gt;fact&lt;/b&gt; &amp; <em>more</em>"
    assert markdown.plain("**Event:** the *trigger*") == "Event: the trigger"
    assert markdown.problems("**No one may be punished\nfor complaining.**", rich=True) == []
    assert markdown.problems("**one paragraph\n\nanother**", rich=True) == ["an unclosed '**'"]
    assert markdown.inline_html("2 * 3 * 4 and a___ blank") == "2 * 3 * 4 and a___ blank"
    assert markdown.leftover("Event: plain") == []
    assert markdown.leftover("a **Event:** left") == ["**E", ":**"]
    assert markdown.problems("see [the law](https://x)", rich=True) == ["a link or image ('[text](url)')"]
    assert markdown.problems("**bold** is fine here", rich=True) == []
    assert markdown.problems("**bold** in an option", rich=False) == ["bold ('**')"]


def test_site_pages_show_no_raw_markdown(site_dir):
    left = {p.name: markdown.leftover(text) for p, text in site_text(site_dir).items()
            if p.suffix == ".html" and markdown.leftover(text)}
    assert left == {}
    # the readings that use bold (modules 08, 09, 11) are rendered, not dropped
    pages = "".join(p.read_text(encoding="utf-8") for p in site_dir.rglob("*.html"))
    assert pages.count("<strong>") >= 40


def test_guide_pdf_shows_no_raw_markdown(guide_pdf):
    pdf, _pages = guide_pdf
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert markdown.leftover(text) == [], "raw markdown in the printed guide"
    assert "**Event:**" not in flat(text) and "Event:" in text


def _strings(x, under_reading=False):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _strings(v, under_reading or k == "readings")
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v, under_reading)
    elif isinstance(x, str) and not under_reading:
        yield x


def test_widget_text_in_released_content_is_plain():
    """Widgets show prompts, options and feedback as text: none may carry a markdown token."""
    files = sorted(REPO.glob("release/*/cps_content.json"))
    assert files
    raw = {f.parent.name: s for f in files for s in _strings(json.loads(f.read_text(encoding="utf-8")))
           if markdown.leftover(s)}
    assert raw == {}


def test_validate_refuses_markdown_that_would_show_raw(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(REPO / "content", root / "content")
    path = root / "content" / "modules" / "01_why_a_code.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["type"] == "single")
    item["options"][0]["text"] = "**Tell** your supervisor"
    data["readings"][0]["text"] += "\n\nSee [the rules](https://example.org)."
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError) as e:
        load_course(root)
    said = str(e.value)
    assert f"items > {item['id']}" in said and "bold ('**') would show raw" in said
    assert "a link or image" in said
