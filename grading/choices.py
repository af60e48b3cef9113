"""Trainees' raw choices from the answers sidecars in autograded/, and a table of files that could not be read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cps_ethics import store
from cps_ethics.course import ANSWERS_FILE

CHOICE_COLUMNS = ["student", "assignment", "item_id", "variant", "value", "answered_at"]
PROBLEM_COLUMNS = ["student", "assignment", "kind", "reason", "message", "path"]


def read_all(root: Path, pairs: pd.DataFrame) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Answers for each (student, assignment) row of `pairs` from autograded/<student>/<assignment>/.

    Returns ({(student, assignment): {item id: value}}, choices table, problems table). Read with the
    trainer's reader (`cps_ethics.store.load`): every field type-checked, every string cleaned. An unreadable
    or missing file is a row in problems (kind answers_file, reason from cps_ethics.store), an entry that does
    not fit is left out with a row (kind answers_entry, reason bad_entry); never an exception.
    """
    answers: dict[tuple[str, str], dict] = {}
    rows, problems = [], []
    base = Path(root) / "autograded"
    for student, assignment in zip(pairs["student"], pairs["assignment"]):
        path = base / student / assignment / ANSWERS_FILE
        found, bad = store.load(path)
        for reason, message in bad:
            problems.append({"student": student, "assignment": assignment,
                             "kind": "answers_entry" if reason == "bad_entry" else "answers_file",
                             "reason": reason, "message": message, "path": store.visible(str(path))})
        answers[(student, assignment)] = {k: v["value"] for k, v in found.items()}
        for item_id in sorted(found):
            entry = found[item_id]
            variant = entry.get("variant")
            rows.append({"student": student, "assignment": assignment, "item_id": item_id,
                         "variant": variant if isinstance(variant, str) else item_id,
                         "value": json.dumps(entry["value"], sort_keys=True, ensure_ascii=False),
                         "answered_at": entry["at"]})
    return answers, pd.DataFrame(rows, columns=CHOICE_COLUMNS), pd.DataFrame(problems, columns=PROBLEM_COLUMNS)


def submission_problems(ta: pd.DataFrame) -> pd.DataFrame:
    """Failed submissions as problem rows (same columns as read_all's problems)."""
    bad = ta[ta["status"] == "failed"]
    return pd.DataFrame({"student": bad["student"], "assignment": bad["assignment"], "kind": "submission",
                         "reason": "autograde_failed", "message": bad["reason"], "path": ""},
                        columns=PROBLEM_COLUMNS)
