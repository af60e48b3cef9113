"""Course-wide and per-module amounts of content, and content notes before hard material."""

from __future__ import annotations

import pytest
import yaml
from contentlib import HARD_WORDS, REPO, entry_text, item_text, scenario_text

from cps_ethics.course import module_files
from cps_ethics.model import graph
from cps_ethics.model.content import Module

MIN_SCENARIOS, MIN_GRADED = 24, 80
MIN_BANK = 300  # graded items and scenarios in the whole bank, variants included
MODULE_MINIMUM = {"scenarios": 4, "graded_slots": 15}  # for modules 08 and later (issue: new modules)
TYPES = {"single", "multiple", "matching", "ordering"}


def test_course_totals(course):
    scenarios = [sc for m in course.modules for sc in m.scenarios()]
    graded = [it for m in course.modules for it in m.items() if it["kind"] == "graded"]
    assert len(scenarios) >= MIN_SCENARIOS, f"{len(scenarios)} scenarios in the course; need {MIN_SCENARIOS}"
    assert len(graded) >= MIN_GRADED, f"{len(graded)} graded items in the course; need {MIN_GRADED}"


def test_bank_holds_300_graded_questions_and_every_slot_has_variants(course):
    bank = [x for m in course.modules for x in [*m.items(), *m.scenarios()] if x["kind"] == "graded"]
    single = [f"{m.id}: {sid}" for m in course.modules for sid, (_, xs) in m.slots().items()
              if xs[0]["kind"] == "graded" and len(xs) < 2]
    slots = sum(1 for m in course.modules for _, xs in m.slots().values() if xs[0]["kind"] == "graded")
    print(f"graded bank: {len(bank)} items and scenarios in {slots} slots")
    assert len(bank) >= MIN_BANK, f"{len(bank)} graded items and scenarios in the bank; need {MIN_BANK}"
    assert not single, "graded slots with only one version (each needs a parallel variant):\n" + "\n".join(single)


def test_every_graded_item_has_rationale_and_keys(course):
    bad = [f"{m.id}: item '{it['id']}'" for m in course.modules for it in m.items()
           if it["kind"] == "graded" and (not it.get("rationale", "").strip() or not it.get("principles"))]
    assert not bad, "graded items without a rationale or principle keys:\n" + "\n".join(bad)


def _module(path) -> Module:
    return Module(yaml.safe_load(path.read_text(encoding="utf-8")), path)


MODULES = module_files(REPO)


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_module_has_enough(path, course):
    m = course.module(path.stem)
    if m.exam:
        assert m.exam["questions"] >= 60 and len(m.exam["draw_from"]) >= 7
        return
    scenarios, items = m.scenarios(), m.items()
    graded = [it for it in items if it["kind"] == "graded"]
    problems = []
    if len(scenarios) < 3:
        problems.append(f"{len(scenarios)} scenarios (need 3)")
    if not any(graph.depth(sc) >= 3 for sc in scenarios):
        problems.append("no scenario has a path with 3 or more decisions")
    if len(graded) < 10:
        problems.append(f"{len(graded)} graded items (need 10)")
    missing = TYPES - {it["type"] for it in graded}
    if missing:
        problems.append(f"no graded item of type {sorted(missing)}")
    practice = [it for it in items if it["kind"] == "practice"]
    if len(practice) < 3:
        problems.append(f"{len(practice)} practice items (need 3)")
    if not m.reflections():
        problems.append("no reflection")
    if "progress" not in m.data["layout"]:
        problems.append("no progress panel in the layout")
    if int(m.id[:2]) >= 8:
        slots = [xs for _, xs in m.slots().values() if xs[0]["kind"] == "graded"]
        if len(scenarios) < MODULE_MINIMUM["scenarios"] or len(slots) < MODULE_MINIMUM["graded_slots"]:
            problems.append(f"{len(scenarios)} scenarios and {len(slots)} graded slots (need "
                            f"{MODULE_MINIMUM['scenarios']} and {MODULE_MINIMUM['graded_slots']})")
    assert not problems, f"{m.id}: " + "; ".join(problems)


def unnoted_hard_material(module: Module) -> list[str]:
    """Layout entries that mention suicide, abuse, restraint or violence with no content note before them."""
    noted, out = False, []
    scenarios = {sc["id"]: sc for sc in module.scenarios()}
    for ref in module.data["layout"]:
        kind, _, rid = ref.partition(":")
        if kind == "note" or (kind == "scenario" and scenarios[rid].get("note")):
            noted = True
        if noted or kind == "note":
            continue
        text = entry_text(module, ref)
        if kind in ("item", "scenario"):  # the slot's variants stand in the same place
            text += [t for x in [*module.items(), *module.scenarios()] if x.get("slot") == rid
                     for t in (item_text(x) if kind == "item" else scenario_text(x))]
        hit = HARD_WORDS.search(" ".join(text))
        if hit:
            out.append(f"{module.id}: {ref} mentions '{hit.group(0)}' before any content note")
    return out


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_content_note_before_hard_material(path, course):
    found = unnoted_hard_material(course.module(path.stem))
    assert not found, "\n".join(found)


def test_content_note_check_can_fail():
    bad = Module({"id": "99_x", "layout": ["reading:r", "note:n", "progress"], "notes": [{"id": "n", "text": "t"}],
                  "readings": [{"id": "r", "title": "Grief", "text": "Her brother died by suicide.",
                                "principles": ["K4"]}]}, REPO / "99_x.yaml")
    assert unnoted_hard_material(bad) == ["99_x: reading:r mentions 'suicide' before any content note"]
    bad.data["layout"] = ["note:n", "reading:r", "progress"]
    assert unnoted_hard_material(bad) == []
