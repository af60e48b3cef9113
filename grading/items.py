"""Item analysis (difficulty, discrimination, review flags) and reliability (KR-20, Cronbach's alpha) per assignment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cps_ethics.model.content import Course

UPPER_LOWER = 0.27  # Kelley's upper and lower groups
VERY_HARD = 0.2  # difficulty below this is flagged

ITEM_COLUMNS = ["assignment", "grade_id", "kind", "type", "principles", "max_score", "n", "n_answered",
                "mean_score", "difficulty", "sd", "point_biserial", "upper_lower", "group_size", "flagged", "review"]
RELIABILITY_COLUMNS = ["assignment", "n_trainees", "n_items", "dichotomous", "kr20", "alpha", "mean_total",
                       "sd_total"]


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN when fewer than 2 values or either side has no variance."""
    if len(x) < 2:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float((dx * dx).sum()), float((dy * dy).sum())
    if sxx <= 1e-12 or syy <= 1e-12:
        return math.nan
    return float((dx * dy).sum() / math.sqrt(sxx * syy))


def group_size(n: int) -> int:
    """Size of the upper and lower groups: 27% of n rounded half up, at least 1."""
    return max(1, math.floor(UPPER_LOWER * n + 0.5))


def upper_lower(p: np.ndarray, total: np.ndarray, students: list[str]) -> tuple[float, int]:
    """Mean proportion in the top 27% minus the bottom 27% by total score (ties: by student id)."""
    n = len(p)
    if n < 2:
        return math.nan, 0
    k = group_size(n)
    order = sorted(range(n), key=lambda i: (-total[i], students[i]))
    return float(p[order[:k]].mean() - p[order[-k:]].mean()), k


def _content_info(course: Course) -> dict[str, tuple[str, str]]:
    """grade id -> (type, principles) from the content."""
    info = {}
    for m in course.modules:
        for it in m.items():
            info[it["id"]] = (it["type"], ";".join(it.get("principles", [])))
        for sc in m.scenarios():
            info[sc["id"]] = ("scenario", ";".join(sc.get("principles", [])))
        for r in m.reflections():
            info[r["id"]] = ("reflection", ";".join(r.get("principles", [])))
    return info


def analyse(ti: pd.DataFrame, course: Course, answers: dict, best_missing: set[str]) -> tuple[pd.DataFrame,
                                                                                             pd.DataFrame]:
    """(items, reliability) over graded submissions; cells pending manual grading are left out and flagged."""
    info = _content_info(course)
    items, rel = [], []
    for a, d in ti[ti["status"] == "graded"].groupby("assignment", sort=True):
        pending = set(d.loc[d["pending"], "grade_id"])
        cells = d.drop_duplicates("grade_id")[["grade_id", "kind", "max_score"]].sort_values("grade_id")
        ok = [g for g, mx in zip(cells["grade_id"], cells["max_score"]) if g not in pending and mx > 0]
        pts = d[d["grade_id"].isin(ok)].pivot(index="student", columns="grade_id", values="score")
        pts = pts.reindex(index=sorted(d["student"].unique()), columns=ok)
        students = list(pts.index)
        maxes = cells.set_index("grade_id")["max_score"]
        prop = pts / maxes.reindex(ok).to_numpy()
        total = pts.sum(axis=1).to_numpy()
        for g, kind, mx in zip(cells["grade_id"], cells["kind"], cells["max_score"]):
            typ, prins = info.get(g, ("", ""))
            n_answered = (sum(1 for s in d["student"].unique() if g in answers.get((s, a), {}))
                          if typ not in ("", "reflection") else np.nan)
            row = {"assignment": a, "grade_id": g, "kind": kind, "type": typ, "principles": prins,
                   "max_score": mx, "n": d["student"].nunique(), "n_answered": n_answered}
            review = []
            if g in ok and len(students):
                p = prop[g].to_numpy()
                ul, k = upper_lower(p, total, students)
                row.update(mean_score=float(pts[g].mean()), difficulty=float(p.mean()), sd=float(p.std(ddof=0)),
                           point_biserial=pearson(p, total - pts[g].to_numpy()), upper_lower=ul, group_size=k)
                if row["point_biserial"] < 0 or ul < 0:
                    review.append("negative discrimination")
                if row["difficulty"] < VERY_HARD:
                    review.append(f"very hard (difficulty below {VERY_HARD})")
            elif g in pending:
                review.append("waiting for manual grading")
            if g in best_missing:
                review.append("nobody chose the best option")
            if n_answered == 0:
                review.append("nobody answered")
            row["review"] = "; ".join(review)
            row["flagged"] = bool(review)
            items.append(row)
        rel.append(_reliability(a, pts, maxes.reindex(ok)))
    return (pd.DataFrame(items, columns=ITEM_COLUMNS).astype({"flagged": bool}),
            pd.DataFrame(rel, columns=RELIABILITY_COLUMNS))


def _reliability(assignment: str, pts: pd.DataFrame, maxes: pd.Series) -> dict:
    """Cronbach's alpha on points; KR-20 when every item is dichotomous (0 or full). Population variances."""
    n, k = pts.shape
    x = pts.to_numpy(dtype=float)
    total = x.sum(axis=1) if k else np.zeros(n)
    out = {"assignment": assignment, "n_trainees": n, "n_items": k, "dichotomous": False, "kr20": math.nan,
           "alpha": math.nan, "mean_total": float(total.mean()) if n else math.nan,
           "sd_total": float(total.std(ddof=0)) if n else math.nan}
    if n == 0 or k == 0:
        return out
    full = np.isclose(x, maxes.to_numpy())
    out["dichotomous"] = bool((full | np.isclose(x, 0.0)).all())
    if n < 2 or k < 2:
        return out
    var_t = total.var()
    if var_t > 1e-12:
        out["alpha"] = float(k / (k - 1) * (1 - x.var(axis=0).sum() / var_t))
    if out["dichotomous"]:
        right = full.astype(float)
        var_n = right.sum(axis=1).var()
        if var_n > 1e-12:
            p = right.mean(axis=0)
            out["kr20"] = float(k / (k - 1) * (1 - (p * (1 - p)).sum() / var_n))
    return out
