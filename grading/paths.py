"""Scenario paths: the path each trainee took, the paths with counts, and where trainees first left the best path."""

from __future__ import annotations

import json

import pandas as pd

from cps_ethics.model import graph
from cps_ethics.model.content import Course, slot_of

from .options import graded_parts, walk

TRAINEE_PATH_COLUMNS = ["student", "assignment", "scenario", "variant", "path", "status", "points", "max_points",
                        "on_best_path", "left_best_at", "left_best_with"]
PATH_COLUMNS = ["assignment", "scenario", "variant", "path", "status", "n", "share", "points", "max_points",
                "on_best_path", "left_best_at", "left_best_with"]
DEPARTURE_COLUMNS = ["assignment", "scenario", "variant", "node", "option", "rating", "n", "n_reached", "share"]


def label(steps: list[tuple[str, str]]) -> str:
    """A path as text: node:option > node:option."""
    return " > ".join(f"{n}:{o}" for n, o in steps)


def trace(scenario: dict, value) -> dict:
    """Where a saved path goes: label, status, points and the first decision that left the best path."""
    steps, status = walk(scenario, value)
    nodes = graph.nodes_by_id(scenario)
    best_from = graph._best_from(scenario)
    points, left_at, left_with = 0, "", ""
    for nid, oid in steps:
        opt = next(o for o in nodes[nid]["options"] if o["id"] == oid)
        points += graph.RATING_POINTS[opt["rating"]]
        if not left_at and graph.RATING_POINTS[opt["rating"]] + best_from(opt["next"]) < best_from(nid):
            left_at, left_with = nid, oid
    top = graph.max_points(scenario)
    return {"path": label(steps), "status": status, "points": float(min(points, top)), "max_points": float(top),
            "on_best_path": status == "complete" and not left_at, "left_best_at": left_at,
            "left_best_with": left_with}


def trainee_paths(course: Course, answers: dict, graded: pd.DataFrame, chosen: dict | None = None) -> pd.DataFrame:
    """One row per graded trainee x graded scenario slot, traced through the variant the trainee answered."""
    chosen = chosen or {}
    rows = []
    students: dict[str, list[str]] = {}
    for s, a in zip(graded["student"], graded["assignment"]):
        students.setdefault(a, []).append(s)
    for m, sc, kind in graded_parts(course):
        if kind != "scenario":
            continue
        seen: dict[str, dict] = {}  # the same path is traced once
        slot = slot_of(sc)
        variants = m.slots()[slot][1]
        for s in students.get(m.id, []):
            shown = chosen.get((s, m.id, slot)) or (variants[0]["id"] if len(variants) == 1 else None)
            if shown != sc["id"] and not (shown is None and sc is variants[0]):
                continue
            value = answers.get((s, m.id), {}).get(slot)
            key = json.dumps(value)
            if key not in seen:
                seen[key] = trace(sc, value)
            rows.append({"student": s, "assignment": m.id, "scenario": slot, "variant": sc["id"], **seen[key]})
    return pd.DataFrame(rows, columns=TRAINEE_PATH_COLUMNS)


def path_counts(tp: pd.DataFrame) -> pd.DataFrame:
    """Each distinct path per scenario with how many trainees took it (share of graded trainees)."""
    if tp.empty:
        return pd.DataFrame(columns=PATH_COLUMNS)
    keys = ["assignment", "scenario", "variant", "path", "status", "points", "max_points", "on_best_path",
            "left_best_at", "left_best_with"]
    out = tp.groupby(keys, as_index=False, dropna=False).size().rename(columns={"size": "n"})
    out["share"] = out["n"] / out.groupby(["scenario", "variant"])["n"].transform("sum")
    out = out.sort_values(["assignment", "scenario", "n", "path"], ascending=[True, True, False, True],
                          ignore_index=True)
    return out[PATH_COLUMNS]


def departures(course: Course, tp: pd.DataFrame) -> pd.DataFrame:
    """Per scenario decision node x option: how many trainees first left the best path there.

    n_reached counts trainees whose path reached that node while still on the best path; share = n / n_reached.
    """
    rows = []
    for m, sc, kind in graded_parts(course):
        if kind != "scenario":
            continue
        d = tp[tp["variant"] == sc["id"]]
        reached: dict[str, int] = {}
        for path, left_at in zip(d["path"], d["left_best_at"]):
            for step in path.split(" > ") if path else []:
                node = step.split(":", 1)[0]
                reached[node] = reached.get(node, 0) + 1
                if node == left_at:
                    break
        for n in sc["nodes"]:
            for o in n.get("options") or []:
                hit = int(((d["left_best_at"] == n["id"]) & (d["left_best_with"] == o["id"])).sum())
                if hit:
                    rows.append({"assignment": m.id, "scenario": slot_of(sc), "variant": sc["id"], "node": n["id"], "option": o["id"],
                                 "rating": o["rating"], "n": hit, "n_reached": reached.get(n["id"], 0)})
    df = pd.DataFrame(rows, columns=DEPARTURE_COLUMNS)
    df["share"] = (df["n"] / df["n_reached"]).where(df["n_reached"] > 0)
    return df
