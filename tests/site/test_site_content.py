"""The study site's files: every reading and practice part is there, no graded text is, content is escaped."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from courselib import REPO, copy_course
from sitelib import (
    MIN_CHARS,
    flat,
    graded_texts,
    page_text,
    public_material,
    site_text,
    study_modules,
    words,
)

from cps_ethics import cli
from cps_ethics.errors import CourseError
from cps_ethics.model import markdown
from cps_ethics.model.content import load_course
from cps_ethics.publish import facts as site_facts
from cps_ethics.publish import guard as site_guard
from cps_ethics.publish import site

FACTS_FILE = REPO.parent / "shared" / "reference" / "ethics-facts.md"


def test_every_module_reading_and_practice_part_is_on_its_page(course, site_dir):
    practice_total = 0
    for m in study_modules(course):
        text = page_text(site_dir / f"{m.id}.html")
        assert flat(m.data["title"]) in text
        for r in m.readings():
            assert flat(r["title"]) in text, f"{m.id}: reading {r['id']} is missing"
            paragraphs = [p for p in re.split(r"\n\s*\n", r["text"]) if not p.lstrip().startswith(("-", "1."))]
            squeezed = re.sub(r"\s+", "", text)  # emphasis splits the page's text into pieces joined by spaces
            assert all(re.sub(r"\s+", "", markdown.plain(p)) in squeezed for p in paragraphs), \
                f"{m.id}: reading {r['id']} is cut"
        for it in m.items():
            if it["kind"] == "practice":
                practice_total += 1
                assert flat(it["prompt"]) in text and flat(it["rationale"]) in text, it["id"]
        for sc in m.scenarios():
            if sc["kind"] == "practice":
                assert flat(sc["title"]) in text and all(flat(n["situation"]) in text for n in sc["nodes"]), sc["id"]
    practice_page = page_text(site_dir / "practice.html")
    found = sum(1 for m in study_modules(course) for it in m.items()
                if it["kind"] == "practice" and flat(it["prompt"]) in practice_page)
    assert found == practice_total > 0
    print(f"\n{len(study_modules(course))} module pages; {practice_total} practice items on the practice set page")


def test_no_graded_item_text_or_id_anywhere_in_the_site(course, site_dir):
    texts, ids = graded_texts(course)
    public = public_material(course)
    checked = [t for t in texts if len(t) >= MIN_CHARS and t not in public]
    exempt = [t for t in texts if len(t) >= MIN_CHARS and t in public]
    pages = site_text(site_dir)
    for path, text in pages.items():
        raw = path.read_text(encoding="utf-8")
        hits = [t for t in checked if t in text or t in flat(raw)]
        assert not hits, f"{path.name} holds graded text: {hits[:3]}"
        assert not ids & words(raw), f"{path.name} names graded parts: {sorted(ids & words(raw))[:5]}"
    print(f"\nchecked {len(checked)} graded texts and {len(ids)} graded ids against {len(pages)} files; "
          f"{len(exempt)} graded texts are also written in readings or practice material (not secret)")
    assert len(checked) > 10 * len(ids) > 0  # the check covers prompts, options, feedback and rationales


def test_the_check_finds_a_graded_prompt_planted_in_a_copy(course, site_dir, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    graded_prompt = next(it["prompt"] for m in course.modules for it in m.items() if it["kind"] == "graded")
    page = copy / f"{course.modules[0].id}.html"
    page.write_text(page.read_text().replace("</main>", f"<p>{graded_prompt}</p></main>"))
    assert flat(graded_prompt) in page_text(page)
    assert any("holds graded text" in x for x in site_guard.leaks(copy, course))


def test_build_refuses_and_removes_the_site_when_graded_text_would_get_in(course, tmp_path, monkeypatch):
    secret = next(it["rationale"] for m in course.modules for it in m.items() if it["kind"] == "graded")
    real = site.home_page
    monkeypatch.setattr(site, "home_page", lambda mods: real(mods).replace("</main>", f"<p>{secret}</p></main>"))
    with pytest.raises(CourseError, match="graded work"):
        site.build(course, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_content_text_is_escaped_everywhere(tmp_path):
    root = copy_course(tmp_path / "course", parts=("nbgrader_config.py", "content"))
    f = next(f for f in sorted((root / "content" / "modules").glob("*.yaml"))
             if any(it["kind"] == "practice" and it["type"] == "single" for it in yaml.safe_load(f.read_text()).get(
                 "items", [])))
    data = yaml.safe_load(f.read_text())
    data["readings"][0]["text"] += "\n\nA <script>alert('x')</script> & <b>bold</b> test.\n"
    practice = next(it for it in data["items"] if it["kind"] == "practice" and it["type"] == "single")
    practice["options"][0]["text"] = 'Say "<img src=x onerror=alert(1)>" kindly'
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    out = tmp_path / "site"
    # validate refuses HTML in content (it would show raw); escaping is the second line of defence, so the
    # planted text is loaded without validation here
    site.build(load_course(root, validate=False), out)
    raw = (out / f"{data['id']}.html").read_text()
    assert "<script>alert" not in raw and "<img src=x" not in raw and "<b>bold</b>" not in raw
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in raw
    assert "&quot;&lt;img src=x onerror=alert(1)&gt;&quot;" in raw  # the label
    assert "\\u003cimg src=x" in raw  # the feedback data: no '<' inside the script element


def test_pages_are_self_contained_and_every_link_resolves(site_dir):
    pages = sorted(site_dir.glob("*.html"))
    assert {"index.html", "practice.html", "glossary.html", "help.html"} <= {p.name for p in pages}
    for p in pages:
        raw = p.read_text()
        assert '<html lang="en">' in raw and 'name="viewport"' in raw
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in raw, f"{p.name} has no {landmark}"
        for ref in re.findall(r'(?:href|src)="([^"]+)"', raw):
            assert not re.match(r"[a-z]+:", ref), f"{p.name} loads {ref} from elsewhere"
            target, _, frag = ref.partition("#")
            doc = site_dir / target if target else p
            assert doc.is_file(), f"{p.name} links to missing {ref}"
            if frag:
                assert f'id="{frag}"' in doc.read_text(), f"{p.name} links to missing anchor {ref}"
        labels = set(re.findall(r'<label for="([^"]+)"', raw))
        controls = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', raw)
        assert set(controls) <= labels, f"{p.name}: controls without a label: {set(controls) - labels}"
        assert "988" in page_text(p)


def test_content_notes_come_before_the_hard_material_they_announce(course, site_dir):
    seen = 0
    for m in study_modules(course):
        raw = (site_dir / f"{m.id}.html").read_text()
        notes = {n["id"]: html.escape(flat(n["text"])) for n in m.data.get("notes", [])}
        for sc in m.scenarios():
            if sc["kind"] == "practice" and sc.get("note"):
                assert 0 <= raw.find(notes[sc["note"]]) < raw.find(f'id="{sc["id"]}"'), sc["id"]
                seen += 1
        layout = m.data["layout"]
        for n, ref in enumerate(layout):
            if ref.startswith("note:"):
                nxt = next((r[8:] for r in layout[n + 1:] if r.startswith("reading:")), None)
                at = raw.find(notes[ref[5:]])
                assert at >= 0 and (nxt is None or at < raw.find(f'id="reading_{nxt}"')), ref
                assert "988" in raw[at:at + len(notes[ref[5:]]) + 400], f"{ref}: no 988 line with the note"
                seen += 1
    practice = (site_dir / "practice.html").read_text()
    for m in study_modules(course):
        notes = {n["id"]: html.escape(flat(n["text"])) for n in m.data.get("notes", [])}
        last = None
        for ref in m.data["layout"]:
            kind, _, rid = ref.partition(":")
            last = notes[rid] if kind == "note" and rid in notes else last
            if kind == "item" and last and any(it["id"] == rid and it["kind"] == "practice" for it in m.items()):
                card = practice[practice.find(f'<section class="card practice-item" id="{rid}"'):]
                assert last in card[:card.find("</section>")], f"practice set: {rid} lacks its content note"
                seen += 1
    assert seen >= 1
    print(f"\n{seen} content notes checked (module pages and the practice set)")


def test_every_phone_number_shown_is_taught_in_the_course_and_the_fact_file():
    content = " ".join(p.read_text() for p in (REPO / "content").rglob("*.yaml"))
    numbers = site_facts.phone_numbers()
    assert {"988", "1-800-426-9009", "1-800-922-2275"} <= numbers
    for number in numbers:
        assert number in content, f"{number} is not in content/"
    if FACTS_FILE.is_file():
        facts_text = FACTS_FILE.read_text()
        for number in numbers - {"911"}:
            assert number in facts_text, f"{number} is not in {FACTS_FILE.name}"


def test_every_glossary_term_is_taught_in_a_reading(course):
    readings = " ".join(r["text"] + " " + r["title"] for m in course.modules for r in m.readings()).lower()
    missing = [g["term"] for g in site_facts.glossary() if g["find"].lower() not in readings]
    assert not missing, f"glossary terms no reading teaches: {missing}"


def test_site_command_writes_the_site_and_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    out = tmp_path / "site"
    assert cli.main(["--root", str(REPO), "site", str(out)]) == 0
    assert str(out / "index.html") in capsys.readouterr().out
    assert cli.main(["--root", str(REPO), "site", str(out)]) == 0  # a rebuild replaces its own folder
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert cli.main(["--root", str(REPO), "site", str(mine)]) == 2
    assert "not empty" in capsys.readouterr().err and (mine / "notes.txt").read_text() == "keep me"


def test_site_size_is_small(site_dir):
    total = sum(p.stat().st_size for p in Path(site_dir).rglob("*") if p.is_file())
    print(f"\nstudy site: {total // 1024} KB in {sum(1 for p in Path(site_dir).rglob('*') if p.is_file())} files")
    assert total < 2_000_000


def test_exam_only_questions_are_nowhere_in_the_site_and_the_guard_would_find_one(course, site_dir, tmp_path):
    """The practice exam's exam-only questions (content/exam/) are graded work: never study material."""
    bank = [x for t in course.exam_bank for x in t.items() + t.scenarios()]
    assert bank, "no exam-only questions: the check would be empty"
    pages = site_text(site_dir)
    for path, text in pages.items():
        raw = path.read_text(encoding="utf-8")
        assert not {x["id"] for x in bank} & words(raw), path.name
        assert not [x["id"] for x in bank if flat(x.get("prompt", x.get("title", ""))) in text], path.name
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    prompt = next(x["prompt"] for x in bank if "prompt" in x)
    page = copy / f"{course.modules[0].id}.html"
    page.write_text(page.read_text().replace("</main>", f"<p>{prompt}</p></main>"))
    assert any("holds graded text" in x for x in site_guard.leaks(copy, course))
