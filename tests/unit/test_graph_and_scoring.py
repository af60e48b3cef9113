"""Scenario graphs and scoring rules, with hand-computed values."""

from __future__ import annotations

import pytest
from helpers import MODULE, SCENARIO

from cps_ethics.model import graph, scoring

ITEMS = {it["id"]: it for it in MODULE["items"]}


def test_paths_enumerate_every_complete_route():
    assert sorted(graph.paths(SCENARIO)) == sorted([
        [("a", "good"), ("b", "good")], [("a", "good"), ("b", "bad")],
        [("a", "ok"), ("b", "good")], [("a", "ok"), ("b", "bad")],
        [("a", "bad")],
    ])


def test_max_points_best_path_and_depth():
    assert graph.max_points(SCENARIO) == 4  # best (2) + best (2)
    assert graph.best_path(SCENARIO) == [("a", "good"), ("b", "good")]
    assert graph.depth(SCENARIO) == 2
    assert graph.check(SCENARIO) == []


def test_check_finds_missing_best_option():
    sc = {**SCENARIO, "nodes": [dict(n) for n in SCENARIO["nodes"]]}
    sc["nodes"][1] = {**sc["nodes"][1], "options": [dict(o, rating="acceptable") for o in sc["nodes"][1]["options"]]}
    assert any("node 'b': no option is rated 'best'" in p for p in graph.check(sc))


@pytest.mark.parametrize("value, points", [("a", 2.0), ("b", 1.0), ("c", 0.0)])
def test_single_choice_partial_credit(value, points):
    assert scoring.score_item(ITEMS["t_single"], value).points == points


@pytest.mark.parametrize("value, points", [
    (["x", "y"], 1.0),          # both correct
    (["x"], 0.5),               # one of two
    (["x", "y", "z"], 0.5),     # 2 hits - 1 false alarm = 1 of 2
    (["x", "z", "w"], 0.0),     # 1 - 2 < 0 -> 0
    ([], 0.0),
    (["x", "x", "y"], 1.0),     # duplicates count once
])
def test_multiple_select(value, points):
    assert scoring.score_item(ITEMS["t_multi"], value).points == points


@pytest.mark.parametrize("value, points", [
    ({"p1": "k1", "p2": "k8", "p3": "k1"}, 3.0),
    ({"p1": "k1", "p2": "k1"}, 1.0),   # 1 of 3 right, 3 points -> 1
    ({"p1": "k8", "p2": "k1", "p3": "k8"}, 0.0),
    ({}, 0.0),
])
def test_matching(value, points):
    assert scoring.score_item(ITEMS["t_match"], value).points == points


@pytest.mark.parametrize("value, points", [
    (["notice", "ask", "act"], 3.0),
    (["ask", "notice", "act"], 2.0),   # pairs right: (notice,act), (ask,act) = 2 of 3
    (["act", "ask", "notice"], 0.0),
    (["notice", None, "act"], 1.0),    # only (notice, act) placed and right
    (["notice", "notice", "ask"], 1.0),  # first position counts; act missing
])
def test_ordering(value, points):
    assert scoring.score_item(ITEMS["t_order"], value).points == points


@pytest.mark.parametrize("value", ["zzz", 7, None, ["a"], {"a": 1}])
def test_malformed_single_answers_score_zero_with_a_reason(value):
    res = scoring.score_item(ITEMS["t_single"], value)
    assert res.points == 0 and res.problems


def test_malformed_other_answers():
    assert scoring.score_item(ITEMS["t_multi"], "x").problems
    assert scoring.score_item(ITEMS["t_match"], ["k1"]).problems
    assert scoring.score_item(ITEMS["t_order"], "notice").problems
    assert scoring.score_item(ITEMS["t_multi"], ["x", "nope"]).problems == ["ignored unknown option(s): 'nope'"]


@pytest.mark.parametrize("path, points, problem", [
    ([["a", "good"], ["b", "good"]], 4.0, None),
    ([["a", "ok"], ["b", "good"]], 3.0, None),
    ([["a", "bad"]], 0.0, None),
    ([["a", "good"]], 2.0, "not finished"),
    ([["a", "good"], ["a", "good"]], 2.0, "does not fit"),   # tampered: wrong node at step 2
    ([["a", "nope"]], 0.0, "does not fit"),
    ([["a", "bad"], ["b", "good"]], 0.0, "does not fit"),    # a step after an ending
    ("a", 0.0, "not a list"),
])
def test_scenario_paths(path, points, problem):
    res = scoring.score_scenario(SCENARIO, path)
    assert res.points == points
    assert res.max_points == 4.0
    if problem:
        assert any(problem in p for p in res.problems)
    else:
        assert res.problems == []
