"""What a trainee sees of a notebook: no code. Every code cell's input is collapsed (JupyterLab's own cell
metadata) and its first line, which JupyterLab previews in the collapsed bar, is empty."""

from __future__ import annotations

import re

import pytest
from courselib import REPO

from cps_ethics.authoring import build
from cps_ethics.autograde import grader
from cps_ethics.model.content import load_course


@pytest.fixture(scope="module")
def course():
    return load_course(REPO)


def test_every_code_cell_is_collapsed_and_previews_nothing(course):
    for module in course.modules:
        nb = build.notebook(course, module)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code, module.id
        for cell in code:
            gid = cell.metadata["nbgrader"]["grade_id"]
            assert cell.metadata["jupyter"] == {"source_hidden": True}, (module.id, gid)
            assert cell.source.split("\n")[0].strip() == "", (module.id, gid, "the collapsed bar would show code")
            if cell.metadata["nbgrader"]["grade"]:
                assert cell.source == grader.cell_source(gid)
            else:
                assert len(cell.source.strip().splitlines()) == 1, (module.id, gid)


def test_words_for_trainees_never_mention_code():
    assert grader.VISIBLE.strip() == ""
    assert "Run All Cells" in build.HOW_TO  # JupyterLab's own menu item, named as the trainee sees it
    words = build.HOW_TO.replace("Run All Cells", "")
    assert not re.search(r"\bcode\b|\bpython\b|\bcells?\b|\bkernel\b", words, re.IGNORECASE)
