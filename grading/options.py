"""Option and distractor shares per graded item (and per scenario decision), from trainees' raw choices."""

from __future__ import annotations

import pandas as pd

from cps_ethics.model import graph
from cps_ethics.model.content import Course, slot_of

OPTION_COLUMNS = ["assignment", "grade_id", "variant", "type", "part", "option", "text", "key", "is_best",
                  "n_chosen", "n_answered", "share"]


def graded_parts(course: Course):
    """(module, content dict, type) for every graded item and scenario, in course order."""
    for m in course.modules:
        for it in m.items():
            if it.get("kind") == "graded":
                yield m, it, it["type"]
        for sc in m.scenarios():
            if sc.get("kind") == "graded":
                yield m, sc, "scenario"


def _rows_for(x: dict, kind: str, values: list) -> list[dict]:
    """Option rows for one item given every answering trainee's saved value (missing ones excluded)."""
    rows = []

    def add(part, oid, text, key, best, chosen, answered):
        rows.append({"part": part, "option": oid, "text": text, "key": key, "is_best": best,
                     "n_chosen": chosen, "n_answered": answered})

    if kind == "single":
        vals = [v for v in values if isinstance(v, str)]
        for o in x["options"]:
            add("", o["id"], o["text"], o["rating"], o["rating"] == "best", sum(v == o["id"] for v in vals), len(vals))
    elif kind == "multiple":
        vals = [set(v) for v in values if isinstance(v, list) and all(isinstance(s, str) for s in v)]
        for o in x["options"]:
            key = "correct" if o["correct"] else "incorrect"
            add("", o["id"], o["text"], key, bool(o["correct"]), sum(o["id"] in v for v in vals), len(vals))
    elif kind == "matching":
        vals = [v for v in values if isinstance(v, dict)]
        for p in x["pairs"]:
            picked = [v[p["id"]] for v in vals if p["id"] in v]
            for c in x["choices"]:
                best = c["id"] == p["answer"]
                add(p["id"], c["id"], c["text"], "answer" if best else "other", best,
                    sum(v == c["id"] for v in picked), len(picked))
    elif kind == "ordering":
        vals = [v for v in values if isinstance(v, list)]
        for pos, right in enumerate(x["steps"]):
            placed = [v[pos] for v in vals if len(v) > pos]
            for s in x["steps"]:
                best = s["id"] == right["id"]
                add(str(pos + 1), s["id"], s["text"], "answer" if best else "other", best,
                    sum(v == s["id"] for v in placed), len(placed))
    else:  # scenario: one part per decision node, counted over trainees who reached it
        best_from = graph._best_from(x)
        reached: dict[str, list[str]] = {n["id"]: [] for n in x["nodes"] if not graph.is_ending(n)}
        for path in (v for v in values if isinstance(v, list)):
            for step in walk(x, path)[0]:
                reached[step[0]].append(step[1])
        for n in x["nodes"]:
            if graph.is_ending(n):
                continue
            top = best_from(n["id"])
            for o in n["options"]:
                best = graph.RATING_POINTS[o["rating"]] + best_from(o["next"]) == top
                add(n["id"], o["id"], o["text"], o["rating"], best,
                    sum(c == o["id"] for c in reached[n["id"]]), len(reached[n["id"]]))
    return rows


def walk(scenario: dict, value) -> tuple[list[tuple[str, str]], str]:
    """The valid decisions of a saved path and its status: complete, unfinished, does_not_fit or no_answer."""
    if value is None:
        return [], "no_answer"
    if not isinstance(value, list):
        return [], "does_not_fit"
    nodes = graph.nodes_by_id(scenario)
    nid, steps = scenario["start"], []
    for step in value:
        node = nodes.get(nid)
        if not (isinstance(step, list) and len(step) == 2) or node is None or graph.is_ending(node):
            return steps, "does_not_fit"
        opts = {o["id"]: o for o in node["options"]}
        if step[0] != nid or step[1] not in opts:
            return steps, "does_not_fit"
        steps.append((nid, step[1]))
        nid = opts[step[1]]["next"]
    return steps, ("complete" if graph.is_ending(nodes[nid]) else "unfinished")


def option_shares(course: Course, answers: dict, graded: pd.DataFrame, chosen: dict | None = None) -> pd.DataFrame:
    """One row per item x part x option: how many answering trainees chose it and their share.

    `graded` lists the (student, assignment) pairs whose submission was graded; others are not counted.
    `chosen` ({(student, assignment, slot): variant}) says which variant each answer is for: each variant is
    counted on its own rows (`grade_id` is the slot, `variant` the question that was answered).
    """
    chosen = chosen or {}
    by_assignment: dict[str, list[str]] = {}
    for s, a in zip(graded["student"], graded["assignment"]):
        by_assignment.setdefault(a, []).append(s)
    rows = []
    for m, x, kind in graded_parts(course):
        slot = slot_of(x)
        values = [answers.get((s, m.id), {}).get(slot) for s in by_assignment.get(m.id, [])
                  if chosen.get((s, m.id, slot), slot) == x["id"]]
        values = [v for v in values if v is not None]
        for r in _rows_for(x, kind, values):
            rows.append({"assignment": m.id, "grade_id": slot, "variant": x["id"], "type": kind, **r})
    df = pd.DataFrame(rows, columns=OPTION_COLUMNS)
    df["share"] = (df["n_chosen"] / df["n_answered"]).where(df["n_answered"] > 0)
    return df


def best_never_chosen(options: pd.DataFrame) -> set[str]:
    """grade ids where, in some part that someone answered, nobody chose a best option."""
    o = options[options["n_answered"] > 0]
    best = o[o["is_best"]].groupby(["grade_id", "part"])["n_chosen"].min()
    return set(best[best == 0].index.get_level_values("grade_id"))
