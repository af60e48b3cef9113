"""Does the form of an option give the answer away? Scores of test-wise strategies against random guessing.

Invariant 9 of the design: a trainee who never read the course, choosing by the form of the options (the
longest one; the ones without absolute words), must score near chance. Every figure here is an exact
expectation computed with the course's own scoring rules, per graded question and per decision point of
a graded scenario. Run `python -m cps_ethics.authoring.formcues [module.yaml ...]` to print the figures.
"""

from __future__ import annotations

import itertools
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from cps_ethics.model import scoring

ABSOLUTE = re.compile(
    r"\b(always|never|only|must|all|nothing|whatever|every|everything|everyone|everybody|nobody|none|"
    r"no one|completely|totally|entirely|any time|under no)\b", re.IGNORECASE)


def absolute(text: str) -> bool:
    return bool(ABSOLUTE.search(text))


@dataclass
class Decision:
    """One place where a trainee picks one option: a single-choice question or a scenario decision."""

    where: str  # item id, or scenario id/node id
    texts: list[str]
    shares: list[float]  # share of the points each option earns (1, 0.5, 0)
    weight: float = 1.0  # points at stake

    def random(self) -> float:
        return statistics.fmean(self.shares)

    def longest(self) -> float:
        top = max(map(len, self.texts))
        return statistics.fmean(s for t, s in zip(self.texts, self.shares) if len(t) == top)

    def no_absolute(self) -> float:
        plain = [s for t, s in zip(self.texts, self.shares) if not absolute(t)]
        return statistics.fmean(plain or self.shares)

    def key_longest(self) -> bool:
        """True when an option rated best is (one of) the longest."""
        top = max(map(len, self.texts))
        return any(len(t) == top and s == 1.0 for t, s in zip(self.texts, self.shares))


def _share(item: dict, value) -> float:
    return scoring.score_item(item, value).points / scoring.item_max(item)


def _multiple(item: dict) -> dict[str, float]:
    opts = item["options"]
    ids = [o["id"] for o in opts]
    subsets = [list(c) for n in range(len(ids) + 1) for c in itertools.combinations(ids, n)]
    mean_len = statistics.fmean(len(o["text"]) for o in opts)
    return {"random": statistics.fmean(_share(item, s) for s in subsets),
            "longest": _share(item, [o["id"] for o in opts if len(o["text"]) > mean_len]),
            "no_absolute": _share(item, [o["id"] for o in opts if not absolute(o["text"])])}


def _other(item: dict) -> float:
    """Random guessing on matching (each situation matched at random) and ordering (a random order)."""
    if item["type"] == "matching":
        return 1 / len(item["choices"])
    steps = [s["id"] for s in item["steps"]]
    if len(steps) <= 7:
        return statistics.fmean(_share(item, list(p)) for p in itertools.permutations(steps))
    return 0.5


def decisions(modules) -> tuple[list[Decision], list[Decision]]:
    """(single-choice graded questions, decisions of graded scenarios) of `modules` (content.Module)."""
    singles, nodes = [], []
    for m in modules:
        for it in m.items():
            if it["kind"] == "graded" and it["type"] == "single":
                singles.append(Decision(it["id"], [o["text"] for o in it["options"]],
                                        [scoring.RATING_SHARE[o["rating"]] for o in it["options"]],
                                        scoring.item_max(it)))
        for sc in m.scenarios():
            if sc["kind"] != "graded":
                continue
            for node in sc["nodes"]:
                if node.get("options"):
                    nodes.append(Decision(f"{sc['id']}/{node['id']}", [o["text"] for o in node["options"]],
                                          [scoring.RATING_SHARE[o["rating"]] for o in node["options"]]))
    return singles, nodes


def figures(modules) -> dict:
    """Percentages: what each strategy earns on graded questions and graded scenario decisions."""
    singles, nodes = decisions(modules)
    strategies = ("random", "longest", "no_absolute")
    earned = dict.fromkeys(strategies, 0.0)
    total = 0.0
    for d in singles:
        for s in strategies:
            earned[s] += d.weight * getattr(d, s)()
        total += d.weight
    multiples = []
    for m in modules:
        for it in m.items():
            if it["kind"] != "graded" or it["type"] == "single":
                continue
            w = scoring.item_max(it)
            if it["type"] == "multiple":
                got = _multiple(it)
                multiples.append(sum(o["correct"] for o in it["options"]))
            else:
                got = dict.fromkeys(strategies, _other(it))
            for s in strategies:
                earned[s] += w * got[s]
            total += w

    def pct(x, n):
        return round(100 * x / n, 1) if n else 0.0

    scen = {s: pct(sum(getattr(d, s)() for d in nodes), len(nodes)) for s in strategies}
    both = singles + nodes
    return {
        "items": {s: pct(earned[s], total) for s in strategies},
        "scenarios": scen,
        "key_longest_pct": pct(sum(d.key_longest() for d in both), len(both)),
        "key_longest_single_pct": pct(sum(d.key_longest() for d in singles), len(singles)),
        "key_longest_scenario_pct": pct(sum(d.key_longest() for d in nodes), len(nodes)),
        "multiple_correct_counts": sorted(multiples),
        "absolute_in_wrong_pct": pct(*_absolute_counts(both, keyed=False)),
        "absolute_in_key_pct": pct(*_absolute_counts(both, keyed=True)),
        "decisions": len(both),
    }


def _absolute_counts(ds, keyed: bool) -> tuple[int, int]:
    hit = n = 0
    for d in ds:
        for t, s in zip(d.texts, d.shares):
            if (s == 1.0) == keyed:
                n += 1
                hit += absolute(t)
    return hit, n


def worst(modules, n: int = 15) -> list[str]:
    """The decisions that give most away: the best option is the longest by the widest margin."""
    singles, nodes = decisions(modules)
    out = []
    for d in singles + nodes:
        if d.key_longest():
            others = [len(t) for t, s in zip(d.texts, d.shares) if s < 1.0] or [0]
            out.append((max(map(len, d.texts)) - max(others), d.where))
    return [f"{w} (key longer by {gap} characters)" for gap, w in sorted(out, reverse=True)[:n]]


def main(argv: list[str] | None = None) -> int:
    import json

    from cps_ethics.course import find_root
    from cps_ethics.model.content import load_course

    args = argv if argv is not None else sys.argv[1:]
    root = find_root(Path.cwd())
    course = load_course(root, validate=False)
    modules = [m for m in course.modules if not args or any(Path(a).stem == m.id for a in args)]
    for m in modules:
        print(m.id, json.dumps(figures([m])))
    print("ALL" if not args else "SELECTED", json.dumps(figures(modules)))
    print("\n".join(worst(modules)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
