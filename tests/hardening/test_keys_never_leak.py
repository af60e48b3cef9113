"""Keys never leak: not into release/, not into the built wheel or sdist, not into nbgrader feedback.

The key of a graded item is what only the trainer holds: which option is best (the option -> rating,
correct, answer and points mapping), the rationales and per-option feedback, the reflections' mark
schemes. Option texts and prompts are shown to trainees, so they are public; what must not reach a
trainee is anything that tells them apart.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from courselib import REPO, copy_course

from cps_ethics.authoring import build
from cps_ethics.authoring.release import KEY_FIELDS, key_strings, leaks
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model import public, scoring
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_why_a_code"
TRAINER_ONLY_DIRS = ("content", "source", "release", "submitted", "autograded", "feedback", "tests",
                     "notebooks", "scripts", ".preview_answers", "out", "artifacts")


def flat(text: str) -> str:
    return " ".join(text.split())


def visible_text(page: str) -> str:
    """An HTML page's text as a reader sees it: tags (ANSI colour spans too) dropped, entities decoded."""
    return flat(html.unescape(re.sub(r"<[^>]*>", "", page)))


def keyed_dicts(data, graded: bool = False) -> list[dict]:
    """Every dict inside parsed JSON that is, or sits inside, a graded item or scenario and carries key
    fields (practice items declare their feedback openly, so they are skipped)."""
    out = []
    if isinstance(data, dict):
        kind = data.get("kind")
        graded = graded if kind not in ("graded", "practice") else kind == "graded"
        if graded and KEY_FIELDS & set(data):
            out.append(data)
        for v in data.values():
            out += keyed_dicts(v, graded)
    elif isinstance(data, list):
        for v in data:
            out += keyed_dicts(v, graded)
    return out


def content_strings(course) -> set[str]:
    """Every longer piece of text in the trainer's content files (a package must ship none of it)."""
    out: set[str] = set()

    def walk(x):
        if isinstance(x, str) and len(x.strip()) >= 30:
            out.add(flat(x))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for m in course.modules:
        walk(m.data)
    return out


def best_option_texts(course) -> set[str]:
    """The text of each graded single-choice item's best option and each graded scenario decision's."""
    out = set()
    for m in course.modules:
        for it in m.items():
            if it["kind"] == "graded" and it["type"] == "single":
                out |= {flat(o["text"]) for o in it["options"] if o["rating"] == "best"}
        for sc in m.scenarios():
            if sc["kind"] == "graded":
                out |= {flat(o["text"]) for n in sc["nodes"] for o in n.get("options", []) if o["rating"] == "best"}
    return out


@pytest.fixture(scope="module")
def course():
    return load_course(REPO)


# ---- release/ and the public projection --------------------------------------------------------

def test_release_has_no_key(course):
    assert key_strings(course), "the key collection found nothing: the check would be empty"
    assert leaks(REPO / "release", course) == []
    for path in (REPO / "release").rglob("*.json"):
        assert keyed_dicts(json.loads(path.read_text())) == [], f"{path} carries key fields"


def _rekey(module):
    """The same module with a different key: ratings, correct flags, answers, orders, explanations."""
    m = copy.deepcopy(module)
    for it in m.items():
        if it["kind"] != "graded":
            continue
        it["rationale"] = "A different rationale."
        if it["type"] in ("single", "multiple"):
            opts = it["options"]
            ratings = [o.get("rating") for o in opts]
            for o, r in zip(opts, ratings[1:] + ratings[:1]):
                if "rating" in o:
                    o["rating"] = r
                if "correct" in o:
                    o["correct"] = not o["correct"]
                o["feedback"] = "Different feedback."
        elif it["type"] == "matching":
            ids = [c["id"] for c in it["choices"]]
            for p in it["pairs"]:
                p["answer"] = ids[(ids.index(p["answer"]) + 1) % len(ids)]
        else:
            it["steps"] = list(reversed(it["steps"]))
    for sc in m.scenarios():
        if sc["kind"] != "graded":
            continue
        top = scoring.scenario_max(sc)
        for n in sc["nodes"]:
            if n.get("options"):
                n["options"] = list(reversed(n["options"]))
                for o in n["options"]:
                    o["feedback"] = "Different feedback."
        before = [[o["rating"] for o in n.get("options", [])] for n in sc["nodes"]]
        for n in sc["nodes"]:
            ratings = [o["rating"] for o in n.get("options", [])]
            for o, r in zip(n.get("options", []), ratings[1:] + ratings[:1]):
                o["rating"] = r
        if scoring.scenario_max(sc) != top:  # the scenario's points are shown to trainees: keep them
            for n, rs in zip(sc["nodes"], before):
                for o, r in zip(n.get("options", []), rs):
                    o["rating"] = r
    return m


def test_what_trainees_get_does_not_depend_on_the_key(course):
    """Change every graded key (and the authored order, which could hint at it): the public content
    file and the notebook made from it stay byte-for-byte the same. So they carry nothing of the key."""
    import dataclasses

    rekeyed = dataclasses.replace(course, modules=[m if m.exam else _rekey(m) for m in course.modules], cache={},
                                  exam_bank=[_rekey(t) for t in course.exam_bank])
    assert course.exam_bank and rekeyed.exam_bank[0].data != course.exam_bank[0].data
    for module in course.modules:
        if module.exam:  # the practice exam's questions are the exam-only bank's, all rekeyed
            assert public.dumps(public.project(rekeyed, module)) == public.dumps(public.project(course, module))
            assert nbformat.writes(build.notebook(rekeyed, module)) == nbformat.writes(build.notebook(course, module))
            continue
        other = _rekey(module)
        assert other.data != module.data
        assert public.dumps(public.project(course, other)) == public.dumps(public.project(course, module))
        assert nbformat.writes(build.notebook(course, other)) == nbformat.writes(build.notebook(course, module))


def test_a_module_public_file_holds_no_exam_only_question(course):
    """What a module's notebook reads (its public content file) never holds an exam-only question."""
    bank = [x for t in course.exam_bank for x in t.items() + t.scenarios()]
    assert bank, "no exam-only questions: the check would be empty"
    texts = {flat(x["prompt"]) for x in bank if "prompt" in x}
    texts |= {flat(n["situation"]) for x in bank for n in x.get("nodes", []) if len(n["situation"]) >= 30}
    for module in course.modules:
        if module.exam:
            continue
        data = public.project(course, module)
        assert not {x["id"] for x in bank} & {*data["items"], *data["scenarios"]}, module.id
        every = flat(" ".join(_all_strings(data)))
        assert [t for t in texts if t in every] == [], module.id


def _all_strings(x) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [s for v in x.values() for s in _all_strings(v)]
    return [s for v in x for s in _all_strings(v)] if isinstance(x, list) else []


def test_the_exam_public_file_holds_only_the_exam_only_questions_public_parts(course):
    """The practice exam's public file: every exam-only question it can draw, and nothing else; no rating,
    correct flag, answer, rationale, feedback or act (the key) in it."""
    exam = next(m for m in course.modules if m.exam)
    data = json.loads(public.dumps(public.project(course, exam)))
    bank = {x["id"]: x for t in course.exam_bank if t.id in exam.exam["draw_from"] for x in t.items() + t.scenarios()}
    assert set(data["items"]) | set(data["scenarios"]) == set(bank) and bank
    assert keyed_dicts(data) == []
    fields = set()
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            fields |= set(x)
            stack += x.values()
        elif isinstance(x, list):
            stack += x
    assert not fields & (KEY_FIELDS | {"act", "points_by_option"}), fields & KEY_FIELDS
    module_ids = {x["id"] for m in course.modules for x in m.items() + m.scenarios()}
    assert not module_ids & (set(data["items"]) | set(data["scenarios"]))
    for x in bank.values():  # the key's text is in the trainer's content only
        assert "rationale" not in x or flat(x["rationale"]) not in flat(" ".join(_all_strings(data)))
    assert key_strings(course) & {flat(x["rationale"]) for x in bank.values() if "rationale" in x}


# ---- the built wheel and sdist -----------------------------------------------------------------

def _unpack(dist: Path, dest: Path) -> list[Path]:
    if dist.suffix == ".whl":
        with zipfile.ZipFile(dist) as z:
            z.extractall(dest)
    else:
        with tarfile.open(dist) as t:
            t.extractall(dest, filter="data")
    return sorted(p for p in dest.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def dists(tmp_path_factory, course):
    """Build the sdist, and the wheel from it, from a copy of the whole working folder, with a trainer's
    keys, student versions, submissions, a gradebook and stray answers files all present."""
    tree = tmp_path_factory.mktemp("tree") / "project"
    skip = shutil.ignore_patterns(".venv", ".git", "*.egg-info", "build", "dist", "__pycache__", ".pytest_cache",
                                  ".hypothesis", ".benchmarks", "artifacts")
    shutil.copytree(REPO, tree, ignore=skip, symlinks=True)
    (tree / "cps_answers.json").write_text('{"planted": true}')
    (tree / "src" / "cps_ethics" / "cps_answers.json").write_text('{"planted": true}')
    shutil.copy(course.modules[0].file, tree / "src" / "cps_ethics" / "planted_key.yaml")
    (tree / "gradebook.db").write_bytes(b"planted")
    out = tmp_path_factory.mktemp("dist")
    res = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(tree)],
                         capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    wheel, = out.glob("*.whl")
    sdist, = out.glob("*.tar.gz")
    return {"wheel": _unpack(wheel, out / "wheel"), "sdist": _unpack(sdist, out / "sdist"), "root": out}


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_package_holds_the_code_and_nothing_of_the_key(dists, course, kind):
    files = dists[kind]
    base = dists["root"] / kind
    rel = [p.relative_to(base) for p in files]
    if kind == "sdist":
        rel = [Path(*r.parts[1:]) for r in rel]  # drop the cps_ethics_course-<version>/ folder
    names = {r.as_posix() for r in rel}
    # It is the real package (so the scan below is not of an empty archive) ...
    assert any(n.endswith("cps_ethics/autograde/grader.py") for n in names)
    assert any(n.endswith("cps_ethics/notebook/widgets.py") for n in names)
    assert any(n.endswith("schemas/module.v1.json") for n in names)
    # ... with none of the trainer's folders, notebooks, content, answers or gradebook.
    bad = [n for n in names if n.split("/")[0] in TRAINER_ONLY_DIRS or n.endswith((".ipynb", ".yaml", ".yml", ".db"))
           or "cps_answers" in n or "cps_content" in n or n == "nbgrader_config.py"]
    assert bad == [], f"the {kind} holds trainer-only files: {bad}"
    keys = key_strings(course) | content_strings(course)
    for path in files:
        text = flat(path.read_bytes().decode("utf-8", "replace"))
        found = [k[:60] for k in keys if k in text]
        assert found == [], f"{path.relative_to(base)} holds course content: {found}"
        if path.suffix == ".json":
            assert keyed_dicts(json.loads(path.read_text())) == [], f"{path} carries key fields"


def test_sdist_rules_are_written_down():
    rules = (REPO / "MANIFEST.in").read_text()
    for d in ("content", "source", "release", "submitted", "autograded", "feedback"):
        assert re.search(rf"^prune {re.escape(d)}$", rules, re.M), f"MANIFEST.in must prune {d}/"


# ---- nbgrader feedback ---------------------------------------------------------------------------



def _feedback_pages(root: Path) -> dict[str, str]:
    nbgrader(["generate_feedback", ASSIGNMENT, "--force"], root)
    pages = {}
    for page in (root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"):
        pages[page.parts[-3]] = page.read_text(encoding="utf-8")
    return pages


GONE: dict = {}


def _drop_first_graded_item(path: Path) -> str:
    """Remove the first graded single-choice item (and its variants) from a module file; returns its id."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = next(it["id"] for it in data["items"] if it["kind"] == "graded" and it["type"] == "single")
    data["items"] = [it for it in data["items"] if first not in (it["id"], it.get("slot"))]
    data["layout"] = [ref for ref in data["layout"] if ref != f"item:{first}"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return first


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A private course: student versions generated, four trainees' submissions autograded, feedback made
    with the default configuration."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        mp.delenv("CPS_DB_URL", raising=False)
        base = tmp_path_factory.mktemp("feedback")
        root = copy_course(base / "course")
        course = load_course(root)
        module = course.module(ASSIGNMENT)
        nbgrader(["generate_assignment", ASSIGNMENT, "--force"], root)
        people = {t.student: t for t in cohort.profiles(module)}
        for t in [people["sim_all_right"], people["sim_all_wrong"], people["sim_corrupt_sidecar"]]:
            cohort.write_submission(root, module, t)
        nbgrader(["autograde", ASSIGNMENT, "--force"], root, check=False)
        # A submission graded after the trainer's content lost one of its items: that grading cell cannot be
        # scored. Nothing runs in a kernel at autograde, so it shows a plain line, never a traceback or code.
        cohort.write_submission(root, module, cohort.Trainee("sim_missing_key", people["sim_all_right"].answers,
                                                             variants=people["sim_all_right"].variants))
        module_file = root / "content" / "modules" / f"{ASSIGNMENT}.yaml"
        kept = module_file.read_bytes()
        gone = _drop_first_graded_item(module_file)
        nbgrader(["autograde", ASSIGNMENT, "--force", "--student=sim_missing_key"], root, check=False)
        module_file.write_bytes(kept)
        mp.setitem(GONE, "id", gone)
        pages = _feedback_pages(root)
        yield {"root": root, "course": course, "module": module, "pages": pages, "mp": mp}


def test_feedback_with_the_default_configuration_holds_no_key(graded_course):
    course, pages = graded_course["course"], graded_course["pages"]
    assert set(pages) == {"sim_all_right", "sim_all_wrong", "sim_corrupt_sidecar", "sim_missing_key"}
    keys = key_strings(course)
    for student, page in pages.items():
        for text in (flat(html.unescape(page)), visible_text(page)):
            found = [k[:60] for k in keys if k in text]
            assert found == [], f"{student}'s feedback shows key text: {found}"
        assert "Why:" not in visible_text(page)
        assert not re.search(r"""["'](rating|correct|answer|rationale)["']\s*:""", html.unescape(page)), student
        assert "BEGIN SOLUTION" not in page and "MARK SCHEME" not in page, student
        assert "BEGIN HIDDEN TESTS" not in page and "Traceback (most recent call last)" not in page, student


def test_an_item_that_cannot_be_graded_shows_a_plain_line_and_no_code(graded_course):
    """nbgrader-facts (Feedback): stored tracebacks show hidden lines. With no kernel at autograde there is no
    traceback: a grading cell whose item is gone from the trainer's content shows one plain line."""
    page = visible_text(graded_course["pages"]["sim_missing_key"])
    assert f"{GONE['id']}: this item is not in the course content any more. Points: 0." in page
    assert 'grade("' not in page and "cps_ethics" not in page and "most recent call last" not in page


def test_feedback_is_real_grading_output(graded_course):
    """The pages scanned above really hold the grading cells' output and the tracebacks."""
    pages = {s: visible_text(p) for s, p in graded_course["pages"].items()}
    assert "Points: 1 of 1." in pages["sim_all_right"]
    assert "Points: 0 of 1." in pages["sim_all_wrong"]
    assert "is not valid JSON" in pages["sim_corrupt_sidecar"]
    assert "not in the course content any more" in pages["sim_missing_key"]
    assert "Points: 1 of 1." in pages["sim_missing_key"]  # the other items were graded as usual


def test_feedback_never_names_the_best_option_a_trainee_missed(graded_course):
    """A trainee who chose wrongly sees what they chose and their points, never which option was best."""
    course, root = graded_course["course"], graded_course["root"]
    prose = flat(" ".join(c.source for c in nbformat.read(
        root / "release" / ASSIGNMENT / "why_a_code.ipynb", as_version=4).cells))
    hidden = {t for t in best_option_texts(course) if t not in prose}
    assert hidden, "no best option to look for: the check would be empty"
    page = visible_text(graded_course["pages"]["sim_all_wrong"])
    assert [t for t in hidden if t in page] == []
    # The same check finds them where they were chosen, so it can fail.
    assert [t for t in hidden if t in visible_text(graded_course["pages"]["sim_all_right"])]


def test_opting_in_to_explanations_never_explains_a_module_question(graded_course):
    """course.yaml's explain_after_grading applies to the practice exam only (its exam-only questions): with it
    on, a module's feedback still gives no best answer and no rationale, since another trainee of the course
    may still be graded on the same question (tests/hardening/test_answers_only_what_was_shown.py shows the
    exam's feedback explaining its own questions)."""
    root, course = graded_course["root"], graded_course["course"]
    settings_file = root / "content" / "course.yaml"
    settings = yaml.safe_load(settings_file.read_text())
    settings["feedback"]["explain_after_grading"] = True
    settings_file.write_text(yaml.safe_dump(settings))
    nbgrader(["autograde", ASSIGNMENT, "--force", "--student=sim_all_wrong"], root, check=False)
    page = visible_text(_feedback_pages(root)["sim_all_wrong"])
    module = course.module(ASSIGNMENT)
    assert "Points: 0 of 1." in page  # the page is the real, regraded one
    assert "Why:" not in page and "Best answer:" not in page and "Correct choices:" not in page
    rationales = [flat(it["rationale"]) for it in module.items() if it["kind"] == "graded"]
    assert rationales and not [r for r in rationales if r in page]
