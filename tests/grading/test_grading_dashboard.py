"""The instructor dashboard notebook: clean on a fresh clone (no gradebook yet) and with a gradebook."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
from grading_fixtures import build_class, class_answers
from nbclient import NotebookClient

from grading import pipeline

REPO = Path(__file__).resolve().parents[2]


def run_dashboard(course: Path) -> str:
    (course / "notebooks").mkdir(exist_ok=True)
    shutil.copy(REPO / "notebooks" / "instructor_dashboard.ipynb", course / "notebooks")
    nb = nbformat.read(course / "notebooks" / "instructor_dashboard.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(course / "notebooks")}}).execute()
    text = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", out
            text.append(out.get("text", "") + str(out.get("data", {}).get("text/markdown", "")))
    return "\n".join(text)


def test_dashboard_without_gradebook_says_what_to_do(course_copy):
    os.environ.pop("CPS_DB_URL", None)
    text = run_dashboard(course_copy)
    assert "Run the main job first" in text
    assert not (course_copy / "gradebook.db").exists()


def test_dashboard_with_gradebook_runs_the_pipeline(course_copy):
    build_class(f"sqlite:///{course_copy / 'gradebook.db'}")
    class_answers(course_copy)
    text = run_dashboard(course_copy)
    assert f"[6/6] Writing {len(pipeline.TABLES)} tables" in text
    assert (course_copy / "out" / "grading" / "trainee_assignments.csv").is_file()
