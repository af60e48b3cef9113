"""`cps-course handout`: one printed page for trainees, every step from logging in to help, in plain words."""

from __future__ import annotations

import subprocess
import sys

import pytest
from courselib import REPO
from pypdf import PdfReader
from sitelib import flat

from cps_ethics.errors import CourseError
from cps_ethics.publish import handout

STEPS = ["Log in", "Fetch a module", "Run All", "Answer", "Submit", "Get your feedback", "Get help"]


def test_handout_is_one_page_with_every_step(tmp_path):
    out = tmp_path / "handout.pdf"
    run = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(REPO), "handout", str(out),
                          "--hub", "https://hub.example.org", "--contact", "Dana, 617-555-0100"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    pages = PdfReader(out).pages
    assert len(pages) == 1
    text = flat(pages[0].extract_text())
    positions = [text.find(s) for s in STEPS]
    assert -1 not in positions and positions == sorted(positions), text
    for said in ("https://hub.example.org", "Dana, 617-555-0100", "Run All Cells", "Fetch Feedback", "988",
                 "Assignment List"):
        assert said in text


def test_trainer_text_is_escaped_and_checked():
    html = handout.page(hub="<script>alert(1)</script>", contact="a & b")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    with pytest.raises(CourseError, match="--contact: one line"):
        handout.page(contact="x" * 500)
    with pytest.raises(CourseError, match="--hub: one line"):
        handout.page(hub="a\x1b[2Jb")
