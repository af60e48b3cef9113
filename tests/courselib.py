"""Helpers shared by the test folders: the repo's location and a private copy of the course."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

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


def one_module_course(dest: Path, module_id: str = "01_why_a_code") -> Path:
    """A private course copy holding only one module (for tests and benchmarks that grade one module)."""
    root = copy_course(dest)
    for f in (root / "content" / "modules").glob("*.yaml"):
        if f.stem != module_id:
            f.unlink()
    for f in (root / "content" / "exam").glob("*.yaml"):  # the exam-only bank belongs to the practice exam
        f.unlink()
    for part in ("source", "release"):
        for d in (root / part).iterdir():
            if d.name != module_id:
                shutil.rmtree(d)
    return root
