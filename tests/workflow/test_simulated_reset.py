"""The main job may clear a gradebook of simulated trainees, and never one holding a real trainee."""

from __future__ import annotations

from nbgrader.api import Gradebook

from cps_ethics.simulate.cohort import reset_simulated_gradebook


def make(path, students):
    url = f"sqlite:///{path}"
    with Gradebook(url) as gb:
        for s in students:
            gb.add_student(s)
    return url


def test_simulated_only_gradebook_is_cleared(tmp_path):
    url = make(tmp_path / "gradebook.db", ["sim_all_right", "sim_partial"])
    assert reset_simulated_gradebook(tmp_path, url) is True
    assert not (tmp_path / "gradebook.db").exists()


def test_a_real_trainee_keeps_the_gradebook(tmp_path):
    url = make(tmp_path / "gradebook.db", ["sim_all_right", "alex"])
    before = (tmp_path / "gradebook.db").read_bytes()
    assert reset_simulated_gradebook(tmp_path, url) is False
    assert (tmp_path / "gradebook.db").read_bytes() == before


def test_no_gradebook_yet(tmp_path):
    assert reset_simulated_gradebook(tmp_path, f"sqlite:///{tmp_path / 'gradebook.db'}") is False
    assert not (tmp_path / "gradebook.db").exists()
