"""Course content as data: load the YAML files, check them against the versioned schema and each other."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from cps_ethics.course import content_dir, module_files
from cps_ethics.errors import ContentError

from . import consistency, graph

SCHEMA_VERSION = 1
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads(resources.files("cps_ethics.model").joinpath(f"schemas/{name}.v{SCHEMA_VERSION}.json").read_text())


def read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([f"{path}: file is missing"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ContentError([f"{path}: cannot be read ({e})"]) from None
    try:
        return yaml.load(text, Loader=_LOADER)  # safe loading; libyaml's C loader when present (5-10x faster)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        raise ContentError([f"{path}: not valid YAML{at}: {getattr(e, 'problem', e)}"]) from None


def _where(data: object, path: list) -> str:
    """Name the item a JSON path points into, e.g. "item 'q1' > option 'b' > rating"."""
    parts, node = [], data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            parts.append(str(step))
            break
        if isinstance(step, int):
            label = node.get("id") if isinstance(node, dict) else None
            parts.append(f"'{label}'" if label else f"#{step + 1}")
        else:
            parts.append(str(step))
    return " > ".join(parts) or "top level"


def schema_problems(data: object, name: str, file: Path) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(name))
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        # For if/then branches, report the most specific reason.
        leaf = min(err.context, key=lambda e: -len(e.absolute_path)) if err.context else err
        out.append(f"{file}: {_where(data, list(leaf.absolute_path))}: {leaf.message}")
    return out


@dataclass
class Module:
    data: dict
    file: Path

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def notebook(self) -> str:
        return self.data["notebook"]

    def items(self) -> list[dict]:
        return self.data.get("items", [])

    def scenarios(self) -> list[dict]:
        return self.data.get("scenarios", [])

    def reflections(self) -> list[dict]:
        return self.data.get("reflections", [])

    def readings(self) -> list[dict]:
        return self.data.get("readings", [])

    @property
    def exam(self) -> dict | None:
        """The practice exam's settings, for the exam module (no items of its own); None for a module."""
        return self.data.get("exam")

    def slots(self) -> dict[str, tuple[str, list[dict]]]:
        """{slot id: ('item' | 'scenario', [primary, variants...])} for this module's items and scenarios."""
        out: dict[str, tuple[str, list[dict]]] = {}
        for kind, seq in (("item", self.items()), ("scenario", self.scenarios())):
            for x in seq:
                if "slot" not in x:
                    out[x["id"]] = (kind, [x])
            for x in seq:
                if "slot" in x and x["slot"] in out:
                    out[x["slot"]][1].append(x)
        return out


@dataclass
class Course:
    root: Path
    principles: dict[str, dict]
    modules: list[Module]
    settings: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False)

    def module(self, assignment: str) -> Module:
        for m in self.modules:
            if m.id == assignment:
                return m
        raise KeyError(assignment)

    def slot(self, slot_id: str) -> tuple[str, dict[str, dict], Module] | None:
        """('item' | 'scenario', {variant id: its data}, module) for a graded place in a notebook, or None.
        A practice exam position's variants are the bank items of its topic, from every module."""
        for m in self.modules:
            if m.exam:
                topic = self.exam_plan(m)["positions"].get(slot_id)
                if topic is not None:
                    if ("pool", m.id, topic) not in self.cache:
                        ids = {v for _, variants in self.exam_plan(m)["pools"][topic] for v in variants}
                        self.cache[("pool", m.id, topic)] = {i: self.find(i)[1] for i in sorted(ids)}
                    return "item", self.cache[("pool", m.id, topic)], m
                continue
            found = m.slots().get(slot_id)
            if found:
                return found[0], {x["id"]: x for x in found[1]}, m
        return None

    def exam_plan(self, exam: Module) -> dict:
        """`exam_plan(self, exam)`, computed once per loaded course."""
        if ("exam", exam.id) not in self.cache:
            self.cache[("exam", exam.id)] = exam_plan(self, exam)
        return self.cache[("exam", exam.id)]

    def find(self, ref_id: str) -> tuple[str, dict, Module] | None:
        """('item' | 'scenario' | 'reflection', its data, its module) for an id, or None."""
        for m in self.modules:
            for kind, seq in (("item", m.items()), ("scenario", m.scenarios()), ("reflection", m.reflections())):
                for x in seq:
                    if x["id"] == ref_id:
                        return kind, x, m
        return None


def _module_problems(m: dict, file: Path, keys: set[str]) -> list[str]:
    out: list[str] = []
    say = lambda where, what: out.append(f"{file}: {where}: {what}")  # noqa: E731
    if file.stem != m["id"]:
        say("id", f"'{m['id']}' must match the file name '{file.stem}'")
    defined: dict[str, str] = {}
    for kind, seq in (("reading", m.get("readings", [])), ("item", m.get("items", [])),
                      ("scenario", m.get("scenarios", [])), ("reflection", m.get("reflections", [])),
                      ("note", m.get("notes", []))):
        for x in seq:
            if f"{kind}:{x['id']}" in defined:
                say(f"{kind} '{x['id']}'", "id is used twice")
            defined[f"{kind}:{x['id']}"] = kind
            for k in x.get("principles", []):
                if k not in keys:
                    say(f"{kind} '{x['id']}'", f"cites unknown principle key '{k}'")
    out += _slot_problems(m, file)
    variants = {f"{k}:{x['id']}" for k, seq in (("item", m.get("items", [])), ("scenario", m.get("scenarios", [])))
                for x in seq if "slot" in x}
    layout = m["layout"]
    for ref in layout:
        if ref not in ("progress", "exam") and ref not in defined:
            say("layout", f"'{ref}' is not defined in this module")
    for ref, kind in defined.items():
        if ref in variants:
            if ref in layout:
                say("layout", f"'{ref}' is a variant: the layout names its slot ('{kind}:<slot id>') instead")
            continue
        if kind != "note" and layout.count(ref) != 1:
            say("layout", f"'{ref}' must appear exactly once (found {layout.count(ref)})")
    if "progress" not in layout:
        say("layout", "must include the 'progress' panel")
    if ("exam" in layout) != ("exam" in m):
        say("layout", "'exam' belongs in the layout of a module with `exam:` settings, and only there")
    for it in m.get("items", []):
        where = f"item '{it['id']}'"
        if it["type"] == "single":
            if not any(o["rating"] == "best" for o in it["options"]):
                say(where, "no option is rated 'best'")
        elif it["type"] == "multiple":
            flags = [o["correct"] for o in it["options"]]
            if all(flags) or not any(flags):
                say(where, "needs at least one correct and one incorrect option")
        elif it["type"] == "matching":
            ids = {c["id"] for c in it["choices"]}
            for p in it["pairs"]:
                if p["answer"] not in ids:
                    say(f"{where} > pair '{p['id']}'", f"answer '{p['answer']}' is not one of the choices")
        for seq_name in ("options", "choices", "pairs", "steps"):
            seq = [x["id"] for x in it.get(seq_name, [])]
            if len(seq) != len(set(seq)):
                say(where, f"{seq_name} ids must be unique")
    notes = {n["id"] for n in m.get("notes", [])}
    for sc in m.get("scenarios", []):
        where = f"scenario '{sc['id']}'"
        if "note" in sc and sc["note"] not in notes:
            say(where, f"content note '{sc['note']}' is not defined in notes")
        for p in graph.check(sc):
            say(where, p)
        for n in sc["nodes"]:
            for o in n.get("options", []):
                for k in o["principles"]:
                    if k not in keys:
                        say(f"{where} > node '{n['id']}' > option '{o['id']}'", f"cites unknown principle key '{k}'")
    return out


SAME_IN_A_SLOT = ("kind", "type", "points")


def _slot_problems(m: dict, file: Path) -> list[str]:
    """A variant names the primary entry of its slot in this module, and matches it in kind, type, points
    and principles (parallel variants test the same point at the same difficulty)."""
    out = []
    for kind, seq in (("item", m.get("items", [])), ("scenario", m.get("scenarios", []))):
        primaries = {x["id"]: x for x in seq if "slot" not in x}
        for x in seq:
            if "slot" not in x:
                continue
            where = f"{file}: {kind} '{x['id']}'"
            primary = primaries.get(x["slot"])
            if primary is None:
                out.append(f"{where}: slot '{x['slot']}' is not a {kind} of this module without a slot of its own")
                continue
            for key in SAME_IN_A_SLOT:
                if x.get(key) != primary.get(key):
                    out.append(f"{where}: '{key}' differs from its slot '{x['slot']}' ({x.get(key)!r} vs "
                               f"{primary.get(key)!r}); variants must be parallel")
            if sorted(x["principles"]) != sorted(primary["principles"]):
                out.append(f"{where}: principles differ from its slot '{x['slot']}'")
    return out


def slot_of(x: dict) -> str:
    """The slot (graded place in the notebook) an item or scenario fills: its `slot`, or its own id."""
    return x.get("slot", x["id"])


def acts(modules: list[Module]) -> dict[str, list[tuple[str, str, str]]]:
    """{act: [(rating, where, file name), ...]} for every option tagged with an `act`, in every module."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for m in modules:
        for it in m.items():
            for o in it.get("options", []) if it["type"] == "single" else []:
                if "act" in o:
                    out.setdefault(o["act"], []).append((o["rating"], f"{it['id']}.{o['id']}", m.file.name))
        for sc in m.scenarios():
            for n in sc["nodes"]:
                for o in n.get("options", []):
                    if "act" in o:
                        out.setdefault(o["act"], []).append(
                            (o["rating"], f"{sc['id']}/{n['id']}.{o['id']}", m.file.name))
    return out


def act_problems(modules: list[Module]) -> list[str]:
    """The same act must carry the same rating everywhere (invariant 9)."""
    out = []
    for act, uses in sorted(acts(modules).items()):
        if len({r for r, _, _ in uses}) > 1:
            listed = "; ".join(f"{w} in {f} is {r}" for r, w, f in uses)
            out.append(f"act '{act}' is rated differently in different places: {listed}")
    return out


def exam_plan(course: Course, exam: Module) -> dict:
    """The practice exam's public plan: `positions` {position id: topic} and `pools` {topic: [[slot, [variant
    ids]], ...]}. A topic is a module of the bank; positions are shared out in proportion to each topic's
    graded question slots (largest remainders), at least one each and never more than the topic holds."""
    spec = exam.exam
    pools: dict[str, list] = {}
    for m in course.modules:
        if m.id in spec["draw_from"]:
            pools[m.id] = [[sid, [x["id"] for x in xs]] for sid, (kind, xs) in m.slots().items()
                           if kind == "item" and xs[0]["kind"] == "graded"]
    pools = {t: p for t, p in pools.items() if p}
    n = min(spec["questions"], sum(len(p) for p in pools.values()))
    total = sum(len(p) for p in pools.values()) or 1
    raw = {t: n * len(p) / total for t, p in pools.items()}
    share = {t: min(len(pools[t]), max(1, int(r))) for t, r in raw.items()}
    for t in sorted(raw, key=lambda t: raw[t] - int(raw[t]), reverse=True):
        if sum(share.values()) >= n:
            break
        if share[t] < len(pools[t]):
            share[t] += 1
    while sum(share.values()) > n:
        t = max(share, key=lambda t: share[t] - raw[t])
        share[t] -= 1
    positions, k = {}, 0
    for t in pools:
        for _ in range(share[t]):
            k += 1
            positions[f"{spec.get('prefix', 'exam')}_q{k:02d}"] = t
    return {"positions": positions, "pools": pools}


def load_course(root: Path, validate: bool = True) -> Course:
    """Read every content file; with validate, raise ContentError listing every problem found."""
    cdir = content_dir(root)
    problems: list[str] = []
    pfile = cdir / "principles.yaml"
    pdata = read_yaml(pfile)
    if validate:
        problems += schema_problems(pdata, "principles", pfile)
    if problems:
        raise ContentError(problems)
    principles = {p["key"]: p for p in pdata["principles"]}
    settings_file = cdir / "course.yaml"
    settings = read_yaml(settings_file) if settings_file.exists() else {}
    modules: list[Module] = []
    ids: dict[str, Path] = {}
    files = module_files(root)
    for f in files:
        data = read_yaml(f)
        if validate:
            found = schema_problems(data, "module", f)
            if found:
                problems += found
                continue
            problems += _module_problems(data, f, set(principles))
            for kind in ("items", "scenarios", "reflections"):
                for x in data.get(kind, []):
                    if x["id"] in ids:
                        problems.append(f"{f}: '{x['id']}' is already used in {ids[x['id']]} (ids are course-wide)")
                    ids[x["id"]] = f
        modules.append(Module(data, f))
    if validate and not files:
        problems.append(f"{cdir / 'modules'}: no module files (*.yaml) found")
    if validate and not problems:
        problems += act_problems(modules) + consistency.problems(modules, cdir)
        known = {m.id for m in modules}
        for m in modules:
            for dep in (m.exam or {}).get("draw_from", []):
                if dep not in known:
                    problems.append(f"{m.file}: exam > draw_from: '{dep}' is not a module of this course")
    if problems:
        raise ContentError(problems)
    return Course(root, principles, modules, settings or {})
