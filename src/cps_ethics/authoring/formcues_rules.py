"""Rule-based form strategies: what a test-wise trainee who never opened a reading would pick.

Each strategy for a single-choice question or a scenario decision gives every option a score from its
wording alone; the trainee picks at random among the options with the top score, so a cue that points
nowhere (all options or none) is random guessing. A multiple-select strategy returns the options it ticks.
The cue words are the ones the two content reviews measured (../shared/reviews/content-review-*.md).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

ABSOLUTE = re.compile(
    r"\b(always|never|only|must|all|nothing|whatever|every|everything|everyone|everybody|nobody|none|"
    r"no one|completely|totally|entirely|any time|under no)\b", _I)
# the option excuses itself: a reason clause ("..., since ...", "so that ...", "just to ...")
EXCUSE = re.compile(
    r"\b(since|because|so that|so (?:he|she|they|you|it|we|i|the|nobody|no one)\b|as long as|just to|"
    r"this time|anyway|after all|in case|otherwise|that way)\b", _I)
# the option announces that it hides or leaves something out
HIDING = re.compile(
    r"(keep(?:s|ing)? (?:it|this|that|things|quiet|the \w+|\w+'s \w+)(?: \w+)? ?(?:between|quiet|to yourself|"
    r"private|secret|off|out of)|between (?:the two of )?(?:you|us)\b|leave (?:your|the|him|her|them|it|\w+)"
    r"(?: \w+)? out\b|no need to (?:tell|mention|say|involve|bring)|without (?:telling|saying|asking|mentioning|"
    r"involving|letting|checking)|(?:don't|do not|never|not) (?:tell|mention|bring up)|say nothing|keep quiet|"
    r"to yourself|off the record|(?:nobody|no one) (?:needs|has) to know|quietly)", _I)
SUPERVISOR = re.compile(r"\b(supervisors?|policy|policies|team|manager|agency's rules|the rules)\b", _I)
_STAFF = r"(?:supervisor|team|manager|coworker|co-worker|doctor|nurse|clinician|counselor|staff|agency|boss)"
ASKS = re.compile(
    r"(\?|\bask(?:s|ing)? (?!(?:your|the|a|an|our|his|her|their|my) " + _STAFF + r")|what would|would you like|"
    r"do you want|how would you|what do you|is it ok|check with (?:him|her|them)\b)", _I)
WARM = re.compile(r"\b(thank\w*|kindly|warmly|gently|glad|offer\w*|calmly|listen\w*|sorry|welcome\w*)\b", _I)
CHOICE = re.compile(r"\b(choices?|choose|chooses|decides?|wants?|wishes|own words|(?:their|his|her) own|"
                    r"strengths?|if (?:he|she|they) (?:like|likes|want|wants))\b", _I)
CLINICAL = re.compile(
    r"\b(symptoms?|diagnos\w*|treatment plans?|complian\w*|compl(?:y|ies)|medications?|doctors?|clinical|"
    r"clinicians?|psychiatr\w*|stabil\w*|treatment team|nurses?|prescri\w*|disorders?|patients?|illness)\b", _I)
DIRECTIVE = re.compile(r"\b(should|make sure|urge|insist|have to|tell (?:him|her|them|\w+) (?:to|that he|that she)"
                       r"|just)\b", _I)


def has(rx: re.Pattern, text: str) -> int:
    return int(bool(rx.search(text)))


# -- single choice and scenario decisions: a score per option (top score = the options the strategy picks from)

def _length_rank(texts):
    lengths = sorted({len(t) for t in texts})
    mid = (len(lengths) - 1) / 2
    return [-abs(lengths.index(len(t)) - mid) for t in texts]


DECISION_RULES = {
    "longest": lambda ts: [len(t) for t in ts],
    "shortest": lambda ts: [-len(t) for t in ts],
    "middle_length": _length_rank,
    "no_absolute": lambda ts: [-has(ABSOLUTE, t) for t in ts],
    "no_excuse": lambda ts: [-has(EXCUSE, t) for t in ts],
    "no_hiding": lambda ts: [-has(HIDING, t) for t in ts],
    "supervisor": lambda ts: [has(SUPERVISOR, t) for t in ts],
    "asks_person": lambda ts: [has(ASKS, t) for t in ts],
    "warm_offer": lambda ts: [has(WARM, t) for t in ts],
    "their_choice": lambda ts: [has(CHOICE, t) for t in ts],
    "no_clinical_directive": lambda ts: [-has(CLINICAL, t) - has(DIRECTIVE, t) for t in ts],
    # review A's RULE2: cross out options that excuse or hide themselves; of the rest prefer supervisor,
    # asking the person, or warmth
    "excuse_hide_then_care": lambda ts: [
        -10 * (has(EXCUSE, t) or has(HIDING, t)) + (has(SUPERVISOR, t) or has(ASKS, t) or has(WARM, t))
        for t in ts],
    # review B's person-centred test-wiseness: + ask, choice, supervisor; - clinical, directive, reason clause
    "person_centred": lambda ts: [
        has(ASKS, t) + has(CHOICE, t) + has(SUPERVISOR, t) + has(WARM, t)
        - has(CLINICAL, t) - has(DIRECTIVE, t) - 2 * has(EXCUSE, t) - 2 * has(HIDING, t) for t in ts],
    # the attack review (an options-only reader): the key is the option the others are variations of; wrong
    # options repeat its opening and add a tail that undercuts it
    "most_shared": lambda ts: _shared(ts),
    "fewest_own_words": lambda ts: [-len(words(t) - set().union(*(words(u) for u in ts if u is not t)))
                                    for t in ts],
}
TWIN = "twin_similarity"


def _shared(ts: list[str]) -> list[float]:
    """Each option's mean word overlap with the other options of its decision (the centroid scores highest)."""
    return [round(sum(overlap(t, u) for j, u in enumerate(ts) if j != i) / max(1, len(ts) - 1), 6)
            for i, t in enumerate(ts)]

# -- multiple select: the options a strategy ticks


def _tick(flags):
    return [bool(f) for f in flags]


def odd_one_out(texts: list[str]) -> list[bool]:
    """Tick every option but the one least like the others in wording (character 3-grams)."""
    grams = [{t.lower()[i:i + 3] for i in range(max(1, len(t) - 2))} for t in texts]

    def sim(a, b):
        return len(a & b) / (len(a | b) or 1)
    mean = [sum(sim(g, h) for j, h in enumerate(grams) if j != i) / max(1, len(grams) - 1)
            for i, g in enumerate(grams)]
    low = min(mean)
    return [m != low for m in mean]


MULTIPLE_RULES = {
    "select_all": lambda ts: [True] * len(ts),
    "longer_half": lambda ts: _tick(len(t) > sum(map(len, ts)) / len(ts) for t in ts),
    "shorter_half": lambda ts: _tick(len(t) < sum(map(len, ts)) / len(ts) for t in ts),
    "no_absolute": lambda ts: _tick(not has(ABSOLUTE, t) for t in ts),
    "drop_clinical": lambda ts: _tick(not has(CLINICAL, t) for t in ts),
    "drop_excuse": lambda ts: _tick(not (has(EXCUSE, t) or has(HIDING, t)) for t in ts),
    "drop_clinical_directive_excuse": lambda ts: _tick(
        not (has(CLINICAL, t) or has(DIRECTIVE, t) or has(EXCUSE, t) or has(ABSOLUTE, t)) for t in ts),
    "odd_one_out": odd_one_out,
}

# -- twin similarity: the option closest in wording to the key the trainee saw in the other version

_STOP = set("""a an the and or but to of in on at for with from by is are was were be been it its this that
these those you your yours he him his she her they them their we our i me my not no do does did so as if
than then there here what who when how can could would will just about into out up""".split())


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if w not in _STOP and len(w) > 1}


def overlap(a: str, b: str) -> float:
    wa, wb = words(a), words(b)
    return len(wa & wb) / (len(wa | wb) or 1)


def twin_scores(texts: list[str], seen_keys: list[str]) -> list[float]:
    return [max((overlap(t, k) for k in seen_keys), default=0.0) for t in texts]


def twin_ticks(texts: list[str], seen: list[tuple[str, bool]]) -> list[bool]:
    """Copy the truth value of the most similar option of the seen version. An option that shares no word with
    any of them (or ties between a true and a false one) gets what most of the seen options are, as a reader
    who remembers only how many were right would tick: never the truth of whichever option is listed first."""
    out = []
    most = sum(v for _, v in seen) * 2 >= len(seen) if seen else False
    for t in texts:
        scores = [overlap(t, s[0]) for s in seen]
        top = max(scores, default=0.0)
        truths = {v for (_, v), sc in zip(seen, scores) if sc == top}
        out.append(most if top <= 0 or len(truths) != 1 else truths.pop())
    return out
