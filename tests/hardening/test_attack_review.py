"""Findings of the attack review (a helper who did not build the course tried to game and break it), each
kept as a test: report pages never shared, the feedback template in git, a trainer's hard-link backup."""

from __future__ import annotations

import os
import subprocess

from courselib import REPO

from cps_ethics.autograde.submission import copy_plain, open_folder
from grading.report import _safe_name


def test_distinct_trainees_get_distinct_report_files():
    """Two trainees' report pages never share a file name (the later would replace the other)."""
    for a, b in [("maria lopez", "maria_lopez"), ("o'neil", "o_neil"), ("a+b", "a_b"), ("...", "_")]:
        assert _safe_name(a) != _safe_name(b), (a, b, _safe_name(a))
    assert _safe_name("maria_lopez") == "maria_lopez"


def test_the_feedback_template_is_in_git():
    """.gitignore's `feedback/` once hid the course's feedback template, so a clone used nbgrader's page."""
    tracked = subprocess.run(["git", "ls-files", "src/cps_ethics/autograde/templates"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert "src/cps_ethics/autograde/templates/feedback/index.html.j2" in tracked, tracked
    ignored = subprocess.run(["git", "check-ignore", "-q",
                              "src/cps_ethics/autograde/templates/feedback/index.html.j2"], cwd=REPO).returncode
    assert ignored != 0


def test_a_hard_link_backup_does_not_stop_grading(tmp_path):
    """`cp -al submitted backup` gives every submitted file a second name: grading still goes on."""
    sub = tmp_path / "submitted" / "maria" / "01_why_a_code"
    sub.mkdir(parents=True)
    for name in ("why_a_code.ipynb", "cps_answers.json", "timestamp.txt"):
        (sub / name).write_text("{}")
    backup = tmp_path / "backup"
    backup.mkdir()
    for f in sub.iterdir():
        os.link(f, backup / f.name)
    dest = tmp_path / "autograded"
    dest.mkdir()
    refused = copy_plain(open_folder(str(tmp_path / "submitted"), ["maria", "01_why_a_code"]), dest,
                         {"why_a_code.ipynb", "cps_answers.json", "timestamp.txt"})
    assert refused == [], refused


def test_copied_reflections_are_flagged():
    """Two trainees with the same reflection (spacing and case aside) are listed; short or different ones not."""
    from types import SimpleNamespace

    from grading.integrity import identical_reflections

    module = SimpleNamespace(reflections=lambda: [{"id": "refl"}])
    course = SimpleNamespace(modules=[module])
    text = "I would ask what she wants first, then tell my supervisor, because her safety matters to the team."
    answers = {("ana", "m1"): {"refl": text}, ("ben", "m1"): {"refl": "  " + text.upper().replace(",", " ,")},
               ("cy", "m1"): {"refl": text + " And I would follow up next week."},
               ("di", "m1"): {"refl": "I agree."}, ("ed", "m1"): {"refl": "I agree."}}
    rows = identical_reflections(course, answers)
    assert sorted(rows["student"]) == ["ana", "ben"]
    assert set(rows["reason"]) == {"identical_reflection"} and "ben" in rows.iloc[0]["message"]
