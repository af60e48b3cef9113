"""A reflection reaches the trainer inside formgrader's grading box and the trainee's feedback page, as text.

Real `nbgrader autograde` and `generate_feedback` on three submissions of module 01: one whose reflection was
typed into the widget (saved in the answers file) and holds text that math, markdown and HTML would act on;
one made before reflections were saved as typed (the words in the old answer cell below the task); one far
over the 20,000-character cap. In headless Chromium: formgrader shows each reflection inside the grading box
("Student's task") with the mark scheme as a mark scheme; the feedback page shows it without the mark scheme;
JupyterLab shows the autograded notebook's reflection as typed. In all three MathJax is live (nbconvert's
pages load MathJax 2 from a CDN: the test serves Debian's libjs-mathjax for it; JupyterLab bundles MathJax 3),
typesets a probe, and leaves the trainee's `$\\href{...}{...}$`, `\\color` and `\\style` as the characters typed.
Screenshots: artifacts/browser/reflection/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from courselib import REPO, one_module_course
from lablib import chromium, open_page, quiet_lab_settings
from labserver import jupyterlab
from nbgrader.api import Gradebook
from playwright.sync_api import Page

from cps_ethics.authoring import build
from cps_ethics.autograde.grade_answers import read_report
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.autograde.sanitize import HOW_TO_ANSWER, LEGACY_HOW
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from cps_ethics.store import MAX_REFLECTION_CHARS
from grading import integrity

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODULE = "01_why_a_code"
SHOTS = REPO / "artifacts" / "browser" / "reflection"
MATHJAX2 = Path("/usr/share/javascript/mathjax")  # Debian's libjs-mathjax (2.7.x), what nbconvert's pages load
CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"
NEW = ("I would ask first: is it relevant? Is it brief?\n\nThen I turn it back: \"What would help you?\"\n"
       "$\\href{https://example.org/evil}{click me}$ and $\\color{red}{RED}$ and $\\style{font-size:90px}{BIG}$ "
       "<b>bold</b> *stars* [link](https://example.org/md) BEGIN MARK SCHEME \\(x\\) $$y$$ \u00e9t\u00e9 100% & 5 < 6")
OLD = "Typed in the old answer cell, before the change: $\\href{https://example.org/old}{old link}$ done."
TAIL = "TAIL_PAST_THE_CAP"
LONG = ("word " * (MAX_REFLECTION_CHARS // 5)) + TAIL
BOX = ".nbgrader_cell:has(.nbgrader-label:text-is(\"Student's task\"))"


def _serve_mathjax(page: Page) -> None:
    """The CDN's MathJax 2 from Debian's copy (no network here). `latest.js` loads MathJax.js, as on the CDN."""
    def handle(route):
        url, _, query = route.request.url.partition("?")
        version, _, rest = url[len(CDN):].partition("/")
        if rest == "latest.js":
            src = json.dumps(f"{CDN}{version}/MathJax.js" + (f"?{query}" if query else ""))
            route.fulfill(content_type="application/javascript", body=(
                f"(function () {{ var s = document.createElement('script'); s.src = {src}; "
                "document.head.appendChild(s); })();"))
            return
        path = MATHJAX2 / rest
        if path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404, body="")
    page.route(CDN + "**", handle)


def _mathjax2_is_live(page: Page) -> bool:
    """MathJax 2 has loaded and typesets a probe paragraph added to the page (so skipping the reflection is
    MathJax's choice, not an absent MathJax)."""
    page.wait_for_function("() => window.MathJax && MathJax.isReady === true", timeout=60_000)
    page.evaluate("""() => { const p = document.createElement('p'); p.id = 'cps-probe'; p.textContent = '$x^2$';
                             document.body.appendChild(p); MathJax.Hub.Queue(['Typeset', MathJax.Hub, p]); }""")
    page.wait_for_function("() => document.querySelector('#cps-probe .MathJax_CHTML, #cps-probe .mjx-chtml')",
                           timeout=60_000)
    return True


def _literal(page: Page, scope: str) -> str:
    """The reflection's text as the page shows it, after checking nothing in it was typeset or made a link."""
    pre = page.locator(f"{scope} pre.cps-reflection")
    assert pre.count() == 1, scope
    assert pre.locator("a, b, em, mjx-container, .MathJax, .MathJax_CHTML, .mjx-chtml, img, script").count() == 0
    assert page.locator("a[href*='example.org']").count() == 0
    return pre.text_content()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_DB_URL", raising=False)
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        root = one_module_course(tmp_path_factory.mktemp("reflection") / "course", MODULE)
        course = load_course(root)
        module = course.modules[0]
        rid = module.reflections()[0]["id"]
        build.build(root, course)  # this checkout's notebooks, whatever state the repo's source/ is in
        nbgrader(["generate_assignment", MODULE, "--force"], root)
        base = {t.student: t for t in cohort.profiles(module)}["sim_all_right"]
        for student, text in (("trainee_new", NEW), ("trainee_old", None), ("trainee_long", LONG)):
            base.student, base.reflection = student, text
            folder = cohort.write_submission(root, module, base)
        # A submission made before this change: the old task text, no reflection box, the words in an answer
        # cell below the task cell.
        old = root / "submitted" / "trainee_old" / MODULE / f"{module.notebook}.ipynb"
        nb = nbformat.read(old, as_version=4)
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != f"show_{rid}"]
        at = next(n for n, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == rid)
        assert HOW_TO_ANSWER in nb.cells[at].source
        nb.cells[at].source = nb.cells[at].source.replace(HOW_TO_ANSWER, LEGACY_HOW)
        nb.cells.insert(at + 1, nbformat.v4.new_markdown_cell(OLD, metadata={"cps": {"answer_to": rid}}))
        nbformat.write(nb, old)
        assert folder.is_dir()
        run = nbgrader(["autograde", MODULE], root, check=False)
        assert run.returncode == 0, run.stdout[-3000:]
        nbgrader(["generate_feedback", MODULE], root)
        yield {"root": root, "module": module, "rid": rid, "log": run.stdout, "course": course}


def _task_source(root: Path, module, student: str, rid: str) -> str:
    nb = nbformat.read(root / "autograded" / student / MODULE / f"{module.notebook}.ipynb", as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == rid)


def test_each_reflection_is_in_its_task_cell_and_a_long_one_is_cut_with_a_note(graded):
    root, module, rid = graded["root"], graded["module"], graded["rid"]
    for student, source in (("trainee_new", "answers_file"), ("trainee_old", "notebook"),
                            ("trainee_long", "answers_file")):
        task = _task_source(root, module, student, rid)
        assert "Reflection written by the trainee" in task and '<pre class="cps-reflection' in task, student
        report = read_report(root / "autograded" / student / MODULE, module.notebook)
        assert report["reflections"][rid]["from"] == source, student
        assert report["added_cells_dropped"] == 0, student  # the old answer cell is the trainee's, not an added one
        assert report["course_cells_restored"] == 0, student  # the old task text is not an edited cell
    long_report = read_report(root / "autograded" / "trainee_long" / MODULE, module.notebook)
    assert long_report["reflections_cut"] == {rid: len(LONG)}
    assert f"reflection {rid} is {len(LONG)} characters" in graded["log"]
    assert TAIL not in _task_source(root, module, "trainee_long", rid)
    assert f"the first {MAX_REFLECTION_CHARS:,} of {len(LONG):,} characters" in _task_source(
        root, module, "trainee_long", rid)
    page = (root / "feedback" / "trainee_long" / MODULE / f"{module.notebook}.html").read_text()
    assert TAIL not in page and "word word" in page
    # The whole text stays in the trainer's copy of the submission, and the trainer's problem list says so.
    saved = json.loads((root / "autograded" / "trainee_long" / MODULE / "cps_answers.json").read_text())
    assert saved["answers"][rid]["value"] == LONG
    pairs = pd.DataFrame({"student": ["trainee_new", "trainee_old", "trainee_long"], "assignment": [MODULE] * 3})
    rows = integrity.reflection_cut_problems(root, graded["course"], pairs)
    assert list(rows["student"]) == ["trainee_long"] and list(rows["reason"]) == ["reflection_cut"]
    assert rows["message"].iloc[0].startswith(f"reflection {rid} is {len(LONG):,} characters: formgrader and "
                                              f"feedback show the first {MAX_REFLECTION_CHARS:,}")


def test_formgrader_feedback_and_jupyterlab_show_the_reflection_as_typed(graded, tmp_path):
    if not (MATHJAX2 / "MathJax.js").is_file():
        pytest.fail("Debian's libjs-mathjax is needed to check MathJax in nbconvert's pages: apt-get install libjs-mathjax")
    root, module, rid = graded["root"], graded["module"], graded["rid"]
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        ids = {s: gb.find_submission_notebook(module.notebook, MODULE, s).id for s in ("trainee_new", "trainee_old")}
    # The trainer opens an autograded notebook in JupyterLab (formgrader's "open live notebook"); a copy with a
    # math probe after the task cell shows that JupyterLab's MathJax is live on that page.
    check = root / "check"
    check.mkdir()
    nb = nbformat.read(root / "autograded" / "trainee_new" / MODULE / f"{module.notebook}.ipynb", as_version=4)
    at = next(n for n, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == rid)
    nb.cells.insert(at + 1, nbformat.v4.new_markdown_cell("Probe: $x^2$", metadata={"cps": {"probe": True}}))
    nbformat.write(nb, check / "autograded.ipynb")
    seen = {}
    home = tmp_path / "home"
    quiet_lab_settings(home)
    with jupyterlab(root, home, "trainer", SHOTS / "jupyterlab.log") as (base, token), chromium() as browser:
        for student, sid in ids.items():
            page = open_page(browser, f"{base}/formgrader/submissions/{sid}/?token={token}",
                             prepare=_serve_mathjax)
            assert _mathjax2_is_live(page)
            box = page.locator(BOX)
            assert box.count() == 1
            page.wait_for_timeout(1000)  # formgrader focuses its first score box once loaded
            bb, top = box.bounding_box(), page.evaluate("() => window.scrollY")
            page.screenshot(path=str(SHOTS / f"formgrader_{student}.png"), full_page=True, clip={
                "x": bb["x"], "y": bb["y"] + top, "width": bb["width"], "height": bb["height"]})
            seen[("formgrader", student)] = _literal(page, BOX)
            seen[("formgrader box", student)] = box.inner_text()
            page.close()

        page = open_page(browser, (root / "feedback" / "trainee_new" / MODULE / f"{module.notebook}.html").as_uri(),
                         prepare=_serve_mathjax)
        # the course's feedback page (autograde/templates/feedback) loads no script and no MathJax at all
        assert page.evaluate("() => !window.MathJax && document.scripts.length === 0")
        page.locator("pre.cps-reflection").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "feedback.png"))
        seen[("feedback", "trainee_new")] = _literal(page, "body")
        seen[("feedback page", "trainee_new")] = page.inner_text("body")
        page.close()

        page = open_page(browser, f"{base}/lab/tree/check/autograded.ipynb?token={token}")
        pre = page.locator(".jp-MarkdownCell pre.cps-reflection")
        pre.wait_for(state="attached", timeout=120_000)
        pre.scroll_into_view_if_needed()
        page.locator(".jp-MarkdownCell:has-text('Probe:') mjx-container").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)  # the typesetter has had its turn at the cells in view
        page.screenshot(path=str(SHOTS / "jupyterlab_autograded.png"))
        seen[("jupyterlab", "trainee_new")] = _literal(page, ".jp-MarkdownCell")
        page.close()

    assert seen[("formgrader", "trainee_new")] == NEW
    assert seen[("formgrader", "trainee_old")] == OLD  # a submission made before this change
    assert seen[("feedback", "trainee_new")] == NEW
    assert seen[("jupyterlab", "trainee_new")] == NEW
    for student in ids:  # the grading box: the prompt, the mark scheme as a mark scheme, no BEGIN/END headings
        box = seen[("formgrader box", student)]
        assert "Mark scheme (" in box and "Reflection written by the trainee" in box
        assert "BEGIN MARK SCHEME" not in box.replace(NEW, "") and "END MARK SCHEME" not in box.replace(NEW, "")
    page = seen[("feedback page", "trainee_new")]
    assert "Mark scheme (" not in page and "Reflection written by the trainee" in page
