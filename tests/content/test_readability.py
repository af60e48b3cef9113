"""Trainee-facing text of each module reads at Flesch-Kincaid grade 9 or below (textstat)."""

from __future__ import annotations

import pytest
from contentlib import REPO, trainee_text

from cps_ethics.course import module_files

MAX_GRADE = 9.0
MODULES = module_files(REPO)


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_module_reading_level(path, course, fk_grade, capsys):
    text = trainee_text(course.module(path.stem))
    grade = fk_grade(text)
    with capsys.disabled():
        print(f"\n  readability: {path.stem}: Flesch-Kincaid grade {grade:.1f} ({len(text.split())} words)")
    assert grade <= MAX_GRADE, f"{path.stem}: Flesch-Kincaid grade {grade:.1f} is above {MAX_GRADE}"


def test_readability_check_can_fail(fk_grade):
    hard = ("Notwithstanding the aforementioned considerations, organizational accountability necessitates "
            "comprehensive documentation of interdisciplinary communications regarding individualized "
            "rehabilitation objectives and contemporaneous psychosocial assessments.")
    assert fk_grade(hard) > MAX_GRADE
