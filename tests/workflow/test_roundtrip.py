"""Through real nbgrader: the main job on a private course copy, then the solved instructor version and an
untouched student version graded the same way; exact scores, and pandas totals equal `nbgrader export`."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from courselib import copy_course
from nbclient import NotebookClient

from cps_ethics import store
from cps_ethics.autograde.runner import env, nbgrader
from cps_ethics.course import db_url
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from grading import gradebook, summary

pytestmark = pytest.mark.slow
HANG = 3600  # seconds: a guard against a hung main job, never a speed check (it took 20+ min on a loaded machine)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = copy_course(tmp_path_factory.mktemp("roundtrip") / "course")
    main = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(root), "main"],
                          capture_output=True, text=True, env=env({"CPS_DB_URL": ""}), timeout=HANG)
    course = load_course(root)
    # The solved instructor version: the source notebook with the key's best answers.
    best = {m.id: cohort.profiles(m, course)[0] for m in course.modules}
    for t in best.values():
        t.student = "solved_instructor"  # the best answers to the versions this trainee is shown
    for m in course.modules:
        solved = root / "submitted" / "solved_instructor" / m.id
        shutil.copytree(root / "source" / m.id, solved)
        data = store.empty()
        data["answers"] = {k: {"value": v, "at": store.now(),
                               **({"variant": best[m.id].variants[k]} if k in best[m.id].variants else {})}
                           for k, v in best[m.id].answers.items()}
        (solved / "cps_answers.json").write_text(json.dumps(data))
        shutil.copytree(root / "release" / m.id, root / "submitted" / "untouched" / m.id)
        nbgrader(["autograde", m.id], root)  # without --force: grades only the two new submissions
    nbgrader(["export", "--to", str(root / "export.csv")], root)
    return root, course, main, gradebook.grades(db_url(root))


def test_main_job_runs_and_reports(graded):
    root, course, main, _ = graded
    assert main.returncode == 0, main.stdout + main.stderr
    assert "scored exactly as expected" in main.stdout
    assert "[4/5]" in main.stdout and "autograding" in main.stdout  # progress while it runs
    for name in ("trainee_totals.csv", "principle_scores.csv"):
        assert (root / "out" / "summary" / name).stat().st_size > 0
        assert str(root / "out" / "summary" / name) in main.stdout
    assert (root / "out" / "report" / "class_report.html").stat().st_size > 0
    assert (root / "out" / "grading" / "trainee_assignments.csv").stat().st_size > 0


def test_every_simulated_trainee_gets_exactly_the_expected_points(graded):
    root, course, _, g = graded
    for m in course.modules:
        for t in cohort.profiles(m, course):
            rows = g[(g.assignment == m.id) & (g.student == t.student)]
            got = {r.grade_id: r.score for r in rows.itertuples() if r.cell_type == "code"}
            assert got == pytest.approx(t.expected), (m.id, t.student)
            assert set(got) == set(t.expected)


def test_solved_instructor_version_scores_full_marks(graded):
    root, course, _, g = graded
    rows = g[(g.student == "solved_instructor") & (g.cell_type == "code")]
    # One grading cell per graded slot (variants share it), and one per practice exam question.
    assert len(rows) == sum(sum(xs[0]["kind"] == "graded" for _, xs in m.slots().values())
                            + (m.exam or {}).get("questions", 0) for m in course.modules)
    assert (rows.score == rows.max_score).all()
    reflections = g[(g.student == "solved_instructor") & (g.kind == "TaskCell")]
    assert len(reflections) >= sum(bool(m.reflections()) for m in course.modules) > 0
    assert reflections.needs_manual_grade.all()


def test_untouched_student_version_scores_zero_without_errors(graded):
    root, course, _, g = graded
    rows = g[g.student == "untouched"]
    assert len(rows) and (rows.score == 0).all()
    for m in course.modules:
        nb = nbformat.read(root / "autograded" / "untouched" / m.id / f"{m.notebook}.ipynb", as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert out.output_type != "error", (m.id, cell.source)
                assert out.get("name") != "stderr", (m.id, cell.source, out)


def test_reasons_are_printed_in_plain_words(graded):
    root, course, _, _ = graded
    m = course.modules[0]
    graded_id = next(i["id"] for i in m.items() if i["kind"] == "graded")

    def output_of(student):
        nb = nbformat.read(root / "autograded" / student / m.id / f"{m.notebook}.ipynb", as_version=4)
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == graded_id)
        return "".join(o.get("text", "") for o in cell.outputs)

    assert "not valid JSON" in output_of("sim_corrupt_sidecar")
    assert "no answers file" in output_of("sim_unanswered")
    assert "You chose:" in output_of("sim_all_right") and "Points: " in output_of("sim_all_right")


def test_edited_locked_cells_were_restored(graded):
    root, course, _, _ = graded
    m = course.modules[0]
    nb = nbformat.read(root / "autograded" / "sim_edited_locked" / m.id / f"{m.notebook}.ipynb", as_version=4)
    assert not any("I edited" in c.source for c in nb.cells)


def test_pandas_totals_equal_nbgrader_export(graded):
    root, course, _, g = graded
    with open(root / "export.csv") as f:
        exported = {(r["assignment"], r["student_id"]): (float(r["raw_score"]), float(r["max_score"]))
                    for r in csv.DictReader(f)}
    ours = {(r.assignment, r.student): (r.score, r.max_score) for r in summary.totals(g).itertuples()}
    assert ours.keys() == {k for k, v in exported.items() if k in ours}
    for key, (score, max_score) in ours.items():
        assert score == pytest.approx(exported[key][0]) and max_score == pytest.approx(exported[key][1]), key


def test_untouched_release_runs_top_to_bottom_without_error_and_writes_nothing(tmp_path, repo):
    course = load_course(repo)
    for m in course.modules:
        folder = tmp_path / m.id
        shutil.copytree(repo / "release" / m.id, folder)
        nb = nbformat.read(folder / f"{m.notebook}.ipynb", as_version=4)
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert out.output_type != "error", (m.id, cell.source)
                assert out.get("name") != "stderr", (m.id, cell.source, out)
        assert not (folder / "cps_answers.json").exists()
