"""A submission is plain files only, through the real nbgrader exchange and commands.

Trainees submit with `nbgrader submit` into a real exchange folder; attackers then do what a trainee on a hub
can do to their own inbound folder (links to a classmate's answers file and to the trainer's content file, a
link to /dev/zero, a named pipe, a folder named `sub[x]` holding code, a submission folder that is itself a
link, a folder name without a valid time, the id `sub[x]`), and a device file and a socket are added as well
(root can make them; the check must hold for them too). The trainer runs `nbgrader collect`. Then the same
attacks are placed straight into submitted/ (a trainer who copies folders by hand), and the trainer runs
`nbgrader autograde`, `generate_feedback` and `release_feedback`. No attack gains a grade, no key or outside
file reaches submitted/, autograded/, feedback/ or the exchange, and the honest trainees are graded exactly.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from pathlib import Path

import pytest
from courselib import own_course_env, released_one_module

from cps_ethics.authoring.release import leaks
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.autograde.submission import read_checks
from cps_ethics.course import ANSWERS_FILE
from cps_ethics.simulate import cohort
from grading import gradebook

pytestmark = pytest.mark.slow
COURSE_ID = "ma-cps-ethics"
HONEST = ("sim_all_right", "sim_all_wrong")
# Attacks placed in the trainee's own inbound folder after `nbgrader submit` (collect must refuse them).
AT_COLLECT = ("col_link_answers", "col_keys_html", "col_sub_code", "col_odd_files")
# The same attacks placed straight into submitted/ (autograde must refuse them).
AT_AUTOGRADE = ("ag_link_answers", "ag_keys_html", "ag_sub_code", "ag_odd_files", "ag_link_notebook")
SECRET_WORDS = "trainer-only secret 7f3a"


def _attack(folder: Path, kind: str, classmate_answers: Path, content_file: Path, notebook: str) -> None:
    """What a trainee can place in a folder they own (and, for odd_files, what only root can)."""
    if kind.endswith("link_answers"):
        (folder / ANSWERS_FILE).unlink()
        (folder / ANSWERS_FILE).symlink_to(classmate_answers)
    elif kind.endswith("keys_html"):
        (folder / "keys.html").symlink_to(content_file)
    elif kind.endswith("sub_code"):
        (folder / "sub[x]").mkdir()
        (folder / "sub[x]" / "evil.py").write_text("raise SystemExit('pwned')\n")
        (folder / "sub[x]" / "keys.yaml").symlink_to(content_file)
    elif kind.endswith("odd_files"):
        (folder / "zero.html").symlink_to("/dev/zero")
        os.mkfifo(folder / "pipe.html")
        os.mknod(folder / "null.html", stat.S_IFCHR | 0o644, os.makedev(1, 3))
        here = os.getcwd()
        os.chdir(folder)  # a socket's path must be short: bind it by its relative name
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.bind("sock.html")
        finally:
            os.chdir(here)
    elif kind.endswith("link_notebook"):
        (folder / f"{notebook}.ipynb").unlink()
        (folder / f"{notebook}.ipynb").symlink_to(classmate_answers.parent / f"{notebook}.ipynb")


def _points(grades, student):
    mine = grades[(grades["student"] == student) & (grades["cell_type"] == "code")]
    return {r.grade_id: float(r.auto_score) for r in mine.itertuples()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("making a device file needs root")
    with own_course_env():
        base = tmp_path_factory.mktemp("files")
        def mark_the_key(root, module):  # so a leak of the content file is found by these words
            f = root / "content" / "modules" / f"{module.id}.yaml"
            f.write_text(f.read_text() + f"\n# {SECRET_WORDS}\n")

        root, course, module, exchange, ex = released_one_module(base, course_id=COURSE_ID, edit=mark_the_key)
        content_file = root / "content" / "modules" / f"{module.id}.yaml"
        url = f"sqlite:///{root / 'gradebook.db'}"

        # Every trainee submits with nbgrader from a folder of their own.
        profiles = {t.student: t for t in cohort.profiles(module)}
        homes = base / "homes"
        for student in (*HONEST, *AT_COLLECT):
            t = profiles["sim_all_right" if student == "sim_all_right" else "sim_all_wrong"]
            t.student = student
            (homes / student).mkdir(parents=True)
            shutil.move(cohort.write_submission(root, module, t), homes / student / module.id)
            nbgrader(["submit", module.id, f"--student={student}", *ex], homes / student)
        shutil.rmtree(root / "submitted")
        inbound = exchange / COURSE_ID / "inbound"
        folder = {p.name.split("+")[0]: p for p in inbound.iterdir()}
        right = folder["sim_all_right"] / ANSWERS_FILE
        for student in AT_COLLECT:
            _attack(folder[student], student, right, content_file, module.notebook)
        (inbound / f"col_link_folder+{module.id}+2026-12-01 10:00:00.000000 UTC+abc").symlink_to(root / "source" / module.id)
        (inbound / f"col_bad_time+{module.id}+not a time+abc").mkdir()
        shutil.copytree(folder["sim_all_wrong"], inbound / f"sub[x]+{module.id}+2026-12-01 10:00:00.000000 UTC+abc")
        collect = nbgrader(["collect", module.id, *ex], root, check=False)

        # The same attacks straight into submitted/, then the trainer's cycle.
        for student in AT_AUTOGRADE:
            t = profiles["sim_all_wrong"]
            t.student = student
            dest = cohort.write_submission(root, module, t)
            (dest / "submission_secret.txt").write_text(f"secret-of-{student}")  # as `nbgrader submit` writes
            _attack(dest, student, root / "submitted" / "sim_all_right" / module.id / ANSWERS_FILE, content_file,
                    module.notebook)
        autograde = nbgrader(["autograde", module.id], root, check=False)
        feedback = nbgrader(["generate_feedback", module.id], root, check=False)
        stale = root / "feedback" / "ag_keys_html" / module.id / "keys.html"  # a stale file from an older run
        stale.write_text(content_file.read_text())
        release = nbgrader(["release_feedback", module.id, *ex], root, check=False)
        yield {"root": root, "course": course, "module": module, "exchange": exchange, "collect": collect,
               "autograde": autograde, "feedback": feedback, "release": release, "grades": gradebook.grades(url),
               "right": dict(profiles["sim_all_right"].expected), "wrong": dict(profiles["sim_all_wrong"].expected)}


def _tree(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_collect_copies_plain_files_only_and_collects_everyone_else(run):
    root, module = run["root"], run["module"]
    assert run["collect"].returncode == 0, run["collect"].stdout[-3000:]
    collected = {p.name for p in (root / "submitted").iterdir()}
    assert set(HONEST) | set(AT_COLLECT) <= collected
    assert not {"col_link_folder", "col_bad_time", "sub[x]"} & collected
    for student in AT_COLLECT + HONEST:
        files = _tree(root / "submitted" / student / module.id)
        assert all(stat.S_ISREG(p.lstat().st_mode) or stat.S_ISDIR(p.lstat().st_mode) for p in files), files
        assert not [p for p in files if p.suffix == ".py"]
        for p in files:
            if p.is_file():
                assert SECRET_WORDS not in p.read_text(errors="replace"), p
    assert not (root / "submitted" / "col_link_answers" / module.id / ANSWERS_FILE).exists()
    checks = {s: {r["path"]: r["why"] for r in rs if r["step"] == "collect"}
              for s, rs in read_checks(root, module.id).items()}
    assert checks["col_link_answers"][ANSWERS_FILE].startswith("a link (to ")
    assert checks["col_keys_html"]["keys.html"].startswith("a link (to ")
    assert checks["col_sub_code"]["sub[x]/keys.yaml"].startswith("a link (to ")
    assert checks["col_odd_files"] == {"null.html": "a device file", "pipe.html": "a named pipe (FIFO)",
                                       "sock.html": "a socket", "zero.html": "a link (to /dev/zero); links are never followed"}
    assert [why[:11] for why in checks["col_link_folder"].values()] == ["a link (to "]
    assert list(checks["col_bad_time"].values()) == ["a folder name without a valid time"]
    assert "a folder whose trainee id is not a plain name" in run["collect"].stdout
    assert not any(s in checks for s in HONEST)


def test_honest_trainees_are_graded_exactly(run):
    assert _points(run["grades"], "sim_all_right") == run["right"]
    assert _points(run["grades"], "sim_all_wrong") == run["wrong"]
    for student in ("col_keys_html", "col_sub_code", "col_odd_files", "ag_keys_html", "ag_sub_code", "ag_odd_files"):
        assert _points(run["grades"], student) == run["wrong"], student  # an extra file changes nothing


def test_no_link_gains_a_grade(run):
    for student in ("col_link_answers", "ag_link_answers", "ag_link_notebook"):
        assert sum(_points(run["grades"], student).values()) == 0, student
    assert sum(run["right"].values()) > 0
    out = run["autograde"].stdout
    assert "ag_link_answers/01_why_a_code not graded: cps_answers.json is a link (to " in out
    assert "ag_link_notebook/01_why_a_code not graded: why_a_code.ipynb is a link (to " in out


def test_autograded_and_feedback_hold_only_the_graded_files(run):
    root, module = run["root"], run["module"]
    nb = module.notebook
    for student in ("sim_all_right", "ag_keys_html", "ag_sub_code", "ag_odd_files", "col_keys_html"):
        names = {p.name for p in (root / "autograded" / student / module.id).iterdir()}
        assert names - {f"{nb}.ipynb", ANSWERS_FILE, "timestamp.txt", "submission_secret.txt"} == \
            {f".cps_autograde.{nb}.json"}, (student, names)
        names = {p.name for p in (root / "feedback" / student / module.id).iterdir()}
        assert names - {"keys.html"} <= {f"{nb}.html", "timestamp.txt", "submission_secret.txt"}, (student, names)
    for student in ("ag_link_answers", "ag_link_notebook"):
        assert not (root / "autograded" / student).exists() or not _tree(root / "autograded" / student / module.id)
    for p in _tree(root / "autograded") + _tree(root / "feedback"):
        assert not p.is_symlink() and (p.is_dir() or stat.S_ISREG(p.lstat().st_mode)), p
        if p.is_file() and p.name != "keys.html":
            assert SECRET_WORDS not in p.read_text(errors="replace"), p
    assert run["feedback"].returncode == 0, run["feedback"].stdout[-3000:]


def test_release_feedback_releases_only_feedback_pages_without_keys(run):
    root, course, exchange = run["root"], run["course"], run["exchange"]
    assert run["release"].returncode == 0, run["release"].stdout[-3000:]
    released = list((exchange / COURSE_ID / "feedback").iterdir())
    pages = [p for p in released if not p.name.startswith(".")]
    graded = [d.name for d in (root / "feedback").iterdir()]
    assert len(pages) == len(graded) and all(p.suffix == ".html" and not p.is_symlink() for p in pages)
    for p in pages:
        assert SECRET_WORDS not in p.read_text(), p
        assert "Total:" in p.read_text() and "points" in p.read_text()  # the course's feedback page
    assert leaks(exchange / COURSE_ID / "feedback", course) == []


def test_refusals_are_reported_per_trainee(run):
    checks = read_checks(run["root"], run["module"].id)
    ag = {s: {r["path"]: r["why"] for r in rs if r["step"] == "autograde"} for s, rs in checks.items()}
    assert ag["ag_keys_html"] == {"keys.html": ag["ag_keys_html"]["keys.html"]}
    assert ag["ag_keys_html"]["keys.html"].startswith("a link (to ") and "content/modules" in ag["ag_keys_html"]["keys.html"]
    assert set(ag["ag_sub_code"]) == {"sub[x]/keys.yaml"}
    assert set(ag["ag_odd_files"]) == {"null.html", "pipe.html", "sock.html", "zero.html"}
    assert set(ag["ag_link_answers"]) == {ANSWERS_FILE} and set(ag["ag_link_notebook"]) == {"why_a_code.ipynb"}
    assert not any(ag.get(s) for s in HONEST)
    out = run["autograde"].stdout
    assert "Refused for trainee ag_odd_files (autograde): pipe.html is a named pipe (FIFO)" in out
