"""The exam-only bank (content/exam/<topic>.yaml) and the practice exam's plan: which topic and kind each position asks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import graph
from .checks import _question_problems
from .questions import Questions

SCENARIOS_DEFAULT = 10  # `exam: scenarios` when a module does not set it
MAX_DECISIONS = 2  # a short exam scenario has one or two decisions on every path


@dataclass
class ExamTopic(Questions):
    """One file of exam-only questions: the topic (a module id) they test, and the questions (no reflections)."""

    @property
    def id(self) -> str:
        return self.data["topic"]

    def reflections(self) -> list[dict]:
        return []


def anchor(n: int, total: int) -> str:
    """The id JupyterLab gives the heading "Question n of total" (its words joined by hyphens)."""
    return f"Question-{n}-of-{total}"


def heading(n: int, total: int) -> str:
    """The markdown heading above each exam position (the build writes it; the jump list links to it)."""
    return f"### Question {n} of {total}"


def files(cdir: Path) -> list[Path]:
    return sorted((cdir / "exam").glob("*.yaml"))


def plain_problems(data: object, file: Path) -> list[str]:
    """Clear sentences for what the format forbids most often (schema messages at these places are dropped)."""
    out = []
    if not isinstance(data, dict):
        return out
    for seq in ("items", "scenarios"):
        found = data.get(seq)
        for n, x in enumerate(found if isinstance(found, list) else []):
            if not isinstance(x, dict):
                continue
            name = f"'{x['id']}'" if isinstance(x.get("id"), str) else f"#{n + 1}"
            if "slot" in x:
                out.append(f"{file}: {seq[:-1]} {name}: has a `slot`; an exam-only question is its own slot "
                           "(remove `slot`)")
            if x.get("kind") != "graded":
                out.append(f"{file}: {seq[:-1]} {name}: kind is {x.get('kind')!r}; exam-only questions are always "
                           "`kind: graded` (practice questions belong in a module)")
    return out


def topic_problems(t: ExamTopic, exam_modules: dict[str, set[str]]) -> list[str]:
    """File/topic match, a topic the practice exam draws from, ids that name their topic, short scenarios."""
    out = []
    if t.file.stem != t.id:
        out.append(f"{t.file}: topic '{t.id}' must match the file name '{t.file.stem}'")
    drawn = {topic for topics in exam_modules.values() for topic in topics}
    if t.id not in drawn:
        known = ", ".join(sorted(drawn)) or "none: no module has `exam:` settings"
        out.append(f"{t.file}: unknown topic '{t.id}': the practice exam draws from {known}")
    prefix = f"ex{t.id[:2]}_"
    for x in t.items() + t.scenarios():
        if not x["id"].startswith(prefix):
            out.append(f"{t.file}: '{x['id']}': an exam-only id starts with '{prefix}' (ex + the topic's two digits)")
    for sc in t.scenarios():
        if "note" in sc:
            out.append(f"{t.file}: scenario '{sc['id']}': an exam-only scenario has no `note`; use `content_note`")
        if not graph.check(sc) and graph.depth(sc) > MAX_DECISIONS:
            out.append(f"{t.file}: scenario '{sc['id']}': a path has {graph.depth(sc)} decisions; an exam scenario "
                       f"is short (at most {MAX_DECISIONS})")
    return out


def graded_slots(module) -> int:
    """How many graded places (item and scenario slots) a module has: its weight in the exam."""
    return sum(1 for _, xs in module.slots().values() if xs[0]["kind"] == "graded")


def shares(n: int, weights: dict[str, float], caps: dict[str, int]) -> dict[str, int]:
    """`n` shared in proportion to `weights` by largest remainders, none above its cap (the rest shared again)."""
    out = {t: 0 for t in weights}
    n = min(n, sum(caps.values()))
    active = [t for t in weights if caps[t] > 0 and weights[t] > 0]
    while sum(out.values()) < n and active:
        left = n - sum(out.values())
        total = sum(weights[t] for t in active)
        raw = {t: left * weights[t] / total for t in active}
        add = {t: min(int(raw[t]), caps[t] - out[t]) for t in active}
        spare = left - sum(add.values())
        for t in sorted(active, key=lambda t: (-(raw[t] - int(raw[t])), active.index(t))):
            if spare > 0 and out[t] + add[t] < caps[t]:
                add[t] += 1
                spare -= 1
        for t in active:
            out[t] += add[t]
        active = [t for t in active if out[t] < caps[t]]
    return out


def plan(course, exam) -> dict:
    """The practice exam's public plan: `positions` {position: topic}, `kinds` {position: 'item' | 'scenario'}
    and `pools` {topic: {'item': [ids], 'scenario': [ids]}} of exam-only questions. Positions are shared among
    topics in proportion to each module's graded slots; at least `scenarios` of them are short scenarios."""
    spec = exam.exam
    pools: dict[str, dict[str, list[str]]] = {}
    for t in course.exam_bank:
        if t.id in spec["draw_from"]:
            pool = pools.setdefault(t.id, {"item": [], "scenario": []})
            pool["item"] += [x["id"] for x in t.items()]
            pool["scenario"] += [x["id"] for x in t.scenarios()]
    order = [m.id for m in course.modules if m.id in pools]
    pools = {t: {k: sorted(v) for k, v in pools[t].items()} for t in order}
    weights = {t: graded_slots(course.module(t)) for t in order}
    share = shares(spec["questions"], weights, {t: len(p["item"]) + len(p["scenario"]) for t, p in pools.items()})
    wanted = spec.get("scenarios", SCENARIOS_DEFAULT)
    sc = shares(wanted, {t: share[t] for t in order}, {t: min(share[t], len(pools[t]["scenario"])) for t in order})
    positions, kinds, k = {}, {}, 0
    for t in order:
        sc[t] = max(sc[t], share[t] - len(pools[t]["item"]))  # more scenarios where the topic is short of items
        for kind, count in (("item", share[t] - sc[t]), ("scenario", sc[t])):
            for _ in range(count):
                k += 1
                pos = f"{spec.get('prefix', 'exam')}_q{k:02d}"
                positions[pos], kinds[pos] = t, kind
    return {"positions": positions, "kinds": kinds, "pools": pools}


def plan_problems(course, exam, file: Path) -> list[str]:
    """Plain sentences when the exam-only bank cannot fill the practice exam."""
    spec, p = exam.exam, course.exam_plan(exam)
    held = sum(len(v["item"]) + len(v["scenario"]) for v in p["pools"].values())
    if not held:
        return [(f"{file}: the practice exam needs exam-only questions, and there are none: it draws only from "
                 "content/exam/<topic>.yaml (one file per topic it draws from; see content/exam/README.md)")]
    out = []
    if len(p["positions"]) < spec["questions"]:
        out.append(f"{file}: the practice exam asks {spec['questions']} questions, but the exam-only bank holds "
                   f"only {held} in the topics it draws from")
    n_sc = sum(1 for k in p["kinds"].values() if k == "scenario")
    wanted = spec.get("scenarios", SCENARIOS_DEFAULT)
    if n_sc < wanted:
        out.append(f"{file}: the practice exam needs at least {wanted} short scenarios, but the exam-only bank "
                   f"can give only {n_sc} (add `scenarios:` to content/exam/<topic>.yaml)")
    return out


def load(cdir: Path, modules: list, keys: set[str], ids: dict[str, Path], problems: list[str] | None) -> list[ExamTopic]:
    """The exam-only questions of content/exam/; with `problems` (a list), each file is checked into it."""
    from .content import read_yaml, schema_problems

    out = []
    drawn = {m.id: set(m.exam["draw_from"]) for m in modules if m.exam}
    for f in files(cdir):
        data = read_yaml(f)
        if problems is not None:
            plain = plain_problems(data, f)
            found = plain + schema_problems(data, "exam", f, skip=("slot", "kind") if plain else ())
            if found:
                problems += found
                continue
            t = ExamTopic(data, f)
            problems += topic_problems(t, drawn) + _question_problems(data, f, keys)
            for x in t.items() + t.scenarios():
                problems += [f"{f}: '{x['id']}' cites unknown principle key '{k}'" for k in x["principles"]
                             if k not in keys]
                if x["id"] in ids:
                    problems.append(f"{f}: '{x['id']}' is already used in {ids[x['id']]} (ids are course-wide)")
                ids[x["id"]] = f
        out.append(ExamTopic(data, f))
    return out
