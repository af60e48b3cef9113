"""Faulty submissions for the simulated cohort (one per known fault), with the points and reason each must get."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import nbformat

from cps_ethics.course import ANSWERS_FILE
from cps_ethics.model.content import Module

from . import cohort

PREFIX = cohort.PREFIX + "fault_"
LOOP = "while True:\n    pass"
DEAF_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
BIG_OUTPUT = "print('x' * 30_000_000)"
FAILED = "failed"  # nbgrader drops the whole submission: rows stay without a score
ADDED = ("infinite_loop", "deaf_loop", "big_output")  # added code cells: dropped at autograde, never run
NOT_GRADED = "not_graded"  # nbgrader records nothing at all for the submission
COPIED = "copied"  # the classmate's points on the copied slots (see copied_answers)


@dataclass
class Fault:
    """One way a submission can be broken. `make` edits a good (all right) submission folder in place."""

    name: str
    what: str
    make: Callable[[Path, Module], None]
    expected: str  # "all_right", "zero", "first_item_zero", COPIED, FAILED or NOT_GRADED
    reason: str | None  # words in the grading cells' output, or in triage's reason; None: graded as normal

    @property
    def student(self) -> str:
        return PREFIX + self.name


def _sidecar(folder: Path) -> Path:
    return folder / ANSWERS_FILE


def _notebook(folder: Path, module: Module) -> Path:
    return folder / f"{module.notebook}.ipynb"


def _write_raw(raw: bytes) -> Callable[[Path, Module], None]:
    return lambda folder, module: _sidecar(folder).write_bytes(raw)


def _unknown_ids(folder: Path, module: Module) -> None:
    data = json.loads(_sidecar(folder).read_bytes())
    data["answers"]["no_such_item"] = {"value": "a", "at": "2026-11-30T12:00:00.000Z"}
    _sidecar(folder).write_text(json.dumps(data))


def _not_an_option(folder: Path, module: Module) -> None:
    data = json.loads(_sidecar(folder).read_bytes())
    first = first_item(module)
    data["answers"][first]["value"] = "not_an_option"
    _sidecar(folder).write_text(json.dumps(data))


def _huge_answer(folder: Path, module: Module) -> None:
    """A 1.5 MB answer to the first question: graded 0, and the grading cell's echo of it is cut."""
    data = json.loads(_sidecar(folder).read_bytes())
    data["answers"][first_item(module)]["value"] = "x" * 1_500_000
    _sidecar(folder).write_text(json.dumps(data))


def _as_directory(folder: Path, module: Module) -> None:
    _sidecar(folder).unlink()
    _sidecar(folder).mkdir()
    (_sidecar(folder) / "note.txt").write_text("a folder where the answers file should be")


def _as_symlink(folder: Path, module: Module) -> None:
    _sidecar(folder).unlink()
    os.symlink("/nonexistent/cps_answers.json", _sidecar(folder))


COPIED_FROM = "testwise"  # the cohort profile the copier copies (many wrong answers of their own)
SHIFT = timedelta(minutes=47, seconds=13)  # every save time of the copy is moved by this


def copied_answers(module: Module, copier: str) -> tuple[dict, dict[str, float]]:
    """The copier's answers file (the classmate's answers, every save time shifted; only the slots where the
    classmate's version is the one the copier is shown, so the points do not depend on which versions the
    grader accepts) and the points it must get: the classmate's on those slots, 0 elsewhere."""
    source = next(t for t in cohort.profiles(module) if t.student == cohort.PREFIX + COPIED_FROM)
    data = json.loads(cohort.sidecar(source.answers, source.student, source.variants))
    mine = {sid: x["id"] for sid, _kind, x, *_ in cohort.graded_slots(module, copier)}
    kept, expected = {}, {}
    for sid, points in source.expected.items():
        entry = data["answers"][sid]
        if entry.get("variant", sid) == mine[sid]:
            at = datetime.fromisoformat(entry["at"]) + SHIFT
            kept[sid] = {**entry, "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
        expected[sid] = points if sid in kept else 0.0
    data["answers"] = kept
    return data, expected


def _copier(folder: Path, module: Module) -> None:
    data, _ = copied_answers(module, folder.parent.name)
    _sidecar(folder).write_text(json.dumps(data, indent=1))


def _huge(folder: Path, module: Module) -> None:
    data = json.loads(_sidecar(folder).read_bytes())
    data["padding"] = "x" * (3 * 1024 * 1024)
    _sidecar(folder).write_text(json.dumps(data))


def _edit_cells(edit: Callable[[nbformat.NotebookNode], None]) -> Callable[[Path, Module], None]:
    def make(folder: Path, module: Module) -> None:
        nb = nbformat.read(_notebook(folder, module), as_version=4)
        edit(nb)
        nbformat.write(nb, _notebook(folder, module))
    return make


def _delete_locked(nb) -> None:
    """Delete every locked display cell (the grading cells are restored from the gradebook by id)."""
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("show_")]


def _delete_grading_cell(folder: Path, module: Module) -> None:
    """Delete the first question's hidden grading cell (nbgrader restores edited locked cells, not deleted ones)."""
    gone = first_item(module)
    _edit_cells(lambda nb: setattr(nb, "cells", [c for c in nb.cells if c.metadata.get("nbgrader", {})
                                                 .get("grade_id") != gone]))(folder, module)


def _add_cell(source: str) -> Callable[[nbformat.NotebookNode], None]:
    def edit(nb) -> None:
        at = next(n for n, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(source))
    return edit


def _rename(folder: Path, module: Module) -> None:
    _notebook(folder, module).rename(folder / f"{module.notebook}_my_copy.ipynb")


def _extra(folder: Path, module: Module) -> None:
    shutil.copy(_notebook(folder, module), folder / "my_notes.ipynb")


def _not_utf8_notebook(folder: Path, module: Module) -> None:
    raw = _notebook(folder, module).read_bytes()
    _notebook(folder, module).write_bytes(raw.replace(b"Module 1", b"Module \xff\xfe 1", 1).replace(b"# ", b"# \xff", 1))


FAULTS = [
    Fault("missing_sidecar", "no answers file", lambda f, m: _sidecar(f).unlink(), "zero", "no answers file"),
    Fault("corrupt_json", "answers file cut short", _write_raw(b'{"format": "cps-answers", "version": 1, "answers": {"x'),
          "zero", "is not valid JSON"),
    Fault("wrong_shape", "valid JSON of the wrong shape", _write_raw(b'[1, 2, 3]'), "zero",
          "is not a course answers file"),
    Fault("unknown_ids", "answers to items that do not exist", _unknown_ids, "all_right", None),
    Fault("not_an_option", "a choice that is not one of the options", _not_an_option, "first_item_zero",
          "is not one of this question's options"),
    Fault("sidecar_dir", "the answers file is a folder", _as_directory, "zero", "is not a regular file"),
    Fault("sidecar_symlink", "the answers file is a broken link", _as_symlink, NOT_GRADED, "is a link (to "),
    Fault("sidecar_huge", "the answers file is 3 MiB", _huge, "zero", "is larger than 2 MiB"),
    Fault("sidecar_not_utf8", "the answers file is not UTF-8", _write_raw(b'{"format": "cps-answers", "\xff\xfe"}'),
          "zero", "is not UTF-8 text"),
    Fault("deleted_locked", "locked display cells deleted", _edit_cells(_delete_locked), "all_right", None),
    Fault("deleted_grading_cell", "a locked grading cell deleted", _delete_grading_cell, "first_item_zero",
          "grading cells missing from the notebook"),
    Fault("deleted_notebook", "the notebook deleted", lambda f, m: _notebook(f, m).unlink(), NOT_GRADED,
          "no notebook named"),
    Fault("renamed_notebook", "the notebook renamed", _rename, FAILED, "renamed or deleted"),
    Fault("extra_notebook", "an extra notebook", _extra, "all_right", None),
    Fault("notebook_not_json", "the notebook is not JSON", lambda f, m: _notebook(f, m).write_bytes(b'{"cells": [{'),
          FAILED, "not valid JSON"),
    Fault("notebook_not_utf8", "the notebook is not UTF-8", _not_utf8_notebook, FAILED, "not UTF-8"),
    # Cells a trainee adds are dropped before grading and never run (invariant 8): each of these grades as normal.
    Fault("infinite_loop", "an added cell with an endless loop", _edit_cells(_add_cell(LOOP)), "all_right", None),
    Fault("deaf_loop", "an added loop that ignores interrupts", _edit_cells(_add_cell(DEAF_LOOP)), "all_right",
          None),
    Fault("big_output", "an added cell printing 30 MB", _edit_cells(_add_cell(BIG_OUTPUT)), "all_right", None),
    Fault("huge_answer", "a 1.5 MB answer to one question", _huge_answer, "first_item_zero",
          "is not one of this question's options"),
    # Copying (issue 16, part 3): graded as normal; the pipeline flags the pair by their shared wrong answers.
    Fault("copier", f"a copy of the {COPIED_FROM} trainee's answers file with every save time shifted", _copier,
          COPIED, None),
]


def first_item(module: Module) -> str:
    return next(i["id"] for i in module.items() if i["kind"] == "graded" and i["type"] == "single")


def expected_points(module: Module, fault: Fault) -> dict[str, float] | None:
    """Grade id -> points the fault's submission must get; None when nbgrader cannot grade it as a whole."""
    if fault.expected in (FAILED, NOT_GRADED):
        return None
    right = next(t for t in cohort.profiles(module) if t.student == cohort.PREFIX + "all_right").expected
    if fault.expected == "all_right":
        return dict(right)
    if fault.expected == COPIED:
        return copied_answers(module, fault.student)[1]
    if fault.expected == "zero":
        return {k: 0.0 for k in right}
    return {**right, first_item(module): 0.0}


def write(root: Path, module: Module, faults: list[Fault] | None = None) -> dict[str, Fault]:
    """Write one faulty submission per fault into submitted/; returns {student: fault}."""
    good = next(t for t in cohort.profiles(module) if t.student == cohort.PREFIX + "all_right")
    out = {}
    for fault in faults or FAULTS:
        good.student = fault.student
        folder = cohort.write_submission(root, module, good)
        fault.make(folder, module)
        out[fault.student] = fault
    return out
