"""nbgrader_config.py loads cleanly and closes the traps: answers kept, widget state stripped, stubs safe."""

from __future__ import annotations

import json

import pytest
from courselib import REPO, copy_course
from traitlets.config.loader import PyFileConfigLoader

from cps_ethics.autograde.runner import nbgrader
from cps_ethics.course import ANSWERS_FILE
from cps_ethics.errors import CourseError
from cps_ethics.model.content import load_course

pytestmark = pytest.mark.slow


def load_config(root):
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(root))
    loader.load_config()  # raises if the file raises: nbgrader itself would only log it
    return loader.config


def test_config_loads_and_sets_the_safeguards():
    c = load_config(REPO)
    modules = [m.id for m in load_course(REPO).modules]
    assert c.Autograde.exclude_overwriting == {m: [ANSWERS_FILE] for m in modules}
    assert 0 < c.Execute.timeout <= 300 and c.Execute.interrupt_on_timeout is True
    assert "raise" not in c.ClearSolutions.code_stub["python"]
    assert any(getattr(p, "__name__", p) == "StripWidgetState" for p in c.GenerateAssignment.preprocessors)
    assert "nbgrader.preprocessors.ClearHiddenTests" in c.GenerateFeedback.preprocessors
    assert c.CourseDirectory.db_url.startswith("sqlite:///") and c.CourseDirectory.db_url.endswith("gradebook.db")


def test_db_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CPS_DB_URL", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert load_config(REPO).CourseDirectory.db_url == "postgresql+psycopg://u@127.0.0.1:1/x"


def test_widget_state_in_a_source_notebook_never_ships(tmp_path):
    root = copy_course(tmp_path / "course")
    m = load_course(root).modules[0]
    path = root / "source" / m.id / f"{m.notebook}.ipynb"
    nb = json.loads(path.read_text())
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": {}}}}
    path.write_text(json.dumps(nb))
    nbgrader(["generate_assignment", m.id, "--force"], root)
    released = json.loads((root / "release" / m.id / f"{m.notebook}.ipynb").read_text())
    assert "widgets" not in released["metadata"]


def test_a_config_that_fails_to_load_stops_our_commands(tmp_path):
    root = copy_course(tmp_path / "course")
    (root / "nbgrader_config.py").write_text("c = get_config()\nraise RuntimeError('broken on purpose')\n")
    with pytest.raises(CourseError, match="could not load nbgrader_config.py"):
        nbgrader(["generate_assignment", load_course(root).modules[0].id, "--force"], root)


def test_python_files_in_a_submission_cannot_replace_the_grader(tmp_path):
    from cps_ethics.simulate import cohort

    root = copy_course(tmp_path / "course")
    m = load_course(root).modules[0]
    nbgrader(["generate_assignment", m.id, "--force"], root)
    trainee = cohort.profiles(m)[1]  # all wrong: a fake grader would lift it to full marks
    dest = cohort.write_submission(root, m, trainee)
    fake = dest / "cps_ethics"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "grader.py").write_text("def grade(ref):\n    return 1000\n")
    (dest / "json.py").write_text("raise SystemExit('shadowed')\n")
    nbgrader(["autograde", m.id, "--force"], root)
    graded = root / "autograded" / trainee.student / m.id
    assert not (graded / "cps_ethics" / "grader.py").exists() and not (graded / "json.py").exists()
    from grading import gradebook

    g = gradebook.grades(f"sqlite:///{root / 'gradebook.db'}")
    got = {r.grade_id: r.score for r in g.itertuples() if r.cell_type == "code"}
    assert got == trainee.expected
