"""Autograde a cohort with N nbgrader worker processes (PostgreSQL); on SQLite, one process with a clear message."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cps_ethics.course import db_url as course_db_url
from cps_ethics.errors import CourseError
from cps_ethics.store import visible

from .runner import STUDENT_LINE, nbgrader

SQLITE_MESSAGE = ("The gradebook is a SQLite file, which allows one writer at a time: several nbgrader "
                  "processes writing to it at once could lose grades or corrupt it. Grading the {n} submissions "
                  "one after another in one process instead. For parallel grading, use PostgreSQL: set CPS_DB_URL "
                  "(e.g. postgresql+psycopg://user@host/gradebook) and run generate_assignment again.")


@dataclass
class Outcome:
    """What one parallel autograde did: per worker exit codes and students, and the wall time."""

    assignment: str
    groups: list[list[str]]
    codes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    serialised: bool = False

    @property
    def ok(self) -> bool:
        return not any(self.codes)


def default_workers() -> int:
    """One per core, plus one: an nbgrader process leaves ~20-25% of its core idle (kernel start-up, I/O), and a
    third worker on 2 cores measured 1.82x/1.63x serial throughput against 1.68x/1.57x for two (benchmarks/)."""
    return (os.cpu_count() or 1) + 1


def students(root: Path, assignment: str) -> list[str]:
    """Everyone with a submitted/<student>/<assignment>/ folder, sorted."""
    return sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir())


def split(ids: list[str], workers: int) -> list[list[str]]:
    """Round-robin groups (similar sizes, so workers finish together); never an empty group."""
    workers = max(1, min(workers, len(ids)))
    return [ids[k::workers] for k in range(workers)]


def is_sqlite(url: str) -> bool:
    return sa.engine.make_url(url).get_backend_name() == "sqlite"


def check_gradebook(url: str, assignment: str) -> None:
    """Workers must not race to create the gradebook: it must already hold the assignment."""
    path = sa.engine.make_url(url).database
    if is_sqlite(url) and not (path and Path(path).is_file()):  # connecting would create an empty file
        raise CourseError(f"There is no gradebook at {path}. Run `nbgrader generate_assignment {assignment}` first.")
    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM assignment WHERE name = :a"), {"a": assignment}).first()
    except Exception as e:  # noqa: BLE001 - one message a trainer can act on
        found, why = None, str(e).splitlines()[0]
    else:
        why = "it has no such assignment"
    finally:
        eng.dispose()
    if found is None:
        raise CourseError(f"The gradebook is not ready for {assignment} ({why}). Run "
                          f"`nbgrader generate_assignment {assignment}` with the same CPS_DB_URL first.")


def autograde(root: Path, assignment: str, workers: int = 0, url: str | None = None, force: bool = False,
              extra_args: list[str] | None = None, say=print) -> Outcome:
    """Autograde every submission of `assignment`, split over `workers` nbgrader processes (0: the default)."""
    url = url or course_db_url(root)
    ids = students(root, assignment)
    if not ids:
        say(f"{assignment}: no submissions")
        return Outcome(assignment, [])
    bad = [s for s in ids if "," in s]
    if bad:
        raise CourseError("Student ids cannot contain a comma (nbgrader's exclude list is comma separated): "
                          + ", ".join(visible(b) for b in bad))
    workers = workers or default_workers()
    args = ["autograde", assignment, *(["--force"] if force else []), *(extra_args or [])]
    serialised = is_sqlite(url) and workers > 1 and len(ids) > 1
    if serialised:
        say(SQLITE_MESSAGE.format(n=len(ids)))
        workers = 1
    check_gradebook(url, assignment)
    groups = split(ids, workers)
    say(f"{assignment}: autograding {len(ids)} submissions with {len(groups)} nbgrader process(es)")
    lock, seen = threading.Lock(), []
    logs = root / "out" / "logs"

    def progress(line: str) -> None:
        hit = STUDENT_LINE.search(line)
        if hit:
            with lock:
                if hit.group("student") not in seen:
                    seen.append(hit.group("student"))
                    say(f"  [{len(seen)}/{len(ids)}] {visible(hit.group('student'))}")

    def run(k: int) -> int:
        others = sorted(set(ids) - set(groups[k]))
        exclude = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
        log = logs / (f"autograde_{assignment}.log" if len(groups) == 1 else f"autograde_{assignment}_w{k + 1}.log")
        res = nbgrader([*args, *exclude], root, log=log, progress=progress, check=False,
                       extra_env={"CPS_DB_URL": url})
        if res.returncode:
            say(f"  worker {k + 1}: nbgrader reported a problem with at least one submission "
                f"(exit {res.returncode}); see {log}")
        return res.returncode

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        codes = list(pool.map(run, range(len(groups))))
    out = Outcome(assignment, groups, codes, time.monotonic() - t0, serialised)
    say(f"{assignment}: {len(ids)} submissions in {out.seconds:.1f} s")
    return out


def add_arguments(sp) -> None:
    """Options of `cps-course autograde-parallel`."""
    sp.add_argument("--workers", type=int, default=0, help="nbgrader worker processes (default: cores + 1)")
    sp.add_argument("--force", action="store_true", help="grade again submissions already in autograded/")
    sp.add_argument("--timeout", type=int, help="seconds a cell may run (default: nbgrader_config.py's)")
