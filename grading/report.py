"""Self-contained HTML reports: one class report with plots, one page per trainee with only that trainee's data."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

from cps_ethics.model.content import Course
from cps_ethics.store import visible

from .class_report import class_report  # noqa: E402,F401 (the class view lives there)
from .html_kit import CSS, NO_MATH, img, page, table  # noqa: F401 (also used by the dashboard)


def _bar(share: float) -> str:
    if pd.isna(share):
        return ""
    return f"<span class='bar' style='width:{max(0.0, min(1.0, share)) * 8:.2f}em'></span> {share:.0%}"


PER_TRAINEE = ("trainee_assignments", "trainee_principles", "follow_up", "trainee_paths", "problems",
               "trainee_items")


def split(t: dict) -> dict[str, dict[str, pd.DataFrame]]:
    """student -> {table: that student's rows}, for the per-trainee tables (one pass per table)."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for k in PER_TRAINEE:
        for s, d in t[k].groupby("student", sort=False):
            out.setdefault(s, {})[k] = d
    return out


def trainee_report(student: str, t: dict, own: dict | None = None) -> str:
    """One trainee's own results only: every row comes from tables filtered to this student."""
    own = own if own is not None else split({k: t[k][t[k]["student"] == student] for k in PER_TRAINEE}).get(
        student, {})
    own = {k: own.get(k, t[k].iloc[0:0]) for k in PER_TRAINEE}
    tp = own["trainee_principles"].copy()
    tp["bar"] = tp["share"].map(_bar)
    body = ["<h2>Assignments</h2>",
            table(own["trainee_assignments"], ["assignment", "status", "score", "max_score", "reason"]),
            "<h2>Principles</h2>",
            table(tp, ["principle", "name", "earned", "possible", "bar", "mastery"], escape=False),
            "<h2>To review together</h2>",
            table(own["follow_up"], ["principle", "name", "assignment", "grade_id", "score", "max_score"])
            if len(own["follow_up"]) else "<p>Nothing below the mastery threshold.</p>",
            "<h2>Scenario paths</h2>",
            table(own["trainee_paths"], ["scenario", "variant", "path", "status", "points", "max_points",
                                         "left_best_at"]),
            "<h2>Versions answered</h2>",
            "<p>The version (variant) of each graded place this trainee saw, and its points.</p>",
            table(own["trainee_items"][own["trainee_items"]["variant"].astype(str) != ""],
                  ["assignment", "grade_id", "variant", "variant_answered", "score", "max_score"])]
    mine = own["problems"][own["problems"]["reason"] != "similar"]  # a flag for the trainer, naming another
    if len(mine):
        body += ["<h2 class='flag'>Problems</h2>", table(mine, ["assignment", "reason", "message"])]
    return page(f"Report for {student}", body)


def _safe_name(student: str) -> str:
    """A file name for a trainee's report page; a name that had to change gets a short hash of the real id,
    so two trainees ("maria lopez", "maria_lopez") never share one page."""
    keep = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in student).lstrip(".") or "_"
    if keep == student:
        return keep
    return f"{keep[:80]}-{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def write(t: dict, course: Course, out_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """class_report.html and trainees/<id>.html under out_dir; built in a temp folder, then moved into place."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".report-", dir=out_dir))
    try:
        (tmp / "class_report.html").write_text(class_report(t, course), encoding="utf-8")
        students = sorted(t["trainee_assignments"]["student"].unique())
        (tmp / "trainees").mkdir()
        step = max(1, len(students) // 10)
        parts = split(t)
        for n, s in enumerate(students, 1):
            (tmp / "trainees" / f"{_safe_name(s)}.html").write_text(trainee_report(s, t, parts.get(s, {})),
                                                                    encoding="utf-8")
            if n % step == 0 or n == len(students):
                progress(f"  trainee reports: {n}/{len(students)}")
        old = out_dir / "trainees"
        if old.exists():
            os.replace(old, tmp / "trainees.old")
        os.replace(tmp / "trainees", old)
        os.replace(tmp / "class_report.html", out_dir / "class_report.html")
        return out_dir / "class_report.html"
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


def cmd(root: Path, args) -> int:
    """`cps-course report`: every table in out/grading/, the HTML reports in out/report/."""
    from cps_ethics.course import db_url
    from cps_ethics.model.content import load_course

    from . import pipeline

    course = load_course(root)
    tables = pipeline.compute(db_url(root), course, root, progress=_say)
    _say(f"[6/{pipeline.STEPS}] Writing the HTML reports and the tables")
    path = write(tables, course, root / "out" / "report", progress=_say)
    pipeline.write_tables(tables, root / "out" / "grading")
    _say(f"Wrote {len(tables)} tables in {root / 'out' / 'grading'} and the class report {path}")
    ta = tables["trainee_assignments"]
    for _, r in ta[ta["status"] == "failed"].iterrows():
        _say(f"  FAILED: {r['student']} {r['assignment']}: {r['reason']}")
    probs = tables["problems"]
    for _, r in probs[probs["kind"].isin(["answers_file", "answers_entry", "reflection"])].iterrows():
        _say(f"  {str(r['kind']).replace('_', ' ')}: {r['student']} {r['assignment']}: {r['message']}")
    return 0


def _say(msg: str) -> None:
    """Print a line; trainee strings in it have their control characters shown as text."""
    print(visible(msg), flush=True)
