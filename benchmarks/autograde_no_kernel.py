"""Benchmark: nbgrader's stock autograde (every notebook run in a kernel) against the course's (no kernel).

One run grades the same simulated cohort of one module three times: serially with nbgrader 0.9.6's stock
`Execute` configuration, serially with the course's configuration (GradeFromAnswers), and with
`cps-course autograde-parallel` on a throwaway PostgreSQL server. It checks every honest submission got
identical grades both ways, prints the ratios, and projects the time for 1,000 trainees x every module.
Usage: python benchmarks/autograde_no_kernel.py [--size 50] [--workers N] [--no-parallel]
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

from courselib import one_module_course  # noqa: E402

from cps_ethics.authoring import build  # noqa: E402
from cps_ethics.autograde import parallel  # noqa: E402
from cps_ethics.autograde.runner import nbgrader  # noqa: E402
from cps_ethics.course import module_files  # noqa: E402
from cps_ethics.model.content import load_course  # noqa: E402
from cps_ethics.simulate import cohort  # noqa: E402
from grading import gradebook  # noqa: E402

# nbgrader 0.9.6's own lists (converters/autograde.py): the notebook runs in a kernel.
STOCK = '''
# Benchmark only: nbgrader 0.9.6's stock autograde, which runs every submitted notebook in a kernel.
c.Autograde.sanitize_preprocessors = ["nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
'''


def prepare(folder: Path, size: int, stock: bool = False, url: str | None = None):
    root = one_module_course(folder)
    if stock:
        with open(root / "nbgrader_config.py", "a", encoding="utf-8") as f:
            f.write(STOCK)
    course = load_course(root)
    module = course.modules[0]
    build.build(root, course)  # source/ from the content, whatever state the repo's source/ is in
    env = {"CPS_DB_URL": url or ""}
    nbgrader(["generate_assignment", module.id, "--force"], root, extra_env=env)
    return root, module, cohort.scaled(root, module, size)


def serial(root: Path, module_id: str) -> float:
    t0 = time.monotonic()
    res = nbgrader(["autograde", module_id], root, log=root / "out" / "logs" / "autograde.log", check=False,
                   extra_env={"CPS_DB_URL": ""})
    took = time.monotonic() - t0
    if res.returncode != 0:
        raise SystemExit(f"autograde failed in {root} (see out/logs/autograde.log)")
    return took


def scores(url: str, expected: dict) -> dict:
    g = gradebook.grades(url)
    g = g[g["student"].isin(list(expected)) & (g["cell_type"] == "code")]
    return {(r.student, r.grade_id): float(r.auto_score) for r in g.itertuples()}


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=50, help="submissions of one module (default 50)")
    p.add_argument("--workers", type=int, default=parallel.default_workers())
    p.add_argument("--no-parallel", action="store_true", help="skip the PostgreSQL parallel run")
    a = p.parse_args(argv)
    os.environ.pop("CPS_DB_URL", None)
    os.environ.pop("CPS_COURSE_ROOT", None)
    modules = len(module_files(REPO))
    with tempfile.TemporaryDirectory(prefix="cps-bench-") as tmp:
        work = Path(tmp)
        root_k, module, expected = prepare(work / "stock", a.size, stock=True)
        root_n, _, _ = prepare(work / "course", a.size)
        print(f"Cohort: {a.size} submissions of {module.id}; {os.cpu_count()} cores")
        t_kernel = serial(root_k, module.id)
        t_none = serial(root_n, module.id)
        got_k = scores(f"sqlite:///{root_k / 'gradebook.db'}", expected)
        got_n = scores(f"sqlite:///{root_n / 'gradebook.db'}", expected)
        want = {(s, g): p for s, cells in expected.items() for g, p in cells.items()}
        same = got_k == got_n == want
        per_k, per_n = t_kernel / a.size, t_none / a.size
        print(f"stock nbgrader autograde (Execute, a kernel per notebook): {t_kernel:.1f} s = {per_k:.2f} s per submission")
        print(f"course autograde (GradeFromAnswers, no kernel):           {t_none:.1f} s = {per_n:.2f} s per submission")
        print(f"ratio: {per_k / per_n:.1f}x faster per submission (target at least 5x); "
              f"identical grades for every honest submission: {same} ({len(want)} grade rows)")
        n = 1000 * modules
        print(f"projection, 1,000 trainees x {modules} modules ({n:,} submissions) at this module's rate: "
              f"stock {_hours(per_k * n)}, course {_hours(per_n * n)} serial")
        if not a.no_parallel:
            from pgserver import PgServer, fresh_database

            with PgServer() as server:
                url_s = fresh_database(server.url(), "serial")
                root_s, _, _ = prepare(work / "serial_pg", a.size, url=url_s)
                t0 = time.monotonic()
                res = nbgrader(["autograde", module.id], root_s, log=root_s / "out" / "logs" / "serial.log",
                               check=False, extra_env={"CPS_DB_URL": url_s})
                t_pg = time.monotonic() - t0
                url = fresh_database(server.url(), "parallel")
                root_p, _, _ = prepare(work / "parallel", a.size, url=url)
                out = parallel.autograde(root_p, module.id, workers=a.workers, url=url, say=lambda m: None)
                per_s, per_p = t_pg / a.size, out.seconds / a.size
                print(f"course autograde, serial, PostgreSQL: {t_pg:.1f} s = {per_s:.2f} s per submission "
                      f"(exit {res.returncode}); identical grades: {scores(url_s, expected) == want}")
                print(f"course autograde-parallel ({len(out.groups)} workers, PostgreSQL): {out.seconds:.1f} s = "
                      f"{per_p:.2f} s per submission ({t_pg / out.seconds:.2f}x serial on PostgreSQL); "
                      f"identical grades: {scores(url, expected) == want}")
                print(f"projection, PostgreSQL: serial {_hours(per_s * n)}, autograde-parallel {_hours(per_p * n)}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
