"""The course on a real JupyterHub, end to end, with nbgrader's exchange and real Linux users.

deploy/jupyterhub_config.py runs as is (PAM logins with each person's own password, LocalProcessSpawner,
configurable-http-proxy from deploy/package-lock.json). A trainer and two trainees are Linux users made here.
The trainer releases a module into the exchange (deploy/exchange.sh, then `nbgrader release_assignment`);
each trainee fetches it as themselves; Amy answers in JupyterLab through the hub in headless Chromium,
keyboard only; Ben answers through the same widgets in a kernel of his own server, reached with a token he
got with his own password; both submit (`nbgrader submit`). The trainer collects, autogrades with
`cps-course autograde-parallel` against PostgreSQL, generates and releases feedback; each trainee fetches
feedback that shows their own points and no key. Permissions are checked by trying, as each trainee, to read
what must stay private. Screenshots and logs: out/test-artifacts/hub/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from courselib import one_module_course
from hubkit import (
    DEPLOY,
    PROXY,
    USER_ENV,
    Hub,
    Person,
    add_user,
    as_user,
    each,
    probe,
    readable_deploy,
    remove_user,
    run_in_kernel,
    user_env,
)
from lablib import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    answer_with_keyboard,
    code_in_sight,
    news_toasts,
    output_of,
    run_all,
    wait_for_saved_run,
    wait_idle,
)
from nbgrader.api import Gradebook
from pgserver import fresh_database
from playwright.sync_api import sync_playwright

from cps_ethics import store
from cps_ethics.authoring.release import leaks
from cps_ethics.model import scoring
from cps_ethics.model.content import load_course
from cps_ethics.notebook.widget_kit import Context

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ASSIGNMENT, NOTEBOOK, COURSE_ID = "01_why_a_code", "why_a_code", "ma-cps-ethics"
OUT = ARTIFACTS / "hub"
# What each trainee chooses, by rating (the content may change; the test picks by what the key says):
# Amy (in the browser) the best answer to the question and a path of acceptable steps where there are any;
# Ben (in his kernel) a weaker answer to the question and the best path through the scenario.
PREFER = {"amy": (["best"], ["acceptable", "best", "harmful"]),
          "ben": (["harmful", "acceptable", "best"], ["best"])}

BEN_CODE = """
import json
from pathlib import Path
from cps_ethics import store
from cps_ethics.notebook import widgets
question = widgets.build({question!r})
question.controls[0].value = {pick!r}              # the radio buttons' value: its observer saves the answer
scenario = widgets.build({scenario!r})
for node, option in {path!r}:
    assert scenario.current() == node, (scenario.current(), node)
    scenario.radio.value = option
    scenario.confirm.click()                       # the "Confirm this choice" button's own click handlers
print(json.dumps(store.read(Path("cps_answers.json"))))
"""


def _slots(module) -> tuple[str, str]:
    """The first graded single-choice question and the first graded scenario of the module, by slot id."""
    slots, question, scenario = module.slots(), None, None
    for ref in module.data["layout"]:
        kind, _, rid = ref.partition(":")
        if rid in slots and slots[rid][1][0]["kind"] == "graded":
            first = slots[rid][1][0]
            if kind == "item" and first["type"] == "single" and question is None:
                question = rid
            if kind == "scenario" and scenario is None:
                scenario = rid
    assert question and scenario, "the module needs a graded single-choice question and a graded scenario"
    return question, scenario


def _choices(course, folder: Path, person: Person, who: str, question: str, scenario: str) -> dict:
    """What `person` will choose: for each slot, the variant they are shown, its key and the option ids."""
    ctx = Context(folder=folder, trainee=person.name)
    q_pref, s_pref = PREFER[who]
    q_shown, s_shown = ctx.variant(question), ctx.variant(scenario)
    q_key, s_key = course.find(q_shown)[1], course.find(s_shown)[1]
    pick = next(o["id"] for r in q_pref for o in q_key["options"] if o["rating"] == r)
    nodes, nid, path = {n["id"]: n for n in s_key["nodes"]}, s_key["start"], []
    while nodes[nid].get("options"):
        opt = next(o for r in s_pref for o in nodes[nid]["options"] if o["rating"] == r)
        path.append((nid, opt["id"]))
        nid = opt["next"]
    return {"question": (question, q_shown, q_key, pick), "scenario": (scenario, s_shown, s_key, path)}


def _feedback_scores(html: str, grade_ids: list[str]) -> dict[str, float]:
    out = {}
    for gid in grade_ids:
        m = re.search(rf'data-grade-id="{re.escape(gid)}">.*?class="score">([0-9.]+) of ([0-9.]+)', html,
                      re.DOTALL)  # the course's feedback page (autograde/templates/feedback)
        assert m, f"no score for {gid} in the feedback"
        out[gid] = float(m.group(1))
    return out


def _memory_mb(person: Person) -> int:
    """Resident memory of everything running as `person` (their JupyterLab server and kernel), in MB."""
    out = subprocess.run(["ps", "-u", person.name, "-o", "rss="], capture_output=True, text=True).stdout
    return sum(int(x) for x in out.split()) // 1024


class Timer:
    def __init__(self):
        self.t0 = self.last = time.monotonic()
        self.marks: dict[str, float] = {}

    def __call__(self, what: str) -> None:
        now = time.monotonic()
        self.marks[what] = round(now - self.last, 1)
        self.last = now
        (OUT / "timings.json").write_text(json.dumps({**self.marks, "total": self.total()}, indent=1))

    def total(self) -> float:
        return round(time.monotonic() - self.t0, 1)


@pytest.fixture
def people():
    """A trainer and two trainees as Linux users (homes in a private folder); removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the hub test makes Linux users and runs JupyterHub's LocalProcessSpawner: run it as root")
    base = Path(tempfile.mkdtemp(prefix="cps-hub-"))
    base.chmod(0o755)
    (base / "home").mkdir(mode=0o755)
    tag = secrets.token_hex(2)
    made: list[Person] = []
    try:
        for name, role in ((f"cps{tag}trainer", "trainer"), (f"cps{tag}amy", "trainee"), (f"cps{tag}ben", "trainee")):
            made.append(add_user(name, base / "home", role))
        USER_ENV["prefix"], USER_ENV["deploy"] = user_env(base), readable_deploy(base)
        yield base, made[0], made[1], made[2]
    finally:
        USER_ENV.update(prefix=Path(sys.prefix), deploy=DEPLOY)
        for person in made:
            remove_user(person)
        shutil.rmtree(base, ignore_errors=True)


def test_a_cohort_on_jupyterhub_with_nbgrader_exchange(people, pg_url):
    base, trainer, amy, ben = people
    assert PROXY.exists(), "configurable-http-proxy is missing: run `source scripts/setup.sh test` (npm ci in deploy/)"
    clock = Timer()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    exchange = base / "exchange"
    hub_env = {"CPS_HUB_TRAINEES": f"{amy.name},{ben.name}", "CPS_HUB_TRAINERS": trainer.name,
               "CPS_EXCHANGE_ROOT": str(exchange), "CPS_COURSE_ID": COURSE_ID}
    everyone_env = {"CPS_EXCHANGE_ROOT": str(exchange), "CPS_COURSE_ID": COURSE_ID}

    hub = Hub(base / "hub", OUT / "jupyterhub.log", hub_env).launch()  # starts while the trainer works
    try:
        # The trainer's course folder, private to them (the README's step), with a PostgreSQL gradebook.
        trainer.home.chmod(0o700)
        course = one_module_course(trainer.home / "course", ASSIGNMENT)
        subprocess.run(["chown", "-R", f"{trainer.name}:", str(course)], check=True)
        db = fresh_database(pg_url, "hub")
        trainer_env = {**everyone_env, "CPS_DB_URL": db}
        as_user(trainer, ["cps-course", "release"], cwd=course, extra_env=trainer_env)
        clock("trainer: cps-course release")

        # The exchange (as root, once), then the trainer releases the module into it.
        subprocess.run(["sh", str(DEPLOY / "exchange.sh"), str(exchange), COURSE_ID, trainer.name], check=True)
        as_user(trainer, ["nbgrader", "release_assignment", ASSIGNMENT], cwd=course, extra_env=trainer_env)
        assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
        assert oct((exchange / COURSE_ID / "inbound").stat().st_mode & 0o7777) == "0o3733"
        clock("trainer: nbgrader release_assignment")

        hub.wait_ready()
        clock("hub ready")
        each([amy, ben], ["nbgrader", "fetch_assignment", ASSIGNMENT], extra_env=everyone_env)
        for person in (amy, ben):
            assert (person.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
        clock("trainees: nbgrader fetch_assignment")

        loaded = load_course(course)
        module = loaded.module(ASSIGNMENT)
        question, scenario = _slots(module)
        plan = {p.name: _choices(loaded, p.home / ASSIGNMENT, p, who, question, scenario)
                for p, who in ((amy, "amy"), (ben, "ben"))}

        # Amy: logs in to the hub in Chromium and answers with the keyboard only.
        seen = _amy_in_the_browser(hub, amy, plan[amy.name])
        clock("amy: browser session through the hub")

        # Ben: his own token (his password), his own server, his own kernel, the same widgets.
        token = hub.token(ben)
        hub.start_server(ben, token)
        q, s = plan[ben.name]["question"], plan[ben.name]["scenario"]
        printed = run_in_kernel(hub, ben, token, f"{ASSIGNMENT}/{NOTEBOOK}.ipynb", BEN_CODE.format(
            question=question, pick=q[3], scenario=scenario, path=s[3]))
        saved = json.loads(printed.strip().splitlines()[-1])
        assert {k: v["value"] for k, v in saved.items()} == {question: q[3], scenario: [list(x) for x in s[3]]}
        # His token opens his own server only.
        assert hub.request("GET", f"/user/{amy.name}/api/contents", token=token)[0] in (403, 404)
        assert hub.request("GET", f"/user/{ben.name}/api/contents", token=token)[0] == 200
        clock("ben: widgets in his kernel through the hub's API")
        memory = {p.name[7:]: _memory_mb(p) for p in (amy, ben)}  # each server and kernel, for the README's sizing
        (OUT / "memory_mb.json").write_text(json.dumps(memory))

        # Both submit with nbgrader, as themselves.
        each([amy, ben], ["nbgrader", "submit", ASSIGNMENT], extra_env=everyone_env)
        clock("trainees: nbgrader submit")

        # The trainer: collect, autograde (parallel, PostgreSQL), feedback.
        as_user(trainer, ["nbgrader", "collect", ASSIGNMENT], cwd=course, extra_env=trainer_env)
        assert {p.name for p in (course / "submitted").iterdir()} == {amy.name, ben.name}
        clock("trainer: nbgrader collect")
        res = as_user(trainer, ["cps-course", "autograde-parallel", "--workers", "2"], cwd=course,
                      extra_env=trainer_env)
        (OUT / "autograde-parallel.txt").write_text(res.stdout + res.stderr)
        clock("trainer: cps-course autograde-parallel")
        for step in ("generate_feedback", "release_feedback"):
            as_user(trainer, ["nbgrader", step, ASSIGNMENT], cwd=course, extra_env=trainer_env)
        clock("trainer: generate_feedback, release_feedback")
        each([amy, ben], ["nbgrader", "fetch_feedback", ASSIGNMENT], extra_env=everyone_env)
        clock("trainees: nbgrader fetch_feedback")
    finally:
        hub.stop()
    clock("hub stopped")

    # What each chose is what their answers file holds (with the variant they saw); the gradebook credits that.
    expected = {}
    for person in (amy, ben):
        q, s = plan[person.name]["question"], plan[person.name]["scenario"]
        got = store.read(person.home / ASSIGNMENT / "cps_answers.json")
        assert {k: (v["value"], v.get("variant", k)) for k, v in got.items()} == {
            question: (q[3], q[1]), scenario: ([list(x) for x in s[3]], s[1])}, person.name
        expected[person.name] = {question: scoring.score_item(q[2], q[3]).points,
                                 scenario: scoring.score_scenario(s[2], [list(x) for x in s[3]]).points}
    assert expected[amy.name] != expected[ben.name]
    assert expected[amy.name][question] > 0 and expected[ben.name][scenario] > 0
    grade_ids = [slot for slot, (_kind, xs) in module.slots().items() if xs[0]["kind"] == "graded"]
    with Gradebook(db) as gb:
        book = {who: {gid: gb.find_grade(gid, NOTEBOOK, ASSIGNMENT, who).score for gid in grade_ids}
                for who in expected}
        totals = {who: gb.find_submission(ASSIGNMENT, who).score for who in expected}
    for who in expected:
        assert book[who] == {gid: expected[who].get(gid, 0.0) for gid in grade_ids}, who

    # Each trainee's feedback: their own points, the same total as the gradebook, and no key.
    for person in (amy, ben):
        files = sorted((person.home / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK}.html"))
        assert len(files) == 1, files
        html = files[0].read_text(encoding="utf-8")
        shutil.copy(files[0], OUT / f"feedback_{person.name[7:]}.html")
        assert _feedback_scores(html, grade_ids) == book[person.name]
        header = re.search(r"Total: ([0-9.]+) of ([0-9.]+) points", html)
        assert header and float(header.group(1)) == pytest.approx(totals[person.name])
        assert leaks(files[0].parent, loaded) == [], "feedback shows a key"

    # Permissions, tried as each trainee: the other's work, the course, and the exchange's private parts.
    private_course = [course, course / "content" / "modules" / f"{ASSIGNMENT}.yaml", course / "submitted",
                      course / "autograded", course / "feedback", course / "nbgrader_config.py"]
    exchange_lists = [exchange / COURSE_ID / "inbound", exchange / COURSE_ID / "feedback"]
    for me, other in ((amy, ben), (ben, amy)):
        theirs = [other.home, other.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb", other.home / ASSIGNMENT / "cps_answers.json",
                  other.home / ASSIGNMENT / "feedback", other.home / ".local" / "share" / "jupyter" / "nbgrader_cache"]
        for p in theirs + private_course + exchange_lists:
            assert p.exists(), p  # it is there (seen as root), so "denied" below means the permissions hold
        got = probe(me, theirs + private_course + exchange_lists)
        assert {p: v for p, v in got.items() if v != "denied"} == {}, f"{me.name} could read these"
        own = probe(me, [me.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb", me.home / ASSIGNMENT / "feedback",
                         exchange / COURSE_ID / "outbound" / ASSIGNMENT])
        assert set(own.values()) == {"read"}, own  # the same trainee can read what is theirs or released
    for person in (amy, ben, trainer):
        assert oct(person.home.stat().st_mode & 0o777) == "0o700", person.name

    # The trainee's JupyterLab on the hub: no news question, no code in sight, no trainer tools.
    assert seen["toasts"] == [] and seen["formgrader"] == 404 and not seen["trainer_tools"], seen
    assert seen["code"]["visible_editors"] == 0 and seen["code"]["previews"] == [], seen["code"]
    assert seen["code"]["code_text"] == [], seen["code"]
    clock("checks")


def _amy_in_the_browser(hub: Hub, amy: Person, plan: dict) -> dict:
    notebook = amy.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{hub.url}/hub/login")
            page.locator("#username_input").wait_for()
            assert page.evaluate("() => document.activeElement.id") == "username_input"  # the form starts there
            page.keyboard.type(amy.name)
            page.keyboard.press("Tab")
            page.keyboard.type(amy.password)
            page.screenshot(path=str(OUT / "01_login.png"))
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(rf".*/user/{amy.name}/lab.*"), timeout=150_000)
            page.goto(f"{hub.url}/user/{amy.name}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}.ipynb")
            wait_idle(page)
            run_all(page)
            page.wait_for_function("() => document.body.innerText.includes('graded items answered')",
                                   timeout=150_000)
            page.screenshot(path=str(OUT / "02_after_run_all.png"))
            (q_slot, _, q_key, q_pick), (s_slot, _, s_key, path) = plan["question"], plan["scenario"]
            answer_with_keyboard(page, notebook, (q_slot, q_key, q_pick), (s_slot, s_key, path))
            output_of(page, notebook, s_slot).get_by_text("End of this scenario.").wait_for(timeout=30_000)
            page.keyboard.press("Escape")
            page.keyboard.press("Control+s")
            wait_for_saved_run(notebook)
            output_of(page, notebook, s_slot).screenshot(path=str(OUT / "03_scenario_answered.png"))
            seen = {"toasts": news_toasts(page), "code": code_in_sight(page),
                    "trainer_tools": [t for t in ("Create Assignment", "Formgrader", "Validate")
                                      if page.get_by_text(t, exact=True).count()],
                    "formgrader": page.request.get(f"{hub.url}/user/{amy.name}/formgrader").status}
            page.screenshot(path=str(OUT / "04_saved.png"))
        finally:
            browser.close()
    return seen
