"""Shared fixtures: a private copy of the course for tests that run nbgrader, so the repo is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from courselib import REPO, copy_course
from pgserver import pg_url  # noqa: F401  (session fixture: a throwaway PostgreSQL server)


@pytest.fixture
def course_copy(tmp_path: Path, monkeypatch) -> Path:
    """A fresh private course folder; CPS_COURSE_ROOT and CPS_DB_URL are cleared so it finds itself."""
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    monkeypatch.delenv("CPS_DB_URL", raising=False)
    return copy_course(tmp_path / "course")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
