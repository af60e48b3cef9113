"""A trainee sees a course, not code: a released notebook in JupyterLab (headless Chromium) after Run All.

The student version is made the trainer's way (`cps-course release`, i.e. nbgrader generate_assignment) in a
private course copy, so the test holds whatever state the repo's release/ is in. JupyterLab runs from this
environment with the course's settings installed by scripts/setup.sh (deploy/jupyterlab/overrides.json):
no Jupyter news question, no update check. Screenshots go to out/test-artifacts/browser/hidden_code/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from courselib import REPO, one_module_course
from lablib import (
    ARTIFACTS,
    CELLS,
    chromium,
    code_in_sight,
    news_toasts,
    open_notebook,
    run_all,
    screenshots,
)
from labserver import jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODULE, NOTEBOOK = "04_boundaries", "boundaries"  # the module the issue was seen in (61 code cells)
SHOTS = ARTIFACTS / "browser" / "hidden_code"
INSTALLED = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "cps-ethics-course.json"


def _settings(base: str, token: str, plugin: str) -> dict:
    """A plugin's settings as JupyterLab applies them: the user's own, else the defaults with overrides."""
    with urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={token}", timeout=30) as r:
        data = json.load(r)
    props = data["schema"]["properties"]
    return {k: data.get("settings", {}).get(k, v.get("default")) for k, v in props.items()}


def test_released_notebook_shows_no_code_after_run_all(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    assert INSTALLED.is_file() and json.loads(INSTALLED.read_text()) == json.loads(
        (REPO / "deploy" / "jupyterlab" / "overrides.json").read_text()), \
        "the course's JupyterLab settings are not installed: run `source scripts/setup.sh`"
    course = one_module_course(tmp_path / "course", MODULE)
    res = subprocess.run([str(Path(sys.executable).parent / "cps-course"), "release"], check=False, cwd=course,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    released = course / "release" / MODULE / f"{NOTEBOOK}.ipynb"
    code_cells = [c for c in nbformat.read(released, as_version=4).cells if c.cell_type == "code"]
    assert code_cells and all(c.metadata.get("jupyter", {}).get("source_hidden") is True for c in code_cells)

    work = tmp_path / "trainee"
    shutil.copytree(released.parent, work / MODULE)
    home = tmp_path / "home"  # a trainee's own, empty JupyterLab settings: only the course's installed ones apply
    home.mkdir()
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with jupyterlab(work, home, "trainee_hidden_code", SHOTS / "jupyterlab.log") as (base, token):
        notification = _settings(base, token, "@jupyterlab/apputils-extension:notification")
        with chromium() as browser:
            page = open_notebook(browser, base, token, f"{MODULE}/{NOTEBOOK}.ipynb")
            page.screenshot(path=str(SHOTS / "opened.png"))
            run_all(page)
            page.wait_for_function("() => document.body.innerText.includes('graded items answered')",
                                   timeout=180_000)
            page.wait_for_function(  # every display cell has drawn its question or scenario
                "n => document.querySelectorAll('.jp-Notebook .jp-CodeCell .jupyter-widgets').length >= n",
                arg=sum(1 for c in code_cells if c.metadata["nbgrader"]["grade_id"].startswith("show_")),
                timeout=120_000)
            page.wait_for_timeout(3000)  # time for a news question to pop up, if one were coming
            seen = code_in_sight(page)
            toasts = news_toasts(page)
            cell_type_menu = page.locator(".jp-Notebook-toolbarCellType").count()
            shots = screenshots(page, SHOTS, "after_run_all", pages=12)
            page.screenshot(path=str(SHOTS / "after_run_all_full.png"), full_page=True)
            cells = page.locator(CELLS).count()

    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    assert toasts == [], "JupyterLab asked about or showed news/updates"
    assert cell_type_menu == 0, "the notebook toolbar still offers the cell type menu"
    assert cells == len(nbformat.read(released, as_version=4).cells)
    assert seen["code_cells"] == len(code_cells) == seen["collapsed"], seen
    assert seen["editors"] == 0 and seen["visible_editors"] == 0, seen
    assert seen["previews"] == [], "a collapsed cell previews its code"
    assert seen["code_text"] == [], "code-like text is in sight in the notebook"
    assert shots and all(p.stat().st_size > 0 for p in shots)
