"""Per trainee per assignment: score, max score and status (graded, not_submitted, failed); the class view."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .gradebook import Gradebook

GRADED, NOT_SUBMITTED, FAILED = "graded", "not_submitted", "failed"
STATUSES = (GRADED, NOT_SUBMITTED, FAILED)
DECIMALS = 9  # totals are compared with `nbgrader export` at this many decimal places

TRAINEE_ASSIGNMENT_COLUMNS = ["student", "assignment", "status", "raw_score", "late_penalty", "score",
                              "max_score", "share", "needs_manual_grade", "timestamp", "reason"]


def failed_submissions(grades: pd.DataFrame) -> pd.DataFrame:
    """(student, assignment, reason) for submissions autograde could not run as a whole.

    Autograde leaves every autograder test (a locked code grade cell) with auto_score NULL and
    needs_manual_grade set when it could not run the notebook; a trainer's manual score clears that.
    """
    tests = grades[(grades["kind"] == "GradeCell") & (grades["cell_type"] == "code") & grades["locked"]]
    unrun = tests["auto_score"].isna() & tests["manual_score"].isna() & tests["needs_manual_grade"]
    per = unrun.groupby([tests["student"], tests["assignment"]]).all()
    out = per[per].reset_index()[["student", "assignment"]]
    out["reason"] = "autograde could not run this submission: no automatic test has a score"
    return out


def trainee_assignments(gb: Gradebook) -> pd.DataFrame:
    """Every trainee x every assignment (explicit 0 when not submitted); totals equal `nbgrader export`."""
    g = gb.grades
    grid = gb.students[["student"]].merge(gb.assignments[["assignment", "max_score"]], how="cross")
    raw = g.groupby(["student", "assignment"], as_index=False).agg(needs_manual_grade=("needs_manual_grade", "any"))
    df = grid.merge(gb.submissions[["student", "assignment", "timestamp", "late_penalty", "n_grades", "raw_score"]],
                    on=["student", "assignment"], how="left", indicator="_sub")
    df = df.merge(raw, on=["student", "assignment"], how="left")
    submitted = df["_sub"] == "both"
    # Rounded to 9 decimals: nbgrader's own float sum depends on the database's row order (14.530000000000001
    # for 14.53), and every score in this course is a multiple of 0.01, so this is the exact total.
    df["raw_score"] = df["raw_score"].fillna(0.0).round(DECIMALS)
    df["late_penalty"] = df["late_penalty"].where(submitted, 0.0).fillna(0.0)
    df["score"] = np.maximum(0.0, df["raw_score"] - df["late_penalty"]).round(DECIMALS)
    df["needs_manual_grade"] = df["needs_manual_grade"].astype("boolean").fillna(False).astype(bool)
    df["status"] = np.where(submitted, GRADED, NOT_SUBMITTED)
    df["reason"] = np.where(submitted, "", "no submission in the gradebook")
    failed = failed_submissions(g)
    df = df.merge(failed, on=["student", "assignment"], how="left", suffixes=("", "_failed"))
    hit = df["reason_failed"].notna() & submitted
    empty = submitted & (df["n_grades"].fillna(0) == 0)
    df.loc[hit, "status"] = FAILED
    df.loc[hit, "reason"] = df.loc[hit, "reason_failed"]
    df.loc[empty, "status"] = FAILED
    df.loc[empty, "reason"] = "the submission has no grades: autograde did not finish it"
    df.loc[df["status"] == FAILED, "needs_manual_grade"] = True
    df["share"] = (df["score"] / df["max_score"]).where(df["max_score"] > 0)
    df["timestamp"] = df["timestamp"].astype("string").fillna("")
    return df[TRAINEE_ASSIGNMENT_COLUMNS].sort_values(["assignment", "student"], ignore_index=True)


def class_assignments(ta: pd.DataFrame) -> pd.DataFrame:
    """Per assignment: how many trainees are graded / not submitted / failed, and the graded scores."""
    rows = []
    for a, d in ta.groupby("assignment", sort=True):
        graded = d[d["status"] == GRADED]["score"]
        rows.append({
            "assignment": a, "max_score": float(d["max_score"].iloc[0]), "n_trainees": len(d),
            "n_graded": int((d["status"] == GRADED).sum()),
            "n_not_submitted": int((d["status"] == NOT_SUBMITTED).sum()),
            "n_failed": int((d["status"] == FAILED).sum()),
            "mean_score": float(graded.mean()) if len(graded) else np.nan,
            "median_score": float(graded.median()) if len(graded) else np.nan,
            "min_score": float(graded.min()) if len(graded) else np.nan,
            "max_scored": float(graded.max()) if len(graded) else np.nan,
        })
    return pd.DataFrame(rows, columns=["assignment", "max_score", "n_trainees", "n_graded", "n_not_submitted",
                                       "n_failed", "mean_score", "median_score", "min_score", "max_scored"])


TRAINEE_ITEM_COLUMNS = ["student", "assignment", "notebook", "grade_id", "kind", "cell_type", "max_score", "score",
                        "auto_score", "manual_score", "extra_credit", "needs_manual_grade", "status", "pending"]


def trainee_items(gb: Gradebook, ta: pd.DataFrame) -> pd.DataFrame:
    """Every trainee x every grade/task cell of every assignment; explicit 0 where nothing was submitted.

    `status` is the submission's status; `pending` marks a graded submission's cell still waiting for
    manual grading (counted as 0 by nbgrader, left out of mastery and item statistics here).
    """
    cells = gb.cells[["assignment", "notebook", "grade_id", "kind", "cell_type", "max_score"]]
    grid = ta[["student", "assignment", "status"]].merge(cells, on="assignment", how="inner")
    cols = ["student", "assignment", "notebook", "grade_id", "kind", "auto_score", "manual_score", "extra_credit",
            "needs_manual_grade", "score"]
    df = grid.merge(gb.grades[cols], on=["student", "assignment", "notebook", "grade_id", "kind"], how="left")
    df["score"] = df["score"].fillna(0.0)
    df["needs_manual_grade"] = df["needs_manual_grade"].astype("boolean").fillna(False).astype(bool)
    df["pending"] = (df["status"] == GRADED) & df["needs_manual_grade"]
    return df[TRAINEE_ITEM_COLUMNS].sort_values(["assignment", "student", "notebook", "grade_id"],
                                                ignore_index=True)
