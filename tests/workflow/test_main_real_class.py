"""The main job on a real class's submissions: no simulated cohort is made, and their grades are kept."""

from __future__ import annotations

import subprocess
import sys

import pytest
from courselib import one_module_course

from cps_ethics.autograde.runner import env
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort
from grading import gradebook

pytestmark = pytest.mark.slow


def test_main_grades_real_submissions_and_never_simulates(tmp_path):
    root = one_module_course(tmp_path / "course")  # one module is enough; the round trip runs them all
    m = load_course(root).modules[0]
    alex = cohort.profiles(m)[2]  # the partial profile, handed in by a real trainee
    alex.student = "alex"
    cohort.write_submission(root, m, alex)

    def main():
        return subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(root), "main"],
                              capture_output=True, text=True, env=env({"CPS_DB_URL": ""}), timeout=3600)

    first = main()
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 trainees have submitted: grading their work" in first.stdout
    assert not list((root / "submitted").glob(cohort.PREFIX + "*"))
    g = gradebook.grades(f"sqlite:///{root / 'gradebook.db'}")
    assert set(g.student) == {"alex"}
    got = {r.grade_id: r.score for r in g.itertuples() if r.cell_type == "code"}
    assert got == alex.expected
    # Running it again keeps the real gradebook (it is only ever reset when it holds simulated trainees).
    second = main()
    assert second.returncode == 0 and "Cleared the earlier simulated cohort" not in second.stdout
    again = gradebook.grades(f"sqlite:///{root / 'gradebook.db'}")
    assert {r.grade_id: r.score for r in again.itertuples() if r.cell_type == "code"} == got
