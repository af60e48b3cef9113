"""The class report: a one-screen summary, a contents list, then one collapsible section per module.

The summary says who needs follow-up, the weakest principles and the questions to review. Questions and
options are shown by their text, with the id in small print; long tables are collapsed or cut (every row
stays in the CSV files); plots label only what needs attention, so they read the same at 7 or 1,000 trainees.
"""

from __future__ import annotations

import html

import pandas as pd

from cps_ethics.model.content import Course

from . import plots
from .html_kit import collapsible, img, page, table, with_text
from .variants import PARALLEL_GAP, PARALLEL_MIN_N, non_parallel

SUMMARY_ROWS = 8  # names, principles and questions in the summary (the rest is in the sections and CSVs)
LONG_TABLE = 40  # rows shown of a long table in a section


def not_parallel_section(variant_df: pd.DataFrame) -> list[str]:
    """The slots whose versions are not equally hard, for the trainer to retire or rewrite."""
    flagged = non_parallel(variant_df)
    intro = (f"<p>Versions of one graded place should be equally hard. Listed: places whose versions differ by more "
             f"than {PARALLEL_GAP:.0%} in the share of trainees with full marks, with at least {PARALLEL_MIN_N} "
             f"trainees on each; p is the two-proportion z-test's (small p: the gap is unlikely to be chance). "
             f"Consider retiring or rewriting the harder or the easier version.</p>")
    return ["<h3>Versions that are not equally hard</h3>", intro,
            table(flagged) if len(flagged) else "<p class='ok'>None.</p>"]


def scores_side_by_side(ta: pd.DataFrame) -> pd.DataFrame:
    """One row per trainee, one column per assignment (the practice exam last): percent of points."""
    d = ta.assign(percent=(100 * ta["score"] / ta["max_score"]).where(ta["max_score"] > 0).round(1))
    wide = d.pivot_table(index="student", columns="assignment", values="percent", aggfunc="first")
    return wide.reset_index().rename_axis(columns=None)


def question_texts(course: Course) -> dict[str, str]:
    """Every graded id (slot, version, exam position, exam-only question, reflection) -> its text."""
    out: dict[str, str] = {}
    for m in [*course.modules, *getattr(course, "exam_bank", [])]:
        for x in [*m.items(), *m.scenarios()]:
            out[x["id"]] = " ".join(str(x.get("prompt") or x.get("title") or x["id"]).split())
            out.setdefault(x.get("slot", x["id"]), out[x["id"]])
        for r in m.reflections():
            out[r["id"]] = "Reflection: " + " ".join(str(r.get("prompt", r["id"])).split())
    for m in course.modules:
        if m.exam:
            for n, (pos, topic) in enumerate(course.exam_plan(m)["positions"].items(), 1):
                out[pos] = f"Practice exam question {n} (drawn per trainee from {course.module(topic).data.get('title', topic)})"
    return {k: (v if len(v) <= 160 else v[:157] + "...") for k, v in out.items()}


def option_texts(course: Course) -> dict[tuple[str, str, str], str]:
    """(scenario version, node, option id) -> the option's text."""
    out = {}
    for m in [*course.modules, *getattr(course, "exam_bank", [])]:
        for sc in m.scenarios():
            for node in sc["nodes"]:
                for o in node.get("options", []):
                    out[(sc["id"], node["id"], o["id"])] = " ".join(str(o["text"]).split())
    return out


def _li(items: list[str]) -> str:
    return "<ol>" + "".join(f"<li>{x}</li>" for x in items) + "</ol>" if items else "<p>None.</p>"


def summary(t: dict, course: Course, texts: dict[str, str]) -> str:
    """One screen: who needs follow-up, the weakest principles, the questions to review, problems."""
    ta, tp, items = t["trainee_assignments"], t["trainee_principles"], t["items"]
    n = ta["student"].nunique()
    graded = int((ta["status"] == "graded").sum())
    need = tp[tp["mastery"] == "needs_support"]
    per = need.groupby("student")["name"].agg(list).sort_values(key=lambda s: -s.map(len))
    who = [f"{html.escape(s)}: {html.escape(', '.join(map(str, p[:3])))}" + (f" and {len(p) - 3} more" if len(p) > 3
                                                                                  else "")
           for s, p in per.head(SUMMARY_ROWS).items()]
    weak = t["class_principles"].sort_values("class_share").head(5)
    weakest = [f"{html.escape(str(r['name']))}: {r['class_share']:.0%} of points; {int(r['n_needs_support'])} "
               f"trainee{'s' if r['n_needs_support'] != 1 else ''} need support" for _, r in weak.iterrows()
               if pd.notna(r["class_share"])]
    review = items[items["flagged"]].sort_values("difficulty").head(SUMMARY_ROWS)
    questions = [f"{html.escape(texts.get(r['grade_id'], r['grade_id']))} <small class='id'>{html.escape(r['grade_id'])}"
                 f" ({html.escape(str(r['assignment']))}): {html.escape(str(r['review']))}</small>"
                 for _, r in review.iterrows()]
    probs = len(t["problems"])
    return ("<section class='summary' id='summary'><h2>Summary</h2>"
            f"<p>{n} trainees; {graded} graded submissions; {len(ta) - graded} not graded yet or failed. "
            f"{probs} problem{'s' if probs != 1 else ''} to look at (<a href='#problems'>Problems</a>).</p>"
            f"<h3>Who needs follow-up ({len(per)})</h3>{_li(who)}"
            + (f"<p>{len(per) - SUMMARY_ROWS} more in <a href='#follow-up'>Follow-up</a>.</p>" if len(per) > SUMMARY_ROWS
               else "")
            + f"<h3>Weakest principles</h3>{_li(weakest)}"
            f"<h3>Questions to review ({int(items['flagged'].sum())})</h3>{_li(questions)}</section>")


def module_section(t: dict, course: Course, assignment: str, title: str, texts: dict, options: dict) -> str:
    """Everything about one module: its questions, versions and scenario paths."""
    items = t["items"][t["items"]["assignment"] == assignment]
    body = [f"<p>{len(items)} graded places; {int(items['flagged'].sum())} to review.</p>"]
    if len(items):
        shown = items.drop(columns=["principles", "assignment"]).sort_values("difficulty")
        body += ["<h3>Questions (hardest first)</h3>",
                 table(with_text(shown, "grade_id", texts, "question"), escape=False)]
    v = t["variants"][t["variants"]["assignment"] == assignment]
    if len(v):
        shown = with_text(v.drop(columns=["assignment"]), "variant", texts, "version")
        body += ["<h3>Versions</h3>", table(shown, max_rows=LONG_TABLE, escape=False)]
    paths = t["scenario_paths"][t["scenario_paths"]["assignment"] == assignment]
    for sc in paths["scenario"].unique():
        dep = t["path_departures"][t["path_departures"]["scenario"] == sc].copy()
        dep["where"] = [f"{v} > {n} > {o}" for v, n, o in zip(dep["variant"], dep["node"], dep["option"])]
        said = {f"{v} > {n} > {o}": options.get((v, n, o), o)
                for v, n, o in zip(dep["variant"], dep["node"], dep["option"])}
        body += [f"<h3>Paths through “{html.escape(texts.get(sc, sc))}” <small class='id'>{html.escape(sc)}</small></h3>",
                 img(plots.path_bars(t["scenario_paths"], sc), f"Most common paths through {texts.get(sc, sc)}"),
                 "<p>Where trainees first left the best path:</p>",
                 table(with_text(dep[["where", "rating", "n", "n_reached", "share"]], "where", said, "option"),
                       max_rows=LONG_TABLE, escape=False)]
    return collapsible(f"{title} ({assignment})", body, f"m-{assignment}")


def class_report(t: dict, course: Course) -> str:
    """The class view: summary, contents, then the sections (modules collapsed)."""

    texts, options = question_texts(course), option_texts(course)
    ta = t["trainee_assignments"]
    titles = {m.id: m.data.get("title", m.id) for m in course.modules}
    assignments = [a for a in titles if a in set(t["items"]["assignment"]) | set(ta["assignment"])]
    toc = ["<nav class='toc' aria-label='Contents'><h2>Contents</h2><ol>",
           "<li><a href='#summary'>Summary</a></li><li><a href='#scores'>Scores</a></li>",
           "<li><a href='#principles'>Principle mastery</a></li><li><a href='#questions'>All questions</a></li>",
           *[f"<li><a href='#m-{html.escape(a)}'>{html.escape(titles[a])}</a></li>" for a in assignments],
           "<li><a href='#copying'>Answers much alike</a></li><li><a href='#follow-up'>Follow-up</a></li>",
           "<li><a href='#problems'>Problems</a></li></ol></nav>"]
    body = [summary(t, course, texts), *toc,
            "<h2 id='scores'>Scores</h2>", table(t["class_assignments"]),
            img(plots.score_distributions(ta), "Histogram of graded trainees' scores per assignment"),
            collapsible("Each trainee's scores side by side (% of points)", [table(scores_side_by_side(ta),
                                                                                  max_rows=200)], "side-by-side")]
    flagged = ta[ta["status"] != "graded"]
    if len(flagged):
        body += [collapsible(f"Submissions that are not graded ({len(flagged)})",
                             [table(flagged, ["student", "assignment", "status", "score", "reason"],
                                    max_rows=LONG_TABLE)], "not-graded")]
    body += ["<h2 id='principles'>Principle mastery</h2>",
             "<p>Mastered: at least 80% of a principle's points; developing: at least 60%; "
             "needs support: below 60%.</p>", table(t["class_principles"]),
             img(plots.mastery_heatmap(t["trainee_principles"], list(course.principles)), "Principle mastery"),
             "<h2 id='questions'>All questions</h2>",
             "<p>Difficulty (share of points earned) against discrimination. Only questions to review are "
             "numbered; the numbers follow the list below the plot.</p>",
             img(plots.difficulty_vs_discrimination(t["items"]), "Question difficulty against discrimination"),
             _review_key(t["items"], texts), *not_parallel_section(t["variants"])]
    body += [module_section(t, course, a, titles[a], texts, options) for a in assignments]
    sim = t["similar_answers"]
    body += [collapsible(f"Answers much alike (possible copying): {len(sim)} pair{'s' if len(sim) != 1 else ''}", [
        "<p>Pairs of trainees who gave the same wrong answer on far more questions than trainees answering "
        "independently would, given how often the rest of the class chose each wrong answer (right answers and "
        "save times play no part). Nothing was changed: the questions and answers are the evidence for you to "
        "judge.</p>", table(sim) if len(sim) else "<p>None.</p>"], "copying", open_=bool(len(sim))),
        collapsible(f"Follow-up list ({len(t['follow_up'])} rows)",
                    [table(with_text(t["follow_up"], "grade_id", texts, "question"), max_rows=LONG_TABLE,
                           escape=False)], "follow-up"),
        collapsible(f"Problems ({len(t['problems'])})",
                    [table(t["problems"], max_rows=200) if len(t["problems"]) else "<p>None.</p>"], "problems",
                    open_=0 < len(t["problems"]) <= 20)]
    return page("Class report", body)


def _review_key(items: pd.DataFrame, texts: dict[str, str]) -> str:
    flagged = plots.labelled(items)
    rows = [f"<li>{html.escape(texts.get(r['grade_id'], r['grade_id']))} <small class='id'>{html.escape(r['grade_id'])}"
            f": {html.escape(str(r['review']))}</small></li>" for _, r in flagged.iterrows()]
    more = int(items["flagged"].sum()) - len(rows)
    return ("<ol>" + "".join(rows) + "</ol>" if rows else "<p>No question needs review.</p>") + \
        (f"<p>{more} more questions to review are in each module's section.</p>" if more > 0 else "")
