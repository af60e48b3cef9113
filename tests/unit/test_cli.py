"""`cps-course`: bad arguments and bad input get a message a trainer can act on, and nothing is written."""

from __future__ import annotations

import pytest
from helpers import module, write_course

from cps_ethics import cli


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as e:  # argparse's own usage errors
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_unknown_command(capsys):
    code, _, err = run(capsys, "grade-everything")
    assert code == 2 and "invalid choice" in err and "validate" in err


def test_missing_command(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "COMMAND" in err


def test_not_a_course_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    code, _, err = run(capsys, "--root", str(tmp_path), "validate")
    assert code == 2 and "Cannot find the course folder" in err and "nbgrader_config.py" in err


def test_bad_content_names_file_and_item(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    m = module()
    m["items"][0]["options"][0]["rating"] = "superb"
    root = write_course(tmp_path, [m])
    code, _, err = run(capsys, "--root", str(root), "validate")
    assert code == 2 and "01_test.yaml" in err and "'t_single'" in err and "'superb'" in err


def test_validate_reports_stale_source(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    root = write_course(tmp_path)
    code, out, _ = run(capsys, "--root", str(root), "validate")
    assert code == 1 and "out of date" in out and "cps-course build" in out
    assert run(capsys, "--root", str(root), "build")[0] == 0
    code, out, _ = run(capsys, "--root", str(root), "validate")
    assert code == 0 and "up to date" in out


@pytest.mark.parametrize("command", ["summary", "report"])
def test_no_gradebook_yet(tmp_path, capsys, monkeypatch, command):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    root = write_course(tmp_path)
    code, _, err = run(capsys, "--root", str(root), command)
    assert code == 2 and "gradebook" in err.lower()
    assert not (root / "gradebook.db").exists() and not (root / "out").exists()


def test_autograde_before_release_says_what_to_do(tmp_path, capsys, monkeypatch):
    """A trainer who autogrades before releasing gets one plain message, and nothing is graded or changed."""
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    root = write_course(tmp_path)
    (root / "submitted" / "maria" / "01_test").mkdir(parents=True)
    code, _, err = run(capsys, "--root", str(root), "autograde")
    assert code == 2 and "cps-course release" in err and "nothing was graded" in err
    assert not (root / "autograded").exists() and not (root / "gradebook.db").exists()
