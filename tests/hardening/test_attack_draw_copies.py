"""Attacks on the practice exam's copy detection (grading/integrity.py draw_copies), on the real course's plan.

A trainee's exam draw is computed from public things (the trainee id, the exam id and the exam's plan), so
any trainee can compute a classmate's draw. Before the fix, a trainee who filled their answers file with an
honest classmate's questions (answers of their own choosing) got that classmate named as the likely source
("a copy of H's answers file?"), though H shared nothing. A real copy of H's file (the same questions and the
same answers, times shifted or not) still names H.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from courselib import REPO

from cps_ethics.model import variants
from cps_ethics.model.content import load_course
from grading import integrity
from grading.choices import CHOICE_COLUMNS

HONEST, FRAMER, COPIER, OTHER = "h_honest", "x_framer", "c_copier", "o_other"


@pytest.fixture(scope="module")
def exam():
    course = load_course(REPO)
    exam = next(m for m in course.modules if m.exam)
    return course, exam, course.exam_plan(exam)


def _rows(student, exam_id, picks: dict, value) -> list[dict]:
    return [{"student": student, "assignment": exam_id, "item_id": p, "variant": v, "value": value(p, v),
             "answered_at": "2026-12-01T10:00:00.000Z"} for p, v in picks.items()]


def _table(exam, plan, framer_values):
    honest_draw = variants.exam_draw(HONEST, exam.id, plan)
    rows = _rows(HONEST, exam.id, honest_draw, lambda p, v: json.dumps(f"h-{v}"))
    rows += _rows(OTHER, exam.id, variants.exam_draw(OTHER, exam.id, plan), lambda p, v: json.dumps(f"o-{v}"))
    rows += _rows(FRAMER, exam.id, honest_draw, framer_values)  # H's questions, computed, not copied
    rows += _rows(COPIER, exam.id, honest_draw, lambda p, v: json.dumps(f"h-{v}"))  # H's file, answers and all
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS)


def test_a_classmates_computed_draw_does_not_name_that_classmate(exam):
    course, ex, plan = exam
    found = integrity.draw_copies(course, _table(ex, plan, lambda p, v: json.dumps(f"x-{v}")))
    assert set(found[found["student"] == FRAMER]["other"]) == set(), found.to_string()


def test_a_real_copy_still_names_its_source(exam):
    course, ex, plan = exam
    found = integrity.draw_copies(course, _table(ex, plan, lambda p, v: json.dumps(f"x-{v}")))
    assert set(found[found["student"] == COPIER]["other"]) == {HONEST}, found.to_string()
    assert set(found["student"]) <= {COPIER, FRAMER}, "an honest trainee is never said to hold another's draw"
    msg = integrity.draw_copy_problems(found)["message"].iloc[0]
    assert f"the questions drawn for {HONEST}, at the same positions" in msg


ODD_VALUES = [None, [], {}, [[]], [["a", ["b"]]], "x" * 1000, 1e308, float("nan"), True, -1, {"a": 1},
              [[None, None]], "\x1b[2J"]  # lone surrogates never get here: store.load replaces them


def test_odd_answer_values_stop_no_copy_detection(exam):
    """Every graded slot of a module answered with odd values by one trainee, nobody wrong, one trainee alone:
    similar_answers, identical_answers and draw_copies return tables and never raise."""
    course = exam[0]
    module = next(m for m in course.modules if not m.exam)
    rows = []
    for n, (slot, (kind, xs)) in enumerate(module.slots().items()):
        for x in xs:
            odd = ODD_VALUES[n % len(ODD_VALUES)]
            rows.append({"student": "odd", "assignment": module.id, "item_id": slot, "variant": x["id"],
                         "value": json.dumps(odd, ensure_ascii=False), "answered_at": "=cmd|x"})
    table = pd.DataFrame(rows, columns=CHOICE_COLUMNS)
    for t in (table, table.iloc[:0], pd.concat([table, table.assign(student="odd2")])):
        integrity.similar_answers(course, t)
        integrity.similar_answers(course, t, every_pair=True)
        integrity.identical_answers(t)
        integrity.draw_copies(course, t)
