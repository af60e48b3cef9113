"""Read nbgrader's gradebook with set-based SQL: one row per trainee x grade cell, in one query."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from cps_ethics.errors import CourseError

# One row per (student, submitted notebook, grade cell). A grade's score follows
# nbgrader.api.Grade.score: manual score (+ extra credit) when set, else auto score (+ extra credit), else 0.
GRADES_SQL = sa.text("""
SELECT s.id AS student, a.name AS assignment, n.name AS notebook, bc.name AS grade_id,
       bc.type AS kind, COALESCE(gc.cell_type, tc.cell_type) AS cell_type,
       COALESCE(gc.max_score, tc.max_score) AS max_score,
       g.auto_score AS auto_score, g.manual_score AS manual_score, g.extra_credit AS extra_credit,
       g.needs_manual_grade AS needs_manual_grade
FROM grade g
JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN student s ON sa.student_id = s.id
JOIN assignment a ON sa.assignment_id = a.id
JOIN notebook n ON sn.notebook_id = n.id
JOIN base_cell bc ON g.cell_id = bc.id
LEFT JOIN grade_cells gc ON gc.id = bc.id
LEFT JOIN task_cells tc ON tc.id = bc.id
""")


def engine(db_url: str) -> sa.Engine:
    try:
        eng = sa.create_engine(db_url)
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1 FROM grade LIMIT 1"))
        return eng
    except Exception as e:  # noqa: BLE001 - every failure becomes one message a trainer can act on
        raise CourseError(f"Cannot read the gradebook at {_safe(db_url)}: {str(e).splitlines()[0]}. "
                          "Check the path or db_url, and run `nbgrader autograde` first.") from None


def _safe(db_url: str) -> str:
    """The URL without a password."""
    try:
        return sa.engine.make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "the configured db_url"


def grades(db_url: str) -> pd.DataFrame:
    """Tidy grades: one row per student x grade cell, with `score` as nbgrader computes it."""
    eng = engine(db_url)
    try:
        with eng.connect() as conn:
            df = pd.read_sql(GRADES_SQL, conn)
    except Exception as e:  # noqa: BLE001
        raise CourseError(f"The gradebook at {_safe(db_url)} is not one nbgrader 0.9 wrote: "
                          f"{str(e).splitlines()[0]}") from None
    finally:
        eng.dispose()
    manual = df["manual_score"].astype("float64")
    auto = df["auto_score"].astype("float64")
    extra = df["extra_credit"].astype("float64").fillna(0.0)
    df["score"] = manual.where(manual.notna(), auto).fillna(0.0) + extra
    df["needs_manual_grade"] = df["needs_manual_grade"].astype(bool)
    return df.sort_values(["assignment", "student", "grade_id"]).reset_index(drop=True)
