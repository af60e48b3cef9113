"""Benchmark: serial `nbgrader autograde` against `cps-course autograde-parallel`, on the same cohort, one run.

Each run grades the same simulated cohort twice into two fresh PostgreSQL databases (started here from
Debian's packages on loopback unless --server-url is given) and prints serial time, parallel time and
their ratio. Usage: python benchmarks/parallel_autograde.py [--size 24] [--workers N] [--server-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from courselib import one_module_course
from pgserver import PgServer, fresh_database

from cps_ethics.autograde import parallel
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.model.content import load_course
from cps_ethics.simulate import cohort


def prepare(folder: Path, url: str, size: int):
    """A course copy with its student version registered in `url` and `size` simulated submissions."""
    root = one_module_course(folder)
    module = load_course(root).modules[0]
    nbgrader(["generate_assignment", module.id, "--force"], root, extra_env={"CPS_DB_URL": url})
    expected = cohort.scaled(root, module, size)
    return root, module, expected


def _cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def _busy(c0: float, wall: float, load: float) -> str:
    """CPU our nbgrader processes used, as cores kept busy: below the worker count means a shared machine."""
    cpu = _cpu() - c0
    return f"{cpu:.0f} s CPU = {cpu / wall:.2f} cores busy (load average before: {load:.1f})"


def measure(server_url: str, size: int, workers: int, work: Path, say=print) -> dict:
    """Serial then parallel on the same cohort; returns the times, ratio and both database URLs."""
    os.environ.pop("CPS_DB_URL", None)
    os.environ.pop("CPS_COURSE_ROOT", None)
    serial_url, parallel_url = fresh_database(server_url, "serial"), fresh_database(server_url, "parallel")
    root_s, module, _ = prepare(work / "serial", serial_url, size)
    root_p, _, expected = prepare(work / "parallel", parallel_url, size)
    say(f"Cohort: {size} submissions of {module.id}; {workers} workers; {os.cpu_count()} cores")
    load, c0, t0 = os.getloadavg()[0], _cpu(), time.monotonic()
    res = nbgrader(["autograde", module.id], root_s, log=root_s / "out" / "logs" / "serial.log", check=False,
                   extra_env={"CPS_DB_URL": serial_url})
    serial = time.monotonic() - t0
    say(f"serial nbgrader autograde: {serial:.1f} s (exit {res.returncode}); {_busy(c0, serial, load)}")
    load, c0 = os.getloadavg()[0], _cpu()
    out = parallel.autograde(root_p, module.id, workers=workers, url=parallel_url, say=lambda m: None)
    say(f"parallel, {len(out.groups)} workers: {out.seconds:.1f} s (exit codes {out.codes}); "
        f"{_busy(c0, out.seconds, load)}")
    ratio = serial / out.seconds
    say(f"ratio serial/parallel: {ratio:.2f}x throughput ({size / serial * 60:.1f} vs "
        f"{size / out.seconds * 60:.1f} submissions per minute)")
    return {"serial": serial, "parallel": out.seconds, "ratio": ratio, "serial_url": serial_url,
            "parallel_url": parallel_url, "roots": (root_s, root_p), "module": module.id, "expected": expected}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=24, help="submissions in the cohort (default 24)")
    p.add_argument("--workers", type=int, default=parallel.default_workers(), help="worker processes (default: cores + 1)")
    p.add_argument("--server-url", help="a PostgreSQL server URL (default: start a throwaway one here)")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cps-bench-") as tmp:
        if a.server_url:
            measure(a.server_url, a.size, a.workers, Path(tmp))
        else:
            with PgServer() as server:
                measure(server.url(), a.size, a.workers, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
