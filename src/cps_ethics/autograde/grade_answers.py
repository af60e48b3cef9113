"""Autograde's second pass without a kernel: every grading cell's result, computed from the answers file.

This takes the place of nbgrader's `Execute` in `Autograde.autograde_preprocessors`. Nothing in the
submitted notebook runs: for each grading cell the course's own grader (the same `grader.grade` a
grading cell calls) scores the answers file in the submission's autograded/ folder against the keys in
content/, inside nbgrader's process. The cell gets the outputs it would get if it ran (the plain-words
lines on stdout and the points as its result), so SaveAutoGrades, formgrader and generate_feedback work
unchanged. Every other code cell is left with no output. Each reflection's text (from the answers file, or
from an old answer cell the first pass carried over) is put inside its task cell, the cell formgrader draws
its grading box around, as plain text (`sanitize.reflection_block`); a text longer than the cap is cut there
and in feedback, and the report says so. The counts from the first pass (cells a trainee added, course cells
restored) and the grading cells whose saved answer is for a question this trainee was not shown are written
next to the notebook for the trainer's reports. The trainee is the student nbgrader grades (its resources),
never a name from the answers file.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from cps_ethics import store
from cps_ethics.course import ANSWERS_FILE

from . import grader
from .sanitize import SANITIZE_KEY, cut, reflection_block

REPORT = ".cps_autograde.{notebook}.json"  # per notebook, in autograded/<trainee>/<assignment>/
_CALL = re.compile(r'^grade\("([a-z][a-z0-9_]*)"\)$', re.MULTILINE)


def report_path(folder: Path, notebook: str) -> Path:
    return Path(folder) / REPORT.format(notebook=notebook)


def read_report(folder: Path, notebook: str) -> dict | None:
    """What the grading pass recorded for one autograded notebook, or None (not graded by this course)."""
    try:
        data = json.loads(report_path(folder, notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _outputs(lines: str, points: float, count: int) -> list:
    out = [nbformat.v4.new_output("stream", name="stdout", text=lines)]
    out.append(nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(points))},
                                      execution_count=count))
    return out


def _saved_answers(folder: Path) -> dict:
    try:
        return store.read(folder / ANSWERS_FILE)
    except store.StoreError:
        return {}


def reflection_for(rid: str, answers: dict, legacy: dict) -> tuple[str | None, int, bool]:
    """(the text to show, cut to the cap; the whole text's length; whether it came from an old answer cell).
    The answers file wins; a submission made before reflections were saved there has its answer cell's words."""
    entry = answers.get(rid)
    value = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(value, str) and value.strip():
        return (*cut(value), False)
    old = legacy.get(rid) if isinstance(legacy, dict) else None
    if isinstance(old, dict) and isinstance(old.get("text"), str) and old["text"].strip():
        chars = old.get("chars")
        return old["text"], chars if isinstance(chars, int) else len(old["text"]), True
    return None, 0, False


class GradeFromAnswers(NbGraderPreprocessor):
    """Score every grading cell from the answers file with the course's grader; run nothing from the notebook."""

    def preprocess(self, nb, resources):
        folder = Path(resources["metadata"]["path"])
        trainee = resources["nbgrader"]["student"]
        not_shown: list[str] = []
        counts = nb.metadata.pop(SANITIZE_KEY, None)
        counts = counts if isinstance(counts, dict) else {}
        count = 0
        graded = 0
        answers, reflections, cuts = None, {}, {}
        for cell in nb.cells:
            if cell.cell_type == "markdown" and utils.is_task(cell):
                rid = cell.metadata["nbgrader"]["grade_id"]
                if answers is None:
                    answers = _saved_answers(folder)
                text, chars, legacy = reflection_for(rid, answers, counts.get("legacy_reflections") or {})
                source = "".join(cell.source) if isinstance(cell.source, list) else cell.source
                cell.source = source.rstrip() + "\n\n" + reflection_block(text, chars, legacy)
                reflections[rid] = {"chars": chars, "from": "none" if text is None else
                                    ("notebook" if legacy else "answers_file")}
                if text is not None and chars > len(text):
                    cuts[rid] = chars
                    self.log.warning("%s: reflection %s is %d characters; formgrader and feedback show the first "
                                     "%d (the whole text stays in the trainer's copy)",
                                     resources["nbgrader"].get("student"), rid, chars, len(text))
                continue
            if cell.cell_type != "code":
                continue
            count += 1
            cell.outputs = []
            cell.execution_count = count
            if not utils.is_grade(cell):
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            source = "".join(cell.source) if isinstance(cell.source, list) else cell.source
            if grade_id not in _CALL.findall(source):
                # Not a grading cell of the course's one fixed form: it cannot be scored without running it.
                cell.outputs = [nbformat.v4.new_output(
                    "error", ename="NotGradable", evalue=f"{grade_id}: not a course grading cell",
                    traceback=[f"{grade_id}: this cell is not one the course grades from the answers file. Points: 0."])]
                continue
            buf = io.StringIO()
            points = grader.grade(grade_id, folder, out=buf, trainee=trainee, not_shown=not_shown)
            cell.outputs = _outputs(buf.getvalue(), points, count)
            graded += 1
        self._write_report(folder, resources["nbgrader"]["notebook"],
                           {"graded_cells": graded, "added_cells_dropped": int(counts.get("added_cells_dropped", 0)),
                            "course_cells_restored": int(counts.get("course_cells_restored", 0)),
                            "not_shown": sorted(not_shown),
                            "reflections": reflections, "reflections_cut": cuts})
        return nb, resources

    def _write_report(self, folder: Path, notebook: str, data: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".cps_autograde.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, sort_keys=True)
        os.replace(tmp, report_path(folder, notebook))


__all__ = ["GradeFromAnswers", "read_report", "reflection_for", "report_path"]
