"""Autograde's first pass: keep only the assignment's own cells, and keep a trainee's words as text, never markup.

Invariant 8 of the design: a trainee's work is data, never code. A submitted notebook is cut back to the
cells of the assignment's source (as nbgrader's gradebook holds them). Every other cell (a code cell the
trainee added, a copied cell, a cell whose nbgrader id was removed) is dropped before anything else looks at
the notebook, and counted for the trainer. Reflections are typed into a widget and saved in the answers file;
a submission made before that (the reflection typed into an answer cell below the task) still reaches the
trainer: its words are carried to the grading pass, which puts every reflection inside its task cell (the
cell formgrader grades) with `reflection_block`. There a reflection is plain text: every character that
markdown, HTML or math rendering could act on is written as a character reference inside a <pre> element,
which MathJax skips in nbconvert's pages (formgrader, feedback) and in JupyterLab.
"""

from __future__ import annotations

import re
import unicodedata

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from cps_ethics.store import MAX_REFLECTION_CHARS

from .grader import BEGIN, END

SANITIZE_KEY = "cps_sanitize"  # notebook metadata that carries the counts to the grading pass
ANSWER_STUB = "*Write your reflection here. Replace this line with your own words.*"
# Stubs an old answer cell held before the trainee wrote (the course's and nbgrader's ClearSolutions text).
LEGACY_STUBS = {ANSWER_STUB, "*Write your answer here. Replace this line with your own words.*", ""}
# A reflection's task cell: the mark scheme sits between HTML comments (invisible when rendered; nbgrader's
# ClearMarkScheme removes the lines from BEGIN to END in student versions and feedback).
MARK_BEGIN, MARK_END = "<!-- BEGIN MARK SCHEME -->", "<!-- END MARK SCHEME -->"
HOW_TO_ANSWER = "Type your answer in the box below. It is saved as you type: there is nothing else to press."
LEGACY_HOW = ("Write your answer in the box below this one: double-click it (or select it and press **Enter**), "
              "replace the line that is there, then press **Shift+Enter** and save the notebook.")
# Regions that nbgrader takes out of the student version (and the gradebook keeps).
_HIDDEN = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"|[^\n]*BEGIN MARK SCHEME.*?END MARK SCHEME[^\n]*",
                     re.DOTALL)
_SAFE = re.compile(r"[\w\s.,;:?'\"-]", re.UNICODE)
_PLAIN_SAFE = re.compile(r"[\w .,;:?'\"-]", re.UNICODE)
# nbgrader's region markers are found by substring in any line (ClearMarkScheme, ClearHiddenTests run on the
# feedback too): a trainee's "BEGIN MARK SCHEME" must not be one.
_MARKER_SPACE = re.compile(r"(BEGIN|END) ")


def as_text(text: str) -> str:
    """`text` as markdown that renders to exactly these characters, with no markup, link, HTML or math."""
    return "".join(ch if _SAFE.fullmatch(ch) and ch != "_" else f"&#{ord(ch)};" for ch in text)


def plain(text: str) -> str:
    """`text` as HTML text for a <pre> element: each character shown as typed, none acting as markup, math or a
    region marker. Lines are joined with character references, so the whole is one line of markdown (an HTML
    block no markdown parser can end early). Lone surrogates become U+FFFD; control characters are shown as
    `\\x1b`-style text."""
    out = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            out.append("&#65533;")
        elif ch == "\n":
            out.append("&#10;")
        elif ch == "\t" or (_PLAIN_SAFE.fullmatch(ch) and ch != "_"):
            out.append(ch)
        elif unicodedata.category(ch) == "Cc":
            out.append(f"&#92;x{code:02x}")
        else:
            out.append(f"&#{code};")
    return _MARKER_SPACE.sub(r"\1&#32;", "".join(out))


def reflection_block(text: str | None, chars: int = 0, legacy: bool = False) -> str:
    """The markdown the grading pass appends to a reflection's task cell: a label and the trainee's words as
    plain text (`text` already cut to the cap; `chars` is the length of the whole text)."""
    if text is None or not text.strip():
        return "**Reflection written by the trainee:** *none was saved.*"
    n = len(text.split())
    where = " in the notebook (a submission made before reflections were saved as typed)" if legacy else ""
    lines = [f"**Reflection written by the trainee{where}** ({n} word{'s' if n != 1 else ''}):", "",
             ('<pre class="cps-reflection tex2jax_ignore mathjax_ignore" style="white-space: pre-wrap; '
              'word-wrap: break-word; font-family: inherit; font-size: inherit;">' + plain(text) + "</pre>")]
    if chars > len(text):
        lines += ["", (f"*Shown here: the first {len(text):,} of {chars:,} characters. The whole text is kept "
                       "in the trainer's copy of the submission only.*")]
    return "\n".join(lines)


def cut(text: str) -> tuple[str, int]:
    """(the part of a reflection that formgrader and feedback show, the whole text's length)."""
    return text[:MAX_REFLECTION_CHARS], len(text)


def _visible(source) -> str:
    source = "".join(source) if isinstance(source, list) else str(source)
    source = _HIDDEN.sub("", source).replace(LEGACY_HOW, "").replace(HOW_TO_ANSWER, "")
    return " ".join(source.split())


def _answer_to(cell) -> str | None:
    cps = cell.get("metadata", {}).get("cps")
    value = cps.get("answer_to") if isinstance(cps, dict) else None
    return value if isinstance(value, str) else None


def _legacy_text(cell) -> str | None:
    """The words in an old answer cell, or None when it still holds its stub."""
    source = cell.get("source", "")
    source = "".join(x for x in source if isinstance(x, str)) if isinstance(source, list) else str(source)
    return None if source.strip() in LEGACY_STUBS else source


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
    """Keep the assignment's own cells; carry the words of each reflection's first old answer cell to the grading
    pass; drop and count every other cell."""

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
        kept, dropped, changed, legacy = [], 0, 0, {}
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
            elif grade_id is None and answer_to in reflections and answer_to not in legacy:
                text = _legacy_text(cell)  # a submission made before reflections were typed into a widget
                legacy[answer_to] = None if text is None else dict(zip(("text", "chars"), cut(text)))
            else:
                dropped += 1
        if dropped:
            self.log.warning("%s: dropped %d cell(s) that are not part of the assignment (nothing in them runs)",
                             ids.get("student"), dropped)
        nb.cells = kept
        nb.metadata[SANITIZE_KEY] = {"added_cells_dropped": dropped, "course_cells_restored": int(changed),
                                     "legacy_reflections": {k: v for k, v in legacy.items() if v}}
        return nb, resources


__all__ = ["DropAddedCells", "as_text", "cut", "plain", "reflection_block"]
