"""The study site in headless Chromium, from file://, at a phone and a desktop size, keyboard only.

A trainee opens a module from the home page, answers a practice question and a scenario step with Tab,
the arrow keys, Space and Enter, sees the feedback, reloads and finds the answers and progress kept. The
practice set draws new questions each time. axe-core (pinned in tests/site/package.json) finds no serious
or critical accessibility problem on any page. Screenshots go to artifacts/site/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, sync_playwright
from sitelib import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, flat

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZES = {"phone": PHONE, "desktop": DESKTOP}
FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, text: (e.textContent || '').replace(/\\s+/g, ' ').trim(), name: e.name || '',
          value: e.value || '', type: e.type || '', node: e.getAttribute('data-node') || '',
          outline: getComputedStyle(e).outlineStyle, outlineWidth: parseFloat(getComputedStyle(e).outlineWidth)}; }"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    contexts, errors = [], []

    def make(size: str) -> Page:
        ctx = browser.new_context(viewport=SIZES[size], device_scale_factor=2 if size == "phone" else 1,
                                  is_mobile=size == "phone", has_touch=size == "phone")
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, f"script errors on the page: {errors}"


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page: Page, want, what: str, limit: int = 120) -> dict:
    """Press Tab until the focused element satisfies `want`; fails if it never comes."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = focused(page)
        if want(f):
            assert f["outline"] != "none" and f["outlineWidth"] >= 2, f"no visible focus on {f}"
            return f
    raise AssertionError(f"Tab never reached {what}")


def pick_radio(page: Page, name: str, value: str) -> None:
    """Keyboard only: Tab into the radio group, then arrow keys to the option, Space to choose it."""
    tab_to(page, lambda f: f["type"] == "radio" and f["name"] == name, f"the options of {name}")
    for _ in range(10):
        if focused(page)["value"] == value:
            break
        page.keyboard.press("ArrowDown")
    assert focused(page)["value"] == value
    page.keyboard.press("Space")
    assert page.locator(f'input[name="{name}"][value="{value}"]').is_checked()


def first_practice(course, kind: str, **want):
    for m in course.modules:
        seq = m.items() if kind == "item" else m.scenarios()
        for x in seq:
            if x["kind"] == "practice" and all(x.get(k) == v for k, v in want.items()):
                return m, x
    raise AssertionError(f"no practice {kind} {want}")


def no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the page scrolls sideways by {wide} px"


@pytest.mark.parametrize("size", list(SIZES))
def test_keyboard_only_open_a_module_answer_see_feedback_reload_and_keep_progress(size, site_dir, course, new_page):
    module, item = first_practice(course, "item", type="single")
    best = next(o for o in item["options"] if o["rating"] == "best")
    page = new_page(size)
    page.goto((site_dir / "index.html").as_uri())
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to the main content" and skip["outline"] != "none"
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == flat(module.data["title"]), "the module link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{module.id}.html")
    no_sideways_scroll(page)

    pick_radio(page, item["id"], best["id"])
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Check my answer", "Check my answer")
    page.keyboard.press("Enter")
    box = page.locator(f'form[data-item="{item["id"]}"] .feedback')
    box.wait_for(state="visible")
    assert "A strong choice." in box.inner_text() and flat(best["feedback"]) in flat(box.inner_text())
    total = sum(1 for x in module.items() + module.scenarios() if x["kind"] == "practice")
    progress = page.locator("main > p.progress")
    assert flat(progress.inner_text()) == f"Your progress in this module: 1 of {total} practice parts done."
    page.locator(f"#{item['id']}").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{size}_module_feedback.png")

    page.reload()
    assert page.locator(f'input[name="{item["id"]}"][value="{best["id"]}"]').is_checked()
    assert flat(best["feedback"]) in flat(box.inner_text())
    assert flat(progress.inner_text()) == f"Your progress in this module: 1 of {total} practice parts done."
    page.screenshot(path=ARTIFACTS / f"{size}_module_after_reload.png", full_page=True)

    page.goto((site_dir / "index.html").as_uri())
    home = page.locator(f'[data-progress-module="{module.id}"]')
    assert flat(home.inner_text()) == f"1 of {total} practice parts done."
    page.screenshot(path=ARTIFACTS / f"{size}_home.png")


@pytest.mark.parametrize("size", list(SIZES))
def test_keyboard_only_practice_scenario_step_feedback_and_path_kept(size, site_dir, course, new_page):
    module, sc = first_practice(course, "scenario")
    start = next(n for n in sc["nodes"] if n["id"] == sc["start"])
    choice = next(o for o in start["options"] if o["rating"] == "best")
    page = new_page(size)
    page.goto((site_dir / f"{module.id}.html").as_uri())
    pick_radio(page, f"{sc['id']}--{start['id']}", choice["id"])
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Confirm this choice", "Confirm this choice")
    page.keyboard.press("Enter")
    section = page.locator(f"#{sc['id']}")
    step1 = section.locator(f'.node[data-node="{start["id"]}"] .feedback')
    assert flat(choice["feedback"]) in flat(step1.inner_text()) and flat(choice["text"]) in flat(step1.inner_text())
    nxt = section.locator(f'.node[data-node="{choice["next"]}"]')
    assert nxt.is_visible() and focused(page)["node"] == choice["next"]  # focus moves to what happens next
    page.screenshot(path=ARTIFACTS / f"{size}_scenario_step.png")
    page.reload()
    assert section.locator(f'input[name="{sc["id"]}--{start["id"]}"][value="{choice["id"]}"]').is_checked()
    assert nxt.is_visible() and section.locator(".restart").is_visible()


def test_practice_set_draws_new_questions_each_time(site_dir, new_page):
    page = new_page("phone")
    url = (site_dir / "practice.html").as_uri()
    shown = "() => [...document.querySelectorAll('#practice-set .practice-item:not([hidden])')].map(e => e.id)"
    page.goto(url)
    first = page.evaluate(shown)
    page.reload()
    second = page.evaluate(shown)
    tab_to(page, lambda f: f["text"] == "Give me a new set", "Give me a new set")
    page.keyboard.press("Enter")
    third = page.evaluate(shown)
    assert len(first) == len(second) == len(third) == 5
    assert not set(first) & set(second) and not set(second) & set(third)
    assert "A new set of 5 questions is ready." in page.locator("#set-status").inner_text()
    form = page.locator(f"#{third[0]} form")
    form.locator("button").click()  # nothing chosen yet: a prompt, not a verdict
    assert form.locator(".feedback").inner_text().strip() in {
        "Choose an answer first.", "Tick at least one box first.", "Choose a match for every one to see feedback.",
        "Fill every step to see feedback."}


PAGES = ["index.html", "01_why_a_code.html", "03_confidentiality.html", "practice.html", "glossary.html", "help.html"]


@pytest.mark.parametrize("size", list(SIZES))
def test_axe_finds_no_serious_or_critical_problem(size, site_dir, new_page):
    assert AXE.is_file(), "axe-core is missing: run `source scripts/setup.sh test` (npm ci in tests/site)"
    page = new_page(size)
    checked = 0
    for name in PAGES:
        page.goto((site_dir / name).as_uri())
        if name.endswith("confidentiality.html"):  # with feedback and a scenario step on show
            for form in page.locator("form.practice").all()[:2]:
                form.locator("input, select").first.check() if form.locator("input").count() else None
                form.locator("button").click()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name} at {size} size:\n" + "\n".join(bad)
        if size == "phone":
            no_sideways_scroll(page)
        checked += 1
    print(f"\naxe-core {page.evaluate('axe.version')}: {checked} pages at {size} size, no serious or critical problem")
