"""`cps-course stats` prints JSON whose numbers match the content, counted here independently from the YAML."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml
from contentlib import REPO

from cps_ethics.course import module_files


def longest_path(scenario: dict) -> int:
    nodes = {n["id"]: n for n in scenario["nodes"]}

    def depth(nid: str) -> int:
        opts = nodes[nid].get("options") or []
        return max((1 + depth(o["next"]) for o in opts), default=0)

    return depth(scenario["start"])


def expected() -> dict:
    mods = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in module_files(REPO)]
    keys = [p["key"] for p in yaml.safe_load((REPO / "content" / "principles.yaml").read_text())["principles"]]
    items = [it for m in mods for it in m.get("items", [])]
    scenarios = [sc for m in mods for sc in m.get("scenarios", [])]
    readings = [r for m in mods for r in m.get("readings", [])]
    graded = [it for it in items if it["kind"] == "graded"]
    in_slots = [x for x in [*items, *scenarios] if x["kind"] == "graded"]
    primaries = [x for x in in_slots if "slot" not in x]
    groups = {p["key"]: p["group"] for p in yaml.safe_load((REPO / "content" / "principles.yaml").read_text())["principles"]}
    return {
        "graded_slots": len(primaries),
        "graded_variants": len(in_slots),
        "slots_with_variants": len({x["slot"] for x in in_slots if "slot" in x}),
        "exam_questions": sum(m.get("exam", {}).get("questions", 0) for m in mods),
        "modules": len(mods),
        "scenarios": len(scenarios),
        "scenarios_3plus_decisions": sum(longest_path(sc) >= 3 for sc in scenarios),
        "graded_items": len(graded),
        "practice_items": sum(it["kind"] == "practice" for it in items),
        "reflections": sum(len(m.get("reflections", [])) for m in mods),
        "principles": {k: {"group": groups[k], "readings": sum(k in r["principles"] for r in readings),
                           "graded_items": sum(k in it["principles"] for it in graded),
                           "graded_slots": sum(k in x["principles"] for x in primaries)} for k in keys},
    }


def test_stats_command_matches_content():
    env = {k: v for k, v in os.environ.items() if k != "CPS_COURSE_ROOT"}
    res = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "stats"], capture_output=True, text=True,
                         cwd=REPO, env=env, timeout=900)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    want = expected()
    for key, value in want.items():
        assert got[key] == value, f"stats '{key}': command says {got[key]}, content has {value}"
    assert set(got["per_module"]) == {p.stem for p in module_files(REPO)}
    assert sum(m["graded_items"] for m in got["per_module"].values()) == want["graded_items"]


def test_bank_size_and_every_topic_taught_and_assessed():
    """Issue 18: at least 500 graded questions and scenarios a trainee can be given (module versions and the
    exam-only bank), and every principle or topic key taught in a reading and assessed by three graded slots."""
    import yaml

    env = {k: v for k, v in os.environ.items() if k != "CPS_COURSE_ROOT"}
    res = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "stats"], capture_output=True, text=True,
                         cwd=REPO, env=env, timeout=900)
    got = json.loads(res.stdout)
    files = sorted((REPO / "content" / "exam").glob("*.yaml"))
    exam_only = sum(len(d.get("items", [])) + len(d.get("scenarios", []))
                    for d in (yaml.safe_load(f.read_text(encoding="utf-8")) for f in files))
    assert got["exam_only_questions"] == exam_only >= 120
    assert got["graded_questions_and_scenarios"] == got["graded_variants"] + exam_only >= 500
    thin = {k: v for k, v in got["principles"].items() if v["readings"] < 1 or v["graded_slots"] < 3}
    assert thin == {}, f"taught in no reading, or assessed by fewer than 3 graded slots: {thin}"
