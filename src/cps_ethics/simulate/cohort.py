"""A simulated cohort: trainee submissions made from release/, in nbgrader's submitted/ layout,
with the scores each must get. Used by the main job, the tests and the benchmarks."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat

from cps_ethics import store
from cps_ethics.course import ANSWERS_FILE, release_dir
from cps_ethics.model import graph, scoring, variants
from cps_ethics.model.content import Course, Module

PREFIX = "sim_"
REFLECTION_TEXT = ("Signing the code is a public promise. I will show respect by asking people what they "
                   "want before I suggest anything.")


def right(item: dict):
    t = item["type"]
    if t == "single":
        return next(o["id"] for o in item["options"] if o["rating"] == "best")
    if t == "multiple":
        return [o["id"] for o in item["options"] if o["correct"]]
    if t == "matching":
        return {p["id"]: p["answer"] for p in item["pairs"]}
    return [s["id"] for s in item["steps"]]


def wrong(item: dict):
    t = item["type"]
    if t == "single":
        return min(item["options"], key=lambda o: scoring.RATING_SHARE[o["rating"]])["id"]
    if t == "multiple":
        return [o["id"] for o in item["options"] if not o["correct"]]
    if t == "matching":
        ids = [c["id"] for c in item["choices"]]
        return {p["id"]: next(c for c in ids if c != p["answer"]) for p in item["pairs"]}
    return [s["id"] for s in reversed(item["steps"])]


def _longest(seq: list[dict]) -> dict:
    return max(seq, key=lambda o: len(o["text"]))


def testwise(item: dict):
    """What a trainee who never read the course picks by form alone: the longest option (longer than average
    ones in a multiple-select item; the longest choice for every match; the longest step first)."""
    t = item["type"]
    if t == "single":
        return _longest(item["options"])["id"]
    if t == "multiple":
        mean = sum(len(o["text"]) for o in item["options"]) / len(item["options"])
        return [o["id"] for o in item["options"] if len(o["text"]) > mean]
    if t == "matching":
        return {p["id"]: _longest(item["choices"])["id"] for p in item["pairs"]}
    return [s["id"] for s in sorted(item["steps"], key=lambda s: -len(s["text"]))]


def testwise_path(sc: dict):
    return graph.choose_path(sc, _longest)


def worst_path(sc: dict):
    return graph.choose_path(sc, lambda opts: min(opts, key=lambda o: graph.RATING_POINTS[o["rating"]]))


def mixed_path(sc: dict):
    """Best at the first decision, worst after it."""
    first = [True]

    def pick(opts):
        if first[0]:
            first[0] = False
            return max(opts, key=lambda o: graph.RATING_POINTS[o["rating"]])
        return min(opts, key=lambda o: graph.RATING_POINTS[o["rating"]])

    return graph.choose_path(sc, pick)


@dataclass
class Trainee:
    """One simulated submission of one module, and what autograde must give it. A profile's trainee answers the
    versions the course shows them: renamed (`t.student = ...`), they answer the new trainee's versions."""

    student: str
    answers: dict | None  # slot id -> value; None: no answers file at all
    raw_sidecar: bytes | None = None  # overrides `answers` with exact bytes (corrupt files)
    expected: dict[str, float] = field(default_factory=dict)  # grade id -> points
    reflection: str | None = REFLECTION_TEXT
    tamper: bool = False
    variants: dict[str, str] = field(default_factory=dict)  # slot id -> the variant answered (slots with variants)
    recipe: Callable | None = field(default=None, repr=False, compare=False)  # student -> (answers, expected, variants)

    def __post_init__(self):
        if self.recipe is not None:
            self.student = self.student

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "student" and getattr(self, "recipe", None) is not None:
            self.answers, self.expected, self.variants = self.recipe(value)


def graded_slots(module: Module, student: str, course: Course | None = None):
    """(slot id, 'item' | 'scenario', the content this student sees, max points, exam?, versioned?) for every
    graded slot; versioned: the slot has variants (or is an exam position), so the answer records which."""
    if module.exam:
        if course is None:
            raise ValueError("the practice exam's cohort needs the course (its questions are in content/exam/)")
        plan = course.exam_plan(module)
        draw = variants.exam_draw(student, module.id, plan)
        for pos in plan["positions"]:
            yield pos, plan["kinds"][pos], course.find(draw[pos])[1], 1.0, True, True
        return
    for sid, (kind, xs) in module.slots().items():
        if xs[0]["kind"] != "graded":
            continue
        shown = variants.pick(student, sid, [x["id"] for x in xs]) if len(xs) > 1 else sid
        x = next(v for v in xs if v["id"] == shown)
        top = scoring.scenario_max(xs[0]) if kind == "scenario" else scoring.item_max(xs[0])
        yield sid, kind, x, top, False, len(xs) > 1


def _profile(module: Module, student: str, pick_item, pick_path, course: Course | None = None) -> Trainee:
    return Trainee(student, None, recipe=lambda name: _answer(module, name, pick_item, pick_path, course))


def _answer(module: Module, student: str, pick_item, pick_path, course: Course | None):
    """(answers, expected points, variants answered) of one profile for one trainee's versions."""
    answers, expected, chosen = {}, {}, {}
    n_item = n_sc = 0
    for sid, kind, x, top, exam, versioned in graded_slots(module, student, course):
        if kind == "scenario":
            value = [list(step) for step in pick_path(n_sc, x)]
            res = scoring.score_scenario(x, value)
            n_sc += 1
        else:
            value = pick_item(n_item, x)
            res = scoring.score_item(x, value)
            n_item += 1
        answers[sid] = value
        expected[sid] = round(res.points / res.max_points * top, 2) if exam else res.points
        if versioned:
            chosen[sid] = x["id"]
    return answers, expected, chosen


def profiles(module: Module, course: Course | None = None) -> list[Trainee]:
    """The cohort for one module: all right, all wrong, partial, unanswered, corrupt, edited locked cells, and a
    test-wise trainee who picks the longest option everywhere. Each answers the variants assigned to them."""
    zero = {sid: 0.0 for sid, *_ in graded_slots(module, PREFIX + "unanswered", course)}
    out = [
        _profile(module, PREFIX + "all_right", lambda n, it: right(it), lambda n, sc: graph.best_path(sc), course),
        _profile(module, PREFIX + "all_wrong", lambda n, it: wrong(it), lambda n, sc: worst_path(sc), course),
        _profile(module, PREFIX + "partial", lambda n, it: right(it) if n % 2 == 0 else wrong(it),
                 lambda n, sc: mixed_path(sc), course),
        Trainee(PREFIX + "unanswered", None, expected=dict(zero), reflection=None),
        Trainee(PREFIX + "corrupt_sidecar", None, raw_sidecar=b'{"format": "cps-answers", "version": 1, "answ',
                expected=dict(zero)),
    ]
    tampered = _profile(module, PREFIX + "edited_locked", lambda n, it: right(it), lambda n, sc: graph.best_path(sc),
                        course)
    tampered.tamper = True
    out.append(tampered)
    # Invariant 9: choosing by the form of the options should earn about what guessing earns.
    out.append(_profile(module, PREFIX + "testwise", lambda n, it: testwise(it), lambda n, sc: testwise_path(sc),
                        course))
    return out


def sidecar(answers: dict, student: str, chosen: dict | None = None) -> bytes:
    """An answers file as a trainee's clicks write it: each simulated trainee saved at their own times."""
    start = datetime(2026, 11, 30, 9, tzinfo=UTC) + timedelta(
        seconds=int(hashlib.sha256(student.encode()).hexdigest(), 16) % 28_800)
    data = store.empty()
    data["answers"] = {k: {"value": v, "at": (start + timedelta(seconds=40 * n)).isoformat(timespec="milliseconds")
                           .replace("+00:00", "Z"), **({"variant": chosen[k]} if k in (chosen or {}) else {})}
                       for n, (k, v) in enumerate(answers.items())}
    return json.dumps(data, indent=1).encode()


def write_submission(root: Path, module: Module, t: Trainee) -> Path:
    """Make submitted/<student>/<module>/ from release/ the way a trainee's submission looks."""
    src = release_dir(root, module.id)
    dest = root / "submitted" / t.student / module.id
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    nb_path = dest / f"{module.notebook}.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if t.tamper:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source = "1000  # I edited a locked grading cell"
            elif grade_id.startswith("show_"):
                cell.source = 'print("I edited a locked display cell")'
    nbformat.write(nb, nb_path)
    answers = t.answers
    if answers is not None and t.reflection:  # typed into each reflection's box, saved with the choices
        answers = {**answers, **{r["id"]: t.reflection for r in module.reflections()}}
    raw = t.raw_sidecar if t.raw_sidecar is not None else (
        sidecar(answers, t.student, t.variants) if answers is not None else None)
    if raw is not None:
        (dest / ANSWERS_FILE).write_bytes(raw)
    (dest / "timestamp.txt").write_text("2026-11-30 12:00:00.000000 UTC")
    return dest


def make(root: Path, course: Course) -> dict[str, dict[str, dict[str, float]]]:
    """Write the simulated cohort for every module; returns {module: {student: {grade id: points}}}."""
    expected: dict[str, dict[str, dict[str, float]]] = {}
    for module in course.modules:
        expected[module.id] = {}
        for t in profiles(module, course):
            write_submission(root, module, t)
            expected[module.id][t.student] = t.expected
    return expected


def clear(root: Path) -> None:
    """Remove earlier simulated submissions (real trainees' folders are never touched)."""
    for d in (root / "submitted").glob(PREFIX + "*"):
        shutil.rmtree(d)
    for d in (root / "autograded").glob(PREFIX + "*"):
        shutil.rmtree(d)


def reset_simulated_gradebook(root: Path, url: str) -> bool:
    """Remove a gradebook's simulated trainees, so changed modules can be released again.

    Only when every student in it is simulated; a gradebook with any real trainee is never touched.
    """
    import sqlalchemy as sa

    from cps_ethics.autograde.runner import nbgrader

    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return False
    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            students = [r[0] for r in conn.execute(sa.text("SELECT id FROM student"))]
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        eng.dispose()
    if not students or not all(s.startswith(PREFIX) for s in students):
        return False
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).unlink()
    else:
        for student in students:
            nbgrader(["db", "student", "remove", student, "--force"], root)
    return True


def leave_real_class(root: Path, url: str) -> list[str]:
    """Once real trainees have submitted: remove the simulated trainees of an earlier dry run from
    submitted/, autograded/ and the gradebook, so they are not graded or reported with the class.
    Returns the simulated ids removed. Real trainees' folders and grades are never touched."""
    import sqlalchemy as sa

    from cps_ethics.autograde.runner import nbgrader

    gone = sorted({d.name for part in ("submitted", "autograded") for d in (root / part).glob(PREFIX + "*")})
    clear(root)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return gone
    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            sims = [r[0] for r in conn.execute(sa.text("SELECT id FROM student")) if str(r[0]).startswith(PREFIX)]
    except sa.exc.SQLAlchemyError:
        sims = []
    finally:
        eng.dispose()
    for student in sims:
        nbgrader(["db", "student", "remove", student, "--force"], root)
    return sorted(set(gone) | set(sims))


def scaled(root: Path, module: Module, size: int) -> dict[str, dict[str, float]]:
    """`size` simulated submissions cycling through the cohort's profiles; returns {student: {grade id: points}}."""
    cycle = profiles(module)
    expected = {}
    for n in range(size):
        t = profiles(module)[n % len(cycle)]
        t.student = f"{PREFIX}{n + 1:04d}_{t.student[len(PREFIX):]}"  # answers that trainee's own versions
        write_submission(root, module, t)
        expected[t.student] = t.expected
    return expected
