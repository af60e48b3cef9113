"""Small content fixtures for unit tests: a minimal valid module and course folder."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

SOURCES = {
    "schema_version": 1,
    "sources": [{"id": "gmhcn_cps_ethics", "title": "CPS Code of Ethics", "publisher": "GMHCN",
                 "url": "https://www.gmhcn.org/cps-ethics", "supports": "the parent code", "status": "verified"}],
}

PRINCIPLES = {
    "schema_version": 1,
    "principles": [
        {"key": "K1", "group": "principle", "name": "Self-determination", "statement": "People decide.",
         "sources": ["gmhcn_cps_ethics"], "status": "verified"},
        {"key": "K8", "group": "principle", "name": "Confidentiality", "statement": "Keep privacy.",
         "sources": ["gmhcn_cps_ethics"], "status": "verified"},
    ],
}

SCENARIO = {
    "id": "t_scn", "kind": "graded", "title": "A test scenario", "principles": ["K1"], "start": "a",
    "nodes": [
        {"id": "a", "situation": "First.", "options": [
            {"id": "good", "text": "Ask", "rating": "best", "feedback": "Asking respects choice.",
             "principles": ["K1"], "next": "b"},
            {"id": "ok", "text": "Tell staff", "rating": "acceptable", "feedback": "Partly.",
             "principles": ["K1"], "next": "b"},
            {"id": "bad", "text": "Decide for them", "rating": "harmful", "feedback": "Takes choice away.",
             "principles": ["K1"], "next": "end_b"}]},
        {"id": "b", "situation": "Second.", "options": [
            {"id": "good", "text": "Advocate", "rating": "best", "feedback": "Yes.", "principles": ["K1"],
             "next": "end_a"},
            {"id": "bad", "text": "Pressure", "rating": "harmful", "feedback": "No.", "principles": ["K1"],
             "next": "end_b"}]},
        {"id": "end_a", "situation": "It ends well."},
        {"id": "end_b", "situation": "It ends."},
    ],
}

MODULE = {
    "schema_version": 1, "id": "01_test", "title": "Test module", "notebook": "test_nb",
    "readings": [{"id": "r1", "title": "Reading", "text": "Some text.", "principles": ["K1"]}],
    "items": [
        {"id": "t_single", "kind": "graded", "type": "single", "principles": ["K1"], "prompt": "Pick one.",
         "rationale": "Because the person decides for themselves.", "points": 2,
         "options": [{"id": "a", "text": "Best answer", "rating": "best", "feedback": "Yes, best."},
                     {"id": "b", "text": "Acceptable answer", "rating": "acceptable", "feedback": "Partly so."},
                     {"id": "c", "text": "Harmful answer", "rating": "harmful", "feedback": "Not this one."}]},
        {"id": "t_multi", "kind": "graded", "type": "multiple", "principles": ["K8"], "prompt": "Pick all.",
         "rationale": "Privacy matters in every setting.",
         "options": [{"id": "x", "text": "X", "correct": True, "feedback": "fx"},
                     {"id": "y", "text": "Y", "correct": True, "feedback": "fy"},
                     {"id": "z", "text": "Z", "correct": False, "feedback": "fz"},
                     {"id": "w", "text": "W", "correct": False, "feedback": "fw"}]},
        {"id": "t_match", "kind": "graded", "type": "matching", "principles": ["K1", "K8"], "points": 3,
         "prompt": "Match.", "rationale": "Each situation shows one principle.",
         "choices": [{"id": "k1", "text": "K1"}, {"id": "k8", "text": "K8"}],
         "pairs": [{"id": "p1", "text": "Own goal", "answer": "k1"},
                   {"id": "p2", "text": "No names", "answer": "k8"},
                   {"id": "p3", "text": "Own plan", "answer": "k1"}]},
        {"id": "t_order", "kind": "graded", "type": "ordering", "principles": ["K1"], "prompt": "Order.",
         "rationale": "Notice, then ask, then act.", "points": 3,
         "steps": [{"id": "notice", "text": "Notice"}, {"id": "ask", "text": "Ask"},
                   {"id": "act", "text": "Act"}]},
        {"id": "t_practice", "kind": "practice", "type": "single", "principles": ["K1"], "prompt": "Try.",
         "rationale": "Practice rationale.",
         "options": [{"id": "a", "text": "Good", "rating": "best", "feedback": "Practice good."},
                     {"id": "b", "text": "Bad", "rating": "harmful", "feedback": "Practice bad."}]},
    ],
    "scenarios": [SCENARIO],
    "reflections": [{"id": "t_reflect", "principles": ["K1"], "prompt": "Reflect.", "points": 3,
                     "mark_scheme": "1 point each for three things."}],
    "layout": ["reading:r1", "item:t_single", "item:t_multi", "item:t_match", "item:t_order",
               "item:t_practice", "scenario:t_scn", "reflection:t_reflect", "progress"],
}


def module(**changes) -> dict:
    m = copy.deepcopy(MODULE)
    m.update(changes)
    return m


def write_course(root: Path, modules: list[dict] | None = None, principles: dict | None = None) -> Path:
    """A minimal course folder (nbgrader_config.py marker, content/) at root."""
    (root / "content" / "modules").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    (root / "content" / "principles.yaml").write_text(yaml.safe_dump(principles or PRINCIPLES, sort_keys=False))
    (root / "content" / "sources.yaml").write_text(yaml.safe_dump(SOURCES, sort_keys=False))
    for m in modules if modules is not None else [module()]:
        (root / "content" / "modules" / f"{m['id']}.yaml").write_text(yaml.safe_dump(m, sort_keys=False))
    return root
