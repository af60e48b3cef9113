"""Shared fixtures: a private copy of the course for tests that run nbgrader, so the repo is never touched."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# nbgrader shells out to `alembic` and `jupyter`: this environment's scripts come first on PATH.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
COURSE_PARTS = ("nbgrader_config.py", "content", "source", "release")


def copy_course(dest: Path, parts=COURSE_PARTS) -> Path:
    """A course folder at `dest` with the repo's config, content, source/ and release/ (no gradebook)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in parts:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "cps_answers*"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def course_copy(tmp_path: Path, monkeypatch) -> Path:
    """A fresh private course folder; CPS_COURSE_ROOT and CPS_DB_URL are cleared so it finds itself."""
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    return copy_course(tmp_path / "course")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
from pgserver import pg_url  # noqa: E402,F401  (session fixture: a throwaway PostgreSQL server)
