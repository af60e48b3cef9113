"""Hidden grading cells: score one item from the answers file against the trainer-held key.

Every grading cell in every source notebook has the one form made by `cell_source`. At autograde
it prints, in plain words, what was chosen and the points, and its last expression is the points
(nbgrader's partial credit). It never raises and never writes to stderr: either would score 0
for reasons that have nothing to do with the trainee's answer.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from pathlib import Path

from cps_ethics import store
from cps_ethics.course import ANSWERS_FILE, find_root
from cps_ethics.model import scoring

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


def grade(ref_id: str, folder: Path | None = None, out=None) -> float:
    """Points for `ref_id` from the answers file in `folder` (default: the working directory)."""
    out = out or sys.stdout
    err = io.StringIO()
    lines: list[str] = []
    points = 0.0
    try:
        with contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            points, lines = _grade(ref_id, Path(folder) if folder else Path.cwd())
    except Exception as e:  # a grading cell must never raise: report and give 0
        lines = [f"{ref_id}: could not be graded ({type(e).__name__}: {e}). Points: 0."]
        points = 0.0
    print("\n".join(lines), file=out)
    return points


def _grade(ref_id: str, folder: Path) -> tuple[float, list[str]]:
    root = find_root(folder)
    if root is None:
        return 0.0, [f"{ref_id}: the grading key was not found (trainer: run autograde in the course folder). Points: 0."]
    course = _course(root)
    found = course.slot(ref_id)
    if found is None:
        return 0.0, [f"{ref_id}: this item is not in the course content any more. Points: 0."]
    kind, variants, module = found
    exam = module.exam
    primary = variants.get(ref_id) or next(iter(variants.values()))
    top = 1.0 if exam else (scoring.scenario_max(primary) if kind == "scenario" else scoring.item_max(primary))
    label = _label(kind, primary, ref_id)
    try:
        answers = store.read_checked(folder / ANSWERS_FILE)
    except store.StoreError as e:
        return 0.0, [f"{label}: {e}, so this item has no saved answer. Points: 0 of {_fmt(top)}."]
    entry = answers.get(ref_id)
    if entry is None:
        return 0.0, [f"{label}: not answered. Points: 0 of {_fmt(top)}."]
    chosen = entry.get("variant", ref_id)
    key = variants.get(chosen) if isinstance(chosen, str) else None
    if key is None:
        return 0.0, [f"{label}: the saved answer is for {chosen!r:.60}, which is not a version of this question. "
                     f"Points: 0 of {_fmt(top)}."]
    label = _label(kind, key, ref_id)
    res = scoring.score_scenario(key, entry["value"]) if kind == "scenario" else scoring.score_item(key, entry["value"])
    points = round(res.points / res.max_points * top, 2) if exam else res.points
    lines = [f"{label}:"] + [f"  {s}" for s in res.said] + [f"  Note: {p}." for p in res.problems]
    lines.append(f"  Points: {_fmt(points)} of {_fmt(top)}.")
    explain = exam.get("explain_after_grading", True) if exam else \
        course.settings.get("feedback", {}).get("explain_after_grading")
    if explain and kind == "item":
        lines += _explain(key)
    return points, lines


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


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _fmt(x: float) -> str:
    return f"{x:g}"
