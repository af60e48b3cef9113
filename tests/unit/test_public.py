"""The public projection: graded work carries no key; practice carries its feedback; order hides the key."""

from __future__ import annotations

import json

from helpers import module, write_course

from cps_ethics.authoring.release import KEY_FIELDS
from cps_ethics.model import public
from cps_ethics.model.content import load_course


def project(tmp_path, reveal=False, mod=None):
    course = load_course(write_course(tmp_path, [mod] if mod else None))
    return public.project(course, course.modules[0], reveal=reveal)


def test_graded_items_and_scenarios_carry_no_key(tmp_path):
    data = project(tmp_path)
    for iid, it in data["items"].items():
        parts = [it, *it.get("options", []), *it.get("pairs", [])]
        has_key = any(KEY_FIELDS & set(p) for p in parts)
        assert has_key == (it["kind"] == "practice"), iid
    for node in data["scenarios"]["t_scn"]["nodes"].values():
        for o in node.get("options", []):
            assert set(o) == {"id", "text", "next"}
    text = json.dumps(data)
    for secret in ("Because the person decides", "Takes choice away", "1 point each"):
        assert secret not in text


def test_practice_item_has_feedback(tmp_path):
    it = project(tmp_path)["items"]["t_practice"]
    assert {o["feedback"] for o in it["options"]} == {"Practice good.", "Practice bad."}
    assert it["rationale"] == "Practice rationale."


def test_ordering_steps_and_options_do_not_keep_the_authored_order(tmp_path):
    m = module()
    steps = [{"id": w, "text": w.title()} for w in ("alpha", "bravo", "charlie", "delta", "echo", "fox")]
    m["items"][3]["steps"] = steps
    shown = [s["id"] for s in project(tmp_path, mod=m)["items"]["t_order"]["steps"]]
    assert sorted(shown) == sorted(s["id"] for s in steps) and shown != [s["id"] for s in steps]


def test_reveal_is_for_authors_preview_only(tmp_path):
    data = project(tmp_path, reveal=True)
    assert all(it["kind"] == "practice" for it in data["items"].values())
    assert data["scenarios"]["t_scn"]["nodes"]["a"]["options"][0].get("feedback")
    assert {t["id"] for t in data["tracked"]} >= {"t_single", "t_scn", "t_reflect"}
