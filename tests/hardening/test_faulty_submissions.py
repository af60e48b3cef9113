"""Faulty submissions through real `nbgrader autograde` and the pipeline: each gets its points and a clear reason,
every other trainee's grades are exactly as without the fault, and nothing already graded is lost."""

from __future__ import annotations

import hashlib

import nbformat
import pandas as pd
import pytest
from courselib import one_module_course

from cps_ethics.authoring import build
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort, faults
from grading import gradebook, pipeline, triage

pytestmark = pytest.mark.slow
TIMEOUT = "--Execute.timeout=5"  # the course default is 60 s; the loops below would cost that each
COLUMNS = ["student", "assignment", "notebook", "grade_id", "auto_score", "manual_score", "extra_credit",
           "needs_manual_grade", "score"]


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Grade the baseline cohort, then add every faulty submission and autograde again (no --force)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_DB_URL", raising=False)
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        root = one_module_course(tmp_path_factory.mktemp("faulty") / "course")
        course = load_course(root)
        module = course.modules[0]
        url = f"sqlite:///{root / 'gradebook.db'}"
        logs = root / "out" / "logs"
        build.build(root, course)
        nbgrader(["generate_assignment", module.id, "--force"], root)
        expected = {}
        for t in cohort.profiles(module):
            cohort.write_submission(root, module, t)
            expected[t.student] = t.expected
        first = nbgrader(["autograde", module.id, TIMEOUT], root, log=logs / f"autograde_{module.id}.log",
                         check=False)
        before = gradebook.grades(url)[COLUMNS]
        graded_files = {s: _digest(root / "autograded" / s) for s in expected}
        written = faults.write(root, module)
        second = nbgrader(["autograde", module.id, TIMEOUT], root, log=logs / f"autograde_{module.id}_faults.log",
                          check=False)
        tables = pipeline.run(url, course, root, root / "out" / "grading", progress=lambda m: None)
        yield {"root": root, "course": course, "module": module, "url": url, "expected": expected,
               "first": first, "second": second, "before": before, "after": gradebook.grades(url)[COLUMNS],
               "graded_files": graded_files, "faults": written, "tables": tables,
               "triage": triage.triage(root, course, url)}


def _points(grades: pd.DataFrame, student: str, ids, column: str = "auto_score") -> dict[str, float]:
    """grade id -> `column` for the graded items `ids` of one student."""
    mine = grades[(grades["student"] == student) & grades["grade_id"].isin(list(ids))]
    return {r.grade_id: float(getattr(r, column)) for r in mine.itertuples()}


def _outputs(run, student: str) -> dict[str, str]:
    """grade id (or 'added N') -> the text a code cell printed in the autograded notebook."""
    nb = nbformat.read(run["root"] / "autograded" / student / run["module"].id / f"{run['module'].notebook}.ipynb", 4)
    out = {}
    for n, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            key = cell.metadata.get("nbgrader", {}).get("grade_id", f"added {n}")
            out[key] = "".join(o.get("text", "") + o.get("ename", "") for o in cell.outputs)
    return out


def test_the_baseline_cohort_scores_exactly_as_expected(run):
    assert run["first"].returncode == 0
    for student, cells in run["expected"].items():
        assert _points(run["after"], student, cells) == cells, student


def test_nothing_already_graded_is_lost(run):
    """The second run (with every fault) skips the graded ones: their rows and files are unchanged."""
    baseline = list(run["expected"])
    after = run["after"][run["after"]["student"].isin(baseline)].reset_index(drop=True)
    pd.testing.assert_frame_equal(after, run["before"].reset_index(drop=True))
    assert {s: _digest(run["root"] / "autograded" / s) for s in baseline} == run["graded_files"]


@pytest.mark.parametrize("fault", faults.FAULTS, ids=[f.name for f in faults.FAULTS])
def test_each_fault_gets_its_points_and_a_clear_reason(run, fault):
    points = faults.expected_points(run["module"], fault)
    rows = run["after"][run["after"]["student"] == fault.student]
    row = run["triage"].set_index("student").loc[fault.student]
    if fault.expected == faults.NOT_GRADED:  # nbgrader records nothing: triage finds it in submitted/
        assert rows.empty
        assert row["status"] == "not_graded" and fault.reason in row["reason"]
        return
    if fault.expected == faults.FAILED:  # the whole submission is dropped: the pipeline flags it
        assert len(rows) > 0
        code = rows[rows["grade_id"].isin(run["expected"]["sim_all_right"])]
        assert code["auto_score"].isna().all() and code["needs_manual_grade"].all()
        ta = run["tables"]["trainee_assignments"].set_index("student").loc[fault.student]
        assert ta["status"] == "failed" and ta["score"] == 0
        assert row["status"] == "failed" and fault.reason in row["reason"], row["reason"]
        mine = run["tables"]["problems"]
        mine = mine[mine["student"] == fault.student]
        assert not mine.astype(str).apply(lambda r: "no answers file" in " ".join(r), axis=1).any()
        return
    assert _points(run["after"], fault.student, points, "score") == points
    assert row["status"] == "graded"
    unscored = {k for k, v in _points(run["after"], fault.student, points).items() if pd.isna(v)}
    if fault.name == "deleted_grading_cell":  # nbgrader leaves the deleted cell's grade empty, for a trainer
        assert unscored == {faults.first_item(run["module"])} and fault.reason in row["reason"]
        assert rows[rows["grade_id"].isin(unscored)]["needs_manual_grade"].all()
        return
    assert not unscored
    printed = _outputs(run, fault.student)
    if fault.reason:
        zeroed = [gid for gid, p in points.items() if p == 0]
        assert zeroed and all(fault.reason in printed[gid] and "Points: 0" in printed[gid] for gid in zeroed)
        right = [gid for gid, p in points.items() if p > 0]
        assert all(fault.reason not in printed[gid] for gid in right)


def test_answers_that_fit_no_item_or_option_are_counted(run):
    t = run["triage"].set_index("student")
    assert t.loc[faults.PREFIX + "unknown_ids", "unknown_items"] == 1
    assert "no_such_item" in t.loc[faults.PREFIX + "unknown_ids", "reason"]
    assert t.loc[faults.PREFIX + "not_an_option", "invalid_answers"] == 1


@pytest.mark.parametrize("name", faults.ADDED)
def test_an_added_cell_is_dropped_and_never_runs(run, name):
    """Endless loops (even one that ignores interrupts) and huge prints cost nothing: the cell is not graded,
    not run and not kept; the trainee is graded on their answers and the trainer is told."""
    printed = _outputs(run, faults.PREFIX + name)
    assert not [k for k in printed if k.startswith("added")]
    nb = run["root"] / "autograded" / (faults.PREFIX + name) / run["module"].id / f"{run['module'].notebook}.ipynb"
    assert "while True" not in nb.read_text() and "30_000_000" not in nb.read_text()
    row = run["triage"].set_index("student").loc[faults.PREFIX + name]
    assert row["added_cells"] == 1 and "1 cell the trainee added was dropped before grading" in row["reason"]
    mine = run["tables"]["problems"]
    mine = mine[(mine["student"] == faults.PREFIX + name) & (mine["reason"] == "added_cells")]
    assert len(mine) == 1 and mine["message"].iloc[0].startswith("1 cell the trainee added was dropped")


def test_very_large_answer_is_kept_out_of_the_grades(run):
    """A 1.5 MB answer scores 0 with its reason; the grading cell echoes only its start, so the autograded
    notebook (and so feedback) stays small. LimitOutputChars still cuts any single huge output."""
    nb_path = run["root"] / "autograded" / (faults.PREFIX + "huge_answer") / run["module"].id
    size = sum(p.stat().st_size for p in nb_path.glob("*.ipynb"))
    assert size < 100_000
    printed = _outputs(run, faults.PREFIX + "huge_answer")[faults.first_item(run["module"])]
    assert "'xxxx" in printed and "\u2026" in printed and len(printed) < 1_000


def test_limit_output_chars_cuts_one_huge_output():
    from cps_ethics.autograde.nbgrader_ext import LimitOutputChars

    cell = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("stream", name="stdout", text="y" * 300_000)])
    cell, _ = LimitOutputChars().preprocess_cell(cell, {}, 0)
    assert len(cell.outputs[0]["text"]) < 100_200 and "[output cut: 200000 more characters not kept]" in \
        cell.outputs[0]["text"]


def test_the_batch_finishes_and_reports_what_happened_in_numbers(run):
    assert run["second"].returncode == 1  # nbgrader says some submissions failed; the batch still finished
    t = run["triage"]
    n_faults = len(faults.FAULTS)
    want = {
        "graded": len(run["expected"]) + sum(f.expected not in (faults.FAILED, faults.NOT_GRADED)
                                             for f in faults.FAULTS),
        "failed": sum(f.expected == faults.FAILED for f in faults.FAULTS),
        "not_graded": sum(f.expected == faults.NOT_GRADED for f in faults.FAULTS),
    }
    assert t["status"].value_counts().to_dict() == want
    lines = triage.summary(t)
    assert lines[0] == (f"Autograde in numbers: {len(run['expected']) + n_faults} submissions; {want['graded']} "
                        f"graded, {want['failed']} failed as a whole (scored 0 until a trainer looks), "
                        f"{want['not_graded']} not graded at all.")
    unreadable = 2 + sum(f.expected == "zero" for f in faults.FAULTS)  # + sim_unanswered, sim_corrupt_sidecar
    assert lines[1].startswith(f"  Of the graded: {unreadable} had an answers file that could not be read")
    assert lines[1].endswith(", 2 had answers that fit no option, 1 had answers to unknown items (ignored), "
                             "1 had grading cells missing from the notebook, 3 had cells they added (dropped, "
                             "never run), 0 had an answers file identical to another trainee's."), lines[1]
    ta = run["tables"]["trainee_assignments"]
    assert set(ta[ta["status"] == "failed"]["student"]) == {f.student for f in faults.FAULTS
                                                            if f.expected == faults.FAILED}
    assert (run["root"] / "out" / "grading" / "trainee_assignments.csv").is_file()
