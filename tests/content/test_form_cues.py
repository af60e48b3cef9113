"""Invariant 9: the form of the options gives nothing away, and the same act is rated the same way everywhere.

The guard runs the course's form adversary (cps_ethics.authoring.formcues) over the graded bank: every
rule-based strategy may earn at most RULE_MARGIN points above random guessing, and every trained model at
most MODEL_MARGIN, on each kind of graded place (single choice, scenario decisions, multiple select), for the
modules and for the exam-only bank apart. Each test prints its figures. The last tests seed a synthetic bank
with a cue, one strategy family at a time, and check that the guard catches it (and passes a bank without).
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from contentlib import REPO

from cps_ethics.authoring import formcues, formcues_models
from cps_ethics.model.content import Module, act_problems, acts, load_course

RULE_MARGIN = formcues.RULE_MARGIN  # 10 points above random for a rule (longest, supervisor, twin, ...)
MODEL_MARGIN = formcues.MODEL_MARGIN  # 15 points above random for a trained model (lr_words, lr_within)
KEY_LONGEST_MAX = 40.0  # percent of single-choice questions and scenario decisions whose key is the longest

needs_sklearn = pytest.mark.skipif(not formcues_models.available(), reason="scikit-learn is in the [test] extra")


@pytest.fixture(scope="module")
def adversary():
    places = formcues.bank(formcues.load_sources(REPO / "content"))
    return places, formcues.evaluate(places)


def _groups(places, which):
    if which == "exam":
        return [formcues.EXAM]
    return sorted({p.group for p in places if p.group != formcues.EXAM})


@needs_sklearn
@pytest.mark.parametrize("family", ["rules", "models"])
@pytest.mark.parametrize("kind", formcues.KINDS)
@pytest.mark.parametrize("which", ["modules", "exam"])
def test_choosing_by_form_earns_near_chance(adversary, which, kind, family):
    places, credits = adversary
    groups = _groups(places, which)
    if not any(p.group in groups and p.kind == kind for p in places):
        pytest.skip(f"no graded {kind} places in the {which}")
    fig = formcues.figures(places, credits, groups)
    rule_names, model_names = formcues.strategies(kind)
    names = rule_names if family == "rules" else model_names
    limit = RULE_MARGIN if family == "rules" else MODEL_MARGIN
    f = fig[kind]
    print(f"{which}, {formcues.KIND_NAMES[kind]} ({f['n']}): random {f['random']}%; "
          + ", ".join(f"{s} {f[s]}%" for s in names))
    over = {s: f[s] for s in names if f[s] > f["random"] + limit}
    assert not over, (
        f"a trainee who picks by the form of the options earns more than {limit:.0f} points above random "
        f"guessing ({f['random']}%) on the {which}' {formcues.KIND_NAMES[kind]}: {over}. "
        f"Rewrite the options by content/AUTHORING.md §1; the places that give most away:\n"
        + "\n".join(formcues.give_aways([p for p in places if p.kind == kind],
                                        [c for p, c in zip(places, credits) if p.kind == kind], 25, groups)))


def test_key_is_rarely_the_longest_option(adversary):
    places, _ = adversary
    ds = [p for p in places if p.kind != "multiple" and p.group != formcues.EXAM]
    longest = sum(any(len(t) == max(map(len, p.texts)) and v == 1.0 for t, v in zip(p.texts, p.value)) for p in ds)
    pct = round(100 * longest / len(ds), 1)
    print(f"key is the longest option in {pct}% of {len(ds)} decisions")
    assert pct <= KEY_LONGEST_MAX


def test_multiple_select_items_vary_in_how_many_are_correct(adversary):
    places, _ = adversary
    counts = Counter(int(sum(p.value)) for p in places if p.kind == "multiple")
    print("correct options per multiple-select item:", dict(counts))
    assert len(counts) >= 2, f"every multiple-select item has {set(counts)} correct options"
    assert max(counts.values()) <= 0.6 * sum(counts.values()), f"one count dominates: {dict(counts)}"


def test_same_act_same_rating_everywhere():
    course = load_course(REPO, validate=False)  # this test is the check; validation would stop at the first
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


def test_act_check_names_both_places():
    a = _module({"items": [_single("q1", [("x", "t", "harmful", "keeps_secret"), ("y", "u", "best", None)])],
                 "scenarios": []}, "01_a.yaml")
    b = _module({"items": [_single("q2", [("x", "t", "acceptable", "keeps_secret"), ("y", "u", "best", None)])],
                 "scenarios": []}, "02_b.yaml")
    problems = act_problems([a, b])
    assert len(problems) == 1 and "q1.x in 01_a.yaml is harmful" in problems[0] and "q2.x" in problems[0]


# --- the guard catches a seeded cue ------------------------------------------------------------------------

NEUTRAL = ("meet walk plan note visit write bring wait cafe park bus letter garden bench lunch street map "
           "morning paper chair window table corner station market river bridge ticket bakery poster "
           "library schedule kitchen hallway lobby radio jacket basket").split()


def _text(rng, n=None):
    return " ".join(rng.choice(NEUTRAL) for _ in range(n or rng.randint(5, 8))).capitalize()


# family -> (kinds it plays, how to seed: f(rng, text, is_key, position) -> text, strategy it must trip)
SEEDS = {
    "length": (("single", "scenario"), lambda rng, t, key, i: t + (" " + _text(rng, 8) if key else ""), "longest"),
    "absolute": (("single", "scenario", "multiple"),
                 lambda rng, t, key, i: t if key else t + " every time", "no_absolute"),
    "excuse": (("single", "scenario", "multiple"),
               lambda rng, t, key, i: t if key else t + ", since it is easier", None),
    "hiding": (("single", "scenario"), lambda rng, t, key, i: t if key else t + ", and keep it between you",
               "no_hiding"),
    "supervisor": (("single", "scenario"), lambda rng, t, key, i: t + (", and tell your supervisor" if key else ""),
                   "supervisor"),
    "asks": (("single", "scenario"), lambda rng, t, key, i: t + (", and ask her what she wants" if key else ""),
             "asks_person"),
    "warmth": (("single", "scenario"), lambda rng, t, key, i: ("Thank her, then " if key else "") + t,
               "warm_offer"),
    "choice": (("single", "scenario"), lambda rng, t, key, i: t + (", as it is her choice" if key else ""),
               "their_choice"),
    "select_all": (("multiple",), lambda rng, t, key, i: t, "select_all"),  # four of five options correct
    "clinical": (("multiple",), lambda rng, t, key, i: t if key else t + " of symptoms", "drop_clinical"),
    "odd_one_out": (("multiple",), lambda rng, t, key, i: "Garden bench garden bench " + t if key else
                    "Quantum zebra xylophone", "odd_one_out"),
    "twin": (("single", "scenario", "multiple"), lambda rng, t, key, i: "Ticket bakery poster radio" if key else t,
             "twin_similarity"),
    "models": (("single", "scenario", "multiple"), lambda rng, t, key, i: t + (" zorblat" if key else " plinth"), "lr_"),
}
EXCUSE_STRATEGY = {"single": "no_excuse", "scenario": "no_excuse", "multiple": "drop_excuse"}


def synthetic_bank(seed_family: str | None, modules: int = 5, per_module: int = 16, seed: int = 7):
    """Module dicts with graded single items, scenarios and multiple-select items of neutral wording, twins
    in slots; with `seed_family`, the keys (or the wrong options) carry that family's cue."""
    rng = random.Random(seed)
    mark = SEEDS[seed_family][1] if seed_family else (lambda rng, t, key, i: t)
    twin_text = seed_family == "twin"
    out = []
    for m in range(modules):
        items, scenarios = [], []
        for q in range(per_module):
            base = f"m{m}q{q}"
            for v in ("", "_v2"):
                key = rng.randrange(4)
                opts = []
                for i in range(4):
                    t = mark(rng, _text(rng), i == key, i) if not twin_text or i == key else _text(rng)
                    opts.append({"id": f"o{i}", "text": t, "rating": "best" if i == key else
                                 rng.choice(["harmful", "acceptable"]), "feedback": "f"})
                items.append({"id": base + v, **({"slot": base} if v else {}), "kind": "graded", "type": "single",
                              "principles": ["K1"], "prompt": _text(rng), "options": opts})
                n_correct = 4 if seed_family in ("odd_one_out", "select_all") else rng.choice([1, 2, 3, 4])
                right = set(rng.sample(range(5), n_correct))
                mopts = []
                for i in range(5):
                    t = mark(rng, _text(rng), i in right, i) if not twin_text or i in right else _text(rng)
                    mopts.append({"id": f"o{i}", "text": t, "correct": i in right, "feedback": "f"})
                items.append({"id": f"{base}m{v}", **({"slot": f"{base}m"} if v else {}), "kind": "graded",
                              "type": "multiple", "principles": ["K1"], "prompt": _text(rng), "options": mopts})
                nodes = []
                for n in range(2):
                    key = rng.randrange(3)
                    nodes.append({"id": f"n{n}", "situation": _text(rng), "options": [
                        {"id": f"o{i}", "text": mark(rng, _text(rng), i == key, i) if not twin_text or i == key
                         else _text(rng), "rating": "best" if i == key else rng.choice(["harmful", "acceptable"]),
                         "feedback": "f", "next": "end"} for i in range(3)]})
                scenarios.append({"id": f"{base}s{v}", **({"slot": f"{base}s"} if v else {}), "kind": "graded",
                                  "nodes": nodes})
        out.append((f"{m:02d}_synthetic", f"{m:02d}_synthetic.yaml", {"items": items, "scenarios": scenarios}))
    return out


def _over(family: str | None, with_models: bool) -> dict[str, list[str]]:
    places = formcues.bank(synthetic_bank(family))
    fig = formcues.figures(places, formcues.evaluate(places, with_models=with_models))
    print(family, {k: {s: v for s, v in f.items()} for k, f in fig.items()})
    return {k: [line.split(":")[1].split()[0] for line in formcues.over_limits(fig) if line.startswith(k + ":")]
            for k in formcues.KINDS}


@needs_sklearn
def test_guard_holds_on_a_bank_without_cues():
    over = _over(None, with_models=True)
    assert not any(over.values()), f"the neutral synthetic bank trips the guard: {over}"


@pytest.mark.parametrize("family", sorted(SEEDS))
def test_guard_fails_on_a_bank_seeded_with_a_cue(family):
    if family == "models" and not formcues_models.available():
        pytest.skip("scikit-learn is in the [test] extra")
    kinds, _, strategy = SEEDS[family]
    over = _over(family, with_models=family == "models")
    for kind in kinds:
        want = strategy or EXCUSE_STRATEGY[kind]
        assert any(s.startswith(want) for s in over[kind]), (
            f"keys seeded with the {family} cue: the guard does not flag {want} on {kind} ({over[kind]})")


@needs_sklearn
def test_explain_lists_the_places_a_model_wins_with_the_key_on_top(tmp_path, capsys):
    places = formcues.bank(synthetic_bank("models"))
    probs: dict = {}
    formcues.evaluate(places, probs=probs)
    groups = sorted({p.group for p in places})
    lines = formcues.explain(places, probs, groups)
    heads = [i for i, line in enumerate(lines) if not line.startswith("    ")]
    assert len(heads) >= 10, "a bank whose keys share a voice: the model wins many places, and each is listed"
    first_options = [lines[i + 1] for i in heads]
    assert sum("KEY" in line for line in first_options) >= 0.8 * len(heads), (
        "in a place the model wins, its most likely option is mostly the key: " + "\n".join(lines[:12]))


def test_formcues_refuses_an_unknown_module_with_the_list_of_groups(capsys):
    assert formcues.main(["--content", str(REPO / "content"), "--module", "nope", "--no-models"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "01_why_a_code" in err and "exam" in err


def test_twin_ticks_copy_the_closest_seen_option_and_never_the_first_listed_on_a_tie():
    from cps_ethics.authoring import formcues_rules as rules

    seen = [("Ask the person what they want", False), ("Offer the phone number", True),
            ("Call the supervisor today", True)]
    ticks = rules.twin_ticks(["Offer a phone number", "Ask what they want", "Zebra crossing lights"], seen)
    assert ticks[:2] == [True, False], "an option copies the truth of the seen option it shares most words with"
    assert ticks[2] is True, "no shared word: what most seen options are (2 of 3 true), not the first's False"
    assert rules.twin_ticks(["Zebra"], [("Walk", False), ("Run", False), ("Hop", True)]) == [False]
