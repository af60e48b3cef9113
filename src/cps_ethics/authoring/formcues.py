"""The form adversary: how much of the graded bank can a trainee who never opened a reading get right?

Invariant 9 of the design: choosing by the form of the options must earn near chance. Every figure is an
exact expectation under the course's own scoring (cps_ethics.model.scoring), over three kinds of graded
places: single-choice questions, scenario decisions (each decision point of a graded scenario) and
multiple-select questions (formcues_bank reads them). The strategies:
- rules (formcues_rules): length, absolute words, options that excuse themselves with a reason clause or
  announce that they hide something, the option naming the supervisor, policy or team, the option that
  asks the person, warmth, "their choice", the odd one out of a list, twin similarity (the option closest in
  wording to the key of the version the trainee saw: the slot's other variant; for the exam-only bank, the
  module question whose prompt is closest);
- trained models (formcues_models): logistic regression over the options' wording only, trained on the other
  modules and tested on each in turn.
The guard (tests/content/test_form_cues.py): every rule at most RULE_MARGIN points above random guessing on
each kind, every model at most MODEL_MARGIN.

    python -m cps_ethics.authoring.formcues [--content DIR] [--module ID ...] [--top N] [--no-models] [module.yaml ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from cps_ethics.authoring import formcues_models as models
from cps_ethics.authoring import formcues_rules as rules
from cps_ethics.authoring.formcues_bank import EXAM, Place, bank, load_sources  # noqa: F401 (the public API)

RULE_MARGIN = 10.0  # points above random a rule-based strategy may earn, on each kind
MODEL_MARGIN = 15.0  # points above random a trained model may earn, on each kind
KINDS = ("single", "scenario", "multiple")
KIND_NAMES = {"single": "graded single-choice questions", "scenario": "graded scenario decisions",
              "multiple": "graded multiple-select questions"}


def strategies(kind: str) -> tuple[list[str], list[str]]:
    """(rule names, model names) that play `kind`."""
    named = rules.MULTIPLE_RULES if kind == "multiple" else rules.DECISION_RULES
    return [*named, rules.TWIN], list(models.MODELS) if models.available() else []


def evaluate(places: list[Place], with_models: bool = True, probs: dict | None = None) -> list[dict[str, float]]:
    """Per place: {strategy: expected share of its points}, with 'random'. With `probs` (a dict), each model's
    per-option probabilities are stored there as probs[model][place index]."""
    out = []
    for p in places:
        got = {"random": p.random()}
        named = rules.MULTIPLE_RULES if p.kind == "multiple" else rules.DECISION_RULES
        for name, rule in named.items():
            got[name] = p.credit(rule(p.texts))
        if p.seen:
            twin = rules.twin_ticks if p.kind == "multiple" else (
                lambda ts, seen: rules.twin_scores(ts, [t for t, v in seen if v == 1.0]))
            got[rules.TWIN] = statistics.fmean(p.credit(twin(p.texts, seen)) for seen in p.seen)
        else:
            got[rules.TWIN] = got["random"]
        out.append(got)
    if with_models and models.available():
        for multiple in (False, True):
            idx = [i for i, p in enumerate(places) if (p.kind == "multiple") == multiple]
            got_probs = models.cross_validated([places[i].texts for i in idx],
                                           [[int(v == 1.0) for v in places[i].value] for i in idx],
                                           [places[i].group for i in idx])
            for name, per in got_probs.items():
                for i, ps in zip(idx, per):
                    if probs is not None:
                        probs.setdefault(name, {})[i] = ps
                    picks = [q >= 0.5 for q in ps] if multiple else ps
                    out[i][name] = places[i].credit(picks)
    return out


def figures(places: list[Place], credits: list[dict], groups=None) -> dict[str, dict]:
    """{kind: {'n': places, strategy: percent of points}} over the places of `groups` (all when None)."""
    out: dict[str, dict] = {}
    for kind in KINDS:
        rows = [(p, c) for p, c in zip(places, credits) if p.kind == kind and (groups is None or p.group in groups)]
        total = sum(p.weight for p, _ in rows)
        names = list(rows[0][1]) if rows else []
        out[kind] = {"n": len(rows), **{s: round(100 * sum(p.weight * c[s] for p, c in rows) / total, 1)
                                        for s in names}} if rows else {"n": 0}
    return out


def over_limits(fig: dict[str, dict]) -> list[str]:
    """Every strategy above its margin over random, in words; empty when the guard holds."""
    out = []
    for kind in KINDS:
        f = fig[kind]
        if not f.get("n"):
            continue
        rule_names, model_names = strategies(kind)
        for s in rule_names + model_names:
            if s not in f:
                continue
            limit = MODEL_MARGIN if s in model_names else RULE_MARGIN
            if f[s] > f["random"] + limit:
                out.append(f"{kind}: {s} earns {f[s]}% against random {f['random']}% "
                           f"(+{f[s] - f['random']:.1f}, limit +{limit:.0f})")
    return out


def give_aways(places: list[Place], credits: list[dict], top: int = 25, groups=None) -> list[str]:
    """The places that give most away: how many strategies pick only options worth full marks there."""
    rows = []
    for p, c in zip(places, credits):
        if groups is not None and p.group not in groups:
            continue
        solved = sorted(s for s, v in c.items() if s != "random" and v >= 0.999 and c["random"] < 0.999)
        gain = sum(v - c["random"] for s, v in c.items() if s != "random")
        if solved:
            rows.append((len(solved), gain, p, solved))
    rows.sort(key=lambda r: (-r[0], -r[1], r[2].where))
    return [f"{p.file} {p.where} ({p.kind}): full marks for {n} strategies: {', '.join(s)}"
            for n, _, p, s in rows[:top]]


def explain(places: list[Place], probs: dict, groups, model: str = "lr_within", limit: int = 0) -> list[str]:
    """Per decision of `groups` (single choice and scenarios) where `model` earns more than random: each option's
    probability under the model (trained on the other groups), its value, and its opening words; the places
    the model wins by most come first. This is the list an author works through."""
    rows = []
    for i, p in enumerate(places):
        if p.group not in groups or p.kind == "multiple" or i not in probs.get(model, {}):
            continue
        ps = probs[model][i]
        gain = p.credit(ps) - p.random()
        if gain <= 0:
            continue
        lines = [f"{p.file} {p.where} ({p.kind}): {model} earns {p.credit(ps):.2f} (random {p.random():.2f})"]
        for q, v, t in sorted(zip(ps, p.value, p.texts), key=lambda r: -r[0]):
            mark = "KEY " if v == 1.0 else f"{v:<4g}"
            lines.append(f"    {q:.2f} {mark} {t[:110]}")
        rows.append((-gain, p.where, lines))
    rows.sort(key=lambda r: (r[0], r[1]))
    out = [line for _, _, lines in rows for line in lines]
    return out[:limit] if limit else out


def _table(fig: dict) -> list[str]:
    names = []
    for kind in KINDS:
        for s in fig[kind]:
            if s != "n" and s not in names:
                names.append(s)
    lines = [f"  {'strategy':32}" + "".join(f"{k + ' (' + str(fig[k]['n']) + ')':>18}" for k in KINDS)]
    for s in names:
        cells = []
        for k in KINDS:
            f = fig[k]
            if s not in f:
                cells.append(f"{'-':>18}")
                continue
            models_k = strategies(k)[1]
            limit = MODEL_MARGIN if s in models_k else RULE_MARGIN
            mark = " !" if s != "random" and f[s] > f["random"] + limit else "  "
            diff = "" if s == "random" else f" ({f[s] - f['random']:+.1f})"
            cells.append(f"{f[s]:>9.1f}{diff:>7}{mark}")
        lines.append(f"  {s:32}" + "".join(cells))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cps_ethics.authoring.formcues", description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="module files: the same as --module with their names")
    ap.add_argument("--content", type=Path, help="a content folder (default: the course's content/)")
    ap.add_argument("--module", action="append", help="list give-aways and per-module figures only for these")
    ap.add_argument("--top", type=int, default=40, help="how many give-aways to list (default 40)")
    ap.add_argument("--no-models", action="store_true", help="rules only (no scikit-learn)")
    ap.add_argument("--words", type=int, default=0, metavar="N",
                    help="also list the N words and features that most mark keys and wrong options")
    ap.add_argument("--explain", action="store_true",
                    help="per decision the trained model wins, each option's probability (keys marked KEY)")
    args = ap.parse_args(argv)
    args.module = (args.module or []) + [f.stem for f in args.files] or None
    content = args.content
    if content is None:
        from cps_ethics.course import content_dir, require_root
        content = content_dir(require_root(Path.cwd()))
    places = bank(load_sources(content))
    known = sorted({p.group for p in places})
    unknown = [m for m in args.module or [] if m not in known]
    if unknown:
        print(f"error: no graded places in {', '.join(unknown)}; the groups are: {', '.join(known)}", file=sys.stderr)
        return 2
    probs: dict = {}
    credits = evaluate(places, with_models=not args.no_models, probs=probs)
    if not args.no_models and not models.available():
        print("(scikit-learn is not installed: trained models skipped; pip install scikit-learn)")
    print(f"Form adversary on {content}: expected % of points under the course's scoring; (+x) = points above "
          f"random guessing; ! = over the limit (rules +{RULE_MARGIN:.0f}, models +{MODEL_MARGIN:.0f})")
    module_groups = sorted({p.group for p in places if p.group != EXAM})
    blocks = [("modules (the graded bank)", module_groups)]
    if any(p.group == EXAM for p in places):
        blocks.append(("exam-only bank (content/exam)", [EXAM]))
    for title, groups in blocks:
        fig = figures(places, credits, groups)
        print(f"\n{title}:")
        print("\n".join(_table(fig)))
        bad = over_limits(fig)
        print(f"  guard: {'holds' if not bad else str(len(bad)) + ' strategies over the limit'}")
    chosen = args.module or module_groups + ([EXAM] if len(blocks) > 1 else [])
    print("\nper group: random / best rule / best model, per kind")
    for g in chosen:
        fig = figures(places, credits, [g])
        cells = []
        for k in KINDS:
            f = fig[k]
            if not f.get("n"):
                cells.append(f"{k}: -")
                continue
            r, m = strategies(k)
            br = max((s for s in r if s in f), key=f.get)
            bm = max((s for s in m if s in f), key=f.get, default=None)
            cells.append(f"{k} ({f['n']}): {f['random']} / {f[br]} {br}" + (f" / {f[bm]} {bm}" if bm else ""))
        print(f"  {g}: " + "; ".join(cells))
    if args.words and models.available():
        chosen_places = [p for p in places if p.kind != "multiple" and (not args.module or p.group in args.module)]
        keys, wrong = models.telling_terms([p.texts for p in chosen_places],
                                           [[int(v == 1.0) for v in p.value] for p in chosen_places], args.words)
        print("\nwhat marks a key (single choice and scenario decisions): " + ", ".join(f"{t} {w}" for t, w in keys))
        print("what marks a wrong option: " + ", ".join(f"{t} {w}" for t, w in wrong))
    if args.explain and probs:
        print("\nwhere the model (lr_within, trained on the other groups) wins, biggest wins first:")
        print("\n".join("  " + line for line in explain(places, probs, chosen)))
    print(f"\nplaces that give most away (top {args.top}):")
    print("\n".join("  " + line for line in give_aways(places, credits, args.top, args.module)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
