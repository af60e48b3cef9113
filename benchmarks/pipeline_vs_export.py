"""Benchmark: the grading pipeline's time to all tables vs `nbgrader export`, on a synthetic gradebook.

Usage: python benchmarks/pipeline_vs_export.py [--trainees 1000] [--db-url URL] [--keep DIR]
Builds a gradebook of N trainees across every assignment of the course content (bulk inserts through
SQLAlchemy), writes each trainee's answers file in autograded/, then in one run times the pipeline
(grading.pipeline.run: every table, written as CSV) and `nbgrader export`, prints both and the ratio,
and fails if any total differs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _id() -> str:
    return uuid.uuid4().hex


def random_answer(x: dict, kind: str, rng: random.Random):
    from cps_ethics.model import graph

    if kind == "scenario":
        return [list(s) for s in graph.choose_path(x, lambda opts: rng.choice(opts))]
    if kind == "single":
        return rng.choice(x["options"])["id"]
    if kind == "multiple":
        return [o["id"] for o in x["options"] if rng.random() < 0.5]
    if kind == "matching":
        return {p["id"]: rng.choice(x["choices"])["id"] for p in x["pairs"]}
    steps = [s["id"] for s in x["steps"]]
    rng.shuffle(steps)
    return steps


def build(db_url: str, root: Path, n: int, seed: int = 1) -> None:
    """Synthetic gradebook + answers files: 2% not submitted, 1% failed, reflections 70% graded."""
    from nbgrader.api import Gradebook

    from cps_ethics.model import scoring
    from cps_ethics.model.content import load_course

    rng = random.Random(seed)
    course = load_course(REPO)
    cells = {}  # assignment -> [(cell id, grade id, content, kind, max)]
    with Gradebook(db_url) as gb:
        for m in course.modules:
            gb.add_assignment(m.id)
            gb.add_notebook(m.notebook, m.id)
            cells[m.id] = []
            for x in m.items():
                if x["kind"] == "graded":
                    c = gb.add_grade_cell(x["id"], m.notebook, m.id, max_score=scoring.item_max(x), cell_type="code")
                    cells[m.id].append((c.id, x["id"], x, x["type"], scoring.item_max(x)))
            for x in m.scenarios():
                if x["kind"] == "graded":
                    c = gb.add_grade_cell(x["id"], m.notebook, m.id, max_score=scoring.scenario_max(x),
                                          cell_type="code")
                    cells[m.id].append((c.id, x["id"], x, "scenario", scoring.scenario_max(x)))
            for x in m.reflections():
                c = gb.add_task_cell(x["id"], m.notebook, m.id, max_score=float(x["points"]), cell_type="markdown")
                cells[m.id].append((c.id, x["id"], x, "reflection", float(x["points"])))
            for cid, gid, x, kind, mx in cells[m.id]:
                gb.add_source_cell(gid, m.notebook, m.id, cell_type="markdown" if kind == "reflection" else "code",
                                   locked=True, source="", checksum="")
        nb_ids = {m.id: gb.find_notebook(m.notebook, m.id).id for m in course.modules}
        a_ids = {m.id: gb.find_assignment(m.id).id for m in course.modules}
    students = [f"t{i:05d}" for i in range(n)]
    rows = {"student": [], "submitted_assignment": [], "submitted_notebook": [], "grade": []}
    for s in students:
        rows["student"].append({"id": s, "first_name": "T", "last_name": s})
        for m in course.modules:
            if rng.random() < 0.02:
                continue  # not submitted
            failed = rng.random() < 0.01
            sa_id, sn_id = _id(), _id()
            rows["submitted_assignment"].append({"id": sa_id, "assignment_id": a_ids[m.id], "student_id": s,
                                                 "timestamp": None, "extension": None})
            rows["submitted_notebook"].append({"id": sn_id, "assignment_id": sa_id, "notebook_id": nb_ids[m.id],
                                               "flagged": False, "late_submission_penalty": None})
            answers = {}
            for cid, gid, x, kind, mx in cells[m.id]:
                g = {"id": _id(), "notebook_id": sn_id, "cell_id": cid, "auto_score": None, "manual_score": None,
                     "extra_credit": None, "needs_manual_grade": True}
                if kind == "reflection":
                    if rng.random() < 0.7:
                        g.update(manual_score=float(rng.randint(0, int(mx))), needs_manual_grade=False)
                elif not failed:
                    value = random_answer(x, kind, rng)
                    answers[gid] = {"value": value, "at": "2026-11-30T12:00:00.000Z"}
                    res = scoring.score_scenario(x, value) if kind == "scenario" else scoring.score_item(x, value)
                    g.update(auto_score=res.points, needs_manual_grade=False)
                rows["grade"].append(g)
            d = root / "autograded" / s / m.id
            d.mkdir(parents=True, exist_ok=True)
            (d / "cps_answers.json").write_text(json.dumps({"format": "cps-answers", "version": 1,
                                                            "answers": answers}))
    eng = sa.create_engine(db_url)
    meta = sa.MetaData()
    meta.reflect(eng, only=list(rows))
    with eng.begin() as conn:
        for table in ("student", "submitted_assignment", "submitted_notebook", "grade"):
            conn.execute(meta.tables[table].insert(), rows[table])
    eng.dispose()


def export_totals(db_url: str, folder: Path) -> tuple[float, dict]:
    out = folder / "export.csv"
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    t0 = time.perf_counter()
    subprocess.run([str(VENV_BIN / "nbgrader"), "export", f"--CourseDirectory.db_url={db_url}",
                    f"--CsvExportPlugin.to={out}"], cwd=folder, env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    with open(out) as f:
        return seconds, {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trainees", type=int, default=1000)
    p.add_argument("--db-url", help="an empty database (default: a SQLite file in a temp folder)")
    p.add_argument("--keep", help="build in this folder and keep it")
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from grading import pipeline
    from grading.scores import DECIMALS

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cps-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_url = args.db_url or f"sqlite:///{folder / 'gradebook.db'}"
    t0 = time.perf_counter()
    build(db_url, folder, args.trainees)
    print(f"built a gradebook of {args.trainees} trainees in {time.perf_counter() - t0:.1f} s ({db_url})")
    t0 = time.perf_counter()
    tables = pipeline.run(db_url, _course(), folder, folder / "tables", progress=lambda m: None)
    t_pipe = time.perf_counter() - t0
    t_export, exported = export_totals(db_url, folder)
    ta = tables["trainee_assignments"]
    ours = {(s, a): float(v) for s, a, v in zip(ta["student"], ta["assignment"], ta["score"])}
    # nbgrader's float sum depends on row order (14.530000000000001); both sides at 9 decimals, see scores.py
    bad = [k for k in exported if round(exported[k], DECIMALS) != ours.get(k)] + [k for k in ours if k not in exported]
    print(f"pipeline, all {len(tables)} tables (in-process, CSV written): {t_pipe:.2f} s")
    print(f"nbgrader export (whole command):                     {t_export:.2f} s")
    print(f"ratio (export / pipeline):                           {t_export / t_pipe:.1f}x")
    print(f"totals compared: {len(exported)} trainee x assignment rows, {len(bad)} differ")
    if bad:
        print("DIFFERENT:", bad[:10])
        return 1
    return 0


def _course():
    from cps_ethics.model.content import load_course

    return load_course(REPO)


if __name__ == "__main__":
    sys.exit(main())
