"""The grading pipeline's one entry point: gradebook + answers files + content -> every table, written as CSV."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from cps_ethics.errors import CourseError
from cps_ethics.model.content import Course, load_course

from . import (
    choices,
    csvsafe,
    gradebook,
    integrity,
    items,
    options,
    paths,
    principles,
    scores,
    variants,
)

STEPS = 6
# Table name -> what one row is (the CSV columns are documented in grading/README.md).
TABLES = {
    "trainee_assignments": "one trainee x one assignment: score, max score, status",
    "class_assignments": "one assignment: counts by status and graded score summary",
    "trainee_items": "one trainee x one grade cell",
    "trainee_principles": "one trainee x one principle: points and mastery",
    "class_principles": "one principle: the class view",
    "follow_up": "one trainee x principle below mastery x item where points were lost",
    "items": "one graded item: difficulty, discrimination, review flags",
    "variants": "one graded slot x variant: how many trainees saw and answered it, mean score, difficulty",
    "options": "one item x part x option: how often it was chosen",
    "reliability": "one assignment: KR-20 and Cronbach's alpha",
    "trainee_paths": "one trainee x one scenario: the path taken",
    "scenario_paths": "one scenario x one distinct path: how many took it",
    "path_departures": "one scenario node x option where trainees first left the best path",
    "choices": "one trainee x one saved answer",
    "similar_answers": "one pair of trainees whose wrong answers agree far beyond chance (possible copying)",
    "problems": "one answers file or submission that needs a trainer's attention",
}


def compute(db_url: str, course: Course, root: Path, progress: Callable[[str], None] = print) -> dict:
    """Every table as a DataFrame, written nowhere. CourseError for a gradebook that cannot be used."""
    progress(f"[1/{STEPS}] Reading the gradebook")
    gb = gradebook.read(db_url)
    if gb.students.empty:
        raise CourseError(f"The gradebook at {gradebook._safe(db_url)} has no trainees yet. "
                          "Add trainees and run `nbgrader autograde` first.")
    if gb.assignments.empty:
        raise CourseError(f"The gradebook at {gradebook._safe(db_url)} has no assignments yet. "
                          "Run `nbgrader generate_assignment` and `nbgrader autograde` first.")
    ta = scores.trainee_assignments(gb)
    ti = scores.trainee_items(gb, ta)
    progress(f"[1/{STEPS}]  {len(gb.students)} trainees, {len(gb.assignments)} assignments, "
             f"{int((ta['status'] == scores.FAILED).sum())} failed and "
             f"{int((ta['status'] == scores.NOT_SUBMITTED).sum())} missing submissions")

    # A failed submission has no autograded/ folder (nbgrader removes it): its reason is the failure alone.
    graded = ta[ta["status"] == scores.GRADED][["student", "assignment"]]
    progress(f"[2/{STEPS}] Reading {len(graded)} answers files in autograded/")
    answers, choice_table, problems = choices.read_all(Path(root), graded)
    counts = integrity.autograde_counts(Path(root), course, graded)
    similar = integrity.similar_answers(course, choice_table)
    problems = pd.concat([frame for frame in (choices.submission_problems(ta), problems,
                                              integrity.added_cell_problems(counts),
                                              integrity.reflection_cut_problems(Path(root), course, graded),
                                              integrity.identical_answers(choice_table),
                                              integrity.identical_reflections(course, answers),
                                              choices.not_shown_problems(Path(root), {m.id: m.notebook for m in
                                                                                      course.modules}, graded),
                                              integrity.similar_answer_problems(similar),
                                              integrity.draw_copy_problems(integrity.draw_copies(course,
                                                                                                 choice_table)),
                                              choices.check_problems(Path(root), [m.id for m in course.modules]))
                          if len(frame)]
                         or [problems], ignore_index=True)
    if len(problems):
        progress(f"[2/{STEPS}]  {len(problems)} problems to look at (see problems.csv)")

    progress(f"[3/{STEPS}] Option shares and scenario paths")
    chosen = variants.chosen(choice_table)
    opts = options.option_shares(course, answers, graded, chosen)
    tpaths = paths.trainee_paths(course, answers, graded, chosen)
    ti = variants.add_variant(ti, choice_table, course)

    progress(f"[4/{STEPS}] Item analysis and reliability")
    item_table, reliability = items.analyse(ti, course, answers, options.best_never_chosen(opts))

    progress(f"[5/{STEPS}] Principle mastery and the follow-up list")
    tp = principles.trainee_principles(ti, course)
    tables = {
        "trainee_assignments": ta,
        "class_assignments": scores.class_assignments(ta),
        "trainee_items": ti,
        "trainee_principles": tp,
        "class_principles": principles.class_principles(tp, course),
        "follow_up": principles.follow_up(tp, ti, course),
        "items": item_table,
        "variants": variants.variant_table(ti),
        "options": opts,
        "reliability": reliability,
        "trainee_paths": tpaths,
        "scenario_paths": paths.path_counts(tpaths),
        "path_departures": paths.departures(course, tpaths),
        "choices": choice_table,
        "similar_answers": similar,
        "problems": problems,
    }
    assert list(tables) == list(TABLES)
    return tables


def write_tables(tables: dict, out_dir: Path) -> list[Path]:
    """Write every table as <name>.csv (formula-safe, see csvsafe): all into a temp folder first, then each
    moved into place."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tables-", dir=out_dir))
    try:
        for name, df in tables.items():
            csvsafe.write(df, tmp / f"{name}.csv")
        done = []
        for name in tables:
            os.replace(tmp / f"{name}.csv", out_dir / f"{name}.csv")
            done.append(out_dir / f"{name}.csv")
        return done
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


def run(db_url: str, course: Course | None, root: Path, out_dir: Path,
        progress: Callable[[str], None] = print) -> dict[str, pd.DataFrame]:
    """Compute every table from the gradebook at `db_url` and the answers in `root`/autograded/, and write
    them as CSV in `out_dir` (nothing is written if anything fails). `course` None: load it from `root`."""
    course = course if course is not None else load_course(Path(root))
    tables = compute(db_url, course, Path(root), progress)
    progress(f"[6/{STEPS}] Writing {len(tables)} tables to {out_dir}")
    write_tables(tables, Path(out_dir))
    return tables
