"""Content schema and semantic checks: good content loads; bad content fails naming file, item and problem."""

from __future__ import annotations

import copy

import pytest
from helpers import MODULE, module, write_course

from cps_ethics.errors import ContentError
from cps_ethics.model.content import load_course


def problems_for(tmp_path, mod=None, principles=None, raw=None) -> list[str]:
    root = write_course(tmp_path, [mod] if mod is not None else None, principles)
    if raw is not None:
        (root / "content" / "modules" / "01_test.yaml").write_text(raw)
    with pytest.raises(ContentError) as e:
        load_course(root)
    return e.value.problems


def test_good_module_loads(tmp_path):
    course = load_course(write_course(tmp_path))
    assert [m.id for m in course.modules] == ["01_test"]
    assert course.find("t_scn")[0] == "scenario"
    assert course.find("t_single")[1]["points"] == 2
    assert course.find("nope") is None


def test_repo_content_is_valid(repo):
    course = load_course(repo)
    assert course.modules and all(m.items() or m.exam for m in course.modules)


def test_bad_rating_names_file_item_and_option(tmp_path):
    m = module()
    m["items"][0]["options"][1]["rating"] = "great"
    [p] = problems_for(tmp_path, m)
    assert "01_test.yaml" in p and "'t_single'" in p and "'b'" in p and "rating" in p and "'great'" in p


def test_missing_required_field(tmp_path):
    m = module()
    del m["items"][1]["rationale"]
    probs = problems_for(tmp_path, m)
    assert any("'t_multi'" in p and "rationale" in p for p in probs)


def test_unknown_field_is_rejected(tmp_path):
    m = module()
    m["items"][0]["answer_key"] = "a"
    probs = problems_for(tmp_path, m)
    assert any("'t_single'" in p and "answer_key" in p for p in probs)


def test_unknown_principle_key(tmp_path):
    m = module()
    m["items"][0]["principles"] = ["K99"]
    probs = problems_for(tmp_path, m)
    assert any("item 't_single'" in p and "unknown principle key 'K99'" in p for p in probs)


def test_scenario_option_unknown_principle(tmp_path):
    m = module()
    m["scenarios"][0]["nodes"][0]["options"][0]["principles"] = ["K42"]
    probs = problems_for(tmp_path, m)
    assert any("scenario 't_scn' > node 'a' > option 'good'" in p and "K42" in p for p in probs)


def test_layout_must_place_every_item_once(tmp_path):
    m = module(layout=[x for x in MODULE["layout"] if x != "item:t_multi"] + ["item:nothing"])
    probs = problems_for(tmp_path, m)
    assert any("'item:t_multi' must appear exactly once" in p for p in probs)
    assert any("'item:nothing' is not defined" in p for p in probs)


def test_layout_needs_progress(tmp_path):
    probs = problems_for(tmp_path, module(layout=[x for x in MODULE["layout"] if x != "progress"]))
    assert any("progress" in p for p in probs)


def test_single_needs_a_best_option(tmp_path):
    m = module()
    m["items"][0]["options"][0]["rating"] = "acceptable"
    assert any("'t_single'" in p and "no option is rated 'best'" in p for p in problems_for(tmp_path, m))


def test_multiple_needs_correct_and_incorrect(tmp_path):
    m = module()
    for o in m["items"][1]["options"]:
        o["correct"] = True
    assert any("'t_multi'" in p and "one correct and one incorrect" in p for p in problems_for(tmp_path, m))


def test_matching_answer_must_be_a_choice(tmp_path):
    m = module()
    m["items"][2]["pairs"][0]["answer"] = "k9"
    assert any("pair 'p1'" in p and "'k9'" in p for p in problems_for(tmp_path, m))


def test_ordering_step_ids_cannot_hint_at_the_order(tmp_path):
    m = module()
    m["items"][3]["steps"][0]["id"] = "step1"
    assert any("'t_order'" in p and "steps" in p for p in problems_for(tmp_path, m))


def test_ids_are_unique_across_modules(tmp_path):
    m2 = module(id="02_other", notebook="other")
    root = write_course(tmp_path, [module(), m2])
    with pytest.raises(ContentError) as e:
        load_course(root)
    assert any("'t_single' is already used" in p for p in e.value.problems)


def test_file_name_must_match_id(tmp_path):
    root = write_course(tmp_path)
    (root / "content" / "modules" / "01_test.yaml").rename(root / "content" / "modules" / "01_renamed.yaml")
    with pytest.raises(ContentError) as e:
        load_course(root)
    assert any("must match the file name" in p for p in e.value.problems)


def test_invalid_yaml_names_the_line(tmp_path):
    [p] = problems_for(tmp_path, raw="schema_version: 1\nid: [unclosed\n")
    assert "01_test.yaml" in p and "not valid YAML" in p and "line" in p


def test_wrong_schema_version(tmp_path):
    assert any("schema_version" in p for p in problems_for(tmp_path, module(schema_version=2)))


def test_scenario_graph_problems_are_reported(tmp_path):
    m = module()
    sc = copy.deepcopy(m["scenarios"][0])
    sc["nodes"][1]["options"][0]["next"] = "a"  # a cycle: a -> b -> a
    sc["nodes"].append({"id": "island", "situation": "Never reached."})
    sc["nodes"][0]["options"][1]["next"] = "nowhere"
    m["scenarios"] = [sc]
    probs = problems_for(tmp_path, m)
    assert any("scenario 't_scn'" in p and "missing node 'nowhere'" in p for p in probs)


def test_cycles_and_unreachable_nodes(tmp_path):
    m = module()
    sc = m["scenarios"][0]
    sc["nodes"][1]["options"][0]["next"] = "a"
    sc["nodes"].append({"id": "island", "situation": "Never reached."})
    probs = problems_for(tmp_path, m)
    assert any("path never ends" in p and "a -> b -> a" in p for p in probs)
    assert any("'island' cannot be reached" in p for p in probs)


def test_principles_file_is_checked(tmp_path):
    bad = {"schema_version": 1, "principles": [{"key": "k1", "group": "principle", "name": "x",
                                                   "statement": "y", "sources": ["ftp://x"], "status": "verified"}]}
    probs = problems_for(tmp_path, principles=bad)
    assert any("principles.yaml" in p and "key" in p for p in probs)
    assert any("sources" in p for p in probs)
