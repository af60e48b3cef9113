"""The course's feedback page, made by real `nbgrader generate_feedback`: readable, complete, nothing to run.

Per question the question's text, what the trainee chose and the points; totals per principle at the top that
add up to the total; no code, prompts ("In [3]:"), cell ids, empty boxes, script or MathJax. A screenshot of
the page (a phone's width and a desktop's) is kept in out/test-artifacts/feedback/.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from courselib import REPO, one_module_course
from lablib import CHROMIUM, CHROMIUM_ARGS

from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort

pytestmark = pytest.mark.slow
MODULE = "02_self_determination"
ARTIFACTS = REPO / "out" / "test-artifacts" / "feedback"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.cards = 0
        self.scores: list[str] = []
        self._score = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.cards += tag == "section" and a.get("class") == "card"
        self._score = a.get("class") == "score"

    def handle_data(self, data):
        self.text.append(data)
        if self._score and data.strip():
            self.scores.append(data.strip())
            self._score = False


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = one_module_course(tmp_path_factory.mktemp("feedback") / "course", MODULE)
    module = load_course(root).modules[0]
    nbgrader(["generate_assignment", MODULE, "--force"], root)
    trainees = cohort.profiles(module)[:2]
    for t in trainees:
        cohort.write_submission(root, module, t)
    nbgrader(["autograde", MODULE, "--force"], root)
    nbgrader(["generate_feedback", MODULE, "--force"], root)
    out = {}
    for t in trainees:
        found = list((root / "feedback" / t.student / MODULE).glob("*.html"))
        assert len(found) == 1, found
        out[t.student] = (found[0], t)
    return root, module, out


def _graded_slots(module) -> int:
    return sum(1 for kind, xs in module.slots().values() if xs[0]["kind"] == "graded")


def test_every_graded_question_is_a_card_with_its_points(pages):
    _root, module, found = pages
    for student, (page, trainee) in found.items():
        p = _Page()
        p.feed(page.read_text(encoding="utf-8"))
        assert p.cards >= _graded_slots(module)
        text = " ".join(" ".join(p.text).split())
        total = sum(trainee.expected.values())
        top = sum(float(x.split(" of ")[1].split()[0]) for x in p.scores if " of " in x)
        assert f"Total: {total:g} of" in text, (student, total)
        assert top >= _graded_slots(module)  # every card says its points out of its maximum
        assert "You chose" in text or "not answered" in text


def test_nothing_of_the_notebook_machinery_shows(pages):
    _root, module, found = pages
    ids = [x["id"] for m in [module] for x in m.items() + m.scenarios()]
    for page, _t in found.values():
        html = page.read_text(encoding="utf-8")
        p = _Page()
        p.feed(html)
        text = " ".join(" ".join(p.text).split())
        assert not re.search(r"\b(In|Out) ?\[\d*\]:", text)
        assert "<script" not in html and "mathjax" not in html.lower()
        assert "Grade cell" not in text and "BEGIN" not in text and "grade(" not in html
        assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)], "internal ids shown to a trainee"
        assert "input_area" not in html and "highlight" not in html  # no (empty) code boxes


def test_totals_by_principle_add_up(pages):
    _root, module, found = pages
    for page, trainee in found.values():
        html = page.read_text(encoding="utf-8")
        rows = re.findall(r'<td class="num">([\d.]+) of ([\d.]+)</td>', html)
        assert rows, "the page opens with totals per principle"
        keys = {k for kind, xs in module.slots().values() if xs[0]["kind"] == "graded" for k in xs[0]["principles"]}
        assert len(rows) == len(keys)
        got = sum(float(s) for s, _ in rows)
        assert got >= sum(trainee.expected.values())  # each question counts towards each of its principles


def test_screenshots_at_phone_and_desktop_width(pages):
    """Kept as artifacts; the page must fit a phone without scrolling sideways."""
    _root, _module, found = pages
    page, _t = next(iter(found.values()))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, width in (("phone", 390), ("desktop", 1100)):
            ctx = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
            tab = ctx.new_page()
            tab.goto(page.as_uri())
            tab.screenshot(path=str(ARTIFACTS / f"feedback_{name}.png"), full_page=True)
            ctx.close()
        ctx = browser.new_context(viewport={"width": 390, "height": 900})
        tab = ctx.new_page()
        tab.goto(page.as_uri())
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scrolling"
        browser.close()
    assert (ARTIFACTS / "feedback_phone.png").stat().st_size > 10_000
