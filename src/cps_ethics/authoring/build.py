"""Make each module's instructor notebook and public content file in source/ from the content data."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cps_ethics.autograde.grader import cell_source
from cps_ethics.autograde.sanitize import HOW_TO_ANSWER, MARK_BEGIN, MARK_END
from cps_ethics.course import ANSWERS_FILE, CONTENT_FILE, source_dir
from cps_ethics.model import public, scoring
from cps_ethics.model.content import Course, Module, exam_plan, load_course
from cps_ethics.model.exam import anchor as exam_anchor
from cps_ethics.model.exam import heading as exam_heading

CRISIS = (
    "If this brings up a lot for you, take a break. You can come back to it. If you are in crisis or "
    "thinking about suicide, call or text **988** (the 988 Suicide & Crisis Lifeline) or chat at "
    "988lifeline.org. In an emergency, call 911."
)
HOW_TO = (
    "**How this notebook works.** Open the **Run** menu and choose **Run All Cells**. Then read each part "
    "and answer with the mouse or the keyboard: **Tab** moves to the next option or control, **Space** "
    "picks an option or ticks a box, the **arrow keys** change a drop-down list, and **Enter** presses a "
    "button. Your choices are saved as you make them. "
    "The thin grey bars marked \u2022\u2022\u2022 keep the course working: leave them closed. The only "
    "typing is in the reflections. Graded answers are not marked right or wrong here; "
    "your trainer grades them after you submit. Practice questions show feedback straight away."
)
SETUP = "from cps_ethics import show, progress"


def _meta(grade_id: str, *, grade=False, points=None, task=False) -> dict:
    nb = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False}
    if task:
        nb["task"] = True
    if points is not None:
        nb["points"] = points
    return {"deletable": False, "editable": False, "nbgrader": nb}


def _md(grade_id: str, text: str, **cps) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text, id=grade_id[:64], metadata=_meta(grade_id))
    if cps:
        cell.metadata["cps"] = cps
    return cell


# JupyterLab's own cell metadata for a collapsed input: trainees see what a cell shows, never its source.
# A collapsed input shows its first line as a preview, so every code cell starts with an empty line (a grading
# cell starts with grader.VISIBLE, which is empty): the trainee sees a thin bar marked "..." and no code.
HIDDEN_INPUT = {"source_hidden": True}


def _code(grade_id: str, source: str, **kw) -> nbformat.NotebookNode:
    """A code cell whose input JupyterLab keeps collapsed (nbgrader's generate_assignment carries the metadata)."""
    meta = _meta(grade_id, **kw)
    meta["jupyter"] = dict(HIDDEN_INPUT)
    if not kw.get("grade"):  # grading cells keep grader.cell_source's one fixed form
        source = "\n" + source
    return nbformat.v4.new_code_cell(source, id=grade_id[:64], metadata=meta)


def _reading(course: Course, r: dict) -> str:
    names = ", ".join(course.principles[k]["name"] for k in r["principles"])
    return f"## {r['title']}\n\n{r['text'].strip()}\n\n*Principles in this part: {names}.*"


def _reflection_cells(r: dict) -> list:
    """The task cell (prompt; the mark scheme for the trainer, which nbgrader takes out of the student version)
    and the widget the trainee types into. At autograde the trainee's text is put inside the task cell."""
    task = (
        f"### Reflection (written, graded by your trainer)\n\n{r['prompt'].strip()}\n\n{HOW_TO_ANSWER}\n\n"
        f"{MARK_BEGIN}\n\n> **Mark scheme ({r['points']} points).** {r['mark_scheme'].strip()}\n\n{MARK_END}"
    )
    cell = nbformat.v4.new_markdown_cell(task, id=r["id"][:64], metadata=_meta(r["id"], points=r["points"], task=True))
    cell.metadata["cps"] = {"reflection": r["id"], "principles": r["principles"]}
    return [cell, _code(f"show_{r['id']}", f'show("{r["id"]}")')]


EXAM_NAV = ("## Your way around the exam\n\nEach question has a number. After **Run All Cells** you start at "
            "question 1. To go to any question, use its number here:\n\n{links}\n\nThe bar below shows how many "
            "you have answered and which are not answered yet.")


def _exam_cells(course: Course, module: Module) -> list:
    """The practice exam: its way around (jump list, progress bar), then per position a numbered heading, the
    question this trainee is drawn (a question or a short scenario) and its grading cell (1 point)."""
    positions = list(exam_plan(course, module)["positions"])
    links = " \u00b7 ".join(f"[{n}](#{exam_anchor(n, len(positions))})" for n in range(1, len(positions) + 1))
    cells = [_md("exam_nav", EXAM_NAV.format(links=links)), _code("show_exam", 'show("exam")')]
    for n, pos in enumerate(positions, 1):
        cells.append(_md(f"head_{pos}", exam_heading(n, len(positions))))
        cells.append(_code(f"show_{pos}", f'show("{pos}")'))
        cells.append(_code(pos, cell_source(pos), grade=True, points=1))
    return cells


def notebook(course: Course, module: Module) -> nbformat.NotebookNode:
    m = module.data
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "cps": {"module": m["id"], "generated_from": f"content/modules/{module.file.name}"},
    }
    cells = [_md("title", f"# {m['title']}\n\n{m.get('summary', '').strip()}".strip()), _md("how_to", HOW_TO),
             _code("setup", SETUP)]
    by = {f"{k}:{x['id']}": x for k, seq in (("reading", module.readings()), ("item", module.items()),
                                               ("scenario", module.scenarios()), ("reflection", module.reflections()),
                                               ("note", m.get("notes", []))) for x in seq}
    for ref in m["layout"]:
        kind, _, rid = ref.partition(":")
        x = by.get(ref)
        if ref == "exam":
            cells += _exam_cells(course, module)
        elif ref == "progress":
            cells.append(_md("progress_title", "## Your progress\n\nThis panel shows which graded parts you have answered."))
            cells.append(_code("progress", "progress()"))
        elif kind == "reading":
            cells.append(_md(f"reading_{rid}", _reading(course, x), reading=rid, principles=x["principles"]))
        elif kind == "note":
            cells.append(_md(f"note_{rid}", f"> **Content note.** {x['text'].strip()}\n>\n> {CRISIS}", note=rid))
        elif kind in ("item", "scenario"):
            if kind == "scenario" and x.get("note"):
                note = next(n for n in m.get("notes", []) if n["id"] == x["note"])
                cells.append(_md(f"note_{rid}", f"> **Content note.** {note['text'].strip()}\n>\n> {CRISIS}", note=note["id"]))
            cells.append(_code(f"show_{rid}", f'show("{rid}")'))
            if x["kind"] == "graded":
                pts = scoring.scenario_max(x) if kind == "scenario" else scoring.item_max(x)
                cells.append(_code(rid, cell_source(rid), grade=True, points=pts))
        elif kind == "reflection":
            cells += _reflection_cells(x)
    nb.cells = cells
    return nb


def render(course: Course, module: Module) -> dict[str, str]:
    """File name -> text, for one module's source folder."""
    nb = notebook(course, module)
    return {
        f"{module.notebook}.ipynb": nbformat.writes(nb) + "\n",
        CONTENT_FILE: public.dumps(public.project(course, module)),
    }


def build(root: Path, course: Course | None = None) -> list[Path]:
    """Write source/<module>/ for every module; returns the files written."""
    course = course or load_course(root)
    written = []
    for module in course.modules:
        folder = source_dir(root, module.id)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in render(course, module).items():
            path = folder / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def stale(root: Path, course: Course | None = None) -> list[str]:
    """Problems that make source/ differ from what the content data makes."""
    course = course or load_course(root)
    out = []
    for module in course.modules:
        folder = source_dir(root, module.id)
        for name, text in render(course, module).items():
            path = folder / name
            if not path.exists():
                out.append(f"{path} is missing")
            elif path.read_text(encoding="utf-8") != text:
                out.append(f"{path} differs from content/modules/{module.file.name}")
        expected = set(render(course, module))
        for extra in sorted(folder.iterdir()) if folder.is_dir() else []:
            if extra.name == ANSWERS_FILE or extra.name.startswith("cps_answers"):
                out.append(f"{extra} is an answers file: it must never be in source/ (it would ship to trainees)")
            elif extra.name not in expected and extra.name != ".ipynb_checkpoints":
                out.append(f"{extra} is not made from the content data")
    known = {m.id for m in course.modules}
    for d in sorted((root / "source").iterdir()) if (root / "source").is_dir() else []:
        if d.is_dir() and d.name not in known:
            out.append(f"{d} has no content file content/modules/{d.name}.yaml")
    return out
