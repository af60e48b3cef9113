"""Hidden grading cells: score one item from the answers file against the trainer-held key.

Every grading cell in every source notebook has the one form made by `cell_source`. At autograde
it prints, in plain words, what was chosen and the points, and its last expression is the points
(nbgrader's partial credit). It never raises and never writes to stderr: either would score 0
for reasons that have nothing to do with the trainee's answer.

A trainee answers only what they were shown (invariant 10): the grader scores the version of a slot that
the course assigns to this trainee (the hash pick) and, in the practice exam, the trainee's own draw. The
trainee id comes from nbgrader (the submission's folder), never from the answers file. An answer recorded
for any other question scores 0 and is reported. Only the practice exam's exam-only questions are ever
explained after grading: a module question may still be graded for another trainee.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from pathlib import Path

from cps_ethics import store
from cps_ethics.course import ANSWERS_FILE, find_root
from cps_ethics.model import scoring, variants

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# What a trainee sees of a grading cell (the rest is hidden until autograde).
VISIBLE = ""  # empty: the cell is collapsed in JupyterLab and shows only a thin bar, no code

_course_cache: dict = {}


def cell_source(ref_id: str) -> str:
    """The one fixed form of a grading cell (hidden from trainees; restored by nbgrader at autograde)."""
    return f'{VISIBLE}\n{BEGIN}\nfrom cps_ethics.autograde.grader import grade\ngrade("{ref_id}")\n{END}'


def _course(root: Path):
    from cps_ethics.model.content import load_course

    key = str(root)
    if key not in _course_cache:
        _course_cache[key] = load_course(root, validate=False)
    return _course_cache[key]


def grade(ref_id: str, folder: Path | None = None, out=None, trainee: str | None = None,
          not_shown: list | None = None) -> float:
    """Points for `ref_id` from the answers file in `folder` (default: the working directory). `trainee`: the
    id nbgrader graded this submission under (default: the name of the folder above `folder`, nbgrader's
    autograded/<trainee>/<assignment>/). `ref_id` is added to `not_shown` when the answer recorded for it is
    for a question this trainee was not shown."""
    out = out or sys.stdout
    err = io.StringIO()
    lines: list[str] = []
    points = 0.0
    folder = Path(folder) if folder else Path.cwd()
    try:
        with contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            points, lines, other = _grade(ref_id, folder, trainee or folder.resolve().parent.name)
        if other and not_shown is not None:
            not_shown.append(ref_id)
    except Exception as e:  # a grading cell must never raise: report and give 0
        lines = [f"{ref_id}: could not be graded ({type(e).__name__}: {e}). Points: 0."]
        points = 0.0
    print("\n".join(lines), file=out)
    return points


def shown(course, module, ref_id: str, versions: dict, trainee: str) -> str:
    """The question the course shows `trainee` at graded place `ref_id`: the exam draw's, or the slot's pick."""
    if module.exam:
        if ("draw", module.id, trainee) not in course.cache:
            course.cache[("draw", module.id, trainee)] = variants.exam_draw(trainee, module.id,
                                                                            course.exam_plan(module))
        return course.cache[("draw", module.id, trainee)][ref_id]
    return variants.pick(trainee, ref_id, list(versions)) if len(versions) > 1 else ref_id


def _grade(ref_id: str, folder: Path, trainee: str) -> tuple[float, list[str], bool]:
    root = find_root(folder)
    if root is None:
        return 0.0, [f"{ref_id}: the grading key was not found (trainer: run autograde in the course folder). "
                     "Points: 0."], False
    course = _course(root)
    found = course.slot(ref_id)
    if found is None:
        return 0.0, [f"{ref_id}: this item is not in the course content any more. Points: 0."], False
    kind, versions, module = found
    exam = module.exam
    mine = shown(course, module, ref_id, versions, trainee)
    key = versions[mine]
    top = 1.0 if exam else (scoring.scenario_max(key) if kind == "scenario" else scoring.item_max(key))
    label = _label(kind, key, ref_id)
    try:
        answers = store.read_checked(folder / ANSWERS_FILE)
    except store.StoreError as e:
        return 0.0, [f"{label}: {e}, so this item has no saved answer. Points: 0 of {_fmt(top)}."], False
    entry = answers.get(ref_id)
    if entry is None:
        return 0.0, [f"{label}: not answered. Points: 0 of {_fmt(top)}."], False
    chosen = entry.get("variant", ref_id)
    if chosen != mine:
        if isinstance(chosen, str) and course.find(chosen) is not None:
            return 0.0, [f"{label}: the saved answer is for another question ({chosen!r:.60}), one this trainee "
                         f"was not shown, so it is not graded. Points: 0 of {_fmt(top)}."], True
        return 0.0, [f"{label}: the saved answer is for {chosen!r:.60}, which is not a version of this question. "
                     f"Points: 0 of {_fmt(top)}."], False
    res = scoring.score_scenario(key, entry["value"]) if kind == "scenario" else scoring.score_item(key, entry["value"])
    points = round(res.points / res.max_points * top, 2) if exam else res.points
    lines = [f"{label}:"] + [f"  {s}" for s in res.said] + [f"  Note: {p}." for p in res.problems]
    lines.append(f"  Points: {_fmt(points)} of {_fmt(top)}.")
    if exam and explains(course, module):
        lines += _explain(key) if kind == "item" else _explain_path(key, entry["value"])
    return points, lines, False


def explains(course, exam_module) -> bool:
    """Whether the practice exam's feedback explains its exam-only questions: the exam's own
    `explain_after_grading`, else content/course.yaml's `feedback: explain_after_grading` (which applies to
    the practice exam only). A module question is never explained: another trainee may still be graded on it."""
    default = (course.settings.get("feedback") or {}).get("explain_after_grading", False)
    return bool(exam_module.exam.get("explain_after_grading", default))


def _label(kind: str, key: dict, ref_id: str) -> str:
    if kind == "scenario":
        return f"Scenario \u201c{key['title']}\u201d"
    return f"Question \u201c{_short(key['prompt'])}\u201d"


def _explain(key: dict) -> list[str]:
    """After grading, the practice exam (and courses that opt in) explain the answer."""
    out = []
    if key["type"] == "single":
        best = [o["text"] for o in key["options"] if o["rating"] == "best"]
        out.append("  Best answer: " + "; ".join(f"\u201c{t}\u201d" for t in best))
    elif key["type"] == "multiple":
        right = [o["text"] for o in key["options"] if o["correct"]]
        out.append("  Correct choices: " + "; ".join(f"\u201c{t}\u201d" for t in right))
    elif key["type"] == "ordering":
        out.append("  Best order: " + " \u2192 ".join(f"\u201c{s['text']}\u201d" for s in key["steps"]))
    elif key["type"] == "matching":
        texts = {c["id"]: c["text"] for c in key["choices"]}
        out.append("  Matches: " + "; ".join(f"situation {n}: \u201c{texts[p['answer']]}\u201d"
                                            for n, p in enumerate(key["pairs"], 1)))
    out.append(f"  Why: {key['rationale']}")
    return out


def _explain_path(key: dict, path) -> list[str]:
    """An exam scenario after grading: at each decision the trainee reached, the best choice and why."""
    nodes = {n["id"]: n for n in key["nodes"]}
    reached = [step[0] for step in path if isinstance(step, list) and step and step[0] in nodes] \
        if isinstance(path, list) else []
    out = []
    for n, nid in enumerate(dict.fromkeys(reached or [key["start"]]), 1):
        best = [o for o in nodes[nid].get("options", []) if o["rating"] == "best"]
        out += [f"  Decision {n}, best choice: \u201c{o['text']}\u201d. Why: {o['feedback']}" for o in best]
    return out


def _short(text: str, n: int = 600) -> str:  # the whole question, for formgrader and the feedback page
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _fmt(x: float) -> str:
    return f"{x:g}"
