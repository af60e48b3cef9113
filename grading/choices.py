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


NOT_SHOWN = "answers for questions not shown to this trainee"


def checks(root: Path, assignments: list[str]) -> dict[tuple[str, str], list[str]]:
    """{(student, assignment): plain lines} of what collect and autograde refused or held back (links, device
    files, a submission made after feedback was released), from the course's submission checks."""
    from cps_ethics.autograde.submission import read_checks

    out: dict[tuple[str, str], list[str]] = {}
    for a in assignments:
        for student, found in read_checks(Path(root), a).items():
            out[(store.visible(student), a)] = [store.visible(f"at {r.get('step', '?')}: {r.get('path', '?')} is "
                                                              f"{r.get('why', '?')}") for r in found]
    return out


def check_problems(root: Path, assignments: list[str]) -> pd.DataFrame:
    """A problem row for each file or submission that collect or autograde refused or held back."""
    from cps_ethics.autograde.submission import AFTER_FEEDBACK, WRITTEN_LATER, read_checks

    def reason(why: str) -> str:  # collect's own words open the finding; a folder or file name never decides
        return ("after_feedback" if why.startswith(AFTER_FEEDBACK) else "written_later" if why.startswith(WRITTEN_LATER)
                else "refused_file")

    rows = [{"student": store.visible(s), "assignment": a, "kind": "submission", "reason": reason(str(r.get("why", ""))),
             "message": store.visible(f"at {r.get('step', '?')}: {r.get('path', '?')} is {r.get('why', '?')}"), "path": ""}
            for a in assignments for s, found in read_checks(Path(root), a).items() for r in found]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def not_shown(root: Path, notebooks: dict[str, str], pairs: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """{(student, assignment): grade ids} whose saved answer is for a question the course did not show that
    trainee (scored 0), as the grader's per-submission report lists them."""
    from cps_ethics.autograde.grade_answers import read_report

    out = {}
    for student, assignment in zip(pairs["student"], pairs["assignment"]):
        found = read_report(Path(root) / "autograded" / student / assignment, notebooks.get(assignment, ""))
        ids = (found or {}).get("not_shown")
        if isinstance(ids, list) and ids:
            out[(student, assignment)] = sorted(str(i) for i in ids)
    return out


def not_shown_problems(root: Path, notebooks: dict[str, str], pairs: pd.DataFrame) -> pd.DataFrame:
    """A problem row for each graded submission with answers for questions not shown to this trainee."""
    rows = [{"student": s, "assignment": a, "kind": "answers_file", "reason": "not_shown",
             "message": f"{NOT_SHOWN}: {', '.join(ids)} (scored 0)", "path": ""}
            for (s, a), ids in not_shown(root, notebooks, pairs).items()]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
