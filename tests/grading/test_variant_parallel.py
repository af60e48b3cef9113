"""Twins that are not parallel show up in real data (issue 19 part 5): variants.csv and the class report flag a
slot whose two versions differ in their share of full marks by more than 0.2, with at least 20 trainees on
each, and show the two-proportion z-test's p value. Synthetic trainee items with hand-worked figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from grading_fixtures import build_class, class_answers, class_course

from grading import pipeline, report, variants


def _trainees(slot: str, counts: dict[str, tuple[int, int]], assignment: str = "m1") -> list[dict]:
    """Rows of trainee_items: for each variant, (trainees who answered it, of whom with full marks)."""
    rows = []
    for variant, (n, full) in counts.items():
        for k in range(n):
            rows.append({"student": f"{slot}_{variant}_{k}", "assignment": assignment, "grade_id": slot,
                         "variant": variant, "status": "graded", "pending": False, "variant_answered": True,
                         "score": 2.0 if k < full else (1.0 if k % 2 else 0.0), "max_score": 2.0,
                         "kind": "GradeCell"})
    return rows


@pytest.fixture(scope="module")
def table():
    ti = pd.DataFrame(
        _trainees("not_parallel", {"np_a": (25, 20), "np_b": (25, 8)})  # 0.80 against 0.32: flagged
        + _trainees("parallel", {"par_one": (25, 15), "par_two": (25, 14)})  # 0.60 against 0.56: not flagged
        + _trainees("too_few", {"f_a": (19, 18), "f_b": (30, 3)})  # 0.95 against 0.10, but 19 < 20: not flagged
        + _trainees("edge", {"e_a": (20, 14), "e_b": (20, 10)}))  # 0.70 against 0.50: a gap of 0.2 is allowed
    return variants.variant_table(ti)


def test_variants_csv_flags_only_the_non_parallel_slot(table):
    print(table.to_string())
    flagged = set(table.loc[table["not_parallel"].astype(bool), "grade_id"])
    assert flagged == {"not_parallel"}
    row = table[table["variant"] == "np_b"].iloc[0]
    assert row["n_answered"] == 25 and row["n_full"] == 8 and row["full_share"] == pytest.approx(0.32)
    assert row["slot_gap"] == pytest.approx(0.48)
    # pooled share 0.56; se = sqrt(0.56 * 0.44 * (1/25 + 1/25)) = 0.14040; z = 0.48 / 0.14040 = 3.4188
    assert row["slot_p_value"] == pytest.approx(math.erfc(3.4188 / math.sqrt(2)), rel=1e-3)
    assert row["slot_p_value"] < 0.001
    parallel = table[table["grade_id"] == "parallel"].iloc[0]
    assert parallel["slot_gap"] == pytest.approx(0.04) and parallel["slot_p_value"] > 0.5
    assert table[table["grade_id"] == "too_few"]["slot_gap"].isna().all()
    assert table[table["grade_id"] == "edge"]["slot_gap"].iloc[0] == pytest.approx(0.2)


def test_two_proportion_z_matches_a_worked_example():
    # 45/60 against 30/60: pooled 0.625, se = sqrt(0.625 * 0.375 / 30) = 0.088388, z = 0.25 / 0.088388 = 2.8284
    z, p = variants.two_proportion_z(45, 60, 30, 60)
    assert z == pytest.approx(2.8284, rel=1e-4) and p == pytest.approx(0.004678, rel=1e-3)
    assert variants.two_proportion_z(5, 10, 10, 20) == (0.0, 1.0)
    assert variants.two_proportion_z(10, 10, 20, 20) == (0.0, 1.0)


def test_non_parallel_lists_the_slot_with_both_versions(table):
    flagged = variants.non_parallel(table)
    assert list(flagged["grade_id"]) == ["not_parallel"]
    row = flagged.iloc[0]
    assert (row["easier"], row["n_easier"], row["harder"], row["n_harder"]) == ("np_a", 25, "np_b", 25)
    assert row["full_share_easier"] == pytest.approx(0.8) and row["gap"] == pytest.approx(0.48)
    assert row["z"] == pytest.approx(3.4188, rel=1e-3)


def test_class_report_shows_the_non_parallel_slot(table, tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    build_class(url)
    class_answers(tmp_path)
    course = class_course(tmp_path)
    t = pipeline.run(url, course, tmp_path, tmp_path / "out", progress=lambda m: None)
    assert "not_parallel" in t["variants"].columns and "slot_p_value" in t["variants"].columns
    page = report.class_report(t, course)
    assert "Versions that are not equally hard" in page and "<p class='ok'>None.</p>" in page
    page = report.class_report({**t, "variants": table}, course)
    section = page.split("Versions that are not equally hard")[1].split("<h2>")[0]
    assert "np_a" in section and "np_b" in section and "par_one" not in section and "f_a" not in section
    assert "0.000629" in section or "0.00063" in section, section  # the p value, as the table prints it
