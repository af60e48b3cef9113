"""Every principle key, legal topic and training topic is taught in a reading and assessed by at least 3 graded
slots (graded places in a notebook; a slot's parallel variants count once)."""

from __future__ import annotations

MIN_GRADED = 3


def coverage(course) -> dict[str, dict[str, list[str]]]:
    """key -> {"readings": [...], "graded": [...]} naming where each key is taught and assessed."""
    out = {k: {"readings": [], "graded": []} for k in course.principles}
    for m in course.modules:
        for r in m.readings():
            for k in r["principles"]:
                out[k]["readings"].append(f"{m.id}:{r['id']}")
        for x in [*m.items(), *m.scenarios()]:
            if x["kind"] == "graded" and "slot" not in x:
                for k in x["principles"]:
                    out[k]["graded"].append(f"{m.id}:{x['id']}")
    return out


def test_every_key_is_taught_and_assessed(course):
    gaps = []
    for key, where in coverage(course).items():
        name = course.principles[key]["name"]
        if not where["readings"]:
            gaps.append(f"{key} ({name}): taught in no reading")
        if len(where["graded"]) < MIN_GRADED:
            gaps.append(f"{key} ({name}): assessed by {len(where['graded'])} graded slots "
                        f"(need {MIN_GRADED}): {where['graded']}")
    assert not gaps, "Coverage gaps:\n" + "\n".join(gaps)


def test_coverage_counts_graded_work_only(course):
    """Practice items never count toward coverage (they carry no grade)."""
    cov = coverage(course)
    practice = {f"{m.id}:{it['id']}" for m in course.modules for it in m.items() if it["kind"] == "practice"}
    assert practice, "the course should have practice items"
    assert not practice & {x for c in cov.values() for x in c["graded"]}
