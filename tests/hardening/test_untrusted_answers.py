"""One bad answers file never stops the class (issue 16, parts 5 and 3), through the real commands.

A class of one module (real trainee names, so `cps-course main` grades them with real nbgrader rather than
simulating): the cohort's profiles, a copier who copied the test-wise trainee's answers file and shifted
every save time, and trainees whose answers files hold everything hostile we could think of (lists, objects,
numbers and nulls where text belongs, huge strings, lone surrogates, ESC sequences, formula starts, math).
`cps-course main`, `cps-course autograde-parallel` and `cps-course report` finish with exit 0 and write every
other trainee's reports; every CSV is formula-safe; terminal output shows escapes as text; math in trainee
strings stays literal text in the class report and in the instructor dashboard in JupyterLab (Chromium).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from courselib import one_module_course

from cps_ethics import store
from cps_ethics.autograde.runner import env
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort, faults
from grading import csvsafe, integrity

pytestmark = pytest.mark.slow
MODULE = "03_confidentiality"  # enough graded questions for a copy of one trainee's answers to stand out
PREFIX = "t_"  # real-looking names: the main job grades them instead of simulating a cohort
HOSTILE, BAD_VERSION = PREFIX + "hostile", PREFIX + "bad_version"
COPIER = PREFIX + "copier"
HIGH_SCORERS = (PREFIX + "all_right", PREFIX + "edited_locked")
HREF, COLOR = "$\\href{https://x.example/}{y}$", "$\\color{red}{x}$"
ESC_KEY = "\x1b[2J\x1b[H\x1b[32mALL SUBMISSIONS GRADED OK\x1b[0m"
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?inf")
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(1,1)", "=HYPERLINK(\"http://x\",\"y\")"]


def hostile_file(good: dict, module) -> bytes:
    """The all-right trainee's answers plus every hostile entry; written with ASCII escapes (so lone
    surrogates survive as \\ud800 in the JSON text, as a hand-edited file can hold them)."""
    answers = {k: dict(v) for k, v in good["answers"].items()}
    slots = module.slots()
    scenario = next(s for s, (kind, xs) in slots.items() if kind == "scenario" and xs[0]["kind"] == "graded")
    single = next(s for s, (kind, xs) in slots.items() if kind == "item" and xs[0]["type"] == "single"
                  and xs[0]["kind"] == "graded")
    answers[scenario] = {"value": [["start", ["a"]]], "at": "2026-11-30T10:00:00.000Z"}  # list as option id
    answers[single] = {"value": {"a": [1, {"b": None}]}, "at": "\ud800"}
    answers[ESC_KEY] = {"value": "a\x1b]0;pwned\x07", "at": "\x1b[2J"}
    answers[HREF] = {"value": 12, "at": "2026-11-30T10:00:00.000Z"}  # a number: the entry is a problem row
    answers[COLOR] = {"value": None, "at": "2026-11-30T10:00:00.000Z"}
    answers["\ud800lone"] = {"value": "\ud800", "at": "\udfff", "variant": "\ud800"}
    answers["huge"] = {"value": "x" * 300_000, "at": "y" * 300_000, "variant": "z" * 300_000}
    answers["not_an_entry"] = ["value", "at"]
    answers["variant_list"] = {"value": "a", "at": "2026-11-30T10:00:00.000Z", "variant": ["v", 1]}
    answers["time_number"] = {"value": "a", "at": 1.5e300}
    for n, f in enumerate(FORMULAS):
        answers[f] = {"value": f, "at": f, "variant": f}
        answers[f"k{n}"] = {"value": [f, None], "at": f}
    answers["matching"] = {"value": {"=1+1": "@x", "p": "-y"}, "at": "+z"}
    answers["path"] = {"value": [["=a", "+b"], ["@c", "-d"]], "at": "2026-11-30T10:00:00.000Z"}
    data = {"format": "cps-answers", "version": 1, "answers": answers, "=extra": ["\x1b[31m"]}
    return json.dumps(data, ensure_ascii=True).encode()


@pytest.fixture(scope="module")
def cls(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_DB_URL", raising=False)
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        mp.setattr(cohort, "PREFIX", PREFIX)  # the profiles' names, and the variants they are shown
        root = one_module_course(tmp_path_factory.mktemp("untrusted") / "course", MODULE)
        course = load_course(root)
        module = course.modules[0]
        names = []
        for t in cohort.profiles(module):
            cohort.write_submission(root, module, t)
            names.append(t.student)
        good = next(t for t in cohort.profiles(module) if t.student == PREFIX + "all_right")
        for name, raw in ((HOSTILE, None), (BAD_VERSION, None), (COPIER, None)):
            good.student = name
            folder = cohort.write_submission(root, module, good)
            if name == HOSTILE:
                (folder / "cps_answers.json").write_bytes(hostile_file(json.loads((folder / "cps_answers.json")
                                                                                  .read_text()), module))
            elif name == BAD_VERSION:
                (folder / "cps_answers.json").write_text(json.dumps(
                    {"format": "cps-answers", "version": ["\x1b[2J", "=1+1"], "answers": {}}))
            else:
                faults._copier(folder, module)
            names.append(name)

        def cps(*args):
            return subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(root), *args],
                                  capture_output=True, text=True, env=env({"CPS_DB_URL": ""}), timeout=3600)

        main = cps("main")
        parallel = cps("autograde-parallel", "--workers", "1")
        report = cps("report")
        yield {"root": root, "course": course, "module": module, "names": names, "main": main,
               "parallel": parallel, "report": report}


def test_the_hostile_files_are_really_hostile(cls):
    """The trainer's reader leaves out what does not fit, says what was wrong, and cleans every string."""
    answers, problems = store.load(cls["root"] / "autograded" / HOSTILE / MODULE / "cps_answers.json")
    reasons = " ".join(m for _, m in problems)
    assert HREF in reasons and COLOR in reasons and "not_an_entry" in reasons and "variant_list" in reasons
    assert "a list holding a list, text" in reasons or "holding a list" in reasons
    for key, entry in answers.items():
        for s in [key, entry["at"], entry.get("variant", ""), json.dumps(entry["value"], ensure_ascii=False)]:
            s.encode("utf-8")  # no lone surrogate left
            assert not re.search("[\x00-\x1f\x7f-\x9f]", s), s
            assert len(s) <= 2 * store.MAX_TEXT + 10
    assert "\\x1b[2J\\x1b[H\\x1b[32mALL SUBMISSIONS GRADED OK\\x1b[0m" in answers


@pytest.mark.parametrize("command", ["main", "parallel", "report"])
def test_every_command_finishes_with_exit_0(cls, command):
    res = cls[command]
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]


def test_every_other_trainee_gets_reports(cls):
    root = cls["root"]
    ta = pd.read_csv(root / "out" / "grading" / "trainee_assignments.csv")
    assert set(ta["student"]) == set(cls["names"])
    assert set(ta["status"]) == {"graded"}
    for name in cls["names"]:
        page = root / "out" / "report" / "trainees" / f"{name}.html"
        assert page.is_file() and name in page.read_text(encoding="utf-8")
    top = ta["score"].max()
    assert all(ta[ta["student"] == name]["score"].iloc[0] == top for name in HIGH_SCORERS)  # they really are
    summary = pd.read_csv(root / "out" / "summary" / "trainee_totals.csv")
    assert set(summary["student"]) == set(cls["names"])


def test_bad_files_and_entries_are_problem_rows(cls):
    p = pd.read_csv(cls["root"] / "out" / "grading" / "problems.csv", keep_default_na=False)
    hostile = p[p["student"] == HOSTILE]
    assert set(hostile["kind"]) >= {"answers_entry"}
    assert (hostile["reason"] == "bad_entry").sum() == 7  # the 7 entries of a form no widget writes
    assert any(HREF in m for m in hostile["message"]) and any("list holding a list" in m for m in hostile["message"])
    bad = p[(p["student"] == BAD_VERSION)]
    assert list(bad["reason"]) == ["wrong_version"] and "\\x1b[2J" in bad["message"].iloc[0]
    out = cls["report"].stdout
    assert f"answers file: {BAD_VERSION} {MODULE}:" in out


def test_every_csv_is_formula_safe(cls):
    """Read every CSV the pipeline wrote back: no cell starts a formula (numbers excepted)."""
    files = sorted((cls["root"] / "out" / "grading").glob("*.csv")) + sorted(
        (cls["root"] / "out" / "summary").glob("*.csv"))
    assert len(files) >= 17
    seen_protected = 0
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell.startswith(csvsafe.FORMULA_START):  # only a number may start with - or +
                        assert NUMBER.fullmatch(cell), (f.name, cell)
                    seen_protected += cell.startswith("'") and cell[1:].startswith(csvsafe.FORMULA_START)
    assert seen_protected >= len(FORMULAS)  # the attack did reach the CSV files, as text
    choices = (cls["root"] / "out" / "grading" / "choices.csv").read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in choices


def test_terminal_output_shows_escapes_as_text(cls):
    for command in ("main", "parallel", "report"):
        out = cls[command].stdout + cls[command].stderr
        assert "\x1b" not in out and "\x07" not in out, command
        assert not re.search("[\ud800-\udfff]", out)
    for command in ("main", "parallel"):  # triage names the unknown key, escapes visible
        out = cls[command].stdout
        assert "\\x1b[2J\\x1b[H\\x1b[32mALL SUBMISSIONS GRADED OK" in out, command
        assert all("\\x1b[32mALL SUBMISSIONS" in line for line in out.splitlines() if "ALL SUBMISSIONS" in line)


def test_visible_is_the_one_escape():
    assert store.visible("a\x1b[2Jb\nc\u202e\ud800") == "a\\x1b[2Jb\\x0ac\\u202e\ufffd"
    assert store.visible("x" * 50, 10) == "x" * 9 + "\u2026"


def test_copier_pair_is_flagged_and_high_scorers_are_not(cls):
    root = cls["root"]
    sim = pd.read_csv(root / "out" / "grading" / "similar_answers.csv")
    pairs = {frozenset(p) for p in zip(sim["student"], sim["other"])}
    assert frozenset({COPIER, PREFIX + "testwise"}) in pairs, sim
    flagged = {s for p in pairs for s in p}
    assert not flagged & {*HIGH_SCORERS, HOSTILE}, sim
    row = sim[(sim["student"].isin([COPIER])) | (sim["other"].isin([COPIER]))].iloc[0]
    assert row["n_same_wrong"] >= integrity.MIN_SAME_WRONG and row["n_same_wrong"] > 2 * row["expected_same_wrong"]
    # the evidence names questions and the answers shared
    first = row["evidence"].split("; ")[0]
    assert ": " in first
    # in the class report, in problems, and in triage (main's and autograde-parallel's output)
    report = (root / "out" / "report" / "class_report.html").read_text(encoding="utf-8")
    assert "Answers much alike" in report and COPIER in report.split("Answers much alike")[1]
    p = pd.read_csv(root / "out" / "grading" / "problems.csv")
    assert set(p[p["reason"] == "similar"]["student"]) >= {COPIER, PREFIX + "testwise"}
    assert not set(p[p["reason"] == "similar"]["student"]) & set(HIGH_SCORERS)
    for command in ("main", "parallel"):
        line = next(x for x in cls[command].stdout.splitlines() if f"- {COPIER} / " in x)
        assert "the same wrong answer as " + PREFIX + "testwise" in line
    # not in the copier's own report (a flag for the trainer, naming a classmate)
    assert PREFIX + "testwise" not in (root / "out" / "report" / "trainees" / f"{COPIER}.html").read_text()


def test_copier_is_flagged_whatever_its_save_times(cls):
    """The flag reads choices only: the copier's times are all shifted, so the identical-file check misses it."""
    p = pd.read_csv(cls["root"] / "out" / "grading" / "problems.csv")
    assert COPIER not in set(p[p["reason"] == "identical"]["student"])
    mine = json.loads((cls["root"] / "autograded" / COPIER / MODULE / "cps_answers.json").read_text())["answers"]
    theirs = json.loads((cls["root"] / "autograded" / (PREFIX + "testwise") / MODULE / "cps_answers.json")
                        .read_text())["answers"]
    assert mine and all(mine[k]["at"] != theirs[k]["at"] and mine[k]["value"] == theirs[k]["value"] for k in mine)


def _math_free(page, selector: str) -> dict:
    return page.evaluate("""sel => {
        const area = document.querySelector(sel);
        return {text: area ? area.innerText : '', math: area ? area.querySelectorAll('mjx-container, .MathJax').length : -1,
                links: area ? [...area.querySelectorAll('a')].map(a => a.href) : []};
    }""", selector)


@pytest.mark.browser
def test_math_in_trainee_strings_stays_text_in_the_class_report(cls):
    from playwright.sync_api import sync_playwright

    from lablib import CHROMIUM, CHROMIUM_ARGS

    report = cls["root"] / "out" / "report" / "class_report.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(report.as_uri())
            got = _math_free(page, "body")
            wrapped = page.evaluate("""() => [...document.querySelectorAll('table')].every(
                t => t.closest('.mathjax_ignore.tex2jax_ignore'))""")
        finally:
            browser.close()
    assert HREF in got["text"] and COLOR in got["text"]
    assert got["math"] == 0 and not [a for a in got["links"] if "x.example" in a]
    assert wrapped  # every table sits where MathJax 2 and 3 never look, wherever the HTML is shown


@pytest.mark.browser
def test_math_in_trainee_strings_stays_text_in_the_dashboard_in_jupyterlab(cls, tmp_path):
    """The dashboard run in JupyterLab 4 in Chromium. A control cell shows that JupyterLab does typeset
    math in an HTML output that is not protected; the dashboard's tables are not typeset."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
    from labserver import jupyterlab
    from playwright.sync_api import sync_playwright

    from lablib import CHROMIUM, CHROMIUM_ARGS, run_all, wait_idle

    root = cls["root"]
    (root / "notebooks").mkdir(exist_ok=True)
    nb = nbformat.read(Path(__file__).resolve().parents[2] / "notebooks" / "instructor_dashboard.ipynb", 4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "from IPython.display import HTML\nHTML('<p class=\"control\">control: " + COLOR.replace("\\", "\\\\")
        + " end</p>')"))
    nbformat.write(nb, root / "notebooks" / "dashboard.ipynb")
    home = tmp_path / "home"
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))  # every cell's output in the page, not only in view
    with jupyterlab(root, home, "trainer", tmp_path / "jupyterlab.log") as (base, token):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{base}/lab/tree/notebooks/dashboard.ipynb?token={token}")
                wait_idle(page)
                run_all(page)
                page.wait_for_function(
                    "() => document.querySelectorAll('.jp-OutputArea-output p.control').length > 0",
                    timeout=300_000)
                page.wait_for_function(  # MathJax has typeset the control
                    "() => document.querySelector('p.control mjx-container') !== null", timeout=60_000)
                page.wait_for_timeout(2000)
                tables = page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea-output table')]
                    .map(t => ({text: t.innerText, math: t.querySelectorAll('mjx-container').length,
                                links: [...t.querySelectorAll('a')].map(a => a.href)}))""")
                page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            finally:
                browser.close()
    text = "\n".join(t["text"] for t in tables)
    assert HREF in text and COLOR in text, text[:2000]
    assert sum(t["math"] for t in tables) == 0
    assert not [a for t in tables for a in t["links"] if "x.example" in a]
