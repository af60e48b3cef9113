"""Hidden grading cells: plain words to stdout, a number back, never an error or stderr."""

from __future__ import annotations

import io
import json

import pytest
from helpers import write_course

from cps_ethics import store
from cps_ethics.autograde import grader


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    grader._course_cache.clear()
    root = write_course(tmp_path / "course")
    folder = root / "autograded" / "s1" / "01_test"
    folder.mkdir(parents=True)
    return root, folder


def answers(folder, **values):
    data = store.empty()
    data["answers"] = {k: {"value": v, "at": "2026-11-30T00:00:00Z"} for k, v in values.items()}
    (folder / "cps_answers.json").write_text(json.dumps(data))


def run(ref, folder, capfd=None):
    out = io.StringIO()
    pts = grader.grade(ref, folder=folder, out=out)
    return pts, out.getvalue()


def test_cell_source_is_one_fixed_hidden_form():
    src = grader.cell_source("q_x")
    assert src.splitlines() == [grader.VISIBLE, "### BEGIN HIDDEN TESTS", "from cps_ethics.autograde.grader import grade", 'grade("q_x")',
                                "### END HIDDEN TESTS"]


def test_right_answer(course):
    root, folder = course
    answers(folder, t_single="a")
    pts, said = run("t_single", folder)
    assert pts == 2.0
    assert "Best answer" in said and "Points: 2 of 2." in said


def test_wrong_and_partial(course):
    root, folder = course
    answers(folder, t_single="c", t_match={"p1": "k1", "p2": "k1"}, t_scn=[["a", "ok"], ["b", "good"]])
    assert run("t_single", folder)[0] == 0.0
    assert run("t_match", folder)[0] == 1.0
    pts, said = run("t_scn", folder)
    assert pts == 3.0 and "Points: 3 of 4." in said


def test_missing_sidecar_gives_zero_with_reason(course):
    root, folder = course
    pts, said = run("t_single", folder)
    assert pts == 0.0 and "no answers file" in said and "Points: 0 of 2." in said


def test_corrupt_sidecar_gives_zero_with_reason(course):
    root, folder = course
    (folder / "cps_answers.json").write_text("{oops")
    pts, said = run("t_multi", folder)
    assert pts == 0.0 and "not valid JSON" in said


def test_unanswered_item_and_unknown_item(course):
    root, folder = course
    answers(folder, t_single="a")
    pts, said = run("t_multi", folder)
    assert pts == 0.0 and "not answered" in said
    pts, said = run("not_an_item", folder)
    assert pts == 0.0 and "not in the course content" in said


def test_no_course_root_never_raises(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    pts, said = run("t_single", tmp_path)
    assert pts == 0.0 and "grading key was not found" in said


def test_never_writes_to_stderr_even_when_broken(course, capsys, monkeypatch):
    root, folder = course
    answers(folder, t_single="a")

    def broken(*a, **k):
        import sys
        print("noise on stderr", file=sys.stderr)
        raise RuntimeError("boom")

    monkeypatch.setattr(grader, "_grade", broken)
    pts = grader.grade("t_single", folder=folder)
    cap = capsys.readouterr()
    assert pts == 0.0 and cap.err == "" and "could not be graded" in cap.out


def test_a_module_question_is_never_explained_even_when_the_trainer_opts_in(course):
    """course.yaml's explain_after_grading applies to the practice exam only (tests/unit/test_exam.py): another
    trainee may still be graded on a module question, so its feedback never gives the rationale."""
    root, folder = course
    answers(folder, t_single="b", t_order=["act", "ask", "notice"])
    (root / "content" / "course.yaml").write_text("feedback:\n  explain_after_grading: true\n")
    grader._course_cache.clear()
    for ref in ("t_single", "t_order"):
        said = run(ref, folder)[1]
        assert "Points:" in said and "Why:" not in said and "Best order" not in said
        assert "Because the person decides" not in said and "Notice, then ask" not in said
