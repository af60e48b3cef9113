"""Attack finding (careless trainer): the README's first step, then a real class, mixes made-up trainees in.

README quick start: `cps-course main` on a fresh course writes a simulated cohort (sim_*) into submitted/ and
grades it. When real trainees' folders are then added and `cps-course main` runs again, it sees real trainees,
makes no new cohort, but leaves the old sim_* folders in submitted/ and grades them with the class: the seven
made-up trainees are in the gradebook, the class report, item statistics, the follow-up list and the copying
checks next to real people (and `nbgrader export`).
"""
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


def test_a_dry_run_then_a_real_class_grades_only_real_trainees(tmp_path):
    root = one_module_course(tmp_path / "course")
    import shutil
    shutil.rmtree(root / "content" / "exam", ignore_errors=True)  # one module: no practice exam to draw from
    m = load_course(root).modules[0]

    def main():
        return subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(root), "main"],
                              capture_output=True, text=True, env=env({"CPS_DB_URL": ""}), timeout=3600)

    first = main()  # the README's first command, before anyone has submitted
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    alex = cohort.profiles(m)[2]
    alex.student = "alex"
    cohort.write_submission(root, m, alex)  # the trainer copies a real trainee's folder in
    second = main()
    assert second.returncode == 0, second.stdout[-2000:]
    g = gradebook.grades(f"sqlite:///{root / 'gradebook.db'}")
    assert set(g.student) == {"alex"}, sorted(set(g.student))
    assert "sim_" not in (root / "out" / "report" / "class_report.html").read_text(encoding="utf-8")
