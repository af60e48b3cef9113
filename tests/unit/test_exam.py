"""The exam-only bank and the practice exam: loading and plain validation messages, the plan, the per-trainee
draw, grading only what a trainee was shown, feedback that explains only exam-only questions, public files."""

from __future__ import annotations

import copy
import io
import json
from collections import Counter

import pytest
import yaml
from helpers import SCENARIO, module, write_course

from cps_ethics import store
from cps_ethics.autograde import grader
from cps_ethics.errors import ContentError
from cps_ethics.model import exam as bank
from cps_ethics.model import public, variants
from cps_ethics.model.content import load_course

EXAM = {"schema_version": 1, "id": "02_exam", "title": "Practice exam", "notebook": "exam_nb",
        "exam": {"questions": 6, "scenarios": 2, "draw_from": ["01_test"]}, "layout": ["exam", "progress"]}


def _item(n: int, **extra) -> dict:
    return {"id": f"ex01_case_{n}", "kind": "graded", "type": "single", "principles": ["K1"],
            "prompt": f"Exam case {n}: a new situation.", "rationale": f"Exam rationale {n}.",
            "options": [{"id": "a", "text": f"Exam best {n}", "rating": "best", "feedback": "Yes."},
                        {"id": "b", "text": f"Exam harm {n}", "rating": "harmful", "feedback": "No."}], **extra}


def _scenario(n: int) -> dict:
    sc = copy.deepcopy(SCENARIO)
    sc.update(id=f"ex01_scn_{n}", title=f"Exam scenario {n}")
    return sc


def bank_file(items: int = 6, scenarios: int = 3) -> dict:
    return {"schema_version": 1, "topic": "01_test", "items": [_item(n) for n in range(1, items + 1)],
            "scenarios": [_scenario(n) for n in range(1, scenarios + 1)]}


def exam_course(root, data: dict | None = None, name: str = "01_test", extra_module: dict | None = None):
    """The helpers' module (with a second version of t_single), a practice exam drawing from it, and a bank."""
    m = module()
    m["items"].append({**copy.deepcopy(m["items"][0]), "id": "t_single_v2", "slot": "t_single",
                       "prompt": "Pick one (second version)."})
    write_course(root, [m, EXAM, *([extra_module] if extra_module else [])])
    (root / "content" / "exam").mkdir(exist_ok=True)
    (root / "content" / "exam" / f"{name}.yaml").write_text(yaml.safe_dump(data or bank_file(), sort_keys=False))
    return root


def problems(root) -> list[str]:
    with pytest.raises(ContentError) as e:
        load_course(root)
    return e.value.problems


def test_a_valid_bank_loads_and_is_not_in_any_module(tmp_path):
    course = load_course(exam_course(tmp_path))
    assert [t.id for t in course.exam_bank] == ["01_test"]
    assert course.find("ex01_case_1")[2].id == "01_test"
    assert not any(x["id"].startswith("ex") for m in course.modules for x in m.items() + m.scenarios())


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["items"][0].update(slot="ex01_case_2"), "has a `slot`; an exam-only question is its own slot"),
    (lambda d: d["items"][0].update(kind="practice"), "kind is 'practice'; exam-only questions are always"),
    (lambda d: d["items"].append(_item(1)), "'ex01_case_1' is already used in"),
    (lambda d: d["items"].append(_item(9) | {"id": "t_multi"}), "'t_multi' is already used in"),
    (lambda d: d["items"].append(_item(9) | {"id": "ex02_wrong_topic"}), "an exam-only id starts with 'ex01_'"),
    (lambda d: d["items"][0].update(principles=["K99"]), "cites unknown principle key 'K99'"),
    (lambda d: d["items"][0].update(surprise=1), "Additional properties are not allowed ('surprise'"),
    (lambda d: d.update(extra=1), "Additional properties are not allowed ('extra'"),
])
def test_plain_messages_for_a_bad_bank(tmp_path, change, expected):
    data = bank_file()
    change(data)
    found = problems(exam_course(tmp_path, data))
    assert any(expected in p for p in found), found
    assert all("exam/01_test.yaml" in p for p in found), found


def test_topic_must_match_the_file_and_be_drawn_by_the_exam(tmp_path):
    found = problems(exam_course(tmp_path / "a", name="01_other"))
    assert any("topic '01_test' must match the file name '01_other'" in p for p in found), found
    other = module(id="03_other", items=[], scenarios=[], reflections=[], layout=["reading:r1", "progress"])
    data = bank_file() | {"topic": "03_other"}
    for x in data["items"] + data["scenarios"]:
        x["id"] = x["id"].replace("ex01_", "ex03_")
    root = exam_course(tmp_path / "b", bank_file(), extra_module=other)
    (root / "content" / "exam" / "03_other.yaml").write_text(yaml.safe_dump(data))
    found = problems(root)
    assert any("unknown topic '03_other': the practice exam draws from 01_test" in p for p in found), found


def test_no_exam_only_questions_is_said_plainly(tmp_path):
    root = exam_course(tmp_path)
    (root / "content" / "exam" / "01_test.yaml").unlink()
    found = problems(root)
    assert found == [f"{root / 'content' / 'modules' / '02_exam.yaml'}: the practice exam needs exam-only questions, "
                     "and there are none: it draws only from content/exam/<topic>.yaml (one file per topic it draws "
                     "from; see content/exam/README.md)"]
    root = exam_course(tmp_path / "few", bank_file(items=2, scenarios=1))
    found = problems(root)
    assert any("asks 6 questions, but the exam-only bank holds only 3" in p for p in found), found
    assert any("needs at least 2 short scenarios, but the exam-only bank can give only 1" in p for p in found), found


def test_content_notes_belong_to_exam_questions_and_exam_scenarios_are_short(tmp_path):
    m = module()
    m["items"][0]["content_note"] = "A hard topic."
    write_course(tmp_path / "a", [m])
    assert any("content_note is for exam-only questions" in p for p in problems(tmp_path / "a"))
    data = bank_file()
    long = data["scenarios"][0]
    long["nodes"][1]["options"][0]["next"] = "c"
    long["nodes"].append({"id": "c", "situation": "Third.", "options": [
        {"id": "x", "text": "X", "rating": "best", "feedback": "f", "principles": ["K1"], "next": "end_a"},
        {"id": "y", "text": "Y", "rating": "harmful", "feedback": "f", "principles": ["K1"], "next": "end_b"}]})
    data["items"][0]["content_note"] = "This question mentions suicide. Call or text 988."
    found = problems(exam_course(tmp_path / "b", data))
    assert found == [f"{tmp_path / 'b' / 'content' / 'exam' / '01_test.yaml'}: scenario 'ex01_scn_1': a path has 3 "
                     "decisions; an exam scenario is short (at most 2)"]


def test_shares_follow_the_weights_by_largest_remainders_and_respect_caps():
    assert bank.shares(60, {"a": 16, "b": 24, "c": 20}, {"a": 99, "b": 99, "c": 99}) == {"a": 16, "b": 24, "c": 20}
    assert bank.shares(10, {"a": 1, "b": 1, "c": 1}, {"a": 9, "b": 9, "c": 9}) == {"a": 4, "b": 3, "c": 3}
    assert bank.shares(10, {"a": 5, "b": 3, "c": 2}, {"a": 2, "b": 9, "c": 9}) == {"a": 2, "b": 5, "c": 3}
    assert bank.shares(7, {"a": 1, "b": 1}, {"a": 2, "b": 3}) == {"a": 2, "b": 3}  # no more than the bank holds


def test_plan_and_draw(tmp_path):
    course = load_course(exam_course(tmp_path, bank_file(items=6, scenarios=3)))
    exam = course.module("02_exam")
    plan = course.exam_plan(exam)
    assert len(plan["positions"]) == 6 and Counter(plan["kinds"].values()) == {"item": 4, "scenario": 2}
    draws = {t: variants.exam_draw(t, exam.id, plan) for t in ("ana", "ben", "cy", "dee")}
    for t, draw in draws.items():
        assert len(set(draw.values())) == 6  # no question twice
        assert all(q in plan["pools"]["01_test"][plan["kinds"][p]] for p, q in draw.items())
        assert draw == variants.exam_draw(t, exam.id, plan)  # fixed for a trainee
    assert len({tuple(d.values()) for d in draws.values()}) > 1  # two trainees' draws differ


def _answers(folder, entries: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = store.empty()
    data["answers"] = {k: {"at": "2026-12-01T10:00:00.000Z", **v} for k, v in entries.items()}
    (folder / "cps_answers.json").write_text(json.dumps(data))


def _grade(ref, folder, **kw):
    out, flags = io.StringIO(), []
    points = grader.grade(ref, folder, out=out, not_shown=flags, **kw)
    return points, out.getvalue(), flags


@pytest.fixture
def graded(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    grader._course_cache.clear()
    root = exam_course(tmp_path / "course")
    course = load_course(root)
    yield root, course, course.module("02_exam")
    grader._course_cache.clear()


def test_the_exam_scores_only_the_trainees_own_draw_and_explains_it(graded):
    root, course, exam = graded
    plan = course.exam_plan(exam)
    pos = next(p for p, k in plan["kinds"].items() if k == "item")
    mine = variants.exam_draw("ana", exam.id, plan)[pos]
    other = next(q for q in plan["pools"]["01_test"]["item"] if q != mine)
    folder = root / "autograded" / "ana" / exam.id
    _answers(folder, {pos: {"value": "a", "variant": mine}})
    points, said, flags = _grade(pos, folder)  # the trainee: the folder nbgrader grades in
    assert points == 1.0 and flags == [] and f"Why: {course.find(mine)[1]['rationale']}" not in said
    (root / "content" / "course.yaml").write_text("feedback:\n  explain_after_grading: true\n")
    grader._course_cache.clear()
    points, said, flags = _grade(pos, folder)
    assert points == 1.0 and f"Why: {course.find(mine)[1]['rationale']}" in said and "Best answer:" in said
    for answered in (other, "t_single", "ex01_scn_1"):  # another exam question, a module item, another kind
        _answers(folder, {pos: {"value": "a", "variant": answered}})
        points, said, flags = _grade(pos, folder)
        assert points == 0 and flags == [pos] and "one this trainee was not shown" in said, answered
        assert "Why:" not in said
    _answers(folder, {pos: {"value": "a", "variant": mine}})
    assert _grade(pos, folder, trainee="ben")[0] == (1.0 if variants.exam_draw("ben", exam.id, plan)[pos] == mine
                                                      else 0.0)


def test_an_exam_scenario_is_scored_on_one_point_and_explained_step_by_step(graded):
    root, course, exam = graded
    (root / "content" / "course.yaml").write_text("feedback:\n  explain_after_grading: true\n")
    plan = course.exam_plan(exam)
    pos = next(p for p, k in plan["kinds"].items() if k == "scenario")
    mine = variants.exam_draw("ana", exam.id, plan)[pos]
    folder = root / "autograded" / "ana" / exam.id
    _answers(folder, {pos: {"value": [["a", "ok"], ["b", "good"]], "variant": mine}})
    points, said, flags = _grade(pos, folder)
    assert points == 0.75 and "Points: 0.75 of 1." in said
    assert "Decision 1, best choice: \u201cAsk\u201d. Why: Asking respects choice." in said
    assert "Decision 2, best choice: \u201cAdvocate\u201d" in said


def test_a_module_slot_scores_only_the_version_the_trainee_was_shown(graded):
    root, course, _ = graded
    versions = ["t_single", "t_single_v2"]
    for trainee in ("ana", "ben", "cy", "dee", "eve", "fay"):
        mine = variants.pick(trainee, "t_single", versions)
        other = next(v for v in versions if v != mine)
        folder = root / "autograded" / trainee / "01_test"
        _answers(folder, {"t_single": {"value": "a", "variant": mine}})
        assert _grade("t_single", folder)[::2] == (2.0, [])
        _answers(folder, {"t_single": {"value": "a", "variant": other}})
        points, said, flags = _grade("t_single", folder)
        assert points == 0 and flags == ["t_single"] and "not shown" in said
        _answers(folder, {"t_single": {"value": "a"}})  # no version recorded: the slot's first one
        assert _grade("t_single", folder)[0] == (2.0 if mine == "t_single" else 0.0)


def test_public_files_hold_exam_only_questions_only_in_the_exam_and_no_key(graded):
    _, course, exam = graded
    mod = public.project(course, course.module("01_test"))
    assert not [k for k in [*mod["items"], *mod["scenarios"]] if k.startswith("ex01_")]
    ex = public.project(course, exam)
    assert set(ex["items"]) == {f"ex01_case_{n}" for n in range(1, 7)}
    assert set(ex["scenarios"]) == {f"ex01_scn_{n}" for n in range(1, 4)}
    text = json.dumps(ex)
    for word in ('"rating"', '"rationale"', '"act"', '"feedback"', '"correct"', "Exam rationale", "Yes."):
        assert word not in text, word
    assert {t["kind"] for t in ex["tracked"]} == {"item", "scenario"}


def test_exam_widgets_show_the_draw_with_its_content_note_and_count_progress(tmp_path):
    from cps_ethics.notebook.exam import ExamNav
    from cps_ethics.notebook.widgets import Context, Progress, build

    data = bank_file()
    data["items"][0]["content_note"] = "This question mentions suicide. You can call or text 988."
    course = load_course(exam_course(tmp_path / "c", data))
    exam = course.module("02_exam")
    content = public.project(course, exam)
    plan = course.exam_plan(exam)
    trainee = next(t for t in (f"t{n}" for n in range(100))
                   if "ex01_case_1" in variants.exam_draw(t, exam.id, plan).values())
    ctx = Context(tmp_path / "nb", trainee=trainee, content=content)
    nav = ExamNav(ctx, Progress.rows)
    assert nav.bar.value == 0 and nav.bar.max == 6 and "Not answered yet: 1, 2, 3, 4, 5, 6." in nav.count.value
    draw = variants.exam_draw(trainee, exam.id, plan)
    for n, (pos, shown) in enumerate(draw.items(), 1):
        w = build(pos, ctx)
        assert w.ref == shown and w.key == pos
        head = w.widget.children[0].value
        assert ("Content note." in head and "988" in head) == (shown == "ex01_case_1")
        if n == 2 and plan["kinds"][pos] == "item":
            w.radio.value = w.radio.options[0][1]
    saved = store.read(tmp_path / "nb" / "cps_answers.json")
    second = list(draw)[1]
    assert saved[second]["variant"] == draw[second]
    assert nav.bar.value == 1 and "Not answered yet: 1, 3, 4, 5, 6." in nav.count.value
