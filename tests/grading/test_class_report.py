"""The class report reads in minutes: a one-screen summary first, contents, a collapsible section per module,
questions by their text; plots that label only what needs attention, legible at 7 and at 1,000 trainees."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from courselib import REPO
from lablib import CHROMIUM, CHROMIUM_ARGS

from grading import class_report, plots, report
from grading.items import ITEM_COLUMNS
from grading.principles import LEVELS

ARTIFACTS = REPO / "out" / "test-artifacts" / "report"


def _items(n_items: int, rng) -> pd.DataFrame:
    d = pd.DataFrame({c: None for c in ITEM_COLUMNS}, index=range(n_items))
    d["assignment"] = [f"{(i % 11) + 1:02d}_m" for i in range(n_items)]
    d["grade_id"] = [f"slot_{i:03d}" for i in range(n_items)]
    d["difficulty"] = rng.uniform(0, 1, n_items)
    d["point_biserial"] = rng.uniform(-0.3, 0.8, n_items)
    d["flagged"] = (d["difficulty"] < 0.2) | (d["point_biserial"] < 0)
    d["review"] = np.where(d["flagged"], "negative discrimination", "")
    return d


def _principles(n_trainees: int, rng) -> pd.DataFrame:
    rows = [(f"trainee_{s:04d}", f"K{k}", rng.uniform(0, 1)) for s in range(n_trainees) for k in range(1, 30)]
    d = pd.DataFrame(rows, columns=["student", "principle", "share"])
    d["mastery"] = pd.cut(d["share"], [-1, 0.6, 0.8, 2], labels=list(LEVELS)[::-1], right=False).astype(str)
    return d


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]


@pytest.mark.parametrize("n_trainees", [7, 1000])
def test_plots_label_only_what_needs_attention(n_trainees):
    rng = np.random.default_rng(n_trainees)
    items = _items(270, rng)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    fig = plots.difficulty_vs_discrimination(items)
    numbers = [t for t in _texts(fig) if t.isdigit() and fig.axes[0].texts and t in {a.get_text() for a in fig.axes[0].texts}]
    assert len(fig.axes[0].texts) == min(plots.MAX_LABELS, int(items["flagged"].sum()))  # not ~270 labels
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    (ARTIFACTS / f"items_{n_trainees}.png").write_bytes(__import__("base64").b64decode(plots.png(fig)))
    tp = _principles(n_trainees, rng)
    fig = plots.mastery_heatmap(tp, [f"K{k}" for k in range(1, 30)])
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) <= max(plots.HEATMAP_MAX_TRAINEES, len(LEVELS))
    width, height = fig.get_size_inches()
    assert height <= 20 and width <= 20, "a figure a screen can show"
    (ARTIFACTS / f"mastery_{n_trainees}.png").write_bytes(__import__("base64").b64decode(plots.png(fig)))
    ta = pd.DataFrame([(f"trainee_{s:04d}", f"{a:02d}_m", "graded", rng.uniform(0, 1))
                       for s in range(n_trainees) for a in range(1, 13)],
                      columns=["student", "assignment", "status", "share"])
    fig = plots.score_distributions(ta)
    width, height = fig.get_size_inches()
    assert width <= 14, "twelve assignments wrap into rows instead of one long strip"
    plots.png(fig)


def test_class_report_opens_with_a_summary_and_contents(class_run, tmp_path):
    t, course = class_run["tables"], class_run["course"]
    report.write(t, course, tmp_path / "report", progress=lambda m: None)
    page = (tmp_path / "report" / "class_report.html").read_text(encoding="utf-8")
    summary_at, toc_at = page.index("id='summary'"), page.index("aria-label='Contents'")
    assert summary_at < toc_at < page.index("id='scores'")
    summary = page[summary_at:toc_at]
    for head in ("Who needs follow-up", "Weakest principles", "Questions to review"):
        assert head in summary
    needs = t["trainee_principles"]
    needing = needs[needs["mastery"] == "needs_support"]["student"].unique()
    assert len(needing) and all(s in summary for s in needing[:class_report.SUMMARY_ROWS])
    assignments = set(t["items"]["assignment"])
    assert all(f"<details id='m-{a}'" in page for a in assignments)
    texts = class_report.question_texts(course)
    gid = t["items"]["grade_id"].iloc[0]
    assert f"{texts[gid]}<small class='id'>{gid}</small>" in page, "questions by text, id in small print"


def test_summary_screenshot(class_run, tmp_path):
    """The summary fits about one screen; the screenshot is kept."""
    from playwright.sync_api import sync_playwright

    t, course = class_run["tables"], class_run["course"]
    report.write(t, course, tmp_path / "report", progress=lambda m: None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto((tmp_path / "report" / "class_report.html").as_uri())
        box = tab.locator("#summary").bounding_box()
        tab.screenshot(path=str(ARTIFACTS / "class_report_summary.png"))
        browser.close()
    assert box and box["height"] <= 1100
    assert re.search(rb"PNG", (ARTIFACTS / "class_report_summary.png").read_bytes()[:8])
