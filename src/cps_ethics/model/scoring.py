"""Scoring rules: an answer (as the answers file stores it) against a key, to points and plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import graph

RATING_SHARE = {"best": 1.0, "acceptable": 0.5, "harmful": 0.0}


@dataclass
class Result:
    points: float
    max_points: float
    said: list[str] = field(default_factory=list)  # what was chosen, in plain words
    problems: list[str] = field(default_factory=list)  # why something scored 0 that was not a choice


def item_max(item: dict) -> float:
    return float(item.get("points", 1))


def scenario_max(scenario: dict) -> float:
    return float(graph.max_points(scenario))


def _brief(value, n: int = 60) -> str:
    """A saved value as the grading output echoes it: its repr, cut to `n` characters (a file may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _round(x: float) -> float:
    return round(x + 0.0, 2)


def score_item(item: dict, value) -> Result:
    """Points for one question. `value` is what the widget saved; anything malformed scores 0 with a reason."""
    top = item_max(item)
    scorer = {"single": _single, "multiple": _multiple, "matching": _matching, "ordering": _ordering}[
        item["type"]
    ]
    return scorer(item, value, top)


def _single(item, value, top) -> Result:
    opts = {o["id"]: o for o in item["options"]}
    if not isinstance(value, str) or value not in opts:
        return Result(0.0, top, problems=[f"the saved answer {_brief(value)} is not one of this question's options"])
    opt = opts[value]
    return Result(_round(top * RATING_SHARE[opt["rating"]]), top, said=[f"You chose: \u201c{opt['text']}\u201d"])


def _multiple(item, value, top) -> Result:
    opts = {o["id"]: o for o in item["options"]}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return Result(0.0, top, problems=[f"the saved answer {_brief(value)} is not a list of options"])
    unknown = [v for v in value if v not in opts]
    chosen = [v for v in dict.fromkeys(value) if v in opts]
    n_correct = sum(1 for o in item["options"] if o["correct"])
    hits = sum(1 for v in chosen if opts[v]["correct"])
    false_alarms = len(chosen) - hits
    share = max(0, hits - false_alarms) / n_correct
    said = ["You chose: " + ("; ".join(f"\u201c{opts[v]['text']}\u201d" for v in chosen) or "nothing")]
    problems = [f"ignored unknown option(s): {', '.join(map(repr, unknown))}"] if unknown else []
    return Result(_round(top * share), top, said=said, problems=problems)


def _matching(item, value, top) -> Result:
    choices = {c["id"]: c for c in item["choices"]}
    if not isinstance(value, dict):
        return Result(0.0, top, problems=[f"the saved answer {_brief(value)} is not a set of matches"])
    right = 0
    said = []
    for n, pair in enumerate(item["pairs"], 1):
        got = value.get(pair["id"])
        if got in choices:
            said.append(f"Situation {n}: you matched \u201c{choices[got]['text']}\u201d")
            right += got == pair["answer"]
        else:
            said.append(f"Situation {n}: no match chosen")
    return Result(_round(top * right / len(item["pairs"])), top, said=said)


def _ordering(item, value, top) -> Result:
    key = [s["id"] for s in item["steps"]]
    texts = {s["id"]: s["text"] for s in item["steps"]}
    if not isinstance(value, list):
        return Result(0.0, top, problems=[f"the saved answer {_brief(value)} is not an order of steps"])
    position: dict[str, int] = {}
    for pos, step in enumerate(value):
        if isinstance(step, str) and step in texts and step not in position:
            position[step] = pos
    pairs = [(a, b) for i, a in enumerate(key) for b in key[i + 1 :]]
    good = sum(1 for a, b in pairs if a in position and b in position and position[a] < position[b])
    said = ["Your order: " + " \u2192 ".join(f"\u201c{texts[s]}\u201d" for s in sorted(position, key=position.get))]
    return Result(_round(top * good / len(pairs)), top, said=said)


def score_scenario(scenario: dict, value) -> Result:
    """Points for a scenario path: the sum of each decision's rating points along the valid part of the path."""
    top = scenario_max(scenario)
    nodes = graph.nodes_by_id(scenario)
    if not isinstance(value, list):
        return Result(0.0, top, problems=[f"the saved path {_brief(value)} is not a list of decisions"])
    nid = scenario["start"]
    points = 0
    said: list[str] = []
    problems: list[str] = []
    for step_no, step in enumerate(value, 1):
        node = nodes.get(nid)
        if not (isinstance(step, list) and len(step) == 2) or node is None or graph.is_ending(node):
            problems.append(f"decision {step_no} does not fit this scenario; later decisions were not counted")
            break
        node_id, opt_id = step
        opts = {o["id"]: o for o in node["options"]}
        if node_id != nid or opt_id not in opts:
            problems.append(f"decision {step_no} does not fit this scenario; later decisions were not counted")
            break
        opt = opts[opt_id]
        points += graph.RATING_POINTS[opt["rating"]]
        said.append(f"Decision {step_no}: \u201c{opt['text']}\u201d")
        nid = opt["next"]
    else:
        if nid in nodes and not graph.is_ending(nodes[nid]):
            problems.append("the scenario was not finished")
    return Result(float(min(points, top)), top, said=said, problems=problems)
