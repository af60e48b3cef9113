"""Exact values of every table on the hand-built class (see grading_fixtures.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from grading.principles import mastery


def row(df: pd.DataFrame, **where) -> pd.Series:
    d = df
    for k, v in where.items():
        d = d[d[k] == v]
    assert len(d) == 1, where
    return d.iloc[0]


def test_trainee_assignments_status_and_totals(class_run):
    ta = class_run["tables"]["trainee_assignments"]
    assert len(ta) == 10  # 5 trainees x 2 assignments, no one dropped
    expect = {("alice", "a1"): ("graded", 8.0), ("bob", "a1"): ("graded", 4.5), ("carol", "a1"): ("graded", 2.0),
              ("dave", "a1"): ("failed", 0.0), ("erin", "a1"): ("not_submitted", 0.0),
              ("alice", "a2"): ("graded", 2.0), ("bob", "a2"): ("graded", 0.75),
              ("carol", "a2"): ("not_submitted", 0.0), ("dave", "a2"): ("graded", 0.0),
              ("erin", "a2"): ("not_submitted", 0.0)}
    for (s, a), (status, score) in expect.items():
        r = row(ta, student=s, assignment=a)
        assert (r["status"], r["score"]) == (status, score), (s, a)
        assert r["max_score"] == {"a1": 9.0, "a2": 4.0}[a]
    bob = row(ta, student="bob", assignment="a2")
    assert (bob["raw_score"], bob["late_penalty"]) == (1.0, 0.25)  # manual 1 overrides auto 0; late penalty
    assert not ta["score"].isna().any()
    assert "autograde could not run" in row(ta, student="dave", assignment="a1")["reason"]


def test_item_difficulty_and_discrimination(class_run):
    items = class_run["tables"]["items"]
    # a1 proportions (alice, bob, carol): q1 1 1 0; q2 1 0 1; q3 0 0 1; r1 1 .75 0; s1 1 .5 0
    # totals 8, 4.5, 2; upper group = alice, lower = carol (27% of 3 -> 1)
    assert row(items, grade_id="q1")["difficulty"] == pytest.approx(2 / 3)
    assert row(items, grade_id="q3")["difficulty"] == pytest.approx(1 / 3)
    assert row(items, grade_id="r1")["difficulty"] == pytest.approx((1 + 0.75 + 0) / 3)
    assert row(items, grade_id="s1")["difficulty"] == pytest.approx(0.5)
    # q1 against rest (7, 3.5, 2): r = (13/6) / sqrt(2/3 * 79/6)
    assert row(items, grade_id="q1")["point_biserial"] == pytest.approx((13 / 6) / math.sqrt(2 / 3 * 79 / 6))
    # q3 against rest (8, 4.5, 1): sum dp*dr = -3.5, sxx = 2/3, syy = 24.5
    assert row(items, grade_id="q3")["point_biserial"] == pytest.approx(-3.5 / math.sqrt(2 / 3 * 24.5))
    assert [row(items, grade_id=g)["upper_lower"] for g in ("q1", "q2", "q3", "r1", "s1")] == [1, 0, -1, 1, 1]
    assert set(items["group_size"].dropna()) == {1}
    assert row(items, grade_id="q3")["review"] == "negative discrimination"
    # a2 (alice, bob, dave): q4 1 1 0 against rest (1, 0, 0): r = 0.5
    assert row(items, grade_id="q4")["point_biserial"] == pytest.approx(0.5)


def test_edge_items_nobody_answered_zero_variance_best_never_chosen(class_run):
    items = class_run["tables"]["items"]
    q6, q7 = row(items, grade_id="q6"), row(items, grade_id="q7")
    assert (q6["difficulty"], q6["n_answered"], q6["upper_lower"]) == (0.0, 0, 0.0)
    assert math.isnan(q6["point_biserial"])  # zero variance: undefined, not 0
    assert "nobody answered" in q6["review"] and "nobody chose the best option" not in q6["review"]
    assert "nobody chose the best option" in q7["review"] and q7["n_answered"] == 3
    assert row(items, grade_id="q3")["n_answered"] == 2  # bob left q3 unanswered


def test_reliability(class_run):
    rel = class_run["tables"]["reliability"].set_index("assignment")
    # a1: item variances 2/9 * 3 + 13/18 + 8/3 = 73/18; total variance 109/18; alpha = 5/4 * 36/109
    assert rel.loc["a1", "alpha"] == pytest.approx(45 / 109)
    assert not rel.loc["a1", "dichotomous"] and math.isnan(rel.loc["a1", "kr20"])
    # a2: p = 2/3, 1/3, 0, 0 -> sum pq = 4/9; totals 2, 1, 0 -> variance 2/3; KR-20 = 4/3 * (1 - 2/3)
    assert rel.loc["a2", "dichotomous"]
    assert rel.loc["a2", "kr20"] == pytest.approx(4 / 9)
    assert rel.loc["a2", "alpha"] == pytest.approx(4 / 9)
    assert rel.loc["a1", "n_trainees"] == 3 and rel.loc["a1", "n_items"] == 5


def test_options(class_run):
    o = class_run["tables"]["options"]
    assert row(o, grade_id="q1", option="b")[["n_chosen", "n_answered"]].tolist() == [2, 3]
    assert row(o, grade_id="q3", option="m2")["share"] == 0.5
    assert row(o, grade_id="s1", part="n1", option="b")["n_chosen"] == 2
    assert math.isnan(row(o, grade_id="q6", option="b")["share"])
    assert row(o, grade_id="q7", option="x")["n_chosen"] == 2  # dave's failed a1 is not counted, his a2 is


def test_principles_and_follow_up(class_run):
    tp = class_run["tables"]["trainee_principles"]
    cases = {("alice", "P1"): (4.0, 4.0, "mastered"), ("alice", "P2"): (5.0, 6.0, "mastered"),
             ("bob", "P1"): (2.5, 4.0, "developing"), ("bob", "P3"): (1.0, 2.0, "needs_support"),
             ("carol", "P3"): (0.0, 2.0, "needs_support"), ("erin", "P2"): (0.0, 6.0, "needs_support")}
    for (s, p), (earned, possible, level) in cases.items():
        r = row(tp, student=s, principle=p)
        assert (r["earned"], r["possible"], r["mastery"]) == (earned, possible, level), (s, p)
    assert row(tp, student="carol", principle="P3")["missing_points"] == 2.0
    assert row(tp, student="dave", principle="P2")["missing_points"] == 6.0
    cp = class_run["tables"]["class_principles"].set_index("principle")
    assert cp.loc["P1", ["earned", "possible"]].tolist() == [7.5, 20.0]
    assert cp.loc["P1", ["n_mastered", "n_developing", "n_needs_support"]].tolist() == [1, 1, 3]
    fu = class_run["tables"]["follow_up"]
    bob_p1 = fu[(fu["student"] == "bob") & (fu["principle"] == "P1")]
    assert bob_p1["grade_id"].tolist() == ["q2", "r1"]
    assert "alice" not in set(fu[fu["principle"].isin(["P1", "P2", "P3"])]["student"])


def test_mastery_thresholds():
    assert [mastery(x) for x in (1.0, 0.8, 2.4 / 3, 0.79, 0.6, 0.5999, 0.0)] == [
        "mastered", "mastered", "mastered", "developing", "developing", "needs_support", "needs_support"]
    assert mastery(float("nan")) == "no_data"


def test_scenario_paths(class_run):
    sp = class_run["tables"]["scenario_paths"]
    assert dict(zip(sp["path"], sp["n"])) == {"n1:a > n2:c": 1, "n1:b > n2:c": 1, "n1:b > n2:d": 1}
    assert row(sp, path="n1:a > n2:c")["on_best_path"]
    assert row(sp, path="n1:b > n2:d")["left_best_at"] == "n1"
    d = class_run["tables"]["path_departures"]
    assert d[["node", "option", "n", "n_reached"]].values.tolist() == [["n1", "b", 2, 3]]


def test_problems_reported_not_raised(class_run):
    p = class_run["tables"]["problems"]
    # dave's failed submission is flagged once; its (cut short) answers file is not read: nbgrader removes a
    # failed submission's autograded/ folder, so reading it could only give a second, misleading reason.
    assert set(zip(p["student"], p["kind"], p["reason"])) == {("dave", "submission", "autograde_failed")}


def test_an_unreadable_answers_file_of_a_graded_submission_is_a_problem(tmp_path):
    from grading_fixtures import build_class, class_answers, class_course, write_answers

    from grading import pipeline

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    build_class(url)
    class_answers(tmp_path)
    write_answers(tmp_path, "bob", "a2", None, raw=b"\xff not utf-8")
    t = pipeline.run(url, class_course(tmp_path), tmp_path, tmp_path / "out", progress=lambda m: None)
    p = t["problems"]
    assert ("bob", "answers_file", "not_utf8") in set(zip(p["student"], p["kind"], p["reason"]))
    row = t["trainee_assignments"].set_index(["student", "assignment"]).loc[("bob", "a2")]
    assert row["status"] == "graded" and row["score"] == 0.75  # the grades stand; only the choices are missing


def test_one_trainee_all_unanswered_pending(solo_run):
    t = solo_run["tables"]
    items = t["items"].set_index("grade_id")
    assert items.loc["z1", "difficulty"] == 1.0 and items.loc["z2", "difficulty"] == 0.0
    assert math.isnan(items.loc["z1", "point_biserial"]) and math.isnan(items.loc["z1", "upper_lower"])
    assert items.loc["z1", "n_answered"] == 0 and "nobody answered" in items.loc["z1", "review"]
    assert items.loc["zr", "review"] == "waiting for manual grading" and math.isnan(items.loc["zr", "difficulty"])
    rel = t["reliability"].iloc[0]
    assert math.isnan(rel["alpha"]) and math.isnan(rel["kr20"]) and rel["n_trainees"] == 1
    tp = t["trainee_principles"].iloc[0]  # the pending reflection is left out, not counted as 0
    assert (tp["earned"], tp["possible"], tp["pending_points"], tp["mastery"]) == (1.0, 2.0, 2.0, "needs_support")
    assert t["trainee_assignments"]["status"].tolist() == ["graded"]


def test_sqlite_and_postgresql_give_identical_tables(tmp_path, pg_url):
    from grading_fixtures import build_class, class_answers, class_course
    from pgserver import fresh_database

    from grading import pipeline

    class_answers(tmp_path)
    runs = {}
    for kind, url in (("sqlite", f"sqlite:///{tmp_path / 'g.db'}"), ("pg", fresh_database(pg_url, "cmp"))):
        build_class(url)
        runs[kind] = pipeline.run(url, class_course(tmp_path), tmp_path, tmp_path / kind, progress=lambda m: None)
    assert list(runs["sqlite"]) == list(runs["pg"])
    for name, df in runs["sqlite"].items():
        pd.testing.assert_frame_equal(df, runs["pg"][name], check_dtype=False, obj=name)
