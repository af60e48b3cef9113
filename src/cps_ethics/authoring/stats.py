"""Course statistics for `cps-course stats`: counts of modules, scenarios, items and per-principle coverage."""

from __future__ import annotations

import json
from pathlib import Path

from cps_ethics.model import graph
from cps_ethics.model.content import Course, Module, load_course


def module_stats(module: Module) -> dict:
    items, scenarios = module.items(), module.scenarios()
    graded = [xs for _, xs in module.slots().values() if xs[0]["kind"] == "graded"]
    return {
        "graded_slots": len(graded),
        "graded_variants": sum(len(xs) for xs in graded),
        "slots_with_variants": sum(len(xs) > 1 for xs in graded),
        "exam_questions": (module.exam or {}).get("questions", 0),
        "scenarios": len(scenarios),
        "graded_scenarios": sum(sc["kind"] == "graded" for sc in scenarios),
        "scenarios_3plus_decisions": sum(graph.depth(sc) >= 3 for sc in scenarios),
        "graded_items": sum(it["kind"] == "graded" for it in items),
        "practice_items": sum(it["kind"] == "practice" for it in items),
        "reflections": len(module.reflections()),
        "readings": len(module.readings()),
    }


def course_stats(course: Course) -> dict:
    """Totals over the course (slots: graded places in a notebook; variants: the parallel versions that fill
    them), each module's counts, and for each principle key or topic how many readings, graded items and
    graded slots cite it."""
    per_module = {m.id: module_stats(m) for m in course.modules}
    totals = {k: sum(s[k] for s in per_module.values()) for k in
              ("scenarios", "graded_scenarios", "scenarios_3plus_decisions", "graded_items", "practice_items",
               "reflections", "readings", "graded_slots", "graded_variants", "slots_with_variants",
               "exam_questions")}
    principles = {key: {"group": p["group"], "readings": 0, "graded_items": 0, "graded_slots": 0}
                  for key, p in course.principles.items()}
    for m in course.modules:
        for r in m.readings():
            for k in r["principles"]:
                principles[k]["readings"] += 1
        for it in m.items():
            if it["kind"] == "graded":
                for k in it["principles"]:
                    principles[k]["graded_items"] += 1
        for _, xs in m.slots().values():
            if xs[0]["kind"] == "graded":
                for k in xs[0]["principles"]:
                    principles[k]["graded_slots"] += 1
    exam_only = {t.id: len(t.items()) + len(t.scenarios()) for t in course.exam_bank}
    return {"modules": len(course.modules), **totals, "exam_only_questions": sum(exam_only.values()),
            # every graded question and scenario a trainee can be given: the module versions and the exam-only bank
            "graded_questions_and_scenarios": totals["graded_variants"] + sum(exam_only.values()),
            "exam_only_per_topic": exam_only, "principles": principles, "per_module": per_module}


def cmd_stats(root: Path, args) -> int:
    print(json.dumps(course_stats(load_course(root)), indent=2), flush=True)
    return 0
