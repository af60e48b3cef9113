"""What went wrong in a graded cohort, per submission and in numbers (for the main job and autograde-parallel)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cps_ethics.model import scoring
from cps_ethics.model.content import Course, Module
from cps_ethics.store import visible

from .choices import NOT_SHOWN

ERROR_AT = re.compile(r"There was an error processing assignment: \S*/submitted/(?P<student>[^/\s]+)/")
EXCEPTION = re.compile(r"^\s*(?P<name>[\w.]+(?:Error|Exception|Interrupt))\b:?\s*(?P<msg>.*)$")
PLAIN = [  # nbgrader's words -> what a trainer can act on
    ("CellTimeoutError", ("a cell ran past the time limit and could not be interrupted (an endless loop "
                          "that ignores interrupts?), so nbgrader dropped the whole submission")),
    ("UnresponsiveKernelError", "the notebook's kernel stopped responding, so nbgrader dropped the whole submission"),
    ("No notebooks found", "the submission has no notebook with the assignment's name (renamed or deleted?)"),
    ("NotJSONError", "the notebook file is not valid JSON (damaged or cut short)"),
    ("JSONDecodeError", "the notebook file is not valid JSON (damaged or cut short)"),
    ("UnicodeDecodeError", "the notebook file is not UTF-8 text"),
    ("FileNotFoundError", "a file in the submission could not be read (a broken link?)"),
]


def _plain(text: str) -> str:
    return next((words for key, words in PLAIN if key in text), text)


def failure_reasons(log_text: str) -> dict[str, str]:
    """{student: plain reason} for each submission an nbgrader autograde log says it could not process."""
    out: dict[str, str] = {}
    lines = log_text.splitlines()
    for n, line in enumerate(lines):
        hit = ERROR_AT.search(line)
        if not hit:
            continue
        before = " ".join(lines[max(0, n - 3):n])
        found = next((m for m in (EXCEPTION.match(x) for x in lines[n + 1:n + 80]) if m), None)
        raw = before + " " + (f"{found['name']}: {found['msg']}" if found else "")
        out[hit["student"]] = _plain(raw if any(k in raw for k, _ in PLAIN) else (found and found.group(0).strip())
                                     or "nbgrader could not process it (see the autograde log)")
    return out


def _logged_failures(root: Path, assignment: str) -> dict[str, str]:
    logs = sorted((root / "out" / "logs").glob(f"autograde_{assignment}*.log"), key=lambda p: p.stat().st_mtime)
    out: dict[str, str] = {}
    for log in logs:  # newest last, so the newest reason wins
        out.update(failure_reasons(log.read_text(encoding="utf-8", errors="replace")))
    return out


def _answer_issues(course: Course, module: Module, answers: dict, chosen: dict,
                   hidden: list[str] = ()) -> tuple[list[str], list[str]]:
    """(unknown item ids, ids whose saved answer does not fit the item or variant) in one trainee's answers.
    `chosen` is {slot: the variant the answers file records}; `hidden`: slots answered for a question the
    trainee was not shown (reported on their own)."""
    unknown, invalid = [], []
    reflections = {r["id"] for r in module.reflections()}  # written answers: graded by the trainer in formgrader
    for k, value in answers.items():
        if k in hidden or k in reflections:
            continue
        found = course.slot(k)
        if found is None or found[2].id != module.id or next(iter(found[1].values()))["kind"] != "graded":
            unknown.append(k)
            continue
        kind, variants, _ = found
        key = variants.get(chosen.get(k, k))
        if key is None:
            invalid.append(k)
            continue
        res = scoring.score_scenario(key, value) if kind == "scenario" else scoring.score_item(key, value)
        invalid += [k] if any("not" in p and "finished" not in p for p in res.problems) else []
    return sorted(unknown), sorted(invalid)


def triage(root: Path, course: Course, db_url: str) -> pd.DataFrame:
    """One row per submission (submitted/ folder or gradebook entry): status, and the reason when not clean."""
    from grading import choices, gradebook, integrity, scores, variants

    gb = gradebook.read(db_url)
    ta = scores.trainee_assignments(gb)
    g = gb.grades
    tests = g[(g["kind"] == "GradeCell") & (g["cell_type"] == "code") & g["locked"]]
    unscored = tests[tests["auto_score"].isna() & tests["manual_score"].isna()]
    rows = []
    for module in course.modules:
        on_disk = {p.parent.name for p in (root / "submitted").glob(f"*/{module.id}") if p.is_dir()}
        mine = ta[(ta["assignment"] == module.id) & ((ta["status"] != scores.NOT_SUBMITTED)
                                                     | ta["student"].isin(on_disk))]
        status = dict(zip(mine["student"], mine["status"]))
        reason = dict(zip(mine["student"], mine["reason"]))
        logged = _logged_failures(root, module.id)
        pairs = pd.DataFrame({"student": sorted(s for s in status if status[s] == scores.GRADED)})
        pairs["assignment"] = module.id
        answers, choice_table, problems = choices.read_all(root, pairs)
        bad = problems[problems["kind"] == "answers_file"]  # whole files; answers_entry: entries left out
        unreadable, entries = dict(zip(bad["student"], bad["message"])), problems[problems["kind"] == "answers_entry"]
        counts = integrity.autograde_counts(root, course, pairs).set_index("student")
        copied = pd.concat([integrity.identical_answers(choice_table), integrity.similar_answer_problems(
            integrity.similar_answers(course, choice_table)), integrity.draw_copy_problems(
            integrity.draw_copies(course, choice_table))]).groupby("student")["message"].agg("; ".join).to_dict()
        picked = variants.chosen(choice_table)
        hidden = choices.not_shown(root, {module.id: module.notebook}, pairs)
        refused = {s: lines for (s, _), lines in choices.checks(root, [module.id]).items()}
        for student in sorted(on_disk | set(status) | set(refused)):
            st = status.get(student, scores.NOT_SUBMITTED)
            row = {"student": student, "assignment": module.id, "status": st, "reason": "",
                   "unknown_items": 0, "invalid_answers": 0, "missing_cells": 0, "added_cells": 0,
                   "identical_answers": 0, "not_shown": 0, "refused": len(refused.get(student, []))}
            if st == scores.NOT_SUBMITTED:
                row["status"] = "not_graded"
                row["reason"] = logged.get(student) or _inspect(root / "submitted" / student / module.id, module)
            elif st == scores.FAILED:
                row["reason"] = logged.get(student) or reason.get(student, "")
            elif student in unreadable:
                row["reason"] = f"answers file: {unreadable[student]}; every item scored 0"
                _integrity(row, counts, copied)
            else:
                mine = answers.get((student, module.id), {})
                other = hidden.get((student, module.id), [])
                unknown, invalid = _answer_issues(course, module, mine,
                                                  {k: picked.get((student, module.id, k), k) for k in mine}, other)
                gone = sorted(unscored[(unscored["student"] == student)
                                       & (unscored["assignment"] == module.id)]["grade_id"])
                row.update(unknown_items=len(unknown), invalid_answers=len(invalid), missing_cells=len(gone))
                notes = [(f"grading cells missing from the notebook: {', '.join(gone)} "
                          "(deleted? scored 0 until a trainer grades them)")] if gone else []
                notes += [f"answers that fit no option: {', '.join(invalid)} (scored 0)"] if invalid else []
                notes += [f"{NOT_SHOWN}: {', '.join(other)} (scored 0)"] if other else []
                row["not_shown"] = len(other)
                notes += [f"answers to items not in {module.id}: {', '.join(unknown)} (ignored)"] if unknown else []
                notes += [f"answers file: {m}" for m in entries[entries["student"] == student]["message"]]
                row["reason"] = "; ".join(notes)
                _integrity(row, counts, copied)
            row["reason"] = "; ".join([r for r in [row["reason"]] if r] + refused.get(student, []))
            rows.append(row)
    return pd.DataFrame(rows, columns=["student", "assignment", "status", "reason", "unknown_items",
                                       "invalid_answers", "missing_cells", "added_cells", "identical_answers",
                                       "not_shown", "refused"])


def _integrity(row: dict, counts: pd.DataFrame, copied: dict) -> None:
    """Add the cells a trainee added (dropped before grading) and a copied answers file to a graded row."""
    added = int(counts["added_cells"].get(row["student"], 0)) if len(counts) else 0
    notes = [row["reason"]] if row["reason"] else []
    if added:
        row["added_cells"] = added
        notes.append(f"{added} cell{'s' if added != 1 else ''} the trainee added "
                     f"{'were' if added != 1 else 'was'} dropped before grading (nothing in them ran)")
    if row["student"] in copied:
        row["identical_answers"] = 1
        notes.append(copied[row["student"]])
    row["reason"] = "; ".join(notes)


def _inspect(folder: Path, module: Module) -> str:
    if not folder.is_dir():
        return "no submission"
    if not (folder / f"{module.notebook}.ipynb").exists():
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        return (f"no notebook named {module.notebook}.ipynb was submitted"
                + (f" (found: {', '.join(found)})" if found else ""))
    return "submitted but not in the gradebook: run autograde for it (see out/logs/)"


def summary(t: pd.DataFrame) -> list[str]:
    """Plain lines, in numbers: how many submissions were graded, failed, not graded, and why."""
    n = len(t)
    graded = t[t["status"] == "graded"]
    bad_file = graded["reason"].str.startswith("answers file:")
    lines = [(f"Autograde in numbers: {n} submissions; {len(graded)} graded, "
              f"{int((t['status'] == 'failed').sum())} failed as a whole (scored 0 until a trainer looks), "
              f"{int((t['status'] == 'not_graded').sum())} not graded at all."),
             (f"  Of the graded: {int(bad_file.sum())} had an answers file that could not be read (all items 0), "
              f"{int((graded['invalid_answers'] > 0).sum())} had answers that fit no option, "
              f"{int((graded['unknown_items'] > 0).sum())} had answers to unknown items (ignored), "
              f"{int((graded['missing_cells'] > 0).sum())} had grading cells missing from the notebook, "
              f"{int((graded['added_cells'] > 0).sum())} had cells they added (dropped, never run), "
              f"{int((graded['identical_answers'] > 0).sum())} had an answers file identical to another "
              "trainee's."),
             f"  {int((graded['not_shown'] > 0).sum())} had {NOT_SHOWN} (scored 0).",
             (f"  {int((t['refused'] > 0).sum())} had files refused, a submission held back or a time to check "
              "at collect or autograde (links, device files, a submission made after feedback was released, a "
              "folder written after the time in its name).")]
    for r in t[t["reason"] != ""].itertuples():
        lines.append(visible(f"  - {r.student} / {r.assignment} ({r.status}): {r.reason}"))
    return lines


def report(root: Path, course: Course, db_url: str) -> list[str]:
    """The summary lines of `triage` (what the main job and autograde-parallel print after autograde)."""
    return summary(triage(root, course, db_url))
