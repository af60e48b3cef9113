"""nbgrader's configuration for the course (nbgrader reads only this file).

It closes the traps measured in ../shared/reference/nbgrader-facts.md, and keeps invariant 8 of the design
(a trainee's work is data, never code):
- autograde runs nothing from a submission: cells a trainee added are dropped, and every grading cell is
  scored by the course's own code from the answers file, inside nbgrader's process (no kernel);
- the trainee's answers file is never overwritten from source/ at autograde;
- saved widget state is stripped from the student versions;
- solution stubs never raise when a trainee runs every cell;
- every cell has a finite timeout, and a stuck cell is interrupted;
- a submission is plain files only (cps_ethics.autograde.submission): at collect and before autograde, links,
  device files, pipes and anything outside the submission are refused, never followed, and reported in
  out/submission_checks/; autograded/ gets only the notebook(s) and the answers file (with nbgrader's
  timestamp.txt and submission_secret.txt), feedback/ only the feedback page, and release_feedback releases
  nothing else. No glob decides this (a folder named `sub[x]` defeats nbgrader's ignore globs).
"""

import os
from pathlib import Path

from cps_ethics.autograde.exchange import CourseCollect, CourseReleaseFeedback
from cps_ethics.autograde.feedback import TEMPLATES as FEEDBACK_TEMPLATES
from cps_ethics.autograde.feedback import FeedbackPage
from cps_ethics.autograde.grade_answers import GradeFromAnswers
from cps_ethics.autograde.nbgrader_ext import HideCodeInFeedback, LimitOutputChars, StripWidgetState
from cps_ethics.autograde.sanitize import DropAddedCells
from cps_ethics.autograde.submission import install
from cps_ethics.course import ANSWERS_FILE

import nbgrader

NBGRADER_TEMPLATES = str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

ROOT = Path(__file__).resolve().parent
ASSIGNMENTS = sorted(p.stem for p in (ROOT / "content" / "modules").glob("*.yaml"))

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "ma-cps-ethics"
# SQLite file by default; a shared or large course sets CPS_DB_URL (e.g. postgresql+psycopg://...).
c.CourseDirectory.db_url = os.environ.get("CPS_DB_URL") or f"sqlite:///{ROOT / 'gradebook.db'}"

# Plain files only, and only the graded ones: nbgrader's autograde and generate_feedback become the course's
# subclasses (nbgrader has no setting for that: install() puts them where nbgrader's commands and formgrader
# look them up), and collect and release_feedback are the course's exchange classes.
install()
c.ExchangeFactory.collect = CourseCollect
c.ExchangeFactory.release_feedback = CourseReleaseFeedback

# What collect leaves out, matched on each name (autograde copies only the graded files whatever this says).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "*.py", "*.pyi", "*.so", "*.pth", "*.egg-link", ".cps_autograde*"]

# Keep each trainee's own answers file at autograde (see nbgrader-facts: "Files and autograde").
c.Autograde.exclude_overwriting = {a: [ANSWERS_FILE] for a in ASSIGNMENTS}

# Student versions: no widget state; harmless stubs.
# nbgrader 0.9.6's own list (converters/generate_assignment.py), then ours.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
    StripWidgetState,
]
c.ClearSolutions.code_stub = {"python": "# Nothing to do here: the controls above save your answers."}
c.ClearSolutions.text_stub = "*Write your answer here. Replace this line with your own words.*"

# Finite cell time; a stuck cell is interrupted and costs that cell only.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Autograde, first pass (nbgrader 0.9.6's own sanitize list, converters/autograde.py, with ours): cells that are
# not in the assignment's source are dropped and every kept cell's nbgrader metadata is rewritten from the
# gradebook (DropAddedCells, before OverwriteCells restores edited locked cells and checksums), reflections are
# kept as plain text, and saved widget state is removed. nbgrader's CheckCellMetadata is left out: the metadata
# is the gradebook's own by then (the check cost a quarter of a second per submission).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    DropAddedCells,
    "nbgrader.preprocessors.OverwriteCells",
    StripWidgetState,
]
# Autograde, second pass: nbgrader's own list with `Execute` replaced by GradeFromAnswers (no kernel is
# started; nothing a trainee wrote runs), and huge single outputs cut after LimitOutput (which counts lines).
# nbgrader's closing CheckCellMetadata is left out: the first pass rewrote the metadata from the gradebook,
# and nothing here changes metadata.
c.Autograde.autograde_preprocessors = [
    GradeFromAnswers,
    "nbgrader.preprocessors.LimitOutput",
    LimitOutputChars,
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
]

# Feedback: no code (display cells' code left out), hidden grading code and reflections' mark schemes are
# not shown to trainees
# (autograde restores both from the gradebook; nbgrader's default feedback shows them).
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "nbgrader.preprocessors.ClearHiddenTests",
                                    "nbgrader.preprocessors.ClearMarkScheme", HideCodeInFeedback,
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor", FeedbackPage]
# The course's own feedback page (cps_ethics/autograde/templates/feedback): per question the full text, the
# choice, the points and (where the course allows it) the best answer and why; totals at the top; no code,
# cell ids or empty boxes; no script or MathJax. Named `feedback` and found first, so formgrader's "Generate
# Feedback" button (which asks for the template `feedback` by name) uses it too.
c.HTMLExporter.extra_template_basedirs = [FEEDBACK_TEMPLATES, NBGRADER_TEMPLATES]
