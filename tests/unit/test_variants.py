"""Parallel variants and the practice exam: which version a trainee sees, what is saved, what is graded."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from courselib import REPO, copy_course

from cps_ethics import store
from cps_ethics.autograde import grader
from cps_ethics.model import variants
from cps_ethics.model.content import exam_plan, load_course
from cps_ethics.notebook.widgets import Context, build


def test_pick_is_fixed_per_trainee_and_spreads_over_trainees():
    vs = ["q", "q_v2"]
    assert variants.pick("ana", "q", vs) == variants.pick("ana", "q", list(reversed(vs)))
    counts = Counter(variants.pick(f"t{n}", "q", vs) for n in range(400))
    assert set(counts) == set(vs) and min(counts.values()) > 150


def test_exam_draw_has_no_repeats_and_follows_the_plan():
    spec = {"positions": {f"e{n}": ("a" if n < 3 else "b") for n in range(5)},
            "kinds": {f"e{n}": ("scenario" if n in (2, 4) else "item") for n in range(5)},
            "pools": {"a": {"item": ["a1", "a2", "a3"], "scenario": ["as1", "as2"]},
                      "b": {"item": ["b1", "b2"], "scenario": ["bs1"]}}}
    for trainee in ("ana", "ben", "cy"):
        draw = variants.exam_draw(trainee, "exam", spec)
        assert sorted(draw) == sorted(spec["positions"])
        assert len(set(draw.values())) == 5  # every question at most once
        for pos, shown in draw.items():
            assert shown in spec["pools"][spec["positions"][pos]][spec["kinds"][pos]]
    assert variants.exam_draw("ana", "exam", spec) != variants.exam_draw("ben", "exam", spec) or \
        variants.exam_draw("ana", "exam", spec) != variants.exam_draw("cy", "exam", spec)


@pytest.fixture(scope="module")
def course():
    return load_course(REPO, validate=False)  # validity itself: test_content.py


def _slot_with_variants(course):
    for m in course.modules:
        for sid, (kind, xs) in m.slots().items():
            if kind == "item" and len(xs) > 1 and xs[0]["type"] == "single" and xs[0]["kind"] == "graded":
                return m, sid, xs
    pytest.skip("no item slot with variants yet")


@pytest.fixture(scope="module")
def banked(tmp_path_factory):
    """The course's modules with an exam-only bank: the course's own (content/exam/), else a synthetic one."""
    from exam_seed import seed

    root = copy_course(tmp_path_factory.mktemp("banked") / "c", ("nbgrader_config.py", "content"))
    if not list((root / "content" / "exam").glob("*.yaml")):
        seed(root)
    # the exam explains after grading only when the trainer turns it on (off by default: content/course.yaml)
    (root / "content" / "course.yaml").write_text("feedback:\n  explain_after_grading: true\n")
    return root, load_course(root)


def test_exam_plan_spreads_60_questions_over_topics_in_proportion(banked):
    from cps_ethics.model.exam import graded_slots

    course = banked[1]
    exam = next(m for m in course.modules if m.exam)
    plan = exam_plan(course, exam)
    assert len(plan["positions"]) == exam.exam["questions"] == 60
    assert sum(k == "scenario" for k in plan["kinds"].values()) >= exam.exam.get("scenarios", 10) == 10
    per = Counter(plan["positions"].values())
    weights = {t: graded_slots(course.module(t)) for t in plan["pools"]}
    total = sum(weights.values())
    for topic, n in per.items():
        held = sum(map(len, plan["pools"][topic].values()))
        assert n == held or abs(n - 60 * weights[topic] / total) < 1.0, (topic, n, weights[topic])
    assert set(per) == set(exam.exam["draw_from"])


def _answers(folder: Path, entries: dict) -> None:
    data = store.empty()
    data["answers"] = {k: {"at": "2026-12-01T10:00:00.000Z", **v} for k, v in entries.items()}
    (folder / "cps_answers.json").write_text(json.dumps(data))


def test_widget_shows_the_trainees_variant_and_saves_it_with_the_slot(course, tmp_path):
    from cps_ethics.model import public

    m, sid, xs = _slot_with_variants(course)
    content = public.project(course, m)
    assert content["slots"][sid] == [x["id"] for x in xs]
    trainee = next(t for t in (f"t{n}" for n in range(50)) if variants.pick(t, sid, content["slots"][sid]) != sid)
    ctx = Context(tmp_path, trainee=trainee, content=content)
    q = build(sid, ctx)
    shown = variants.pick(trainee, sid, content["slots"][sid])
    assert q.ref == shown and q.key == sid
    q.radio.value = q.radio.options[0][1]
    saved = store.read(tmp_path / "cps_answers.json")
    assert saved[sid]["variant"] == shown and saved[sid]["value"] == q.radio.options[0][1]


def test_grader_scores_exactly_the_recorded_variant(course, tmp_path):
    m, sid, xs = _slot_with_variants(course)
    root = copy_course(tmp_path / "c", ("nbgrader_config.py", "content"))
    folder = root / "autograded" / "s" / m.id
    folder.mkdir(parents=True)
    v2 = xs[1]
    best = next(o["id"] for o in v2["options"] if o["rating"] == "best")
    _answers(folder, {sid: {"value": best, "variant": v2["id"]}})
    assert grader.grade(sid, folder, out=io.StringIO()) == v2.get("points", 1)
    # The same option id scored against the other version would not be the best one there.
    _answers(folder, {sid: {"value": best, "variant": "not_a_version"}})
    buf = io.StringIO()
    assert grader.grade(sid, folder, out=buf) == 0 and "not a version of this question" in buf.getvalue()


def test_exam_position_is_graded_on_one_point_and_explained(banked, tmp_path):
    root, course = banked
    exam = next(m for m in course.modules if m.exam)
    plan = exam_plan(course, exam)
    folder = root / "autograded" / "s" / exam.id
    folder.mkdir(parents=True, exist_ok=True)
    draw = variants.exam_draw("s", exam.id, plan)
    pos, item_id = next((p, q) for p, q in draw.items() if course.find(q)[1].get("type") == "single")
    key = course.find(item_id)[1]
    wrong = next(o for o in key["options"] if o["rating"] != "best")
    _answers(folder, {pos: {"value": wrong["id"], "variant": item_id}})
    buf = io.StringIO()
    got = grader.grade(pos, folder, out=buf)
    assert got == (0.5 if wrong["rating"] == "acceptable" else 0.0)
    text = buf.getvalue()
    assert "Points:" in text and "of 1." in text and "Best answer:" in text and key["rationale"] in text
