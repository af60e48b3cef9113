"""A trainee cannot resubmit after seeing their feedback, through the real nbgrader exchange and commands.

Two trainees submit a module with `nbgrader submit`; the trainer collects, autogrades, generates and releases
feedback. One trainee then submits again with every answer right (what the feedback, or a classmate, told
them). The trainer's usual `nbgrader collect --update` holds that submission back: it is kept for the trainer
in submitted_after_feedback/, reported in triage and problems.csv, and the graded submission and its grade
stand through a forced regrade. Only when the trainer collects with `--CourseCollect.after_feedback=True` is
the new submission graded, and autograde says that it was made after feedback.
"""

from __future__ import annotations

import json
import shutil

import pytest
from courselib import code_points, own_course_env, released_one_module, submit_through_exchange

from cps_ethics.autograde.runner import nbgrader
from cps_ethics.autograde.submission import HELD, RELEASED, read_checks, released
from cps_ethics.simulate import cohort
from grading import triage
from grading.pipeline import run as pipeline_run

pytestmark = pytest.mark.slow
COURSE_ID = "ma-cps-ethics"
LATE, HONEST = "late_one", "on_time"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    with own_course_env():
        base = tmp_path_factory.mktemp("resubmit")
        root, course, module, _, ex = released_one_module(base, course_id=COURSE_ID)
        url = f"sqlite:///{root / 'gradebook.db'}"
        shutil.rmtree(root / "submitted", ignore_errors=True)
        homes = base / "homes"
        submit_through_exchange(root, module, homes, LATE, cohort.PREFIX + "all_wrong", ex)
        submit_through_exchange(root, module, homes, HONEST, cohort.PREFIX + "all_right", ex)
        nbgrader(["collect", module.id, *ex], root)
        nbgrader(["autograde", module.id], root)
        first = {s: code_points(url, s) for s in (LATE, HONEST)}
        first_stamp = (root / "submitted" / LATE / module.id / "timestamp.txt").read_text().strip()
        nbgrader(["generate_feedback", module.id], root)
        nbgrader(["release_feedback", module.id, *ex], root)
        ledger = released(root, module.id)

        submit_through_exchange(root, module, homes, LATE, cohort.PREFIX + "all_right", ex)
        held = nbgrader(["collect", module.id, "--update", *ex], root, check=False)
        regrade = nbgrader(["autograde", module.id, "--force"], root, check=False)
        after_hold = {s: code_points(url, s) for s in (LATE, HONEST)}
        stamp_after_hold = (root / "submitted" / LATE / module.id / "timestamp.txt").read_text().strip()
        checks_after_hold = read_checks(root, module.id)
        triage_after_hold = triage.triage(root, course, url)
        out = base / "out"
        pipeline_run(url, course, root, out, progress=lambda line: None)
        problems = (out / "problems.csv").read_text()

        allowed = nbgrader(["collect", module.id, "--update", "--CourseCollect.after_feedback=True", *ex], root,
                           check=False)
        regrade2 = nbgrader(["autograde", module.id, "--force"], root, check=False)
        yield {"root": root, "module": module, "first": first, "first_stamp": first_stamp, "ledger": ledger,
               "held": held, "regrade": regrade, "after_hold": after_hold, "stamp_after_hold": stamp_after_hold,
               "checks_after_hold": checks_after_hold, "triage": triage_after_hold, "problems": problems,
               "allowed": allowed, "regrade2": regrade2, "after_allow": {s: code_points(url, s) for s in (LATE, HONEST)},
               "checks_after_allow": read_checks(root, module.id)}


def test_release_feedback_records_what_each_trainee_was_given(run):
    assert run["ledger"] == {LATE: {run["first_stamp"]}, HONEST: run["ledger"][HONEST]}
    assert len(run["ledger"][HONEST]) == 1
    lines = (run["root"] / RELEASED).read_text().splitlines()
    assert {json.loads(line)["trainee"] for line in lines} == {LATE, HONEST}


def test_a_submission_after_feedback_is_held_back_and_the_grade_stands(run):
    assert run["first"][LATE] < run["first"][HONEST], "the late trainee's first submission was all wrong"
    assert run["held"].returncode == 0, run["held"].stdout[-2000:]
    assert run["stamp_after_hold"] == run["first_stamp"], "collect --update replaced the graded submission"
    assert run["after_hold"] == run["first"], "a forced regrade after the hold changed a grade"
    kept = list((run["root"] / HELD / LATE / run["module"].id).iterdir())
    assert len(kept) == 1 and (kept[0] / "timestamp.txt").is_file(), "the held submission is kept for the trainer"
    assert not (run["root"] / HELD / HONEST).exists()
    assert "Held back for trainee late_one" in run["held"].stdout


def test_the_hold_is_reported_to_the_trainer(run):
    found = [r for r in run["checks_after_hold"].get(LATE, []) if r["step"] == "collect"]
    assert len(found) == 1 and "made after feedback was released" in found[0]["why"]
    assert "--CourseCollect.after_feedback=True" in found[0]["why"]
    row = run["triage"].set_index("student").loc[LATE]
    assert row["refused"] == 1 and "made after feedback was released" in row["reason"]
    assert run["triage"].set_index("student").loc[HONEST]["refused"] == 0
    assert "after_feedback" in run["problems"] and LATE in run["problems"]


def test_the_trainer_can_choose_to_grade_it_and_autograde_says_so(run):
    assert run["allowed"].returncode == 0 and run["regrade2"].returncode == 0
    assert run["after_allow"][LATE] == run["first"][HONEST], "collected on purpose, it is graded as submitted"
    assert run["after_allow"][HONEST] == run["first"][HONEST]
    notes = [r for r in run["checks_after_allow"][LATE] if r["step"] == "autograde"]
    assert len(notes) == 1 and "made after feedback was released" in notes[0]["why"]
    assert run["first_stamp"] in notes[0]["why"]
