"""Which variant of each graded slot every trainee answered (or was assigned), and item analysis per variant."""

from __future__ import annotations

import pandas as pd

from cps_ethics.model import variants as pick
from cps_ethics.model.content import Course

VARIANT_COLUMNS = ["assignment", "grade_id", "variant", "n", "n_answered", "mean_score", "max_score", "difficulty"]


def chosen(choice_table: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """{(student, assignment, slot): the variant the answers file records}."""
    return {(s, a, i): v for s, a, i, v in zip(choice_table["student"], choice_table["assignment"],
                                                choice_table["item_id"], choice_table["variant"])}


def assigned(course: Course, student: str, assignment: str, slot: str, _draws: dict | None = None) -> str:
    """The variant the course shows this trainee for a slot (what the widget picks), or the slot itself.
    `_draws` keeps each trainee's practice exam draw, so a table of trainees draws each once."""
    try:
        m = course.module(assignment)
    except KeyError:
        return slot
    if m.exam:
        draws = _draws if _draws is not None else {}
        if (student, m.id) not in draws:
            draws[(student, m.id)] = pick.exam_draw(student, m.id, course.exam_plan(m))
        return draws[(student, m.id)].get(slot, slot)
    found = m.slots().get(slot)
    if not found or len(found[1]) < 2:
        return slot
    return pick.pick(student, slot, [x["id"] for x in found[1]])


def add_variant(ti: pd.DataFrame, choice_table: pd.DataFrame, course: Course) -> pd.DataFrame:
    """trainee_items with `variant`: the one the trainee answered, else the one they were shown (empty for
    reflections); and `variant_answered` (True when the answers file records that variant)."""
    got, draws = chosen(choice_table), {}
    ti = ti.copy()
    keys = list(zip(ti["student"], ti["assignment"], ti["grade_id"]))
    ti["variant_answered"] = [k in got for k in keys]
    ti["variant"] = [got.get(k) or (assigned(course, *k, draws) if kind == "GradeCell" else "")
                     for k, kind in zip(keys, ti["kind"])]
    return ti


def variant_table(ti: pd.DataFrame) -> pd.DataFrame:
    """One row per assignment x slot x variant over graded submissions: how many saw it, answered it, scored."""
    d = ti[(ti["status"] == "graded") & (ti["variant"] != "") & ~ti["pending"]]
    if d.empty:
        return pd.DataFrame(columns=VARIANT_COLUMNS)
    g = d.groupby(["assignment", "grade_id", "variant"], as_index=False).agg(
        n=("student", "nunique"), n_answered=("variant_answered", "sum"), mean_score=("score", "mean"),
        max_score=("max_score", "first"))
    g["difficulty"] = (g["mean_score"] / g["max_score"]).where(g["max_score"] > 0)
    return g[VARIANT_COLUMNS].sort_values(["assignment", "grade_id", "variant"], ignore_index=True)
