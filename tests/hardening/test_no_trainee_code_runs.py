"""Invariant 8 through real `nbgrader autograde`: a trainee's work is data, never code.

An all-wrong submission plus one added cell that tries to win marks (replace the grader, rewrite the answers
file from the keys, print the keys, write into the gradebook or another trainee's folder, run shell
commands) gets exactly the points of the same submission without the cell, changes no file outside its own
autograded/ folder, and its feedback holds no key, no course file and no trace of the cell.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import nbformat
import pytest
from courselib import one_module_course

from cps_ethics import store
from cps_ethics.authoring import build
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from grading import gradebook, pipeline, report

pytestmark = pytest.mark.slow
MARKER = Path("/tmp") / f"cps_pwned_{uuid.uuid4().hex}"
ATTACKS = {
    "replace_grader": ("import cps_ethics.autograde.grader as _g\n_orig = _g.grade\n"
                       "_g.grade = lambda ref_id, *a, **k: (_orig(ref_id, *a, **k), 99)[1]\n"
                       "import builtins; builtins.grade = _g.grade"),
    "keys_rewrite_answers": (
        "import json, pathlib\nfrom cps_ethics import course\nfrom cps_ethics.simulate import cohort\nfrom cps_ethics.model.content import load_course\n"
        "m = load_course(course.find_root(pathlib.Path.cwd())).modules[0]\n"
        "best = cohort.profiles(m)[0].answers\n"
        "data = {'format': 'cps-answers', 'version': 1, 'answers': {k: {'value': v, 'at': '2026-12-01T00:00:00.000Z'}"
        " for k, v in best.items()}}\npathlib.Path('cps_answers.json').write_text(json.dumps(data))"),
    "print_course_files": ("import pathlib\nfor p in sorted(pathlib.Path.cwd().parents[2].joinpath('content')"
                           ".rglob('*.yaml')):\n    print(p.read_text())"),
    "shell_gradebook_and_others": (
        '!sqlite3 ../../../gradebook.db "UPDATE grade SET auto_score = 99"\n'
        "!echo pwned > ../../sim_all_right/01_why_a_code/cps_answers.json\n"
        "!echo pwned > ../../../submitted/sim_all_right/01_why_a_code/cps_answers.json\n"
        f"!touch {MARKER}_shell\n"
        f"import subprocess; subprocess.run('touch {MARKER}_py', shell=True)"),
    "bash_magic": f"%%bash\necho pwned > ../../../content/modules/extra.yaml\ntouch {MARKER}_bash",
}
SCRIPT = ('<img src="x" onerror="window.__xss=(window.__xss||0)+1"><script>window.__xss=2</script>'
          "[click me](javascript:window.__xss=3) $\\href{javascript:window.__xss=4}{math}$")
XSS = "sim_xss_trainee"


def _digests(root: Path, skip: set[str]) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and rel != "gradebook.db" and not any(rel.startswith(s) for s in skip):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _add_cell(folder: Path, module, source: str) -> None:
    path = folder / f"{module.notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


def _script_bearing(folder: Path, module) -> None:
    """A reflection and an answer built to run script wherever they are shown as HTML."""
    data = json.loads((folder / "cps_answers.json").read_text())
    reflection = module.reflections()[0]["id"]
    first = next(k for k, v in data["answers"].items() if isinstance(v["value"], str) and k != reflection)
    data["answers"][first]["value"] = SCRIPT
    data["answers"][reflection]["value"] = f"My reflection. {SCRIPT}"
    (folder / "cps_answers.json").write_text(json.dumps(data))


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_DB_URL", raising=False)
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        root = one_module_course(tmp_path_factory.mktemp("attacks") / "course", "01_why_a_code")
        course = load_course(root)
        module = course.modules[0]
        url = f"sqlite:///{root / 'gradebook.db'}"
        build.build(root, course)
        nbgrader(["generate_assignment", module.id, "--force"], root)
        profiles = {t.student: t for t in cohort.profiles(module)}
        for name in ("sim_all_wrong", "sim_all_right"):
            cohort.write_submission(root, module, profiles[name])
        nbgrader(["autograde", module.id], root)
        before = gradebook.grades(url)
        wrong = profiles["sim_all_wrong"]
        for name, source in ATTACKS.items():
            wrong.student = f"sim_attack_{name}"
            _add_cell(cohort.write_submission(root, module, wrong), module, source)
        wrong.student = XSS
        _script_bearing(cohort.write_submission(root, module, wrong), module)
        attackers = [f"sim_attack_{n}" for n in ATTACKS] + [XSS]
        skip = {f"autograded/{s}/" for s in attackers} | {"out/"}
        files = _digests(root, skip)
        run = nbgrader(["autograde", module.id], root, check=False)
        after = gradebook.grades(url)
        files_after = _digests(root, skip)
        nbgrader(["generate_feedback", module.id], root)
        tables = pipeline.run(url, course, root, root / "out" / "grading", progress=lambda m: None)
        report.write(tables, course, root / "out" / "report", progress=lambda m: None)
        yield {"root": root, "course": course, "module": module, "url": url, "before": before, "after": after,
               "files_before": files, "files_after": files_after, "run": run, "tables": tables,
               "expected": dict(profiles["sim_all_wrong"].expected)}


def _points(grades, student):
    mine = grades[(grades["student"] == student) & (grades["cell_type"] == "code")]
    return {r.grade_id: float(r.auto_score) for r in mine.itertuples()}


def test_autograde_ran_cleanly(attacked):
    assert attacked["run"].returncode == 0, attacked["run"].stdout[-3000:]


@pytest.mark.parametrize("name", list(ATTACKS))
def test_an_added_cell_changes_no_points(attacked, name):
    assert _points(attacked["after"], f"sim_attack_{name}") == attacked["expected"]
    assert _points(attacked["after"], "sim_all_wrong") == attacked["expected"]


def test_nothing_outside_the_submission_changed(attacked):
    assert attacked["files_after"] == attacked["files_before"]
    assert not list(MARKER.parent.glob(MARKER.name + "*"))
    baseline = attacked["before"][attacked["before"]["student"].isin(["sim_all_wrong", "sim_all_right"])]
    now = attacked["after"][attacked["after"]["student"].isin(["sim_all_wrong", "sim_all_right"])]
    assert baseline.reset_index(drop=True).equals(now.reset_index(drop=True))
    assert not (attacked["root"] / "content" / "modules" / "extra.yaml").exists()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_feedback_holds_no_key_no_course_file_and_no_added_cell(attacked, name):
    root, module = attacked["root"], attacked["module"]
    html = (root / "feedback" / f"sim_attack_{name}" / module.id / f"{module.notebook}.html").read_text()
    assert "Points: 0" in html  # the feedback page is the real one
    for leak in ("rating: best", "schema_version", "rationale", "cps_ethics.autograde.grader as _g", "sqlite3", "%%bash",
                 "pwned", "load_course", "read_text", "from cps_ethics import", 'show("'):
        assert leak not in html, leak
    for it in module.items():
        if it["kind"] == "graded":
            assert it["rationale"] not in html


def test_the_trainer_is_told_how_many_cells_were_added(attacked):
    problems = attacked["tables"]["problems"]
    added = problems[problems["reason"] == "added_cells"]
    assert sorted(added["student"]) == sorted(f"sim_attack_{n}" for n in ATTACKS)
    assert (added["message"].str.startswith("1 cell the trainee added was dropped before grading")).all()
    counts = json.loads(next((attacked["root"] / "autograded" / "sim_attack_bash_magic" / attacked["module"].id)
                             .glob(".cps_autograde.*.json")).read_text())
    assert counts["added_cells_dropped"] == 1 and counts["graded_cells"] == len(attacked["expected"])


def test_a_reflection_is_kept_as_plain_text(attacked):
    root, module = attacked["root"], attacked["module"]
    nb = nbformat.read(root / "autograded" / XSS / module.id / f"{module.notebook}.ipynb", as_version=4)
    rid = module.reflections()[0]["id"]
    task = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == rid)
    shown = task.source.split('<pre class="cps-reflection', 1)[1].split(">", 1)[1].rsplit("</pre>", 1)[0]
    assert task.cell_type == "markdown" and "<" not in shown and "&#60;img" in shown and "$" not in shown
    assert "My reflection" in shown


def test_identical_answers_files_are_flagged_and_independent_ones_are_not(tmp_path):
    """Two trainees whose files hold the same choices at the same save times are listed; a third with the
    same choices saved at other times is not."""
    import pandas as pd

    from grading import choices, integrity

    module = load_course(one_module_course(tmp_path / "c", "01_why_a_code")).modules[0]
    best = cohort.profiles(module)[0].answers
    for student, at in (("ana", "2026-11-30T10:00:00.000Z"), ("ben", "2026-11-30T10:00:00.000Z"),
                        ("cy", "2026-11-30T10:00:07.000Z")):
        folder = tmp_path / "autograded" / student / module.id
        folder.mkdir(parents=True)
        data = store.empty()
        data["answers"] = {k: {"value": v, "at": at} for k, v in best.items()}
        (folder / "cps_answers.json").write_text(json.dumps(data))
    pairs = pd.DataFrame({"student": ["ana", "ben", "cy"], "assignment": [module.id] * 3})
    _, table, _ = choices.read_all(tmp_path, pairs)
    flagged = integrity.identical_answers(table)
    assert sorted(flagged["student"]) == ["ana", "ben"]
    assert flagged.set_index("student").loc["ana", "message"] == \
        "answers file identical to ben's (same choices, same save times)"


@pytest.mark.browser
def test_script_bearing_text_runs_nowhere_in_a_browser(attacked, tmp_path):
    """The reflection and the answer built to run script are opened where a trainer or trainee sees them: the
    feedback page, the class and trainee reports, and formgrader in a real Jupyter server. No script runs,
    no dialog opens, and the trainee's words are shown as text."""
    from browser.labserver import CHROMIUM, CHROMIUM_ARGS, jupyterlab
    from nbgrader.api import Gradebook
    from playwright.sync_api import sync_playwright

    root, module = attacked["root"], attacked["module"]
    with Gradebook(attacked["url"]) as gb:
        submission = gb.find_submission_notebook(module.notebook, module.id, XSS).id
    pages = {"feedback": (root / "feedback" / XSS / module.id / f"{module.notebook}.html").as_uri(),
             "class report": (root / "out" / "report" / "class_report.html").as_uri(),
             "trainee report": (root / "out" / "report" / "trainees" / f"{XSS}.html").as_uri()}
    shots = Path(__file__).resolve().parents[2] / "artifacts" / "xss"
    shots.mkdir(parents=True, exist_ok=True)
    with jupyterlab(root, tmp_path / "home", "trainer", tmp_path / "lab.log") as (base, token), sync_playwright() as p:
        pages["formgrader"] = f"{base}/formgrader/submissions/{submission}/?token={token}"
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for name, url in pages.items():
                page = browser.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
                page.goto(url, wait_until="load")
                page.wait_for_timeout(1500)
                for link in page.locator("a[href^='javascript']").all():
                    link.click()  # a link a trainee wrote must not be a live javascript: link
                page.screenshot(path=str(shots / f"{name.replace(' ', '_')}.png"), full_page=True)
                assert page.evaluate("window.__xss") is None, name
                assert not dialogs, name
                if name in ("feedback", "formgrader"):
                    text = page.inner_text("body")
                    assert '<img src="x" onerror=' in text, name  # shown as the characters typed
                page.close()
        finally:
            browser.close()


def test_edited_metadata_cannot_make_a_grade_or_change_points(tmp_path, monkeypatch):
    """A display cell marked as a grade cell worth 100 points, and a grading cell's points raised: the first
    pass rewrites every kept cell's nbgrader metadata from the gradebook, so the grades are as without it."""
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    root = one_module_course(tmp_path / "course", "01_why_a_code")
    course = load_course(root)
    module = course.modules[0]
    build.build(root, course)
    nbgrader(["generate_assignment", module.id, "--force"], root)
    wrong = {t.student: t for t in cohort.profiles(module)}["sim_all_wrong"]
    folder = cohort.write_submission(root, module, wrong)
    path = folder / f"{module.notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id", "").startswith("show_"):
            meta.update(grade=True, points=100)
        elif meta.get("grade"):
            meta["points"] = 50
    nbformat.write(nb, path)
    res = nbgrader(["autograde", module.id], root, check=False)
    assert res.returncode == 0, res.stdout[-2000:]
    g = gradebook.grades(f"sqlite:///{root / 'gradebook.db'}")
    mine = g[(g["student"] == "sim_all_wrong") & (g["cell_type"] == "code")]
    assert {r.grade_id: float(r.auto_score) for r in mine.itertuples()} == wrong.expected
    assert set(mine["max_score"]) <= {1.0, 2.0, 4.0, 6.0}
