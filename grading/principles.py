"""Per trainee per principle: points, share and mastery level; the class view; the follow-up list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cps_ethics.model.content import Course

# Mastery thresholds on the share of a principle's points earned (documented in grading/README.md).
MASTERED, DEVELOPING = 0.8, 0.6
LEVELS = ("mastered", "developing", "needs_support")
NO_DATA = "no_data"

TRAINEE_PRINCIPLE_COLUMNS = ["student", "principle", "name", "earned", "possible", "share", "mastery",
                             "pending_points", "missing_points"]
CLASS_PRINCIPLE_COLUMNS = ["principle", "name", "n_trainees", "earned", "possible", "class_share",
                           "mean_share", "n_mastered", "n_developing", "n_needs_support", "share_mastered"]
FOLLOW_UP_COLUMNS = ["student", "principle", "name", "share", "mastery", "assignment", "grade_id", "score",
                     "max_score", "status"]


def mastery(share: float) -> str:
    """mastered >= 0.8 > developing >= 0.6 > needs_support; no_data when nothing was possible."""
    if share is None or np.isnan(share):
        return NO_DATA
    s = round(float(share), 9)  # 2.4 / 3 is 0.8, not 0.7999999999999999
    return "mastered" if s >= MASTERED else "developing" if s >= DEVELOPING else "needs_support"


def principle_map(course: Course) -> pd.DataFrame:
    """grade_id -> principle key (one row per pair): an item counts toward every principle it cites."""
    rows = []
    for m in course.modules:
        for x in [*m.items(), *m.scenarios(), *m.reflections()]:
            for k in dict.fromkeys(x.get("principles", [])):
                rows.append({"assignment": m.id, "grade_id": x["id"], "principle": k})
    return pd.DataFrame(rows, columns=["assignment", "grade_id", "principle"])


def _names(course: Course) -> dict[str, str]:
    return {k: p.get("name", k) for k, p in course.principles.items()}


def _order(course: Course) -> dict[str, int]:
    return {k: n for n, k in enumerate(course.principles)}


def trainee_principles(ti: pd.DataFrame, course: Course) -> pd.DataFrame:
    """Earned and possible points per trainee per principle over every assignment.

    Cells pending manual grading are left out (pending_points); assignments not submitted or failed count
    as 0 earned of their possible points (missing_points says how many).
    """
    df = ti.merge(principle_map(course), on=["assignment", "grade_id"], how="inner")
    counted = ~df["pending"]
    df["earned"] = df["score"].where(counted, 0.0)
    df["possible"] = df["max_score"].where(counted, 0.0)
    df["pending_points"] = df["max_score"].where(df["pending"], 0.0)
    df["missing_points"] = df["max_score"].where(df["status"] != "graded", 0.0)
    out = df.groupby(["student", "principle"], as_index=False)[
        ["earned", "possible", "pending_points", "missing_points"]].sum()
    out["share"] = (out["earned"] / out["possible"]).where(out["possible"] > 0)
    out["mastery"] = out["share"].map(mastery)
    out["name"] = out["principle"].map(_names(course))
    out["_o"] = out["principle"].map(_order(course))
    out = out.sort_values(["student", "_o"], ignore_index=True)
    return out[TRAINEE_PRINCIPLE_COLUMNS]


def class_principles(tp: pd.DataFrame, course: Course) -> pd.DataFrame:
    """The class view: per principle, points over all trainees and how many are at each mastery level."""
    rows = []
    for k in course.principles:
        d = tp[tp["principle"] == k]
        if d.empty:
            continue
        with_data = d[d["mastery"] != NO_DATA]
        earned, possible = float(d["earned"].sum()), float(d["possible"].sum())
        counts = {lvl: int((d["mastery"] == lvl).sum()) for lvl in LEVELS}
        rows.append({"principle": k, "name": course.principles[k].get("name", k), "n_trainees": len(with_data),
                     "earned": earned, "possible": possible,
                     "class_share": earned / possible if possible > 0 else np.nan,
                     "mean_share": float(with_data["share"].mean()) if len(with_data) else np.nan,
                     "n_mastered": counts["mastered"], "n_developing": counts["developing"],
                     "n_needs_support": counts["needs_support"],
                     "share_mastered": counts["mastered"] / len(with_data) if len(with_data) else np.nan})
    return pd.DataFrame(rows, columns=CLASS_PRINCIPLE_COLUMNS)


def follow_up(tp: pd.DataFrame, ti: pd.DataFrame, course: Course) -> pd.DataFrame:
    """Trainees below the mastery threshold on a principle, one row per item where they lost points."""
    low = tp[tp["mastery"].isin(["developing", "needs_support"])]
    items = ti[~ti["pending"] & (ti["score"] < ti["max_score"])].merge(
        principle_map(course), on=["assignment", "grade_id"], how="inner")
    df = low.merge(items[["student", "principle", "assignment", "grade_id", "score", "max_score", "status"]],
                   on=["student", "principle"], how="inner")
    df["_o"] = df["principle"].map(_order(course))
    df = df.sort_values(["student", "_o", "assignment", "grade_id"], ignore_index=True)
    return df[FOLLOW_UP_COLUMNS]
