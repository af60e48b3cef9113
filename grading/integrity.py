"""Problems a trainer may want to talk to a trainee about: cells added to a notebook, and copied answers files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
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


MIN_REFLECTION_WORDS = 12  # shorter reflections ("I agree with the reading.") may match by chance


def _words(text: str) -> str:
    return " ".join("".join(c.lower() if c.isalnum() else " " for c in text).split())


def identical_reflections(course: Course, answers: dict) -> pd.DataFrame:
    """A problem row for each trainee whose reflection is word for word another trainee's (case, spacing and
    punctuation aside; at least MIN_REFLECTION_WORDS words). The trainer decides what it means."""
    reflections = {r["id"] for m in course.modules for r in m.reflections()}
    seen: dict[tuple[str, str, str], list[str]] = {}
    for (student, assignment), given in answers.items():
        for rid, value in given.items():
            if rid in reflections and isinstance(value, str):
                words = _words(value)
                if len(words.split()) >= MIN_REFLECTION_WORDS:
                    seen.setdefault((assignment, rid, words), []).append(student)
    rows = []
    for (assignment, rid, _), students in seen.items():
        for s in sorted(set(students)) if len(set(students)) > 1 else []:
            others = ", ".join(o for o in sorted(set(students)) if o != s)
            rows.append({"student": s, "assignment": assignment, "kind": "reflection",
                         "reason": "identical_reflection",
                         "message": f"reflection {rid} is word for word the same as {others}'s", "path": ""})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


SIMILAR_COLUMNS = ["student", "other", "assignment", "n_both_answered", "n_both_wrong", "n_same_wrong",
                   "expected_same_wrong", "p_value", "evidence"]
MIN_SAME_WRONG = 4  # fewer shared wrong answers than this is never flagged, however rare the options
ALPHA = 0.01  # chance of flagging any honest pair in a class, shared out over every pair (Bonferroni)
EVIDENCE_ITEMS = 12  # items listed in a pair's evidence (the count says how many there are)


def _graded_choices(course: Course, choice_table: pd.DataFrame) -> pd.DataFrame:
    """choice_table with `item` (the question answered: slot, and version if any), `wrong` (valid answer
    below full points on the key of the version answered) and `valid`; answers to unknown items dropped."""
    import json

    from cps_ethics.model import scoring

    rows = []
    cache: dict = {}
    for s, a, slot, var, value in zip(choice_table["student"], choice_table["assignment"],
                                      choice_table["item_id"], choice_table["variant"], choice_table["value"]):
        if (slot, var) not in cache:
            found = course.slot(slot)
            key = found[1].get(var) if found and found[2].id == a else None
            cache[(slot, var)] = (found[0], key, _wrong_answers(found[0], key)) \
                if key and key.get("kind") == "graded" else None
        if cache[(slot, var)] is None:
            continue
        kind, key, n_wrong = cache[(slot, var)]
        v = json.loads(value)
        res = scoring.score_scenario(key, v) if kind == "scenario" else scoring.score_item(key, v)
        valid = not any("not" in p and "finished" not in p for p in res.problems) and bool(res.said)
        rows.append({"student": s, "assignment": a, "item": var if var == slot else f"{slot} ({var})",
                     "question": var, "value": value, "valid": valid, "wrong": res.points < res.max_points,
                     "n_wrong": n_wrong})
    return pd.DataFrame(rows, columns=["student", "assignment", "item", "question", "value", "valid", "wrong",
                                       "n_wrong"])


MAX_PRIOR = 10  # at most this many wrong answers assumed equally likely where nobody else answered wrongly


def _wrong_answers(kind: str, key: dict) -> int:
    """How many different wrong answers a question has (capped at MAX_PRIOR: real wrong answers bunch up)."""
    from math import factorial

    from cps_ethics.model import graph

    if kind == "scenario":
        top = graph.max_points(key)
        n = sum(1 for p in graph.paths(key) if graph.path_points(key, p) < top)
    elif key["type"] == "single":
        n = sum(1 for o in key["options"] if o["rating"] != "best")
    elif key["type"] == "multiple":
        n = 2 ** len(key["options"]) - 1
    elif key["type"] == "matching":
        n = len(key["choices"]) ** len(key["pairs"]) - 1
    else:
        n = factorial(len(key["steps"])) - 1
    return max(1, min(n, MAX_PRIOR))


def _at_least(k: int, probs: list[float]) -> float:
    """P(at least k of independent events with these probabilities happen) (Poisson binomial, exact)."""
    dist = np.zeros(len(probs) + 1)
    dist[0] = 1.0
    for p in probs:
        dist[1:] = dist[1:] * (1 - p) + dist[:-1] * p
        dist[0] *= 1 - p
    return float(min(1.0, dist[k:].sum()))


def similar_answers(course: Course, choice_table: pd.DataFrame, every_pair: bool = False) -> pd.DataFrame:
    """Pairs of trainees whose choices agree far beyond what their scores explain: the same wrong answer on
    many questions both got wrong, compared with what two independent trainees would share given how often
    the rest of the class chose each wrong answer. Save times play no part (a copy with shifted times is
    found as well); right answers play no part (honest high scorers agree on those by being right).

    For each pair and each question both answered wrongly (the same version), the chance of the same wrong
    answer by chance is sum over wrong answers v of q_v^2, q_v the share of v among the other trainees' wrong
    answers to that question, add-one smoothed over the question's possible wrong answers (at most
    MAX_PRIOR). The count of shared wrong answers is compared with the exact distribution of the number of
    such chance agreements (Poisson binomial); a pair is flagged when it shares at least MIN_SAME_WRONG and
    the chance of as many is below ALPHA / number of pairs in the assignment. Nothing is changed: the
    evidence (questions, answers) is for the trainer to judge. `every_pair`: every pair sharing at least
    MIN_SAME_WRONG wrong answers, flagged or not (to see the numbers)."""
    g = _graded_choices(course, choice_table)
    g = g[g["valid"].astype(bool)]
    out = []
    for assignment, d in g.groupby("assignment", sort=True):
        students = sorted(d["student"].unique())
        n_pairs = len(students) * (len(students) - 1) // 2
        if n_pairs == 0:
            continue
        index = {s: n for n, s in enumerate(students)}
        items = sorted(d["question"].unique())
        col = {q: n for n, q in enumerate(items)}
        answered = np.zeros((len(students), len(items)), dtype=np.int32)
        wrong = np.zeros_like(answered)
        answered[d["student"].map(index).to_numpy(np.int64), d["question"].map(col).to_numpy(np.int64)] = 1
        w = d[d["wrong"].astype(bool)]
        if w.empty:  # nobody answered anything wrong: nothing to compare (and no empty float index below)
            continue
        rows = w["student"].map(index).to_numpy(np.int64)
        wrong[rows, w["question"].map(col).to_numpy(np.int64)] = 1
        codes = pd.factorize(w["question"] + "\x1f" + w["value"])[0]
        onehot = np.zeros((len(students), codes.max() + 1 if len(codes) else 0), dtype=np.int32)
        onehot[rows, codes] = 1
        same = onehot @ onehot.T
        both_answered, both_wrong = answered @ answered.T, wrong @ wrong.T
        # per question: counts of each wrong answer, and each trainee's wrong answer
        counts = w.groupby(["question", "value"]).size()
        picked = {(s, q): v for s, q, v in zip(w["student"], w["question"], w["value"])}
        labels = dict(zip(d["question"], d["item"]))
        priors = dict(zip(d["question"], d["n_wrong"]))
        threshold = ALPHA / n_pairs
        for i, j in zip(*np.nonzero(np.triu(same >= MIN_SAME_WRONG, k=1))):
            a, b = students[i], students[j]
            chances, evidence = [], []
            for q in (items[k] for k in np.nonzero(wrong[i] & wrong[j])[0]):
                others = counts.loc[q].copy()
                others[picked[(a, q)]] -= 1
                others[picked[(b, q)]] -= 1
                others = others[others > 0]
                k = max(priors[q], len(others))  # the possible wrong answers, each seen once more
                shares = (others + 1) / (others.sum() + k)
                unseen = (k - len(others)) / (others.sum() + k)  # shared out over the ones nobody else chose
                chances.append(float((shares ** 2).sum()) + unseen ** 2 / max(1, k - len(others)))
                if picked[(a, q)] == picked[(b, q)]:
                    evidence.append(f"{labels[q]}: {picked[(a, q)]}")
            n_same = int(same[i, j])
            expected = sum(chances)
            p = _at_least(n_same, chances)
            if p < threshold or every_pair:
                more = len(evidence) - EVIDENCE_ITEMS
                out.append({"student": a, "other": b, "assignment": assignment,
                            "n_both_answered": int(both_answered[i, j]), "n_both_wrong": int(both_wrong[i, j]),
                            "n_same_wrong": n_same, "expected_same_wrong": round(expected, 2), "p_value": p,
                            "evidence": "; ".join(evidence[:EVIDENCE_ITEMS])
                            + (f"; and {more} more" if more > 0 else "")})
    return pd.DataFrame(out, columns=SIMILAR_COLUMNS).sort_values(["assignment", "p_value"], ignore_index=True)


def similar_answer_problems(similar: pd.DataFrame) -> pd.DataFrame:
    """A problem row for each trainee of each flagged pair (see `similar_answers`)."""
    rows = []
    for r in similar.itertuples():
        for s, o in ((r.student, r.other), (r.other, r.student)):
            rows.append({"student": s, "assignment": r.assignment, "kind": "answers_file", "reason": "similar",
                         "message": (f"the same wrong answer as {o} on {r.n_same_wrong} of the {r.n_both_wrong} "
                                     f"questions both got wrong (about {r.expected_same_wrong:g} expected by "
                                     f"chance): {r.evidence}"), "path": ""})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


MIN_DRAW_MATCH = 5  # exam answers for another trainee's questions before the source is named


def draw_copies(course: Course, choice_table: pd.DataFrame) -> pd.DataFrame:
    """Practice-exam answers files that hold another trainee's draw: answers recorded for questions this
    trainee was not shown (scored 0 already) that are, position by position, the questions the course drew
    for a classmate, with the answers in that classmate's own file. A copy of a classmate's file names that
    classmate here whatever its times say; a file filled with a classmate's draw (anyone can compute it
    from the ids) but not their answers names nobody (its questions are still listed as not shown).
    Columns: student, assignment, other, n_match, n_not_shown."""
    from cps_ethics.model import variants

    rows = []
    exams = {m.id: m for m in course.modules if m.exam}
    for assignment, d in choice_table[choice_table["assignment"].isin(list(exams))].groupby("assignment"):
        plan = course.exam_plan(exams[assignment])
        students = sorted(d["student"].unique())
        draws = {s: variants.exam_draw(s, assignment, plan) for s in students}
        # what each trainee's own file holds for their own draw: a draw alone is public (computed from the
        # trainee id), so a classmate is named only when the same questions carry the same answers
        files = {s: {(p, v): val for p, v, val in zip(m["item_id"], m["variant"], m["value"])
                     if draws[s].get(p) == v} for s, m in d.groupby("student")}
        for s, mine in d.groupby("student"):
            off = [(p, v, val) for p, v, val in zip(mine["item_id"], mine["variant"], mine["value"])
                   if draws[s].get(p, v) != v]
            if len(off) < MIN_DRAW_MATCH:
                continue
            for o in students:
                n = sum(files[o].get((p, v), None) == val for p, v, val in off) if o != s else 0
                if n >= MIN_DRAW_MATCH and n >= 0.8 * len(off):
                    rows.append({"student": s, "assignment": assignment, "other": o, "n_match": n,
                                 "n_not_shown": len(off)})
    return pd.DataFrame(rows, columns=["student", "assignment", "other", "n_match", "n_not_shown"])


def draw_copy_problems(found: pd.DataFrame) -> pd.DataFrame:
    """A problem row for each exam answers file that holds a classmate's draw (see `draw_copies`)."""
    rows = [{"student": r.student, "assignment": r.assignment, "kind": "answers_file", "reason": "other_draw",
             "message": (f"{r.n_match} of the {r.n_not_shown} answers for questions not shown to this trainee are "
                         f"the questions drawn for {r.other}, at the same positions, with {r.other}'s answers "
                         f"(a copy of {r.other}'s answers file?)"), "path": ""} for r in found.itertuples()]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
