"""Read nbgrader's gradebook with set-based SQL: a fixed number of queries, whatever the cohort size."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from cps_ethics.errors import CourseError

# One row per (student, submitted notebook, grade cell). A grade's score follows
# nbgrader.api.Grade.score: manual score (+ extra credit) when set, else auto score (+ extra credit), else 0.
# `locked` tells autograder tests (locked code cells) from manually graded code answers.
GRADES_SQL = sa.text("""
SELECT s.id AS student, a.name AS assignment, n.name AS notebook, bc.name AS grade_id,
       bc.type AS kind, COALESCE(gc.cell_type, tc.cell_type) AS cell_type,
       COALESCE(gc.max_score, tc.max_score) AS max_score,
       g.auto_score AS auto_score, g.manual_score AS manual_score, g.extra_credit AS extra_credit,
       g.needs_manual_grade AS needs_manual_grade, sc.locked AS locked
FROM grade g
JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN student s ON sa.student_id = s.id
JOIN assignment a ON sa.assignment_id = a.id
JOIN notebook n ON sn.notebook_id = n.id
JOIN base_cell bc ON g.cell_id = bc.id
LEFT JOIN grade_cells gc ON gc.id = bc.id
LEFT JOIN task_cells tc ON tc.id = bc.id
LEFT JOIN source_cell sc ON sc.notebook_id = bc.notebook_id AND sc.name = bc.name
""")

STUDENTS_SQL = sa.text("SELECT id AS student, first_name, last_name, email FROM student")

# Every assignment with its max score (grade cells + task cells of all its notebooks), as nbgrader computes it.
ASSIGNMENTS_SQL = sa.text("""
SELECT a.name AS assignment, a.duedate AS duedate,
       COALESCE((SELECT SUM(gc.max_score) FROM grade_cells gc JOIN base_cell bc ON gc.id = bc.id
                 JOIN notebook n ON bc.notebook_id = n.id WHERE n.assignment_id = a.id), 0.0)
     + COALESCE((SELECT SUM(tc.max_score) FROM task_cells tc JOIN base_cell bc ON tc.id = bc.id
                 JOIN notebook n ON bc.notebook_id = n.id WHERE n.assignment_id = a.id), 0.0) AS max_score
FROM assignment a
""")

# One row per submission: its timestamp, late penalty (sum over notebooks), number of grade rows, and its total
# summed by the database with nbgrader.api.Grade.score's expression (grouped joins, no per-row subqueries).
SUBMISSIONS_SQL = sa.text("""
SELECT s.student_id AS student, a.name AS assignment, s.timestamp AS timestamp,
       COALESCE(pen.late_penalty, 0.0) AS late_penalty, COALESCE(agg.n_grades, 0) AS n_grades,
       COALESCE(agg.raw_score, 0.0) AS raw_score
FROM submitted_assignment s
JOIN assignment a ON s.assignment_id = a.id
LEFT JOIN (SELECT assignment_id, SUM(late_submission_penalty) AS late_penalty
           FROM submitted_notebook GROUP BY assignment_id) pen ON pen.assignment_id = s.id
LEFT JOIN (SELECT sn.assignment_id AS assignment_id, COUNT(*) AS n_grades,
                  SUM(CASE WHEN g.manual_score IS NOT NULL THEN g.manual_score
                                + CASE WHEN g.extra_credit IS NOT NULL THEN g.extra_credit ELSE 0.0 END
                           WHEN g.auto_score IS NOT NULL THEN g.auto_score
                                + CASE WHEN g.extra_credit IS NOT NULL THEN g.extra_credit ELSE 0.0 END
                           ELSE 0.0 END) AS raw_score
           FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
           GROUP BY sn.assignment_id) agg ON agg.assignment_id = s.id
""")


# Every grade cell and task cell of every assignment (what a trainee who did not submit could have earned).
CELLS_SQL = sa.text("""
SELECT a.name AS assignment, n.name AS notebook, bc.name AS grade_id, bc.type AS kind,
       COALESCE(gc.cell_type, tc.cell_type) AS cell_type, COALESCE(gc.max_score, tc.max_score) AS max_score,
       sc.locked AS locked
FROM base_cell bc
JOIN notebook n ON bc.notebook_id = n.id
JOIN assignment a ON n.assignment_id = a.id
LEFT JOIN grade_cells gc ON gc.id = bc.id
LEFT JOIN task_cells tc ON tc.id = bc.id
LEFT JOIN source_cell sc ON sc.notebook_id = bc.notebook_id AND sc.name = bc.name
WHERE gc.id IS NOT NULL OR tc.id IS NOT NULL
""")


@dataclass
class Gradebook:
    """What the pipeline needs from nbgrader's database, as tidy DataFrames."""

    grades: pd.DataFrame  # one row per student x submitted grade cell
    students: pd.DataFrame  # student, first_name, last_name, email
    assignments: pd.DataFrame  # assignment, duedate, max_score
    submissions: pd.DataFrame  # student, assignment, timestamp, late_penalty, n_grades
    cells: pd.DataFrame  # assignment, notebook, grade_id, kind, cell_type, max_score, locked


def _safe(db_url: str) -> str:
    """The URL without a password."""
    try:
        return sa.engine.make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "the configured db_url"


def engine(db_url: str) -> sa.Engine:
    """A connected engine, or CourseError saying what to fix. Never creates a missing SQLite file."""
    try:
        url = sa.engine.make_url(db_url)
    except Exception:  # noqa: BLE001
        raise CourseError(f"The db_url {db_url!r} is not a database URL (e.g. sqlite:///gradebook.db).") from None
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:" or not path.is_file():
            raise CourseError(f"There is no gradebook at {path}. Run `nbgrader autograde` "
                              "(or `cps-course main`) first, or set CPS_DB_URL to the course's database.")
        url = url.set(query={**url.query, "mode": "ro", "uri": "true"}, database=f"file:{path}")
    connect_args = {"connect_timeout": 10} if url.get_backend_name() == "postgresql" else {}
    try:
        eng = sa.create_engine(url, connect_args=connect_args)
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1 FROM grade LIMIT 1"))
        return eng
    except Exception as e:  # noqa: BLE001 - every failure becomes one message a trainer can act on
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise CourseError(f"Cannot read the gradebook at {_safe(db_url)}: {first}. "
                          "Check the path or db_url, and run `nbgrader autograde` first.") from None


def read(db_url: str) -> Gradebook:
    """Read the whole gradebook in five queries; CourseError on any problem."""
    eng = engine(db_url)
    try:
        with eng.connect() as conn:
            grades = pd.read_sql(GRADES_SQL, conn)
            students = pd.read_sql(STUDENTS_SQL, conn)
            assignments = pd.read_sql(ASSIGNMENTS_SQL, conn)
            submissions = pd.read_sql(SUBMISSIONS_SQL, conn)
            cells = pd.read_sql(CELLS_SQL, conn)
    except Exception as e:  # noqa: BLE001
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise CourseError(f"The gradebook at {_safe(db_url)} is not one nbgrader 0.9 wrote: {first}") from None
    finally:
        eng.dispose()
    return Gradebook(_tidy_grades(grades), students.sort_values("student", ignore_index=True),
                     _tidy_assignments(assignments), _tidy_submissions(submissions), _tidy_cells(cells))


def _tidy_grades(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("max_score", "auto_score", "manual_score", "extra_credit"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["score"] = df["manual_score"].where(df["manual_score"].notna(), df["auto_score"]).fillna(0.0) \
        + df["extra_credit"].fillna(0.0)
    df.loc[df["manual_score"].isna() & df["auto_score"].isna(), "score"] = 0.0
    df["needs_manual_grade"] = df["needs_manual_grade"].fillna(False).astype(bool)
    df["locked"] = df["locked"].astype("boolean").fillna(True).astype(bool)
    return df.sort_values(["assignment", "student", "notebook", "grade_id"], ignore_index=True)


def _tidy_cells(df: pd.DataFrame) -> pd.DataFrame:
    df["max_score"] = df["max_score"].astype("float64")
    df["locked"] = df["locked"].astype("boolean").fillna(True).astype(bool)
    return df.sort_values(["assignment", "notebook", "grade_id"], ignore_index=True)


def _tidy_assignments(df: pd.DataFrame) -> pd.DataFrame:
    df["max_score"] = df["max_score"].astype("float64")
    return df.sort_values("assignment", ignore_index=True)


def _tidy_submissions(df: pd.DataFrame) -> pd.DataFrame:
    df["late_penalty"] = df["late_penalty"].astype("float64")
    df["raw_score"] = df["raw_score"].astype("float64")
    df["n_grades"] = df["n_grades"].astype("int64")
    # SQLite returns text, PostgreSQL datetimes: one ISO form for both
    ts = pd.to_datetime(df["timestamp"], errors="coerce")
    df["timestamp"] = ts.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype("string")
    return df.sort_values(["assignment", "student"], ignore_index=True)


def grades(db_url: str) -> pd.DataFrame:
    """Tidy grades: one row per student x grade cell, with `score` as nbgrader computes it."""
    return read(db_url).grades
