"""release/ is exactly what nbgrader generate_assignment makes from source/, and source/ from content/."""

from __future__ import annotations

import json

import pytest
from courselib import REPO, copy_course

from cps_ethics.authoring import build
from cps_ethics.authoring.release import leaks
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model.content import load_course

pytestmark = pytest.mark.slow


def test_source_is_in_sync_with_content():
    assert build.stale(REPO) == [], "run `cps-course build` and commit source/"


def test_release_is_what_nbgrader_makes(tmp_path):
    root = copy_course(tmp_path / "course", parts=("nbgrader_config.py", "content", "source"))
    course = load_course(root)
    for m in course.modules:
        nbgrader(["generate_assignment", m.id, "--force"], root)
    made = sorted(p.relative_to(root / "release") for p in (root / "release").rglob("*") if p.is_file())
    ours = sorted(p.relative_to(REPO / "release") for p in (REPO / "release").rglob("*") if p.is_file())
    assert made == ours, "release/ has different files: run `cps-course release` and commit release/"
    for rel in made:
        a, b = (root / "release" / rel), (REPO / "release" / rel)
        if rel.suffix in (".ipynb", ".json"):
            assert json.loads(a.read_text()) == json.loads(b.read_text()), f"release/{rel} is out of date"
        else:
            assert a.read_bytes() == b.read_bytes(), f"release/{rel} is out of date"


def test_release_holds_no_key_marker_widget_state_or_answers():
    course = load_course(REPO)
    assert leaks(REPO / "release", course) == []
    assert {p.name for p in (REPO / "release").iterdir()} == {m.id for m in course.modules}


def test_leak_check_can_fail(tmp_path):
    """The checker itself finds each kind of leak (so a clean result means something)."""
    course = load_course(REPO)
    m = course.modules[0]
    d = tmp_path / "release" / m.id
    d.mkdir(parents=True)
    graded = next(i for i in m.items() if i["kind"] == "graded")
    (d / "notes.txt").write_text("### BEGIN SOLUTION\n" + graded["rationale"])
    (d / "cps_answers.json").write_text("{}")
    nb = json.loads((REPO / "source" / m.id / f"{m.notebook}.ipynb").read_text())
    nb["metadata"]["widgets"] = {"state": {}}
    (d / "x.ipynb").write_text(json.dumps(nb))
    content = json.loads((REPO / "source" / m.id / "cps_content.json").read_text())
    content["items"][graded["id"]]["rationale"] = "x"
    (d / "cps_content.json").write_text(json.dumps(content))
    found = "\n".join(leaks(tmp_path / "release", course))
    for expected in ("BEGIN SOLUTION", "an answers file", "saved widget state", "BEGIN HIDDEN TESTS",
                     "carries its key", "key text"):
        assert expected in found


def test_committed_notebooks_have_no_outputs_counts_or_widget_state():
    for folder in ("source", "notebooks", "release"):
        for path in (REPO / folder).rglob("*.ipynb"):
            if ".ipynb_checkpoints" in path.parts:
                continue
            nb = json.loads(path.read_text())
            assert "widgets" not in nb["metadata"], path
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    assert cell["outputs"] == [] and cell["execution_count"] is None, path


def test_trainee_code_cells_are_one_line_and_locked():
    from cps_ethics.autograde.grader import cell_source

    for path in (REPO / "source").rglob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            src = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            assert meta.get("locked") and cell["metadata"].get("editable") is False, (path, src)
            if meta.get("grade"):
                assert src == cell_source(meta["grade_id"]), f"{path}: grading cell not in the fixed form"
            else:  # an empty first line (what JupyterLab previews in a collapsed cell), then one line of code
                assert src.split("\n")[0] == "" and len(src.strip().splitlines()) == 1, \
                    f"{path}: a trainee code cell is not one line after an empty first line"
