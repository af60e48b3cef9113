"""Helpers shared by the test folders: the repo's location and a private copy of the course."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def own_course_env():
    """The course folder and gradebook a test makes, not the ones the environment names (CPS_COURSE_ROOT,
    CPS_DB_URL), for a module-scoped fixture (pytest's monkeypatch fixture is function-scoped)."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CPS_DB_URL", raising=False)
        mp.delenv("CPS_COURSE_ROOT", raising=False)
        yield mp


def give_to(path: Path, uid: int) -> None:
    """Make `path` and everything in it owned by `uid` (as if that person had written it), links included."""
    for p in [path, *path.rglob("*")]:
        os.lchown(p, uid, 100)


def need_root_to_chown() -> None:
    """Attack tests that play several trainees' accounts give folders other owners: they need root."""
    import pytest

    if os.geteuid() != 0:
        pytest.fail("this test gives folders other owners (chown): run the suite as root, as scripts/test.sh does")


def released_one_module(base: Path, module_id: str = "01_why_a_code", course_id: str = "ma-cps-ethics", edit=None):
    """A one-module course at base/course, released through a real exchange at base/exchange (open to every
    user, as on a hub). `edit(root, module)` may change the course before it is built.
    Returns (root, course, module, the exchange folder, the --Exchange.root/--course arguments)."""
    from cps_ethics.authoring import build
    from cps_ethics.autograde.runner import nbgrader
    from cps_ethics.model.content import load_course

    root = one_module_course(base / "course", module_id)
    if edit is not None:
        edit(root, load_course(root).modules[0])
    course = load_course(root)
    module = course.modules[0]
    exchange = base / "exchange"
    for part in ("inbound", "outbound", "feedback"):
        (exchange / course_id / part).mkdir(parents=True)
    exchange.chmod(0o1777)
    ex = [f"--Exchange.root={exchange}", f"--course={course_id}"]
    build.build(root, course)
    nbgrader(["generate_assignment", module.id, "--force"], root)
    nbgrader(["release_assignment", module.id, *ex], root)
    return root, course, module, exchange, ex


def code_points(db_url: str, student: str) -> float:
    """The student's autograded points over all code cells in the gradebook at `db_url`."""
    from grading import gradebook

    g = gradebook.grades(db_url)
    mine = g[(g["student"] == student) & (g["cell_type"] == "code")]
    return float(mine["auto_score"].fillna(0).sum())


def submit_through_exchange(root: Path, module, homes: Path, student: str, profile: str, ex: list[str]) -> None:
    """`student` submits the simulated `profile`'s answers with `nbgrader submit` from their own folder. The
    cohort writer makes it in submitted/, which would replace a collected submission: that one is moved aside
    meanwhile and put back."""
    from cps_ethics.autograde.runner import nbgrader
    from cps_ethics.simulate import cohort

    t = {p.student: p for p in cohort.profiles(module)}[profile]
    t.student = student
    home, collected, aside = homes / student, root / "submitted" / student / module.id, homes / "aside"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if collected.exists():
        shutil.move(collected, aside)
    shutil.move(cohort.write_submission(root, module, t), home / module.id)
    if aside.exists():
        shutil.move(aside, collected)
    nbgrader(["submit", module.id, f"--student={student}", *ex], home)
