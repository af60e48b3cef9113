"""Self-contained HTML reports: one class report with plots, one page per trainee with only that trainee's data."""

from __future__ import annotations

import contextlib
import html
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

from cps_ethics.model.content import Course

from . import plots

CSS = """body{font-family:system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em;line-height:1.4}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{border:1px solid #ccc;padding:2px 6px;
text-align:left}th{background:#eef}img{max-width:100%}.bar{display:inline-block;height:.8em;background:#3b6ea5}
.flag{color:#a00}"""


def page(title: str, body: list[str]) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "</body></html>")


def table(df: pd.DataFrame, cols: list[str] | None = None, max_rows: int | None = None) -> str:
    d = df[cols] if cols else df
    if max_rows is not None and len(d) > max_rows:
        return d.head(max_rows).to_html(index=False, na_rep="", float_format=lambda x: f"{x:.3g}") + \
            f"<p>(first {max_rows} of {len(d)} rows; all rows are in the CSV file)</p>"
    return d.to_html(index=False, na_rep="", float_format=lambda x: f"{x:.3g}")


def img(fig, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{plots.png(fig)}'>"


def class_report(t: dict, course: Course) -> str:
    """The class view: status counts, score distributions, mastery, items, paths, follow-up and problems."""
    ta = t["trainee_assignments"]
    body = ["<h2>Assignments</h2>", table(t["class_assignments"]),
            img(plots.score_distributions(ta), "Histogram of graded trainees' scores per assignment"),
            "<h3>Each trainee's scores, modules and practice exam side by side (% of points)</h3>",
            table(scores_side_by_side(ta))]
    flagged = ta[ta["status"] != "graded"]
    if len(flagged):
        body += ["<h3>Submissions that are not graded</h3>",
                 table(flagged, ["student", "assignment", "status", "score", "reason"])]
    body += ["<h2>Principle mastery</h2>",
             "<p>Mastered: at least 80% of a principle's points; developing: at least 60%; "
             "needs support: below 60%.</p>", table(t["class_principles"]),
             img(plots.mastery_heatmap(t["trainee_principles"], list(course.principles)), "Principle mastery heat map"),
             "<h2>Items</h2>", table(t["items"].drop(columns=["principles"])),
             img(plots.difficulty_vs_discrimination(t["items"]), "Item difficulty against discrimination"),
             "<h2>Versions of each graded place</h2>",
             "<p>Each trainee sees one version (variant) of each graded place; the practice exam draws its "
             "questions per trainee. One row per version: how many saw and answered it, and how hard it was.</p>",
             table(t["variants"], max_rows=1000), *not_parallel_section(t["variants"]),
             "<h2>Reliability</h2>", table(t["reliability"]), "<h2>Scenario paths</h2>"]
    for sc in t["scenario_paths"]["scenario"].unique():
        body += [f"<h3>{html.escape(sc)}</h3>", img(plots.path_bars(t["scenario_paths"], sc), f"Paths through {sc}"),
                 table(t["path_departures"][t["path_departures"]["scenario"] == sc])]
    body += ["<h2>Follow-up list</h2>", table(t["follow_up"], max_rows=500),
             "<h2>Problems</h2>", table(t["problems"]) if len(t["problems"]) else "<p>None.</p>"]
    return page("Class report", body)


def not_parallel_section(variant_df: pd.DataFrame) -> list[str]:
    """The slots whose versions are not equally hard, for the trainer to retire or rewrite."""
    from .variants import PARALLEL_GAP, PARALLEL_MIN_N, non_parallel

    flagged = non_parallel(variant_df)
    intro = (f"<p>Versions of one graded place should be equally hard. Listed: places whose versions differ by more "
             f"than {PARALLEL_GAP:.0%} in the share of trainees with full marks, with at least {PARALLEL_MIN_N} "
             f"trainees on each; p is the two-proportion z-test's (small p: the gap is unlikely to be chance). "
             f"Consider retiring or rewriting the harder or the easier version.</p>")
    return ["<h3>Versions that are not equally hard</h3>", intro,
            table(flagged) if len(flagged) else "<p class='ok'>None.</p>"]


def _bar(share: float) -> str:
    if pd.isna(share):
        return ""
    return f"<span class='bar' style='width:{max(0.0, min(1.0, share)) * 8:.2f}em'></span> {share:.0%}"


PER_TRAINEE = ("trainee_assignments", "trainee_principles", "follow_up", "trainee_paths", "problems",
               "trainee_items")


def scores_side_by_side(ta: pd.DataFrame) -> pd.DataFrame:
    """One row per trainee, one column per assignment (the practice exam last): percent of points."""
    d = ta.assign(percent=(100 * ta["score"] / ta["max_score"]).where(ta["max_score"] > 0).round(1))
    wide = d.pivot_table(index="student", columns="assignment", values="percent", aggfunc="first")
    return wide.reset_index().rename_axis(columns=None)


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
            tp[["principle", "name", "earned", "possible", "bar", "mastery"]].to_html(index=False, escape=False,
                                                                                   na_rep=""),
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
    if len(own["problems"]):
        body += ["<h2 class='flag'>Problems</h2>", table(own["problems"], ["assignment", "reason", "message"])]
    return page(f"Report for {student}", body)


def _safe_name(student: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in student)
    return keep.lstrip(".") or "_"


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
    for _, r in probs[probs["kind"] == "answers_file"].iterrows():
        _say(f"  answers file: {r['student']} {r['assignment']}: {r['message']}")
    return 0


def _say(msg: str) -> None:
    print(msg, flush=True)
