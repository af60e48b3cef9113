"""The printable study guide: a real PDF (Chromium's print to PDF) with every module, and no graded key."""

from __future__ import annotations

import shutil

import pytest
from courselib import REPO
from pypdf import PdfReader
from sitelib import ARTIFACTS, MIN_CHARS, flat, graded_texts, public_material, study_modules

from cps_ethics import cli
from cps_ethics.errors import CourseError
from cps_ethics.publish import facts as site_facts
from cps_ethics.publish import guide, guide_pdf
from cps_ethics.publish.markup import principle_label

pytestmark = [pytest.mark.slow]


def _pages(pdf) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(pdf).pages]


def test_guide_opens_with_a_page_per_module_each_starting_with_its_title(course, guide_pdf):
    pdf, reported = guide_pdf
    pages = _pages(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "study_guide.pdf")
    mods = study_modules(course)
    assert len(pages) == reported >= len(mods) + 4  # cover, principles, reporting, glossary
    for m in mods:
        title = flat(m.data["title"])
        starts = [n for n, text in enumerate(pages, 1) if text.split(" ", 4)[-1].startswith(title)]
        assert starts, f"no page starts with {title!r}"
    firsts = sorted(next(n for n, t in enumerate(pages) if t.split(" ", 4)[-1].startswith(flat(m.data["title"])))
                    for m in mods)
    assert len(set(firsts)) == len(mods)  # each module begins its own page
    print(f"\nstudy guide: {len(pages)} pages, {pdf.stat().st_size // 1024} KB; modules start on pages "
          f"{[n + 1 for n in firsts]}")


def _squeeze(text: str) -> str:
    """Text without any white space: a PDF breaks lines (and hyphenated words) wherever it likes."""
    return "".join(text.split())


def test_guide_text_holds_no_graded_key_but_every_practice_explanation(course, guide_pdf):
    text = _squeeze(" ".join(_pages(guide_pdf[0])))
    texts, _ids = graded_texts(course)
    public = public_material(course)
    checked = [t for t in texts if len(t) >= MIN_CHARS and t not in public]
    found = [t for t in checked if _squeeze(t) in text]
    assert not found, f"graded text in the study guide: {found[:3]}"
    # The same search does find text of the same kind that belongs there: every practice rationale and feedback.
    practice = [flat(s) for m in study_modules(course) for it in m.items() if it["kind"] == "practice"
                for s in [it["rationale"], *(o["feedback"] for o in it.get("options", []))]]
    missing = [s for s in practice if _squeeze(s) not in text]
    assert not missing, f"practice explanations missing from the guide: {missing[:3]}"
    print(f"\nguide: no graded text among {len(checked)} checked; all {len(practice)} practice explanations found")


def test_guide_has_principles_reporting_table_contacts_and_glossary(course, guide_pdf):
    text = " ".join(_pages(guide_pdf[0]))
    for key, p in course.principles.items():
        assert flat(principle_label(key, p)) in text and flat(p["statement"]) in text, key
    assert "Reporting in Massachusetts" in text and "Key contacts" in text
    for number in site_facts.phone_numbers():
        assert number in text, number
    for g in site_facts.glossary():
        assert flat(g["means"]) in text, g["term"]
    assert text.count("Example:") >= sum(1 for p in course.principles if guide.example(
        course, guide.modules(course), p)) > 0


def test_a_missing_engine_gives_a_clear_message_and_keeps_the_html(course, tmp_path, monkeypatch):
    monkeypatch.setenv(guide_pdf.ENGINE_ENV, str(tmp_path / "no-such-chromium"))
    out = tmp_path / "guide.pdf"
    with pytest.raises(CourseError) as err:
        guide.write(course, out)
    msg = str(err.value)
    assert "Chromium" in msg and "apt-get install chromium" in msg and guide_pdf.ENGINE_ENV in msg
    assert not out.exists() and all(flat(m.data["title"]) in out.with_suffix(".html").read_text()
                                    for m in study_modules(course))


def test_guide_command_prints_the_path(tmp_path, capsys):
    out = tmp_path / "g.pdf"
    assert cli.main(["--root", str(REPO), "guide", str(out)]) == 0
    said = capsys.readouterr().out
    assert str(out) in said and out.read_bytes().startswith(b"%PDF")
