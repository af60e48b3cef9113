"""Course content as data: load the YAML files, check them against the versioned schema and each other."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import yaml

from cps_ethics.course import content_dir, module_files
from cps_ethics.errors import ContentError

from . import consistency, markdown, sources
from .questions import Questions
from . import exam as bank
from .checks import _module_problems, act_problems, acts  # noqa: F401 (re-exported)

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


@cache
def _registry():
    from referencing import Registry, Resource

    names = ("module", "principles", "exam")
    return Registry().with_resources((schema(n)["$id"], Resource.from_contents(schema(n))) for n in names)


def schema_problems(data: object, name: str, file: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Schema messages, each naming where; `skip`: places (last path step) that clearer checks report instead."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(name), registry=_registry())
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        # For if/then branches, report the most specific reason.
        leaf = min(err.context, key=lambda e: -len(e.absolute_path)) if err.context else err
        if skip and leaf.absolute_path and leaf.absolute_path[-1] in skip:
            continue
        out.append(f"{file}: {_where(data, list(leaf.absolute_path))}: {leaf.message}")
    return out


@dataclass
class Module(Questions):
    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def notebook(self) -> str:
        return self.data["notebook"]

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
    exam_bank: list[bank.ExamTopic] = field(default_factory=list)  # content/exam/: only the practice exam shows them
    sources: list[dict] = field(default_factory=list)  # content/sources.yaml's entries

    def module(self, assignment: str) -> Module:
        for m in self.modules:
            if m.id == assignment:
                return m
        raise KeyError(assignment)

    def slot(self, slot_id: str) -> tuple[str, dict[str, dict], Module] | None:
        """('item' | 'scenario', {variant id: its data}, module) for a graded place in a notebook, or None.
        A practice exam position's variants are the exam-only questions of its topic and kind."""
        for m in self.modules:
            if m.exam:
                plan = self.exam_plan(m)
                topic = plan["positions"].get(slot_id)
                if topic is not None:
                    kind = plan["kinds"][slot_id]
                    if ("pool", m.id, topic, kind) not in self.cache:
                        self.cache[("pool", m.id, topic, kind)] = {i: self.find(i)[1] for i in plan["pools"][topic][kind]}
                    return kind, self.cache[("pool", m.id, topic, kind)], m
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

    def find(self, ref_id: str) -> tuple[str, dict, Module | bank.ExamTopic] | None:
        """('item' | 'scenario' | 'reflection', its data, its module or exam-only topic) for an id, or None."""
        for m in [*self.modules, *self.exam_bank]:
            for kind, seq in (("item", m.items()), ("scenario", m.scenarios()), ("reflection", m.reflections())):
                for x in seq:
                    if x["id"] == ref_id:
                        return kind, x, m
        return None


def slot_of(x: dict) -> str:
    """The slot (graded place in the notebook) an item or scenario fills: its `slot`, or its own id."""
    return x.get("slot", x["id"])


def exam_plan(course: Course, exam: Module) -> dict:
    """The practice exam's public plan (cps_ethics.model.exam.plan)."""
    return bank.plan(course, exam)


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
    topics = bank.load(cdir, modules, set(principles), ids, problems if validate else None)
    course = Course(root, principles, modules, settings or {}, exam_bank=topics)
    if validate and not problems:
        problems += act_problems([*modules, *topics]) + consistency.problems(modules, cdir)
        known = {m.id for m in modules}
        for m in modules:
            for dep in (m.exam or {}).get("draw_from", []):
                if dep not in known:
                    problems.append(f"{m.file}: exam > draw_from: '{dep}' is not a module of this course")
        if not problems:
            problems += [p for m in modules if m.exam for p in bank.plan_problems(course, m, m.file)]
    course.sources = _sources(cdir, {pfile: pdata, **{m.file: m.data for m in [*modules, *topics]}},
                              problems if validate else None)
    if problems:
        raise ContentError(problems)
    return course


def _sources(cdir: Path, files: dict[Path, dict], problems: list[str] | None) -> list[dict]:
    """content/sources.yaml's entries; with `problems`, add the file's own problems and every citation
    (in the principles and the modules) that names no entry."""
    sfile = cdir / sources.SOURCES_FILE
    data = read_yaml(sfile) if sfile.exists() else None
    if problems is None:
        return list((data or {}).get("sources") or [])
    if data is None:
        problems.append(f"{sfile}: missing: the course lists its sources there (see content/AUTHORING.md)")
        return []
    found = sources.entry_problems(data, sfile)
    problems += found
    if found:
        return []
    ids = {e["id"] for e in data["sources"]}
    problems += sources.citation_problems({f: sources.citations(d) for f, d in files.items()}, ids)
    return data["sources"]

