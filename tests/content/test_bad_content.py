"""A graded item or scenario option citing a principle key that does not exist is refused, naming file, item and problem."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml
from contentlib import REPO

from cps_ethics.errors import ContentError
from cps_ethics.model.content import load_course


@pytest.fixture
def bad_course(tmp_path):
    root = tmp_path / "course"
    (root / "content" / "modules").mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for name in ("principles.yaml", "course.yaml"):
        shutil.copy2(REPO / "content" / name, root / "content" / name)
    data = yaml.safe_load((REPO / "content" / "modules" / "01_why_a_code.yaml").read_text(encoding="utf-8"))
    item = next(it for it in data["items"] if it["id"] == "why_purpose_framework")
    item["principles"] = ["K2", "K99"]
    sc = next(s for s in data["scenarios"] if s["id"] == "why_scn_day_program")
    sc["nodes"][0]["options"][0]["principles"] = ["K42"]
    path = root / "content" / "modules" / "01_why_a_code.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root, path


def test_unknown_key_names_file_item_and_problem(bad_course):
    root, path = bad_course
    with pytest.raises(ContentError) as err:
        load_course(root)
    problems = err.value.problems
    assert f"{path}: item 'why_purpose_framework': cites unknown principle key 'K99'" in problems
    assert any(str(path) in p and "scenario 'why_scn_day_program'" in p and "option 'curious'" in p
               and "unknown principle key 'K42'" in p for p in problems), problems


def test_validate_command_reports_unknown_key(bad_course):
    root, path = bad_course
    res = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(root), "validate"],
                         capture_output=True, text=True, cwd=root, timeout=900)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "why_purpose_framework" in res.stderr and "K99" in res.stderr and str(path) in res.stderr
