"""Course-wide consistency rules that a program can check (content/AUTHORING.md §3 and §4).

- People: a named person has one age and one pronoun across the whole course (modules and the exam-only
  bank). Ages are read from "<Name>, 34," and "<Name> is 34"; pronouns from the first he/she word after the
  name in the same sentence and the same quotation, with no other person in between ("Quinn hates his job").
  A conflict lists every place with the value it found there.
- Multiple-select twins (two variants of one slot) have the same number of correct options.
- Acts: a single-choice or scenario option whose wording matches an act's pattern (ACT_PATTERNS) carries that
  act's tag. An option that matches but does not enact the act says so with `not_act: [<act>]`.

`problems(modules, content_dir)` returns every finding as a line; cps_ethics.model.content runs it in
validation, and tests/content/test_consistency.py shows each kind.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

_I = re.IGNORECASE

# act -> a pattern of wording that enacts it (kept narrow: a match without the tag is almost always a miss)
ACT_PATTERNS: dict[str, re.Pattern] = {
    "promises_total_secrecy": re.compile(
        r"(\bI (promise|won't|will not|will never) (I won't |not to )?(tell|say a word|share)|stays? (just )?between "
        r"(us|you and me)|won't leave this room|(this|it) stays (with me|here)\b)(?!.*\b(unless|except)\b)", _I),
    "promises_outcome": re.compile(
        r"(\b(I'll|I will|we'll|we will) make sure (?!to\b)(?!you (know|have|can)\b)|\bI promise you\b|\b(I|we|the team) will get (you|to)\b|\b(he|she|they|you) will "
        r"(get better|be fine|be OK|be okay|recover)\b|\bguarantee|won't get in (any )?trouble)", _I),
    "gives_personal_contact": re.compile(
        r"^(?!.*\b(work (phone|email|number|account)|not (your|my) (personal|own)|(don't|do not|never|won't) give|"
        r"keep (your|my) (personal|own) \w+ private)\b).*(\b(your|my) (own |personal |home |cell )(phone|number|"
        r"email|e-mail|account|cell)\b|\bpersonal (phone|number|email|e-mail|account)\b|\b(add|follow|friend) "
        r"(him|her|them) (back|on)\b|\baccept (the|his|her|their) (friend )?request)", _I),
    "gives_medical_advice": re.compile(
        r"^(?!.*\b(doctor|prescriber|psychiatrist|nurse|care team)\b).*(\b(stop|start|quit|skip|change|lower|raise|"
        r"double|switch|keep taking)\w* (taking )?(his|her|their|your|the|a|any)? ?(meds|medications?|medicines?|"
        r"pills|dose)\b|\bname a medication)", _I),
    "emergency_call": re.compile(r"\b(call|dial|phone)\w* 911\b", _I),
    "pushes_own_path": re.compile(
        r"(\b(worked|helped) (best )?for (me|you)\b|\b(steps|plan|path) (that )?(I|you) (followed|used|took)\b|"
        r"\bdo what (I|you) did\b|\bdo the same\b|made the difference for (me|you)|helped (me|you) a lot|"
        r"\bwhat helped you\b.{0,40}\b(same|should|start)|\btry your plan\b)", _I),
    "discloses_for_self": re.compile(r"\b(your|my) ((full|whole) )?(recovery )?story from\b|\b(your|my) (full|whole) "
                                     r"(recovery )?story\b", _I),
    "claims_false_rule": re.compile(
        r"\b(before (he|she|they) can (join|come|get)|not allowed|aren't allowed|isn't allowed|rules? (don't|do not|"
        r"doesn't|does not) (let|allow)|against the rules|forbids?|forbidden)\b", _I),
    "corrects_own_terms": re.compile(
        r"(\b(is|are) the (better|right|proper|correct) (term|word|words|phrase)\b|\bsay [\"\u201c][^\"\u201d]+"
        r"[\"\u201d] instead\b|\b(suggest|explain|tell|teach|email|remind|agree)\w*\b.{0,40}\bperson-first\b|"
        r"\bperson-first (words|language) (would be|are|is) (kinder|better)|\b(say|use) [\"'\u201c\u2018][^\"\u201d]+"
        r"[\"'\u201d\u2019],? (not|instead)\b|\b(don't|should|to) say [\"'\u201c\u2018]|\bask \w+ to pick words\b|"
        r"\bhelp \w+ use it\b|\bcorrect (his|her|their) (words|term|"
        r"terms|language)\b)", _I),
    "leaves_report_to_others": re.compile(
        r"(\b(let (?!'s)|leave it to|leave the report to)\b.{0,40}\b(make the call|file|report|decide on a report)|"
        r"\bask\b.{0,40}\bto (phone|call|file)\b.{0,20}\b(hotline|DPPC|DCF|report)\b.{0,10}\bfor you\b)", _I),
    "dual_role": re.compile(r"^(?!.*\b(can't|cannot|can not|don't|do not|won't|not)\b.{0,12}\b(hire|lend|loan|borrow))"
                           r".*\b(hire|lend|loan|borrow)\w*\b(?! (a hand|an ear|support))", _I),
}

_AGE = re.compile(r"\b((?:Mr|Mrs|Ms|Miss|Dr)\.? )?([A-Z][a-z]+)(?:, (?:who is )?| is )(\d{2})\b(?![\d%-]| ?percent"
                  r"| (?:days|hours|minutes|weeks|months|dollars|years? (?:ago|later|before|since|old when)))")
_PRONOUN = {"he": "he", "him": "he", "his": "he", "himself": "he", "she": "she", "her": "she", "hers": "she",
            "herself": "she"}
# a text with one of these words speaks of a second person, whose he or she could be taken for the named one's
_GENDERED = set("""mother mom father dad brother sister son daughter husband wife man woman men women boy girl
aunt uncle nephew niece grandson granddaughter grandmother grandfather boyfriend girlfriend grandma grandpa
stepfather stepmother fiance fiancee neighbor neighbour coworker co-worker friend boss supervisor landlord doctor
counselor nurse manager roommate partner clinician therapist teacher officer aide caseworker driver cousin""".split())
_NOT_PEOPLE = set("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December English Spanish""".split())
_TITLES = {"Mr": "he", "Mrs": "she", "Ms": "she", "Miss": "she"}
_SKIP_KEYS = {"id", "next", "slot", "kind", "type", "rating", "act", "not_act", "sources", "principles", "start",
              "correct", "answer", "points", "note", "schema_version", "topic", "layout", "notebook"}


def _strings(x, out: list[str]) -> list[str]:
    if isinstance(x, str):
        out.append(x)
    elif isinstance(x, dict):
        for k, v in x.items():
            if k not in _SKIP_KEYS:
                _strings(v, out)
    elif isinstance(x, list):
        for v in x:
            _strings(v, out)
    return out


def _units(sources):
    """(file, id, text) for every item, scenario and reflection of every source."""
    for file, data in sources:
        for seq in ("items", "scenarios", "reflections"):
            for x in data.get(seq, []) or []:
                if isinstance(x, dict):
                    yield file, x.get("id", "?"), "\n".join(_strings(x, []))


def _names(sources) -> set[str]:
    """Capitalised words used inside a sentence or before an age and never in lower case: names."""
    lower, inner = Counter(), set()
    for _, _, text in _units(sources):
        for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text):
            words = re.findall(r"[A-Za-z][A-Za-z'-]*", sentence)
            lower.update(w for w in words if w.islower())
            inner.update(w for w in words[1:] if w[0].isupper() and w[1:].islower() and "'" not in w)
            inner.update(name for _, name, _ in _AGE.findall(sentence))
    return {w for w in inner if w.lower() not in lower and w not in _TITLES and w not in _NOT_PEOPLE}


def people_problems(sources) -> list[str]:
    names = _names(sources)
    ages: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    pronouns: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for file, uid, text in _units(sources):
        where = f"{file} {uid}"
        for title, name, age in _AGE.findall(text):
            if name in names or title:
                key = f"{title}{name}".strip()
                if where not in ages[key][age]:
                    ages[key][age].append(where)
        # pronouns: a text that names one person and no other (no "his wife", "a man") uses one of he/she
        words = re.findall(r"[A-Za-z][A-Za-z-]*", text)
        for t, n in re.findall(r"\b(Mr|Mrs|Ms|Miss)\.? ([A-Z][a-z]+)", text):
            if where not in pronouns[f"{t}. {n}"][_TITLES[t]]:
                pronouns[f"{t}. {n}"][_TITLES[t]].append(where)
        here = {w for w in words if w in names}
        if len(here) != 1 or any(w.lower() in _GENDERED for w in words) or re.search(r"\b(Mr|Mrs|Ms|Miss)\b", text):
            continue
        classes = {_PRONOUN[w.lower()] for w in words if w.lower() in _PRONOUN}
        if len(classes) == 1:
            pronouns[here.pop()][classes.pop()].append(where)
    out = []
    for name, by in sorted(ages.items()):
        if len(by) > 1:
            out.append(f"person '{name}' has {len(by)} ages: " + "; ".join(
                f"{a} in {', '.join(ws)}" for a, ws in sorted(by.items())))
    for name, by in sorted(pronouns.items()):
        if len(by) > 1:
            out.append(f"person '{name}' is both 'he' and 'she': " + "; ".join(
                f"{p} in {', '.join(ws)}" for p, ws in sorted(by.items())))
    return out


def twin_count_problems(modules) -> list[str]:
    out = []
    for m in modules:
        for sid, (kind, xs) in m.slots().items():
            if kind != "item" or len(xs) < 2 or xs[0].get("type") != "multiple":
                continue
            counts = {x["id"]: sum(bool(o.get("correct")) for o in x["options"]) for x in xs}
            if len(set(counts.values())) > 1:
                out.append(f"{m.file.name}: multiple-select twins of slot '{sid}' differ in how many options are "
                           f"correct: " + ", ".join(f"{i} {n}" for i, n in counts.items()))
    return out


def _options(data):
    for it in data.get("items", []) or []:
        if isinstance(it, dict) and it.get("type") == "single":
            for o in it.get("options", []):
                yield f"{it['id']}.{o.get('id')}", o
    for sc in data.get("scenarios", []) or []:
        for n in sc.get("nodes", []) if isinstance(sc, dict) else []:
            for o in n.get("options", []) or []:
                yield f"{sc['id']}/{n.get('id')}.{o.get('id')}", o


def untagged_acts(sources) -> list[tuple[str, str, str, str, str]]:
    """(file, where, act, rating, text) for each untagged option whose wording matches an act's pattern."""
    out = []
    for file, data in sources:
        for where, o in _options(data):
            if "act" in o or not isinstance(o.get("text"), str):
                continue
            for act, rx in ACT_PATTERNS.items():
                if act not in (o.get("not_act") or []) and rx.search(o["text"]):
                    out.append((file, where, act, o.get("rating", "?"), o["text"]))
    return out


def act_tag_problems(sources) -> list[str]:
    out = [f"{file}: option {where} ({rating}) reads like act '{act}' but has no act tag (tag it, or add "
           f"`not_act: [{act}]` if it does not enact it): \u201c{text}\u201d"
           for file, where, act, rating, text in untagged_acts(sources)]
    for file, data in sources:
        for where, o in _options(data):
            for act in o.get("not_act") or []:
                if act not in ACT_PATTERNS:
                    out.append(f"{file}: option {where}: not_act '{act}' is not an act with a wording pattern "
                               f"({', '.join(sorted(ACT_PATTERNS))})")
    return out


def exam_sources(content_dir: Path) -> list[tuple[str, dict]]:
    from .content import read_yaml

    folder = content_dir / "exam"
    out = []
    for f in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = read_yaml(f)
        if isinstance(data, dict):
            out.append((f"exam/{f.name}", data))
    return out


def problems(modules, content_dir: Path) -> list[str]:
    """Every consistency problem of the course's modules and exam-only bank, one line each."""
    sources = [(m.file.name, m.data) for m in modules] + exam_sources(content_dir)
    return people_problems(sources) + twin_count_problems(modules) + act_tag_problems(sources)
