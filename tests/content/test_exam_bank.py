"""The exam-only bank (content/exam/): enough new questions for draws that differ, short scenarios in every draw,
content notes before hard material, and no exam prompt that re-asks a module question in its words.

Content words: the text lower-cased, split into words (letters, digits and apostrophes), minus the stop list
below (function words, pronouns, forms of be/have/do, and words every question of this course uses, such as
"peer", "specialist", "you"). An exam question's text is its prompt (an item) or its situations (a scenario);
each is compared with every module item's prompt and every module scenario step's situation, one at a time.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from contentlib import HARD_WORDS

from cps_ethics.model import variants
from cps_ethics.model.exam import SCENARIOS_DEFAULT

MIN_QUESTIONS = 120  # issue 19: so that two trainees' 60-question draws differ
PER_TOPIC = {"03": 15, "04": 13, "12": 8}  # EXAM_FORMAT.md (12, added later, 8); 11 for every other topic, at least 2 of them scenarios
MAX_SHARED = 0.5
STOP = set("""
a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most
mustn't my myself no nor not now of off on once only or other ought our ours ourselves out over own same
shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've this those through to too under until up very
was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who who's
whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
one two three first next says said tell tells asks ask want wants peer peers specialist cps person people
""".split())


def content_words(text: str) -> set[str]:
    """Lower-case words of `text` minus the stop list (see the module docstring)."""
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if w.strip("'") and w not in STOP}


def exam_text(x: dict) -> str:
    return x["prompt"] if "prompt" in x else " ".join(n["situation"] for n in x["nodes"])


def module_texts(course) -> list[tuple[str, set[str]]]:
    out = []
    for m in course.modules:
        out += [(it["id"], content_words(it["prompt"])) for it in m.items()]
        out += [(f"{sc['id']}/{n['id']}", content_words(n["situation"])) for sc in m.scenarios() for n in sc["nodes"]]
    return out


def bank(course) -> list[dict]:
    return [x for t in course.exam_bank for x in t.items() + t.scenarios()]


def test_content_words_are_defined_as_documented():
    assert content_words("The peer asks: what's YOUR plan for Tuesday's 2 meetings?") == {
        "plan", "tuesday's", "2", "meetings"}


def test_the_bank_holds_enough_new_questions(course):
    """Fails until the content branches' content/exam/ files are merged (the machinery comes first)."""
    questions = bank(course)
    per = Counter(t.id[:2] for t in course.exam_bank for _ in t.items() + t.scenarios())
    scenarios = Counter(t.id[:2] for t in course.exam_bank for _ in t.scenarios())
    print(f"\n{len(questions)} exam-only questions; per topic {dict(sorted(per.items()))}; "
          f"scenarios {dict(sorted(scenarios.items()))}")
    assert len(questions) >= MIN_QUESTIONS
    exam = next(m for m in course.modules if m.exam)
    for topic in exam.exam["draw_from"]:
        n = topic[:2]
        assert per[n] >= PER_TOPIC.get(n, 11), topic
        assert scenarios[n] >= 2, topic


def test_every_draw_has_at_least_ten_short_scenarios_and_draws_differ(course):
    exam = next(m for m in course.modules if m.exam)
    plan = course.exam_plan(exam)
    wanted = exam.exam.get("scenarios", SCENARIOS_DEFAULT)
    assert wanted >= 10 and len(plan["positions"]) == exam.exam["questions"]
    draws = {}
    for n in range(30):
        draw = variants.exam_draw(f"trainee{n}", exam.id, plan)
        kinds = Counter(course.find(q)[0] for q in draw.values())
        assert kinds["scenario"] >= wanted and len(set(draw.values())) == len(draw)
        draws[n] = frozenset(draw.values())
    assert len(set(draws.values())) == 30  # thirty trainees, thirty different sets of questions


def test_no_exam_prompt_shares_more_than_half_its_content_words_with_a_module_question(course):
    modules = module_texts(course)
    too_close = []
    for x in bank(course):
        words = content_words(exam_text(x))
        for where, other in modules:
            shared = len(words & other) / max(1, len(words))
            if shared > MAX_SHARED:
                too_close.append(f"{x['id']} shares {shared:.0%} of its content words with {where}")
    assert too_close == []


@pytest.mark.parametrize("part", ["content_note", "988"])
def test_hard_material_in_the_exam_comes_with_a_content_note(course, part):
    for x in bank(course):
        text = exam_text(x) + " " + " ".join(o["text"] for o in x.get("options", []))
        if part == "content_note" and HARD_WORDS.search(text):
            assert x.get("content_note"), f"{x['id']} mentions hard material without a content_note"
        if part == "988" and re.search(r"suicid", x.get("content_note", ""), re.IGNORECASE):
            assert "988" in x["content_note"], f"{x['id']}: a content note about suicide gives the 988 line"
