"""Autograde's first pass: keep only the assignment's own cells, and keep a trainee's words as text, never markup.

Invariant 8 of the design: a trainee's work is data, never code. A submitted notebook is cut back to the
cells of the assignment's source (as nbgrader's gradebook holds them) plus one answer box per reflection.
Every other cell (a code cell the trainee added, a copied cell, a cell whose nbgrader id was removed) is
dropped before anything else looks at the notebook, and counted for the trainer. A reflection's text is
kept word for word, but every character that markdown, HTML or math rendering could act on is written as
an HTML character reference, so formgrader and the feedback page show it as plain text and run nothing.
"""

from __future__ import annotations

import re

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from .grader import BEGIN, END

SANITIZE_KEY = "cps_sanitize"  # notebook metadata that carries the counts to the grading pass
ANSWER_STUB = "*Write your reflection here. Replace this line with your own words.*"
# Regions that nbgrader takes out of the student version (and the gradebook keeps).
_HIDDEN = re.compile("|".join(re.escape(a) + r".*?" + re.escape(b) for a, b in (
    (BEGIN, END), ("### BEGIN MARK SCHEME", "### END MARK SCHEME"))), re.DOTALL)
_SAFE = re.compile(r"[\w\s.,;:?'\"-]", re.UNICODE)


def as_text(text: str) -> str:
    """`text` as markdown that renders to exactly these characters, with no markup, link, HTML or math."""
    return "".join(ch if _SAFE.fullmatch(ch) and ch != "_" else f"&#{ord(ch)};" for ch in text)


def _visible(source) -> str:
    source = "".join(source) if isinstance(source, list) else str(source)
    return " ".join(_HIDDEN.sub("", source).split())


def _answer_to(cell) -> str | None:
    cps = cell.get("metadata", {}).get("cps")
    value = cps.get("answer_to") if isinstance(cps, dict) else None
    return value if isinstance(value, str) else None


def _answer_cell(cell, reflection: str):
    """A fresh markdown cell holding only the trainee's words (no attachments, no other metadata)."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    text = source if source.strip() == ANSWER_STUB else as_text(source)
    new = nbformat.v4.new_markdown_cell(text, metadata={"cps": {"answer_to": reflection}})
    if isinstance(cell.get("id"), str):
        new["id"] = cell["id"]
    return new


def _metadata(notebook) -> dict[str, dict]:
    """Each source cell's nbgrader metadata as the gradebook defines it (grade, task, points, locked): a trainee
    cannot turn a display cell into a grade cell or change a cell's points by editing its metadata."""
    grades = {c.name: c.max_score for c in notebook.grade_cells}
    tasks = {c.name: c.max_score for c in notebook.task_cells}
    solutions = {c.name for c in notebook.solution_cells}
    out = {}
    for c in notebook.source_cells:
        meta = {"grade": c.name in grades, "grade_id": c.name, "locked": bool(c.locked), "schema_version": 3,
                "solution": c.name in solutions, "cell_type": c.cell_type}
        if c.name in grades:
            meta["points"] = grades[c.name]
        if c.name in tasks:
            meta.update(task=True, points=tasks[c.name])
        out[c.name] = meta
    return out


class DropAddedCells(NbGraderPreprocessor):
    """Keep the assignment's own cells and each reflection's first answer box; drop and count every other cell."""

    def preprocess(self, nb, resources):
        ids = resources["nbgrader"]
        with Gradebook(ids["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(ids["notebook"], ids["assignment"])
            except MissingEntry:
                return nb, resources
            sources = {c.name: (c.cell_type, c.source) for c in notebook.source_cells}
            reflections = {c.name for c in notebook.task_cells}
            truth = _metadata(notebook)
        kept, dropped, changed, answered = [], 0, 0, set()
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            answer_to = _answer_to(cell)
            if grade_id in sources:
                kind, source = sources[grade_id]
                changed += (cell.cell_type != kind or _visible(cell.get("source", "")) != _visible(source)
                            or {k: v for k, v in meta.items() if k != "checksum"} != truth[grade_id])
                cell.metadata["nbgrader"] = dict(truth[grade_id])  # OverwriteCells then restores source and checksum
                kept.append(cell)
            elif grade_id is None and answer_to in reflections and answer_to not in answered:
                answered.add(answer_to)
                kept.append(_answer_cell(cell, answer_to))
            else:
                dropped += 1
        if dropped:
            self.log.warning("%s: dropped %d cell(s) that are not part of the assignment (nothing in them runs)",
                             ids.get("student"), dropped)
        nb.cells = kept
        nb.metadata[SANITIZE_KEY] = {"added_cells_dropped": dropped, "course_cells_restored": int(changed)}
        return nb, resources


__all__ = ["DropAddedCells", "as_text"]
