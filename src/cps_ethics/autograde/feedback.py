"""What the course's feedback page shows, gathered for its template (`autograde/templates/feedback/`).

`FeedbackPage` runs last in `nbgrader generate_feedback`. From the graded notebook it collects, per graded
question, the question in full, the plain-words lines the grader wrote at autograde (what was chosen, the
points, and the best answer and why where the course allows it), the points and the trainer's comment; per
reflection, its prompt and the trainee's text exactly as typed; and totals per principle (modules) or per
module (the practice exam). The template shows only this: no code, prompts, cell ids or empty boxes, and it
loads no MathJax or script, so nothing a trainee wrote is ever typeset or run.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from cps_ethics.course import find_root
from cps_ethics.model.content import load_course
from cps_ethics.model.markdown import plain

LABEL = re.compile(r"^(?P<kind>Question|Scenario) \u201c(?P<text>.*)\u201d:?\s*$", re.S)
REFLECTION = re.compile(r'<pre class="cps-reflection[^"]*"[^>]*>(?P<text>.*?)</pre>', re.S)
TEMPLATES = str(Path(__file__).resolve().parent / "templates")  # nbconvert template folder: feedback/
SECTION = {"Best answer": "best", "Correct choices": "best", "Best order": "best", "Matches": "best",
           "Why": "why", "Points": "points", "Note": "note"}


def _num(x) -> float:
    try:
        return float(x or 0)
    except (TypeError, ValueError):
        return 0.0


def _lines(cell) -> list[str]:
    text = "".join(str(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _line_kind(line: str) -> str:
    head = line.split(":", 1)[0]
    if head.startswith("Decision ") and "best choice" in line:
        return "best"
    return SECTION.get(head, "said")


def question(cell, n: int) -> dict:
    """One graded question or scenario: its title and the grader's lines, without the cut label line."""
    lines = _lines(cell)
    title, kind = "", "Question"
    if lines and (hit := LABEL.match(lines[0].rstrip(":"))):
        kind, title, lines = hit.group("kind"), hit.group("text"), lines[1:]
    elif lines and lines[0].endswith(":"):
        title, lines = lines[0][:-1], lines[1:]
    meta = cell.metadata.get("nbgrader", {})
    return {"n": n, "kind": kind, "title": title, "id": meta.get("grade_id", ""),
            "lines": [(_line_kind(x), x) for x in lines],
            "score": _num(meta.get("score")), "points": _num(meta.get("points")),
            "comment": str(meta.get("comment") or "")}


def reflection(cell) -> dict:
    """A reflection's prompt and the trainee's text as typed (decoded once; the template escapes it)."""
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    hit = REFLECTION.search(source)
    typed = html.unescape(hit.group("text")) if hit else None
    prompt = re.sub(r"<!--.*?-->|<pre.*?</pre>|<[^>]+>", " ", source, flags=re.S)
    prompt = " ".join(plain(prompt).replace("#", " ").split())
    meta = cell.metadata.get("nbgrader", {})
    return {"prompt": prompt, "text": typed, "score": _num(meta.get("score")), "points": _num(meta.get("points")),
            "comment": str(meta.get("comment") or ""), "id": meta.get("grade_id", "")}


def _groups(course, module, gid: str) -> list[str]:
    """What a question counts towards on the page: its principles (a module) or its module (the exam)."""
    if module is not None and module.exam:
        topic = course.exam_plan(module)["positions"].get(gid)
        return [course.module(topic).data["title"]] if topic else []
    found = course.slot(gid) if course is not None else None
    if not found:
        return []
    data = next(iter(found[1].values()))
    return [f"{k} {course.principles[k]['name']}".strip() if not course.principles[k]["name"].startswith(k)
            else course.principles[k]["name"] for k in data.get("principles", []) if k in course.principles]


class FeedbackPage(NbGraderPreprocessor):
    """Collect `resources["cps"]` for the course's feedback template (see the module's docstring)."""

    def preprocess(self, nb, resources):
        course = module = None
        try:
            root = find_root(Path.cwd())
            course = load_course(root, validate=False) if root else None
            assignment = str((resources.get("nbgrader") or {}).get("assignment", ""))
            module = next((m for m in course.modules if m.id == assignment), None) if course else None
        except Exception:  # the page still shows every question, only without the totals by topic
            course = module = None
        questions, reflections, totals = [], [], {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade"):
                q = question(cell, len(questions) + 1)
                questions.append(q)
                try:
                    groups = _groups(course, module, q["id"]) if course else []
                except Exception:
                    groups = []
                for g in groups:
                    t = totals.setdefault(g, [0.0, 0.0])
                    t[0], t[1] = t[0] + q["score"], t[1] + q["points"]
            elif cell.cell_type == "markdown" and (meta.get("task") or meta.get("grade")):
                reflections.append(reflection(cell))
        title = module.data["title"] if module is not None else str((resources.get("nbgrader") or {}).get("notebook", ""))
        resources["cps"] = {
            "title": title, "exam": bool(module is not None and module.exam), "questions": questions,
            "reflections": reflections,
            "totals": sorted(([g, s, p] for g, (s, p) in totals.items()), key=lambda r: (r[1] / r[2] if r[2] else 1, r[0])),
        }
        return nb, resources
