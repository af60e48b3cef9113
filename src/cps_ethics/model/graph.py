"""Scenario graphs: structure checks, paths, best path and maximum score."""

from __future__ import annotations

from functools import lru_cache

RATING_POINTS = {"best": 2, "acceptable": 1, "harmful": 0}


def nodes_by_id(scenario: dict) -> dict[str, dict]:
    return {n["id"]: n for n in scenario["nodes"]}


def is_ending(node: dict) -> bool:
    return not node.get("options")


def check(scenario: dict) -> list[str]:
    """Problems with one scenario's graph (empty when it is sound): every node reachable,
    every path ends (no cycles), every link resolves, every decision has a best option."""
    problems: list[str] = []
    nodes: dict[str, dict] = {}
    for n in scenario["nodes"]:
        if n["id"] in nodes:
            problems.append(f"node '{n['id']}' is defined twice")
        nodes[n["id"]] = n
    if scenario["start"] not in nodes:
        return problems + [f"start node '{scenario['start']}' does not exist"]
    for n in nodes.values():
        opts = n.get("options") or []
        seen = set()
        for o in opts:
            if o["id"] in seen:
                problems.append(f"node '{n['id']}': option '{o['id']}' is defined twice")
            seen.add(o["id"])
            if o["next"] not in nodes:
                problems.append(f"node '{n['id']}': option '{o['id']}' leads to missing node '{o['next']}'")
        if opts and not any(o.get("rating") == "best" for o in opts):
            problems.append(f"node '{n['id']}': no option is rated 'best'")
    if problems:
        return problems
    # cycles and reachability by depth-first search
    state: dict[str, int] = {}  # 1 = on stack, 2 = done

    def visit(nid: str, trail: list[str]) -> None:
        state[nid] = 1
        for o in nodes[nid].get("options") or []:
            nxt = o["next"]
            if state.get(nxt) == 1:
                problems.append("path never ends: " + " -> ".join([*trail, nid, nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nid])
        state[nid] = 2

    visit(scenario["start"], [])
    for nid in nodes:
        if nid not in state:
            problems.append(f"node '{nid}' cannot be reached from the start")
    return problems


def paths(scenario: dict) -> list[list[tuple[str, str]]]:
    """Every complete path, as (node id, option id) decisions from the start to an ending."""
    nodes = nodes_by_id(scenario)
    out: list[list[tuple[str, str]]] = []

    def walk(nid: str, trail: list[tuple[str, str]]) -> None:
        node = nodes[nid]
        if is_ending(node):
            out.append(trail)
            return
        for o in node["options"]:
            walk(o["next"], [*trail, (nid, o["id"])])

    walk(scenario["start"], [])
    return out


def path_points(scenario: dict, path: list[tuple[str, str]]) -> int:
    nodes = nodes_by_id(scenario)
    total = 0
    for nid, oid in path:
        opt = next(o for o in nodes[nid]["options"] if o["id"] == oid)
        total += RATING_POINTS[opt["rating"]]
    return total


def _best_from(scenario: dict):
    """A function: node id -> the most points reachable from that node."""
    nodes = nodes_by_id(scenario)

    @lru_cache(maxsize=None)
    def best_from(nid: str) -> int:
        node = nodes[nid]
        if is_ending(node):
            return 0
        return max(RATING_POINTS[o["rating"]] + best_from(o["next"]) for o in node["options"])

    return best_from


def max_points(scenario: dict) -> int:
    """The most points any complete path can earn (the grade cell's points)."""
    return _best_from(scenario)(scenario["start"])


def choose_path(scenario: dict, pick) -> list[tuple[str, str]]:
    """Follow the graph from the start, choosing at each node the option `pick(options)` returns."""
    nodes = nodes_by_id(scenario)
    nid, trail = scenario["start"], []
    while not is_ending(nodes[nid]):
        opt = pick(nodes[nid]["options"])
        trail.append((nid, opt["id"]))
        nid = opt["next"]
    return trail


def best_path(scenario: dict) -> list[tuple[str, str]]:
    """A path that earns max_points: at each node, the option with the most reachable points."""
    best_from = _best_from(scenario)
    return choose_path(
        scenario, lambda opts: max(opts, key=lambda o: RATING_POINTS[o["rating"]] + best_from(o["next"]))
    )


def depth(scenario: dict) -> int:
    """The most decisions on any one path."""
    return max((len(p) for p in paths(scenario)), default=0)
