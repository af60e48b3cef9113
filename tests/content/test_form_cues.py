"""Invariant 9: the form of the options gives nothing away, and the same act is rated the same way everywhere.

The figures are exact expectations under the course's own scoring rules (cps_ethics.authoring.formcues); each test
prints them, so a run shows how far the bank is from the limits.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from cps_ethics.authoring import formcues
from cps_ethics.model.content import Module, act_problems, acts

MARGIN = 10.0  # percentage points above random guessing that a form-only strategy may earn
KEY_LONGEST_MAX = 40.0  # percent of single-choice questions and scenario decisions


@pytest.fixture(scope="module")
def figures(course):
    f = formcues.figures(course.modules)
    print("\nform cues, whole course:", json.dumps(f))
    return f


@pytest.mark.parametrize("part", ["items", "scenarios"])
@pytest.mark.parametrize("strategy", ["longest", "no_absolute"])
def test_choosing_by_form_earns_near_chance(figures, course, part, strategy):
    got, chance = figures[part][strategy], figures[part]["random"]
    print(f"{part}: {strategy} earns {got}%, random guessing {chance}%")
    assert got <= chance + MARGIN, (
        f"a trainee who picks by form ({strategy}) earns {got}% of graded {part} points, random guessing "
        f"{chance}%: more than {MARGIN} points above chance. Worst cases:\n"
        + "\n".join(formcues.worst(course.modules)))


def test_key_is_rarely_the_longest_option(figures, course):
    print(f"key is the longest option in {figures['key_longest_pct']}% of {figures['decisions']} decisions")
    assert figures["key_longest_pct"] <= KEY_LONGEST_MAX, (
        f"the keyed option is the longest in {figures['key_longest_pct']}% of single-choice questions and "
        f"scenario decisions (limit {KEY_LONGEST_MAX}%). Widest gaps:\n" + "\n".join(formcues.worst(course.modules)))


def test_multiple_select_items_vary_in_how_many_are_correct(figures):
    counts = Counter(figures["multiple_correct_counts"])
    print("correct options per multiple-select item:", dict(counts))
    assert len(counts) >= 2, f"every multiple-select item has {set(counts)} correct options"
    assert max(counts.values()) <= 0.6 * sum(counts.values()), f"one count dominates: {dict(counts)}"


def test_same_act_same_rating_everywhere(course):
    tagged = acts(course.modules)
    print("acts:", {a: sorted({r for r, _, _ in uses}) for a, uses in sorted(tagged.items())})
    assert not act_problems(course.modules)
    assert len(tagged) >= 4, "the acts the course rates in several places are tagged (content/AUTHORING.md)"
    assert sum(len(u) >= 2 for u in tagged.values()) >= 4, "several acts are tagged in more than one place"


def _module(data: dict, name: str = "99_test.yaml") -> Module:
    from pathlib import Path

    return Module(data, Path(name))


def _single(item_id, options, act=None):
    return {"id": item_id, "kind": "graded", "type": "single", "principles": ["K1"], "prompt": "p",
            "rationale": "r", "options": [dict(id=i, text=t, rating=r, feedback="f", **({"act": a} if a else {}))
                                          for i, t, r, a in options]}


def test_guards_catch_a_bank_that_gives_answers_away():
    """The checks themselves fail on a bank whose key is always the longest and carries no absolute word."""
    items = [_single(f"q{n}", [("a", "A careful, complete and well explained answer", "best", None),
                               ("b", "Never do it", "harmful", None), ("c", "Always wait", "acceptable", None)])
             for n in range(5)]
    f = formcues.figures([_module({"items": items, "scenarios": []})])
    assert f["items"]["longest"] == 100.0 and f["items"]["random"] == 50.0
    assert f["items"]["no_absolute"] == 100.0
    assert f["key_longest_pct"] == 100.0


def test_act_check_names_both_places():
    a = _module({"items": [_single("q1", [("x", "t", "harmful", "keeps_secret"), ("y", "u", "best", None)])],
                 "scenarios": []}, "01_a.yaml")
    b = _module({"items": [_single("q2", [("x", "t", "acceptable", "keeps_secret"), ("y", "u", "best", None)])],
                 "scenarios": []}, "02_b.yaml")
    problems = act_problems([a, b])
    assert len(problems) == 1 and "q1.x in 01_a.yaml is harmful" in problems[0] and "q2.x" in problems[0]

