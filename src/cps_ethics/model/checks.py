"""Checks of content that a schema cannot express: ids, layouts, slots, keys that fit, graphs, acts."""

from __future__ import annotations

from pathlib import Path

from . import graph, markdown


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
    out += [f"{file}: {where}" for where in markdown.module_problems(m)]
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
        if "content_note" in it:
            say(f"item '{it['id']}'", "content_note is for exam-only questions (content/exam/); a module uses notes")
    for sc in m.get("scenarios", []):
        if "content_note" in sc:
            say(f"scenario '{sc['id']}'", "content_note is for exam-only questions (content/exam/); a module "
                "names a `note`")
    out += _question_problems(m, file, keys)
    return out


def _question_problems(m: dict, file: Path, keys: set[str]) -> list[str]:
    """Items and scenarios that are sound: a best option, keys that fit, unique ids, sound graphs."""
    out: list[str] = []
    say = lambda where, what: out.append(f"{file}: {where}: {what}")  # noqa: E731
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
        if sc.get("note", "") not in notes | {""}:
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


def acts(modules: list) -> dict[str, list[tuple[str, str, str]]]:
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


def act_problems(modules: list) -> list[str]:
    """The same act must carry the same rating everywhere (invariant 9)."""
    out = []
    for act, uses in sorted(acts(modules).items()):
        if len({r for r, _, _ in uses}) > 1:
            listed = "; ".join(f"{w} in {f} is {r}" for r, w, f in uses)
            out.append(f"act '{act}' is rated differently in different places: {listed}")
    return out
