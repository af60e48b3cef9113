"""Invariant 10 through real `nbgrader autograde`: a trainee answers only what they were shown (issue 16).

Three attacks that used to pay, each beside honest trainees whose exact points must not change:
- the practice exam's 60 positions answered with 11 questions the trainee knows (their own module-01 versions,
  best answers): it was 60 of 60 and explained in the feedback;
- a classmate's whole exam answers file with every save time moved by one second: it was the classmate's 60;
- module 01 answered with the best answers of the versions the trainee was NOT shown: it was full marks.
Each now scores nothing for a question the trainee was not shown, and the grader's report, triage,
problems.csv and the reports say "answers for questions not shown to this trainee".
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from courselib import copy_course
from exam_seed import seed

from cps_ethics import store
from cps_ethics.authoring import build
from cps_ethics.autograde.grade_answers import read_report
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model import graph, scoring, variants
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from grading import pipeline, report, triage
from grading.choices import NOT_SHOWN
from grading.gradebook import grades

pytestmark = pytest.mark.slow
MODULE, EXAM = "01_why_a_code", "13_practice_exam"
KNOWER, COPIER, OTHER_VERSIONS = "sim_knower", "sim_copier", "sim_other_versions"


def _write(folder: Path, answers: dict, shift: timedelta = timedelta(0)) -> None:
    data = store.empty()
    data["answers"] = answers
    for entry in answers.values():
        at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00")) + shift
        entry["at"] = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    (folder / "cps_answers.json").write_text(json.dumps(data))


def _points(g, student: str, assignment: str) -> dict[str, float]:
    rows = g[(g.student == student) & (g.assignment == assignment) & (g.cell_type == "code")]
    return {r.grade_id: float(r.auto_score) for r in rows.itertuples()}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_DB_URL", raising=False)
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        root = copy_course(tmp_path_factory.mktemp("shown") / "course")
        if not list((root / "content" / "exam").glob("*.yaml")):
            seed(root)  # the machinery under test; the real bank's content has its own tests
        # the trainer turns the exam's explanations on once every trainee's exam is graded (off by default)
        (root / "content" / "course.yaml").write_text("feedback:\n  explain_after_grading: true\n")
        course = load_course(root)
        build.build(root, course)
        module, exam = course.module(MODULE), course.module(EXAM)
        for a in (MODULE, EXAM):
            nbgrader(["generate_assignment", a, "--force"], root)
        honest = {m.id: {t.student: t for t in cohort.profiles(m, course)} for m in (module, exam)}
        for m in (module, exam):
            for name in ("sim_all_right", "sim_partial", "sim_all_wrong"):
                cohort.write_submission(root, m, honest[m.id][name])
        right = honest[EXAM]["sim_all_right"]

        # 1. Eleven questions the trainee knows (their own module-01 versions, best answers) on all 60 positions.
        known = [(sid, x) for sid, kind, x, *_ in cohort.graded_slots(module, KNOWER) if kind == "item"][:11]
        folder = cohort.write_submission(root, exam, cohort.Trainee(KNOWER, {}))
        plan = course.exam_plan(exam)
        _write(folder, {pos: {"value": cohort.right(known[n % 11][1]), "variant": known[n % 11][1]["id"],
                              "at": "2026-12-01T10:00:00.000Z"} for n, pos in enumerate(plan["positions"])})
        # 2. A classmate's exam answers file, every time moved by one second.
        folder = cohort.write_submission(root, exam, cohort.Trainee(COPIER, {}))
        copied = json.loads(cohort.sidecar(right.answers, right.student, right.variants))["answers"]
        _write(folder, copied, timedelta(seconds=1))
        # 3. Module 01 with the best answers of the versions this trainee was not shown.
        folder = cohort.write_submission(root, module, cohort.Trainee(OTHER_VERSIONS, {}))
        other = {}
        for sid, (kind, xs) in module.slots().items():
            if xs[0]["kind"] == "graded" and len(xs) > 1:
                mine = variants.pick(OTHER_VERSIONS, sid, [x["id"] for x in xs])
                x = next(v for v in xs if v["id"] != mine)
                value = [list(s) for s in graph.best_path(x)] if kind == "scenario" else cohort.right(x)
                other[sid] = {"value": value, "variant": x["id"], "at": "2026-12-01T10:00:00.000Z"}
        _write(folder, other)

        runs = [nbgrader(["autograde", a], root, check=False) for a in (MODULE, EXAM)]
        url = f"sqlite:///{root / 'gradebook.db'}"
        nbgrader(["generate_feedback", EXAM], root)
        tables = pipeline.run(url, course, root, root / "out" / "grading", progress=lambda m: None)
        report.write(tables, course, root / "out" / "report", progress=lambda m: None)
        yield {"root": root, "course": course, "module": module, "exam": exam, "runs": runs, "g": grades(url),
               "honest": honest, "tables": tables, "triage": triage.triage(root, course, url), "plan": plan,
               "other": other}


def _feedback(root: Path, student: str, assignment: str, notebook: str) -> str:
    page = (root / "feedback" / student / assignment / f"{notebook}.html").read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())


def test_autograde_ran_and_honest_trainees_keep_their_exact_points(attacked):
    assert all(r.returncode == 0 for r in attacked["runs"]), attacked["runs"][-1].stdout[-3000:]
    for assignment, people in attacked["honest"].items():
        for name in ("sim_all_right", "sim_partial", "sim_all_wrong"):
            assert _points(attacked["g"], name, assignment) == people[name].expected, (assignment, name)


def _flagged(attacked, student: str, assignment: str, n: int) -> None:
    """The grader's report, triage, problems.csv and the trainee's and class reports all name the answers."""
    root = attacked["root"]
    nb = attacked["course"].module(assignment).notebook
    assert len(read_report(root / "autograded" / student / assignment, nb)["not_shown"]) == n
    t = attacked["triage"].set_index(["student", "assignment"]).loc[(student, assignment)]
    assert t["not_shown"] == n and f"{NOT_SHOWN}: " in t["reason"]
    problems = attacked["tables"]["problems"]
    row = problems[(problems.student == student) & (problems.assignment == assignment)
                   & (problems.reason == "not_shown")]
    assert len(row) == 1 and row.iloc[0]["message"].startswith(f"{NOT_SHOWN}: ")
    import pandas as pd

    csv = pd.read_csv(root / "out" / "grading" / "problems.csv")
    csv = csv[(csv.student == student) & (csv.assignment == assignment) & (csv.reason == "not_shown")]
    assert len(csv) == 1 and csv.iloc[0]["message"].count("exam_q" if assignment == EXAM else ", ") >= n - 1
    for page in (root / "out" / "report" / "trainees" / f"{student}.html", root / "out" / "report" / "class_report.html"):
        assert NOT_SHOWN in page.read_text(encoding="utf-8"), page
    assert any(re.match(rf"  [1-9]\d* had {NOT_SHOWN}", line) for line in triage.summary(attacked["triage"]))


def test_sixty_positions_answered_with_eleven_known_questions_score_nothing(attacked):
    points = _points(attacked["g"], KNOWER, EXAM)
    assert len(points) == 60 and sum(points.values()) == 0  # module questions are never in the exam's draw
    _flagged(attacked, KNOWER, EXAM, 60)
    page = _feedback(attacked["root"], KNOWER, EXAM, attacked["exam"].notebook)
    assert "one this trainee was not shown" in page and "Why:" not in page and "Best answer" not in page
    for it in attacked["module"].items():
        assert " ".join(it["rationale"].split()) not in page


def test_a_classmates_exam_file_with_shifted_times_pays_only_where_both_were_shown_the_same(attacked):
    course, exam, plan = attacked["course"], attacked["exam"], attacked["plan"]
    mine = variants.exam_draw(COPIER, exam.id, plan)
    theirs = variants.exam_draw("sim_all_right", exam.id, plan)
    same = {p for p in plan["positions"] if mine[p] == theirs[p]}
    assert len(same) < 20, "two trainees' draws must differ"
    points = _points(attacked["g"], COPIER, EXAM)
    assert {p for p, v in points.items() if v} == same  # no point for a question the copier was not shown
    assert sum(points.values()) == len(same) < 60
    _flagged(attacked, COPIER, EXAM, 60 - len(same))
    # the classmate whose draw the file holds is named, in triage and problems.csv, whatever the times say
    reason = attacked["triage"].set_index(["student", "assignment"]).loc[(COPIER, EXAM)]["reason"]
    assert "the questions drawn for sim_all_right, at the same positions" in reason
    problems = attacked["tables"]["problems"]
    row = problems[(problems.student == COPIER) & (problems.reason == "other_draw")]
    assert len(row) == 1 and row.iloc[0]["message"].startswith(f"{60 - len(same)} of the {60 - len(same)} answers")
    assert not len(problems[(problems.reason == "other_draw") & (problems.student != COPIER)]), (
        "no honest trainee is said to hold a classmate's draw")


def test_the_other_versions_best_answers_score_nothing_in_a_module(attacked):
    points = _points(attacked["g"], OTHER_VERSIONS, MODULE)
    flagged = set(attacked["other"])
    assert flagged and all(points[s] == 0 for s in flagged)
    assert sum(points.values()) == 0
    _flagged(attacked, OTHER_VERSIONS, MODULE, len(flagged))
    best = attacked["honest"][MODULE]["sim_all_right"].expected
    assert sum(best.values()) > 0  # the same answers on the versions the trainee was shown would have scored


def test_exam_feedback_explains_only_the_trainees_own_exam_only_questions(attacked):
    course, exam, plan = attacked["course"], attacked["exam"], attacked["plan"]
    page = _feedback(attacked["root"], "sim_all_right", EXAM, exam.notebook)
    draw = variants.exam_draw("sim_all_right", exam.id, plan)
    own = [course.find(q)[1] for q in draw.values()]
    explained = [x for x in own if "rationale" in x]
    assert explained and all(f"Why: {' '.join(x['rationale'].split())}" in page for x in explained)
    drawn = set(draw.values())
    for t in course.exam_bank:  # questions of the bank this trainee was not drawn are not explained
        for x in t.items():
            if x["id"] not in drawn and x["rationale"] not in {y["rationale"] for y in explained}:
                assert f"Why: {' '.join(x['rationale'].split())}" not in page
    own_why = {" ".join(y["rationale"].split()) for y in explained}
    for m in course.modules:  # (a module rationale that an own exam question repeats word for word is its own)
        for x in m.items():
            why = " ".join(x["rationale"].split())
            assert why in own_why or f"Why: {why}" not in page, x["id"]
    assert scoring.item_max(own[0]) >= 1
