"""The pipeline against real `nbgrader export`, bad input (clear messages, nothing half-written), reports, CLI."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_fixtures import build_class, class_answers, class_course

from cps_ethics.errors import CourseError
from grading import pipeline, report
from grading.scores import DECIMALS

VENV_BIN = str(Path(sys.executable).parent)


def nbgrader_export(db_url: str, folder: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(student, assignment) -> (score, max_score) from the real `nbgrader export`."""
    out = folder / "grades.csv"
    env = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"]}
    subprocess.run([f"{VENV_BIN}/nbgrader", "export", f"--CourseDirectory.db_url={db_url}",
                    f"--CsvExportPlugin.to={out}"], cwd=folder, env=env, check=True, capture_output=True)
    with open(out) as f:
        return {(r["student_id"], r["assignment"]): (round(float(r["score"]), DECIMALS), float(r["max_score"]))
                for r in csv.DictReader(f)}


def test_totals_equal_nbgrader_export(class_run, tmp_path):
    expected = nbgrader_export(class_run["url"], tmp_path)
    ta = class_run["tables"]["trainee_assignments"]
    got = {(s, a): (sc, mx) for s, a, sc, mx in zip(ta["student"], ta["assignment"], ta["score"], ta["max_score"])}
    assert got == expected  # exact, manual grades, extra credit, late penalty and missing submissions included


def test_csv_files_are_the_tables(class_run):
    out = class_run["root"] / "out"
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(pipeline.TABLES)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp folder left behind
    with open(out / "trainee_assignments.csv") as f:
        header = next(csv.reader(f))
    assert header[:7] == ["student", "assignment", "status", "raw_score", "late_penalty", "score", "max_score"]


def test_missing_gradebook_is_a_clear_error_and_nothing_is_written(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CourseError, match="There is no gradebook"):
        pipeline.run(f"sqlite:///{tmp_path / 'nope.db'}", class_course(tmp_path), tmp_path, out, progress=print)
    assert not (tmp_path / "nope.db").exists() and not out.exists()


def test_unreadable_gradebook(tmp_path):
    bad = tmp_path / "gradebook.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CourseError, match="Cannot read the gradebook"):
        pipeline.run(f"sqlite:///{bad}", class_course(tmp_path), tmp_path, tmp_path / "out", progress=print)
    assert not (tmp_path / "out").exists()


def test_db_url_that_cannot_connect_hides_password(tmp_path):
    with pytest.raises(CourseError, match="Cannot read the gradebook") as e:
        pipeline.run("postgresql+psycopg://me:secret@127.0.0.1:1/none", class_course(tmp_path), tmp_path,
                     tmp_path / "out", progress=print)
    assert "secret" not in str(e.value)


def test_empty_course_keeps_earlier_tables(tmp_path):
    from nbgrader.api import Gradebook

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    Gradebook(url).close()
    out = tmp_path / "out"
    out.mkdir()
    (out / "trainee_assignments.csv").write_text("earlier results\n")
    with pytest.raises(CourseError, match="no trainees yet"):
        pipeline.run(url, class_course(tmp_path), tmp_path, out, progress=print)
    assert (out / "trainee_assignments.csv").read_text() == "earlier results\n"


def test_reports_are_self_contained_and_private(class_run, tmp_path):
    t, course = class_run["tables"], class_run["course"]
    report.write(t, course, tmp_path / "report", progress=lambda m: None)
    page = (tmp_path / "report" / "class_report.html").read_text()
    assert page.count("data:image/png;base64,") >= 4 and "src='http" not in page
    for s in ("alice", "bob", "carol", "dave", "erin"):
        assert s in page
    students = {"alice", "bob", "carol", "dave", "erin"}
    for s in students:
        own = (tmp_path / "report" / "trainees" / f"{s}.html").read_text()
        assert s in own
        for other in students - {s}:
            assert other not in own, (s, other)
    dave = (tmp_path / "report" / "trainees" / "dave.html").read_text()
    assert "failed" in dave and "could not run this submission" in dave


def test_cps_course_report_command(course_copy, tmp_path):
    """`cps-course report` on a course folder: every table, the class report and one page per trainee."""
    url = f"sqlite:///{course_copy / 'gradebook.db'}"
    build_class(url)
    class_answers(course_copy)
    env = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"], "CPS_COURSE_ROOT": str(course_copy)}
    env.pop("CPS_DB_URL", None)
    res = subprocess.run([f"{VENV_BIN}/cps-course", "report"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "[1/6] Reading the gradebook" in res.stdout and "FAILED: dave a1" in res.stdout
    assert sorted(p.stem for p in (course_copy / "out" / "grading").glob("*.csv")) == sorted(pipeline.TABLES)
    assert (course_copy / "out" / "report" / "class_report.html").is_file()
    assert len(list((course_copy / "out" / "report" / "trainees").glob("*.html"))) == 5


def test_cps_course_report_without_gradebook(course_copy):
    env = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"], "CPS_COURSE_ROOT": str(course_copy)}
    env.pop("CPS_DB_URL", None)
    res = subprocess.run([f"{VENV_BIN}/cps-course", "report"], env=env, capture_output=True, text=True)
    assert res.returncode == 2 and "There is no gradebook" in res.stderr
    assert not (course_copy / "out" / "grading").exists() and not (course_copy / "gradebook.db").exists()
