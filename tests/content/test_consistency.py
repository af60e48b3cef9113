"""Course-wide rules a program can check (cps_ethics.model.consistency, run by `cps-course validate`):
one age and one pronoun per named person, multiple-select twins with the same number of correct options,
and an act tag on every option whose wording enacts a defined act (or an explicit `not_act` waiver).

The first three tests read today's bank and list what they find; the others show that each check catches a
seeded problem, passes a clean case, and runs inside content validation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from contentlib import REPO

from cps_ethics.errors import ContentError
from cps_ethics.model import consistency
from cps_ethics.model.content import Module, load_course


@pytest.fixture(scope="module")
def bank():
    course = load_course(REPO, validate=False)
    modules = course.modules
    sources = [(m.file.name, m.data) for m in modules] + consistency.exam_sources(REPO / "content")
    return modules, sources


def test_each_person_has_one_age_and_one_pronoun(bank):
    found = consistency.people_problems(bank[1])
    print("\n".join(found) or "no conflicts")
    assert not found, "people change between places (content/AUTHORING.md §4):\n" + "\n".join(found)


def test_multiple_select_twins_have_the_same_number_correct(bank):
    found = consistency.twin_count_problems(bank[0])
    print("\n".join(found) or "all twins match")
    assert not found, "\n".join(found)


def test_options_that_enact_an_act_carry_its_tag(bank):
    found = consistency.act_tag_problems(bank[1])
    print("\n".join(found) or "every matching option is tagged")
    assert not found, f"{len(found)} untagged options read like a defined act:\n" + "\n".join(found)


def _scenario(sid, situation, options, slot=None):
    return {"id": sid, **({"slot": slot} if slot else {}), "kind": "graded", "title": "t", "principles": ["K1"],
            "start": "a", "nodes": [{"id": "a", "situation": situation, "question": "q", "options": [
                {"id": f"o{i}", "text": t, "rating": r, "feedback": "f", "principles": ["K1"], "next": "end",
                 **extra} for i, (t, r, extra) in enumerate(options)]}, {"id": "end", "situation": "Done."}]}


def _item(iid, prompt, options, slot=None, type_="single"):
    opts = [{"id": f"o{i}", "text": t, **({"correct": r} if type_ == "multiple" else {"rating": r}),
             "feedback": "f", **extra} for i, (t, r, extra) in enumerate(options)]
    return {"id": iid, **({"slot": slot} if slot else {}), "kind": "graded", "type": type_, "principles": ["K1"],
            "prompt": prompt, "options": opts}


def _src(name, items=(), scenarios=()):
    return (name, {"id": Path(name).stem, "items": list(items), "scenarios": list(scenarios)})


def test_people_check_finds_two_ages_and_two_pronouns():
    a = _src("01_a.yaml", scenarios=[_scenario("s1", "Zorana, 34, comes to the center. She looks tired.",
                                               [("Say hello to her", "best", {})])])
    b = _src("02_b.yaml", items=[_item("q1", "Zorana is 41. She asks about a job.", [("Listen", "best", {})])])
    c = _src("03_c.yaml", items=[_item("q2", "Zorana says his bus was late.", [("Listen to him", "best", {})])])
    found = consistency.people_problems([a, b, c])
    assert any("'Zorana' has 2 ages" in p and "34 in 01_a.yaml s1" in p and "41 in 02_b.yaml q1" in p
               for p in found), found
    assert any("'Zorana' is both 'he' and 'she'" in p and "03_c.yaml q2" in p for p in found), found
    assert consistency.people_problems([a]) == []


def test_people_check_ignores_a_second_person_and_titles_agree():
    # "his brother" speaks of another man: Zorana's pronoun is not read from this text
    a = _src("01_a.yaml", items=[_item("q1", "Zorana, 34, says his brother called.", [("Listen", "best", {})])])
    b = _src("02_b.yaml", items=[_item("q2", "Zorana, 34, says she is tired.", [("Listen", "best", {})])])
    assert consistency.people_problems([a, b]) == []
    c = _src("03_c.yaml", items=[_item("q3", "Mrs. Okafor is 70. Mr. Okafor is 72.", [("Listen", "best", {})])])
    assert consistency.people_problems([c]) == []  # Mrs. Okafor and Mr. Okafor are two people


def _module(data: dict, name: str) -> Module:
    return Module({"id": Path(name).stem, **data}, Path(name))


def test_twin_count_check():
    opts4 = [("a", True, {}), ("b", True, {}), ("c", True, {}), ("d", False, {})]
    opts2 = [("a", True, {}), ("b", True, {}), ("c", False, {}), ("d", False, {})]
    bad = _module({"items": [_item("m1", "p", opts4, type_="multiple"),
                             _item("m1_v2", "p", opts2, slot="m1", type_="multiple")]}, "01_a.yaml")
    found = consistency.twin_count_problems([bad])
    assert len(found) == 1 and "'m1'" in found[0] and "m1 3" in found[0] and "m1_v2 2" in found[0]
    good = _module({"items": [_item("m1", "p", opts2, type_="multiple"),
                              _item("m1_v2", "p", list(reversed(opts2)), slot="m1", type_="multiple")]}, "01_a.yaml")
    assert consistency.twin_count_problems([good]) == []


@pytest.mark.parametrize("act, text", [
    ("promises_total_secrecy", "\"I promise I won't tell anyone.\""),
    ("promises_outcome", "Tell him he will get better soon"),
    ("gives_personal_contact", "Give her your personal number"),
    ("gives_medical_advice", "Tell him to stop taking his medication"),
    ("emergency_call", "Call 911 right away"),
    ("pushes_own_path", "Tell her the steps that worked for you"),
    ("claims_false_rule", "Say peer workers are not allowed to talk about medication"),
    ("corrects_own_terms", "Tell him to say \"a person with schizophrenia\" instead"),
    ("leaves_report_to_others", "Let your coworker make the call, since she knows the hotline"),
    ("dual_role", "Hire him to paint your porch"),
    ("discloses_for_self", "Tell him your whole story"),
])
def test_act_check_flags_an_untagged_option_and_respects_tag_and_waiver(act, text):
    def found(extra):
        return consistency.untagged_acts([_src("01_a.yaml", items=[_item("q", "p", [(text, "harmful", extra),
                                                                                        ("Listen", "best", {})])])])
    assert [(w, a) for _, w, a, _, _ in found({})] == [("q.o0", act)]
    assert found({"act": act}) == []
    assert found({"not_act": [act]}) == []
    assert consistency.untagged_acts([_src("01_a.yaml", scenarios=[_scenario("s", "x", [(text, "harmful", {})])])])


def test_act_check_leaves_keys_that_only_resemble_an_act():
    for text in ("Say you can't lend money, and help her find a food pantry",
                 "Kindly say you don't give your personal number to anyone",
                 "\"Let's file a complaint together today.\"",
                 "Encourage him to talk to his doctor before he stops his medication"):
        assert consistency.untagged_acts([_src("01_a.yaml", items=[_item("q", "p", [(text, "best", {})])])]) == [], text
    waiver = [_src("01_a.yaml", items=[_item("q", "p", [("Listen", "best", {"not_act": ["no_such_act"]})])])]
    assert any("not_act 'no_such_act'" in p for p in consistency.act_tag_problems(waiver))


def test_validation_runs_the_consistency_checks(tmp_path):
    """`cps-course validate` (load_course) reports a person given two ages in a copy of the course."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    files = sorted((tmp_path / "content" / "modules").glob("*.yaml"))
    for f, age in ((files[0], 30), (files[1], 40)):
        data = yaml.safe_load(f.read_text())
        item = next(it for it in data["items"] if it["type"] == "single")
        item["prompt"] = f"Zebulon, {age}, asks for help. " + item["prompt"]
        f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(ContentError) as err:
        load_course(tmp_path)
    assert any("person 'Zebulon' has 2 ages: 30 in 01_" in p and "40 in 02_" in p for p in err.value.problems), \
        [p for p in err.value.problems if "Zebulon" in p]


def test_every_act_with_a_pattern_is_in_the_authoring_table():
    text = (REPO / "content" / "AUTHORING.md").read_text()
    table = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert set(consistency.ACT_PATTERNS) <= table, set(consistency.ACT_PATTERNS) - table
    for act in consistency.ACT_PATTERNS:
        assert f"`{act}`" in text.split("**Every option that enacts an act carries its tag.**")[1], act
