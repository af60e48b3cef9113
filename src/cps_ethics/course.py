"""Where things are: the course root, content files, assignments, and well-known file names."""

from __future__ import annotations

import os
from pathlib import Path

CONTENT_FILE = "cps_content.json"  # public projection of a module, next to its notebook
ANSWERS_FILE = "cps_answers.json"  # trainee's answers sidecar, next to the notebook
ROOT_ENV = "CPS_COURSE_ROOT"


def is_course_root(path: Path) -> bool:
    return (path / "nbgrader_config.py").is_file() and (path / "content" / "modules").is_dir()


def find_root(start: Path | None = None) -> Path | None:
    """The course root: $CPS_COURSE_ROOT, else the nearest parent holding nbgrader_config.py and content/."""
    env = os.environ.get(ROOT_ENV)
    if env:
        p = Path(env).resolve()
        return p if is_course_root(p) else None
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if is_course_root(p):
            return p
    return None


def require_root(start: Path | None = None) -> Path:
    from .errors import CourseError

    root = find_root(start)
    if root is None:
        raise CourseError(
            "Cannot find the course folder (one with nbgrader_config.py and content/modules/). "
            f"Run the command inside the course folder or set {ROOT_ENV}."
        )
    return root


def content_dir(root: Path) -> Path:
    return root / "content"


def module_files(root: Path) -> list[Path]:
    return sorted((content_dir(root) / "modules").glob("*.yaml"))


def source_dir(root: Path, assignment: str) -> Path:
    return root / "source" / assignment


def release_dir(root: Path, assignment: str) -> Path:
    return root / "release" / assignment


def instructor_preview_dir(cwd: Path) -> Path | None:
    """If cwd is <course>/source/<assignment>, where the trainer's preview answers go instead.

    Answers clicked while previewing an instructor notebook must never land in source/, because
    nbgrader copies every file of source/<a>/ into release/ and over every trainee's copy at autograde.
    """
    cwd = cwd.resolve()
    if cwd.parent.name == "source" and is_course_root(cwd.parent.parent):
        return cwd.parent.parent / ".preview_answers" / cwd.name
    return None


def db_url(root: Path) -> str:
    """The gradebook nbgrader_config.py uses: $CPS_DB_URL, else the SQLite file in the course folder."""
    return os.environ.get("CPS_DB_URL") or f"sqlite:///{root / 'gradebook.db'}"
