"""Small hand-built gradebooks (through nbgrader.api.Gradebook), answers files and content for exact-value tests.

The "class" fixture (every number below is worked out by hand in test_statistics.py):

assignment a1 (notebook nb): q1, q2 single 1 pt; q3 multiple 1 pt; r1 reflection (task cell) 2 pts;
s1 scenario 4 pts. assignment a2 (notebook nb2): q4, q5, q6, q7 single 1 pt each.
principles: P1 = q1 q2 r1; P2 = q2 q3 s1; P3 = q4 q5; P4 = q6 q7.

          q1 q2 q3  r1              s1 | a1     q4            q5 q6 q7 | a2
  alice    1  1  0  1.5 + 0.5 extra  4 | 8      1              1  0  0 | 2
  bob      1  0  0  1.5              2 | 4.5    auto 0, manual 1  0 0  0 | 1 - 0.25 late = 0.75
  carol    0  1  1  0                0 | 2      (not submitted)            | 0
  dave     autograde failed: every test NULL    | 0      0  0  0  0        | 0
  erin     (no submissions)
"""

from __future__ import annotations

import json
from pathlib import Path

from nbgrader.api import Gradebook

from cps_ethics.model.content import Course, Module


def _single(qid, principles, best="b"):
    return {"id": qid, "kind": "graded", "type": "single", "principles": principles,
            "options": [{"id": "b", "text": "best", "rating": "best"},
                        {"id": "x", "text": "wrong x", "rating": "harmful"},
                        {"id": "y", "text": "wrong y", "rating": "harmful"}]}


SCENARIO = {"id": "s1", "kind": "graded", "principles": ["P2"], "start": "n1", "nodes": [
    {"id": "n1", "options": [{"id": "a", "text": "A", "rating": "best", "next": "n2", "principles": ["P2"]},
                             {"id": "b", "text": "B", "rating": "harmful", "next": "n2", "principles": ["P2"]}]},
    {"id": "n2", "options": [{"id": "c", "text": "C", "rating": "best", "next": "e1", "principles": ["P2"]},
                             {"id": "d", "text": "D", "rating": "harmful", "next": "e2", "principles": ["P2"]}]},
    {"id": "e1"}, {"id": "e2"}]}


def class_course(root: Path) -> Course:
    a1 = {"id": "a1", "notebook": "nb",
          "items": [_single("q1", ["P1"]), _single("q2", ["P1", "P2"]),
                    {"id": "q3", "kind": "graded", "type": "multiple", "principles": ["P2"],
                     "options": [{"id": "m1", "text": "M1", "correct": True},
                                 {"id": "m2", "text": "M2", "correct": True},
                                 {"id": "m3", "text": "M3", "correct": False}]}],
          "scenarios": [SCENARIO], "reflections": [{"id": "r1", "principles": ["P1"], "points": 2}]}
    a2 = {"id": "a2", "notebook": "nb2",
          "items": [_single("q4", ["P3"]), _single("q5", ["P3"]), _single("q6", ["P4"]), _single("q7", ["P4"])]}
    principles = {k: {"key": k, "name": f"Principle {k[1]}"} for k in ("P1", "P2", "P3", "P4")}
    return Course(root, principles, [Module(a1, root / "a1.yaml"), Module(a2, root / "a2.yaml")])


def _cells(gb: Gradebook, assignment: str, nb: str, cells: dict[str, float], tasks: dict[str, float] = {}):
    gb.add_assignment(assignment)
    gb.add_notebook(nb, assignment)
    for name, mx in cells.items():
        gb.add_grade_cell(name, nb, assignment, max_score=mx, cell_type="code")
        gb.add_source_cell(name, nb, assignment, cell_type="code", locked=True, source="grade()", checksum="x")
    for name, mx in tasks.items():
        gb.add_task_cell(name, nb, assignment, max_score=mx, cell_type="markdown")
        gb.add_source_cell(name, nb, assignment, cell_type="markdown", locked=True, source="task", checksum="y")


def _set(gb, a, nb, student, cell, auto=None, manual=None, extra=None, needs_manual=False):
    g = gb.find_grade(cell, nb, a, student)
    g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade = auto, manual, extra, needs_manual


def build_class(db_url: str) -> None:
    with Gradebook(db_url) as gb:
        _cells(gb, "a1", "nb", {"q1": 1, "q2": 1, "q3": 1, "s1": 4}, {"r1": 2})
        _cells(gb, "a2", "nb2", {"q4": 1, "q5": 1, "q6": 1, "q7": 1})
        for s in ("alice", "bob", "carol", "dave", "erin"):
            gb.add_student(s, first_name=s.title(), last_name="Test")
        rows = {"alice": (1, 1, 0, 4), "bob": (1, 0, 0, 2), "carol": (0, 1, 1, 0)}
        for s, (q1, q2, q3, s1) in rows.items():
            gb.add_submission("a1", s, timestamp="2026-01-10 12:00:00")
            for cell, v in zip(("q1", "q2", "q3", "s1"), (q1, q2, q3, s1)):
                _set(gb, "a1", "nb", s, cell, auto=float(v))
        _set(gb, "a1", "nb", "alice", "r1", manual=1.5, extra=0.5)
        _set(gb, "a1", "nb", "bob", "r1", manual=1.5)
        _set(gb, "a1", "nb", "carol", "r1", manual=0.0)
        gb.add_submission("a1", "dave", timestamp="2026-01-10 12:00:00")  # autograde could not run it
        for cell in ("q1", "q2", "q3", "s1", "r1"):
            _set(gb, "a1", "nb", "dave", cell, needs_manual=True)
        a2 = {"alice": (1, 1, 0, 0), "bob": (0, 0, 0, 0), "dave": (0, 0, 0, 0)}
        for s, vals in a2.items():
            gb.add_submission("a2", s, timestamp="2026-01-17 12:00:00")
            for cell, v in zip(("q4", "q5", "q6", "q7"), vals):
                _set(gb, "a2", "nb2", s, cell, auto=float(v))
        _set(gb, "a2", "nb2", "bob", "q4", auto=0.0, manual=1.0)
        gb.find_submission_notebook("nb2", "a2", "bob").late_submission_penalty = 0.25
        gb.db.commit()


def write_answers(root: Path, student: str, assignment: str, answers: dict | None, raw: bytes | None = None):
    d = root / "autograded" / student / assignment
    d.mkdir(parents=True, exist_ok=True)
    if raw is None:
        raw = json.dumps({"format": "cps-answers", "version": 1, "answers": {
            k: {"value": v, "at": "2026-01-10T12:00:00.000Z"} for k, v in (answers or {}).items()}}).encode()
    (d / "cps_answers.json").write_bytes(raw)


def class_answers(root: Path) -> None:
    write_answers(root, "alice", "a1", {"q1": "b", "q2": "b", "q3": ["m1", "m3"],
                                        "s1": [["n1", "a"], ["n2", "c"]]})
    write_answers(root, "bob", "a1", {"q1": "b", "q2": "x", "s1": [["n1", "b"], ["n2", "c"]]})
    write_answers(root, "carol", "a1", {"q1": "x", "q2": "b", "q3": ["m1", "m2"],
                                        "s1": [["n1", "b"], ["n2", "d"]]})
    write_answers(root, "dave", "a1", None, raw=b'{"format": "cps-answers", "vers')  # cut short
    write_answers(root, "alice", "a2", {"q4": "b", "q5": "b", "q7": "x"})
    write_answers(root, "bob", "a2", {"q4": "x", "q5": "x", "q7": "y"})
    write_answers(root, "dave", "a2", {"q4": "x", "q5": "x", "q7": "x"})


def solo_course(root: Path) -> Course:
    a = {"id": "solo", "notebook": "nb", "items": [_single("z1", ["P1"]), _single("z2", ["P1"])],
         "reflections": [{"id": "zr", "principles": ["P1"], "points": 2}]}
    return Course(root, {"P1": {"key": "P1", "name": "Principle 1"}}, [Module(a, root / "solo.yaml")])


def build_solo(db_url: str) -> None:
    """One trainee, one assignment: z1 = 1, z2 = 0, reflection zr not graded yet; an empty answers file."""
    with Gradebook(db_url) as gb:
        _cells(gb, "solo", "nb", {"z1": 1, "z2": 1}, {"zr": 2})
        gb.add_student("sam")
        gb.add_submission("solo", "sam", timestamp="2026-01-10 12:00:00")
        _set(gb, "solo", "nb", "sam", "z1", auto=1.0)
        _set(gb, "solo", "nb", "sam", "z2", auto=0.0)
        _set(gb, "solo", "nb", "sam", "zr", needs_manual=True)
        gb.db.commit()
