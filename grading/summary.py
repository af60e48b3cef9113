"""The first summary after autograde: per trainee totals and per principle scores, as CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cps_ethics.model.content import Course

from . import csvsafe, gradebook


def principle_map(course: Course) -> pd.DataFrame:
    """grade_id -> principle key (one row per pair): an item counts toward every principle it cites."""
    rows = []
    for m in course.modules:
        for x in [*m.items(), *m.scenarios(), *m.reflections()]:
            for k in x["principles"]:
                rows.append({"grade_id": x["id"], "principle": k})
    return pd.DataFrame(rows, columns=["grade_id", "principle"])


def totals(grades: pd.DataFrame) -> pd.DataFrame:
    """Per trainee per assignment: score and max score (equal to `nbgrader export`)."""
    return (grades.groupby(["student", "assignment"], as_index=False)
            .agg(score=("score", "sum"), max_score=("max_score", "sum"),
                 needs_manual_grade=("needs_manual_grade", "any")))


def by_principle(grades: pd.DataFrame, course: Course) -> pd.DataFrame:
    """Per trainee per principle: points earned and possible, and the share earned."""
    pm = principle_map(course)
    df = grades.merge(pm, on="grade_id", how="inner")
    out = (df.groupby(["student", "principle"], as_index=False)
           .agg(earned=("score", "sum"), possible=("max_score", "sum")))
    out["share"] = (out["earned"] / out["possible"]).round(4)
    return out


def write(db_url: str, course: Course, out_dir: Path) -> list[Path]:
    g = gradebook.grades(db_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in (("trainee_totals", totals(g)), ("principle_scores", by_principle(g, course))):
        path = out_dir / f"{name}.csv"
        tmp = path.with_suffix(".csv.tmp")
        csvsafe.write(df, tmp)
        tmp.replace(path)
        paths.append(path)
    return paths
