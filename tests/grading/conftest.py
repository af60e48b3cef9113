"""Fixtures for the grading pipeline tests: the same hand-built gradebooks on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from grading_fixtures import build_class, build_solo, class_answers, class_course, solo_course
from pgserver import fresh_database

from grading import pipeline

BACKENDS = ["sqlite", "postgresql"]


def new_db(request, kind: str, folder) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'gradebook.db'}"
    return fresh_database(request.getfixturevalue("pg_url"), "grading")


@pytest.fixture(scope="session", params=BACKENDS)
def class_run(request, tmp_path_factory):
    """The "class" gradebook on one backend, its answers files, and every table the pipeline made."""
    root = tmp_path_factory.mktemp(f"class_{request.param}")
    url = new_db(request, request.param, root)
    build_class(url)
    class_answers(root)
    course = class_course(root)
    tables = pipeline.run(url, course, root, root / "out", progress=lambda m: None)
    return {"backend": request.param, "url": url, "root": root, "course": course, "tables": tables}


@pytest.fixture(scope="session", params=BACKENDS)
def solo_run(request, tmp_path_factory):
    """One trainee, an empty answers file, a reflection waiting for manual grading."""
    root = tmp_path_factory.mktemp(f"solo_{request.param}")
    url = new_db(request, request.param, root)
    build_solo(url)
    (root / "autograded" / "sam" / "solo").mkdir(parents=True)
    (root / "autograded" / "sam" / "solo" / "cps_answers.json").write_text(
        '{"format": "cps-answers", "version": 1, "answers": {}}')
    tables = pipeline.run(url, solo_course(root), root, root / "out", progress=lambda m: None)
    return {"backend": request.param, "url": url, "root": root, "tables": tables}
