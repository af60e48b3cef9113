"""Which variant of each graded slot every trainee answered (or was assigned), and item analysis per variant.

Twins that are not parallel show up in real data: a slot whose versions differ in difficulty (the share of
trainees who answered it with full marks) by more than PARALLEL_GAP, with at least PARALLEL_MIN_N trainees on
each, is flagged `not_parallel` in variants.csv and listed in the class report, with a two-proportion z-test,
so a trainer can retire or rewrite it.
"""

from __future__ import annotations

import math

import pandas as pd

from cps_ethics.model import variants as pick
from cps_ethics.model.content import Course

PARALLEL_GAP = 0.2  # versions of one slot may differ this much in their share of full marks
PARALLEL_MIN_N = 20  # trainees who answered each version before the gap counts
VARIANT_COLUMNS = ["assignment", "grade_id", "variant", "n", "n_answered", "mean_score", "max_score", "difficulty",
                   "n_full", "full_share", "slot_gap", "slot_p_value", "not_parallel"]
NON_PARALLEL_COLUMNS = ["assignment", "grade_id", "easier", "n_easier", "full_share_easier", "harder", "n_harder",
                        "full_share_harder", "gap", "z", "p_value"]


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
    """One row per assignment x slot x variant over graded submissions: how many saw it, answered it, scored; the
    share of those who answered it with full marks; and per slot the gap between its easiest and hardest version
    (of those answered by at least PARALLEL_MIN_N), the two-proportion test's p value, and `not_parallel`."""
    d = ti[(ti["status"] == "graded") & (ti["variant"] != "") & ~ti["pending"]]
    if d.empty:
        return pd.DataFrame(columns=VARIANT_COLUMNS)
    d = d.assign(full=d["variant_answered"] & (d["score"] >= d["max_score"] - 1e-9) & (d["max_score"] > 0))
    g = d.groupby(["assignment", "grade_id", "variant"], as_index=False).agg(
        n=("student", "nunique"), n_answered=("variant_answered", "sum"), mean_score=("score", "mean"),
        max_score=("max_score", "first"), n_full=("full", "sum"))
    g["difficulty"] = (g["mean_score"] / g["max_score"]).where(g["max_score"] > 0)
    g["full_share"] = (g["n_full"] / g["n_answered"]).where(g["n_answered"] > 0)
    g["slot_gap"], g["slot_p_value"], g["not_parallel"] = float("nan"), float("nan"), False
    for (a, slot), rows in g.groupby(["assignment", "grade_id"]):
        pair = _extremes(rows)
        if pair is not None:
            easy, hard = pair
            gap, _, p = _compare(easy, hard)
            g.loc[rows.index, "slot_gap"] = gap
            g.loc[rows.index, "slot_p_value"] = p
            g.loc[rows.index, "not_parallel"] = gap > PARALLEL_GAP
    return g[VARIANT_COLUMNS].sort_values(["assignment", "grade_id", "variant"], ignore_index=True)


def _extremes(rows: pd.DataFrame):
    """The easiest and the hardest version of a slot among those answered by at least PARALLEL_MIN_N trainees."""
    big = rows[rows["n_answered"] >= PARALLEL_MIN_N]
    if len(big) < 2:
        return None
    big = big.sort_values(["full_share", "variant"], ascending=[False, True])
    return big.iloc[0], big.iloc[-1]


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """(z, two-sided p value) of the pooled two-proportion z-test of x1/n1 against x2/n2."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def _compare(easy, hard) -> tuple[float, float, float]:
    z, p = two_proportion_z(easy["n_full"], easy["n_answered"], hard["n_full"], hard["n_answered"])
    return float(easy["full_share"] - hard["full_share"]), z, p


def non_parallel(variant_df: pd.DataFrame) -> pd.DataFrame:
    """One row per slot flagged `not_parallel`: its easier and harder version, their shares of full marks, the
    gap, z and p value."""
    rows = []
    for (a, slot), grp in variant_df[variant_df["not_parallel"].astype(bool)].groupby(["assignment", "grade_id"]):
        easy, hard = _extremes(grp)
        gap, z, p = _compare(easy, hard)
        rows.append({"assignment": a, "grade_id": slot, "easier": easy["variant"], "n_easier": int(easy["n_answered"]),
                     "full_share_easier": easy["full_share"], "harder": hard["variant"],
                     "n_harder": int(hard["n_answered"]), "full_share_harder": hard["full_share"], "gap": gap,
                     "z": z, "p_value": p})
    return pd.DataFrame(rows, columns=NON_PARALLEL_COLUMNS)
