"""Copy detection never stops the batch: a class where nobody chose a wrong answer has nothing to compare."""

from __future__ import annotations

import json

import pandas as pd
from contentlib import REPO

from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from grading import integrity
from grading.choices import CHOICE_COLUMNS


def _table(course, module, names: dict[str, str]) -> pd.DataFrame:
    rows = []
    for student, profile in names.items():
        t = {p.student: p for p in cohort.profiles(module)}[cohort.PREFIX + profile]
        t.student = student
        for sid, value in t.answers.items():
            rows.append({"student": student, "assignment": module.id, "item_id": sid,
                         "variant": t.variants.get(sid, sid), "value": json.dumps(value, sort_keys=True),
                         "answered_at": "2026-12-01T10:00:00"})
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS)


def test_similar_answers_with_no_wrong_answer_at_all_returns_no_pair():
    course = load_course(REPO)
    module = course.modules[0]
    found = integrity.similar_answers(course, _table(course, module, {"a": "all_right", "b": "all_right",
                                                                       "c": "all_right"}), every_pair=True)
    assert len(found) == 0


def test_similar_answers_still_flags_two_identical_wrong_files():
    course = load_course(REPO)
    module = course.modules[0]
    table = _table(course, module, {"a": "all_wrong", "c": "all_right", "d": "all_right"})
    copy = table[table["student"] == "a"].assign(student="b")
    found = integrity.similar_answers(course, pd.concat([table, copy], ignore_index=True), every_pair=True)
    assert len(found) >= 1
