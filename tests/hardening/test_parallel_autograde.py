"""Parallel autograde: on PostgreSQL identical to serial `nbgrader autograde` (no lost or duplicated rows);
on SQLite it serialises with a clear message and never corrupts the gradebook. Runs the benchmark so it cannot rot."""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa
from courselib import REPO
from pgserver import fresh_database

from cps_ethics.autograde import parallel
from cps_ethics.autograde.runner import env, nbgrader
from cps_ethics.errors import CourseError
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from grading import gradebook

pytestmark = pytest.mark.slow
ROW = ["student", "assignment", "notebook", "grade_id", "auto_score", "manual_score", "extra_credit",
       "needs_manual_grade"]


def _benchmark():
    spec = importlib.util.spec_from_file_location("bench_parallel", REPO / "benchmarks" / "parallel_autograde.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _counts(url: str) -> dict:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            q = lambda sql: c.execute(sa.text(sql)).scalar()
            return {"grades": q("SELECT COUNT(*) FROM grade"),
                    "distinct": q("SELECT COUNT(*) FROM (SELECT DISTINCT notebook_id, cell_id FROM grade) d"),
                    "submissions": q("SELECT COUNT(*) FROM submitted_assignment"),
                    "students": q("SELECT COUNT(*) FROM student"),
                    "cells": q("SELECT (SELECT COUNT(*) FROM grade_cells) + (SELECT COUNT(*) FROM task_cells)")}
    finally:
        eng.dispose()


@pytest.mark.postgres
def test_parallel_on_postgresql_equals_serial(pg_url, tmp_path):
    """The benchmark grades one cohort serially and with 2 workers into two fresh databases: same rows."""
    size = 10
    said = []
    got = _benchmark().measure(pg_url, size, 2, tmp_path, say=said.append)
    assert said[0].startswith(f"Cohort: {size} submissions") and said[-1].startswith("ratio serial/parallel: ")
    assert got["serial"] > 0 and got["parallel"] > 0 and got["ratio"] == got["serial"] / got["parallel"]
    serial, par = gradebook.grades(got["serial_url"]), gradebook.grades(got["parallel_url"])
    assert len(serial) == size * _counts(got["serial_url"])["cells"]
    assert serial[ROW].reset_index(drop=True).equals(par[ROW].reset_index(drop=True))
    cs, cp = _counts(got["serial_url"]), _counts(got["parallel_url"])
    assert cs == cp and cp["grades"] == cp["distinct"] == size * cp["cells"] and cp["submissions"] == size
    assert len(got["expected"]) == size
    for student, cells in got["expected"].items():
        mine = par[(par["student"] == student) & par["grade_id"].isin(cells)]
        assert dict(zip(mine["grade_id"], mine["auto_score"])) == cells, student


@pytest.mark.postgres
def test_parallel_refuses_a_gradebook_without_the_assignment(pg_url, tmp_path):
    root = _benchmark().one_module_course(tmp_path / "course")
    module = load_course(root).modules[0]
    cohort.scaled(root, module, 2)
    with pytest.raises(CourseError, match="generate_assignment"):
        parallel.autograde(root, module.id, workers=2, url=fresh_database(pg_url, "empty"), say=lambda m: None)


def test_on_sqlite_the_command_serialises_and_says_why(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    root = _benchmark().one_module_course(tmp_path / "course")
    module = load_course(root).modules[0]
    nbgrader(["generate_assignment", module.id, "--force"], root)
    expected = cohort.scaled(root, module, 3)
    res = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "autograde-parallel", "--workers", "2"],
                         cwd=root, env=env(), capture_output=True, text=True, timeout=3600, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "The gradebook is a SQLite file, which allows one writer at a time" in res.stdout
    assert "use PostgreSQL: set CPS_DB_URL" in res.stdout
    assert "autograding 3 submissions with 1 nbgrader process(es)" in res.stdout
    assert "Autograde in numbers: 3 submissions; 3 graded, 0 failed as a whole" in res.stdout
    db = root / "gradebook.db"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    g = gradebook.grades(f"sqlite:///{db}")
    for student, cells in expected.items():
        mine = g[(g["student"] == student) & g["grade_id"].isin(cells)]
        assert dict(zip(mine["grade_id"], mine["auto_score"])) == cells, student
    assert len(g) == len(g.drop_duplicates(["student", "assignment", "notebook", "grade_id"]))


def test_groups_are_balanced_and_cover_everyone_once():
    ids = [f"s{n:02d}" for n in range(7)]
    groups = parallel.split(ids, 3)
    assert sorted(s for g in groups for s in g) == ids and [len(g) for g in groups] == [3, 2, 2]
    assert parallel.split(ids[:1], 4) == [["s00"]]


@pytest.mark.postgres
def test_a_failing_submission_stops_neither_its_worker_nor_the_other(pg_url, tmp_path, monkeypatch):
    from cps_ethics.simulate import cohort, faults
    from grading import triage

    monkeypatch.delenv("CPS_DB_URL", raising=False)
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    url = fresh_database(pg_url, "faulty")
    root = _benchmark().one_module_course(tmp_path / "course")
    course = load_course(root)
    module = course.modules[0]
    nbgrader(["generate_assignment", module.id, "--force"], root, extra_env={"CPS_DB_URL": url})
    expected = cohort.scaled(root, module, 3)
    bad = faults.write(root, module, [f for f in faults.FAULTS if f.name in ("notebook_not_json", "corrupt_json")])
    for name in ("sim_zz1", "sim_zz2"):  # sort after the faults: each worker grades one after a fault
        later = next(t for t in cohort.profiles(module) if t.student.endswith("all_right"))
        later.student = name
        cohort.write_submission(root, module, later)
        expected[name] = later.expected
    out = parallel.autograde(root, module.id, workers=2, url=url, extra_args=["--Execute.timeout=5"],
                             say=lambda m: None)
    assert sorted(out.codes) == [0, 1] and sorted(s for g in out.groups for s in g) == sorted([*expected, *bad])
    g = gradebook.grades(url)
    for student, cells in expected.items():
        mine = g[(g["student"] == student) & g["grade_id"].isin(cells)]
        assert dict(zip(mine["grade_id"], mine["auto_score"])) == cells, student
    monkeypatch.setenv("CPS_DB_URL", url)
    t = triage.triage(root, course, url).set_index("student")
    assert t.loc[faults.PREFIX + "notebook_not_json", "status"] == "failed"
    assert "notebook file is not valid JSON" in t.loc[faults.PREFIX + "notebook_not_json", "reason"]
    assert "not valid JSON" in t.loc[faults.PREFIX + "corrupt_json", "reason"]
    assert (t["status"] == "graded").sum() == 6
    bad_group = next(g_ for g_ in out.groups if faults.PREFIX + "notebook_not_json" in g_)
    assert bad_group.index(faults.PREFIX + "notebook_not_json") < len(bad_group) - 1
