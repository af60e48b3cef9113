"""A synthetic exam-only bank for tests of the machinery (never course content): content/exam/<topic>.yaml files
made from each topic's own graded module items (renamed, so the ids are exam-only) and two short scenarios.

The real bank is written by the content authors; a course copy without it gets this one with `seed(root)`.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import yaml

COUNTS = {"03": 15, "04": 13}  # EXAM_FORMAT.md: questions per topic (items + scenarios); 11 elsewhere
NOTE = ("This question mentions thoughts of suicide. If this brings up a lot for you, call or text 988 (the 988 "
        "Suicide & Crisis Lifeline).")


def _scenario(topic: str, n: int, principles: list[str]) -> dict:
    """A two-decision scenario with one best path (4 points) and partial credit on the others."""
    def opt(oid, text, rating, nxt):
        return {"id": oid, "text": text, "rating": rating, "feedback": f"Seed feedback for {oid} ({rating}).",
                "principles": principles, "next": nxt}
    return {
        "id": f"ex{topic[:2]}_seed_scn_{n}", "kind": "graded", "title": f"Seed exam case {topic[:2]}.{n}",
        "principles": principles, "start": "first",
        **({"content_note": NOTE} if n == 1 and topic.startswith("03") else {}),
        "nodes": [
            {"id": "first", "situation": f"A peer in seed case {topic}/{n} asks you for help.", "options": [
                opt("ask", f"Ask what they want first (seed {topic} {n})", "best", "second"),
                opt("tell", f"Tell them what to do (seed {topic} {n})", "harmful", "end_low"),
                opt("wait", f"Wait and see for a while (seed {topic} {n})", "acceptable", "second")]},
            {"id": "second", "situation": "They tell you more.", "options": [
                opt("plan", f"Plan the next step together (seed {topic} {n})", "best", "end_high"),
                opt("skip", f"Leave the plan for another day (seed {topic} {n})", "acceptable", "end_low")]},
            {"id": "end_high", "situation": "It goes well."},
            {"id": "end_low", "situation": "It ends."},
        ],
    }


def bank(course) -> dict[str, dict]:
    """{topic: the data of content/exam/<topic>.yaml} for every topic the practice exam draws from."""
    exam = next(m for m in course.modules if m.exam)
    out = {}
    for topic in exam.exam["draw_from"]:
        try:
            module = course.module(topic)
        except KeyError:
            continue
        graded = [it for it in module.items() if it["kind"] == "graded" and "slot" not in it]
        graded += [it for it in module.items() if it["kind"] == "graded" and "slot" in it]
        want = COUNTS.get(topic[:2], 11) - 2
        items = []
        for n, it in enumerate((graded * (want // max(1, len(graded)) + 1))[:want], 1):
            x = copy.deepcopy(it)
            x.pop("slot", None)
            x["id"] = f"ex{topic[:2]}_seed_{n}"
            x["prompt"] = f"Seed exam question {topic[:2]}.{n}. {x['prompt']}"
            x["rationale"] = f"Seed exam rationale {topic[:2]}.{n}: {x['rationale']}"
            items.append(x)
        principles = graded[0]["principles"] if graded else sorted(course.principles)[:1]
        out[topic] = {"schema_version": 1, "topic": topic, "items": items,
                      "scenarios": [_scenario(topic, n, principles) for n in (1, 2)]}
    return out


def seed(root: Path, course=None) -> list[Path]:
    """Write the synthetic bank into root/content/exam/ (a course copy's, never the repo's own content)."""
    from cps_ethics.model.content import load_course

    course = course or load_course(root, validate=False)
    folder = Path(root) / "content" / "exam"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for topic, data in bank(course).items():
        path = folder / f"{topic}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python tests/exam_seed.py COURSE_COPY: seed a course copy by hand
    print("\n".join(map(str, seed(Path(sys.argv[1])))))
