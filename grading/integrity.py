"""Problems a trainer may want to talk to a trainee about: cells added to a notebook, and copied answers files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from cps_ethics.autograde.grade_answers import read_report
from cps_ethics.model.content import Course
from cps_ethics.store import MAX_REFLECTION_CHARS

from .choices import PROBLEM_COLUMNS


def autograde_counts(root: Path, course: Course, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per graded (student, assignment): cells the trainee added (dropped) and course cells restored."""
    notebooks = {m.id: m.notebook for m in course.modules}
    rows = []
    for student, assignment in zip(pairs["student"], pairs["assignment"]):
        found = read_report(Path(root) / "autograded" / student / assignment, notebooks.get(assignment, ""))
        rows.append({"student": student, "assignment": assignment,
                     "added_cells": int((found or {}).get("added_cells_dropped", 0)),
                     "restored_cells": int((found or {}).get("course_cells_restored", 0))})
    return pd.DataFrame(rows, columns=["student", "assignment", "added_cells", "restored_cells"])


def added_cell_problems(counts: pd.DataFrame) -> pd.DataFrame:
    """A problem row for each submission whose notebook had cells the trainee added (dropped before grading)."""
    bad = counts[counts["added_cells"] > 0]
    return pd.DataFrame({
        "student": bad["student"], "assignment": bad["assignment"], "kind": "notebook", "reason": "added_cells",
        "message": [f"{n} cell{'s' if n != 1 else ''} the trainee added {'were' if n != 1 else 'was'} dropped "
                    "before grading (nothing in them ran; the grade comes from the answers file)"
                    for n in bad["added_cells"]],
        "path": ""}, columns=PROBLEM_COLUMNS)


def reflection_cut_problems(root: Path, course: Course, pairs: pd.DataFrame) -> pd.DataFrame:
    """A problem row for each reflection longer than the cap: formgrader and feedback show its first part."""
    notebooks = {m.id: m.notebook for m in course.modules}
    rows = []
    for student, assignment in zip(pairs["student"], pairs["assignment"]):
        folder = Path(root) / "autograded" / student / assignment
        found = read_report(folder, notebooks.get(assignment, "")) or {}
        cuts = found.get("reflections_cut")
        seen = found.get("reflections") if isinstance(found.get("reflections"), dict) else {}
        for rid, chars in sorted(cuts.items()) if isinstance(cuts, dict) else []:
            where = (f"the submitted notebook in submitted/{student}/{assignment}/"
                     if (seen.get(rid) or {}).get("from") == "notebook" else str(folder / "cps_answers.json"))
            rows.append({"student": student, "assignment": assignment, "kind": "reflection",
                         "reason": "reflection_cut",
                         "message": f"reflection {rid} is {int(chars):,} characters: formgrader and feedback show "
                                    f"the first {MAX_REFLECTION_CHARS:,}; the whole text is in {where}",
                         "path": str(folder)})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def identical_answers(choice_table: pd.DataFrame) -> pd.DataFrame:
    """A problem row for each trainee whose answers file holds the same choices with the same save times as
    another trainee's, in the same assignment. Nothing is changed: the trainer decides what it means."""
    if choice_table.empty:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    t = choice_table.sort_values(["student", "assignment", "item_id"])
    keys = (t["item_id"] + "\x1f" + t["value"] + "\x1f" + t["answered_at"]).groupby(
        [t["student"], t["assignment"]]).agg("\x1e".join)
    prints = keys.map(lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()).rename("print").reset_index()
    rows = []
    for (assignment, _), group in prints.groupby(["assignment", "print"]):
        if len(group) < 2:
            continue
        students = sorted(group["student"])
        for s in students:
            others = ", ".join(o for o in students if o != s)
            rows.append({"student": s, "assignment": assignment, "kind": "answers_file", "reason": "identical",
                         "message": f"answers file identical to {others}'s (same choices, same save times)",
                         "path": ""})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
