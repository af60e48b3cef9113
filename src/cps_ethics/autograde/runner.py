"""Run nbgrader's own commands from this environment, with progress lines and a full log on disk."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from cps_ethics.errors import CourseError


def env(extra: dict | None = None) -> dict:
    """nbgrader shells out to `alembic` and `jupyter`: put this environment's scripts first on PATH."""
    e = dict(os.environ)
    e["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), e.get("PATH", "")])
    e.update(extra or {})
    return e


def nbgrader(args: list[str], root: Path, log: Path | None = None, progress=None, check: bool = True,
             extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` in the course folder. `progress(line)` sees each log line as it comes."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.Popen(cmd, cwd=root, env=env(extra_env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if progress:
            progress(line.rstrip("\n"))
    proc.wait()
    text = "".join(lines)
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(text, encoding="utf-8")
    if CONFIG_FAILED in text:
        raise CourseError("nbgrader could not load nbgrader_config.py, so it ran with unsafe defaults "
                          "(answers files could be overwritten). Fix the config first." + (f" Log: {log}" if log else ""))
    if check and proc.returncode != 0:
        tail = "".join(lines[-15:])
        raise CourseError(f"`nbgrader {' '.join(args)}` failed (exit {proc.returncode})."
                          + (f" Full log: {log}" if log else "") + f"\nLast lines:\n{tail}")
    return subprocess.CompletedProcess(cmd, proc.returncode, text, "")


CONFIG_FAILED = "Exception while loading config file"
# nbgrader autograde logs one such line per submission it grades.
STUDENT_LINE = re.compile(r"Autograding \S*/autograded/(?P<student>[^/]+)/")
