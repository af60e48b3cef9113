"""`cps-course`: the trainer's commands (validate, build, release, cohort, autograde, summary, main)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cps_ethics.authoring.release import leaks
from cps_ethics.authoring.stats import cmd_stats
from cps_ethics.autograde.runner import STUDENT_LINE, nbgrader
from cps_ethics.model.content import load_course

from .authoring import build as build_mod
from .course import db_url, require_root
from .errors import CourseError
from .simulate import cohort as cohort_mod
from .store import visible


def say(msg: str) -> None:
    """Print a message: control characters in it (from a trainee's file or folder name) are shown as text."""
    print("\n".join(visible(line) for line in msg.split("\n")), flush=True)


def cmd_validate(root: Path, args) -> int:
    from .model import sources
    from .publish.facts import facts_citations

    course = load_course(root)
    cited = {m.file: sources.citations(m.data) for m in course.modules}
    cited[root / "content" / "principles.yaml"] = sources.citations({"principles": list(course.principles.values())})
    cited[Path("facts.yaml")] = [("facts", s) for s in facts_citations()]
    unused = sources.uncited(course.sources, cited)
    if unused:
        say(f"{len(unused)} entries of content/sources.yaml are cited by nothing: {', '.join(unused)}")
    stale = build_mod.stale(root, course)
    for line in stale:
        say(f"out of date: {line}")
    say(f"Content is valid: {len(course.principles)} principles, {len(course.modules)} modules."
        + (" Run `cps-course build` to update source/." if stale else " source/ is up to date."))
    return 1 if stale else 0


def cmd_build(root: Path, args) -> int:
    course = load_course(root)
    files = build_mod.build(root, course)
    say(f"Wrote {len(files)} files in source/ from content/.")
    return 0


def release(root: Path, course, step: str = "") -> None:
    for n, m in enumerate(course.modules, 1):
        say(f"{step}  generating the student version of {m.id} ({n}/{len(course.modules)})")
        log = root / "out" / "logs" / f"generate_{m.id}.log"
        try:
            nbgrader(["generate_assignment", m.id, "--force"], root, log=log)
        except CourseError:
            if "there are submissions associated" in (log.read_text() if log.exists() else ""):
                raise CourseError(
                    f"{m.id} changed, but the gradebook already holds submissions for it, so nbgrader will not "
                    f"change its cells. If those are only the simulated cohort, `cps-course main` resets them. "
                    f"For a real class, put new material in a new module. nbgrader removed release/{m.id}/: "
                    f"`git checkout -- release/{m.id}` restores it.") from None
            raise
    found = leaks(root / "release", course)
    if found:
        raise CourseError("release/ must not contain any of these:\n" + "\n".join(f"  - {x}" for x in found))


def cmd_release(root: Path, args) -> int:
    course = load_course(root)
    build_mod.build(root, course)
    release(root, course)
    say("release/ is up to date and holds no key, solution, answers file or widget state.")
    return 0


def cmd_cohort(root: Path, args) -> int:
    course = load_course(root)
    cohort_mod.clear(root)
    expected = cohort_mod.make(root, course)
    n = len({s for per in expected.values() for s in per})
    say(f"Wrote a simulated cohort of {n} trainees for {len(expected)} modules in submitted/.")
    return 0


def autograde(root: Path, course, step: str = "") -> dict[str, int]:
    """Autograde every module, printing a line per trainee; returns {module: nbgrader exit code}.
    First checks that the gradebook holds every module that has submissions (else nothing is graded)."""
    from .autograde.parallel import check_gradebook

    missing = []
    for m in course.modules:
        if any(p.is_dir() for p in (root / "submitted").glob(f"*/{m.id}")):
            try:
                check_gradebook(db_url(root), m.id)
            except CourseError as e:
                missing.append(f"{m.id}: {e}")
    if missing:
        raise CourseError("the gradebook is not ready, so nothing was graded and nothing changed. Run "
                          "`cps-course release` first (it makes the student versions and the gradebook).\n  "
                          + "\n  ".join(missing))
    codes = {}
    for n, m in enumerate(course.modules, 1):
        students = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{m.id}") if p.is_dir())
        if not students:
            say(f"{step}  {m.id}: no submissions")
            continue
        say(f"{step}  autograding {m.id} ({n}/{len(course.modules)}): {len(students)} submissions")
        seen = []

        def progress(line: str) -> None:
            hit = STUDENT_LINE.search(line)
            if hit and hit.group("student") not in seen:
                seen.append(hit.group("student"))
                say(f"{step}    [{len(seen)}/{len(students)}] {hit.group('student')}")

        res = nbgrader(["autograde", m.id, "--force"], root, log=root / "out" / "logs" / f"autograde_{m.id}.log",
                       progress=progress, check=False)
        codes[m.id] = res.returncode
        if res.returncode != 0:
            say(f"{step}    nbgrader reported a problem with at least one submission (exit {res.returncode}); "
                f"see out/logs/autograde_{m.id}.log")
    return codes


def cmd_autograde(root: Path, args) -> int:
    course = load_course(root)
    codes = autograde(root, course)
    return 1 if any(codes.values()) else 0


def cmd_summary(root: Path, args) -> int:
    from grading import summary

    course = load_course(root)
    paths = summary.write(db_url(root), course, Path(args.out) if args.out else root / "out" / "summary")
    for p in paths:
        say(f"wrote {p}")
    return 0


def cmd_main(root: Path, args) -> int:
    from grading import gradebook, summary

    t0 = time.monotonic()
    say("[1/5] Checking the course content")
    course = load_course(root)
    build_mod.build(root, course)
    if cohort_mod.reset_simulated_gradebook(root, db_url(root)):
        say("[1/5]  Cleared the earlier simulated cohort from the gradebook (it held no real trainee)")
    say("[2/5] Making the student versions with nbgrader generate_assignment")
    release(root, course, "[2/5]")
    say("[3/5] Finding submissions")
    submitted = root / "submitted"
    real = sorted(d.name for d in submitted.iterdir() if d.is_dir() and not d.name.startswith(cohort_mod.PREFIX)) \
        if submitted.is_dir() else []
    expected = None
    if real:
        say(f"[3/5]  {len(real)} trainees have submitted: grading their work")
        gone = cohort_mod.leave_real_class(root, db_url(root))
        if gone:
            say(f"[3/5]  Removed the {len(gone)} simulated trainees of an earlier dry run (folders and gradebook), "
                "so only the real class is graded and reported")
    else:
        say("[3/5]  No trainee has submitted yet: making the simulated cohort")
        cohort_mod.clear(root)
        expected = cohort_mod.make(root, course)
    say("[4/5] Autograding with nbgrader autograde")
    autograde(root, course, "[4/5]")
    from grading.triage import report as triage_report

    for line in triage_report(root, course, db_url(root)):
        say(f"[4/5]  {line}")
    say("[5/5] Summarising the gradebook with pandas")
    out = root / "out" / "summary"
    paths = summary.write(db_url(root), course, out)
    from grading import pipeline, report

    tables = pipeline.compute(db_url(root), course, root, progress=lambda m: say(f"[5/5]    {m.strip()}"))
    paths.append(report.write(tables, course, root / "out" / "report", progress=lambda m: say(f"[5/5]    {m.strip()}")))
    pipeline.write_tables(tables, root / "out" / "grading")
    paths.append(root / "out" / "grading")
    if expected is not None:
        g = gradebook.grades(db_url(root))
        bad = []
        for module, per in expected.items():
            for student, cells in per.items():
                for gid, pts in cells.items():
                    got = g[(g.student == student) & (g.assignment == module) & (g.grade_id == gid)]["score"]
                    if len(got) != 1 or abs(float(got.iloc[0]) - pts) > 1e-9:
                        bad.append(f"{student} {module} {gid}: expected {pts}, got {list(got)}")
        n = sum(len(per) for per in expected.values())
        if bad:
            say("Simulated cohort: some grades differ from what was expected:\n" + "\n".join(bad))
            return 1
        say(f"[5/5]  Simulated cohort: all {n} submissions scored exactly as expected.")
        ta = tables["trainee_assignments"]
        sim = ta[ta["student"].str.startswith(cohort_mod.PREFIX)].groupby("student")[["score", "max_score"]].sum()
        shares = (100 * sim["score"] / sim["max_score"]).round(1)
        say("[5/5]  Share of all points per simulated profile, reflections not yet marked (sim_testwise picks "
            "the longest option everywhere, without reading): " + ", ".join(f"{s[len(cohort_mod.PREFIX):]} {v:g}%"
                                                        for s, v in shares.sort_values().items()))
    say("[5/5] Writing the study site and the study guide (practice work and readings only)")
    paths += study_materials(root, course)
    for p in paths:
        say(f"Wrote {p}")
    say(f"Done in {time.monotonic() - t0:.0f} s.")
    return 0


def study_materials(root: Path, course, site_out: Path | None = None, guide_out: Path | None = None) -> list[Path]:
    """Write the offline study site and the printable study guide (practice work and readings only)."""
    from .publish import guide, site

    site_out = site_out or root / "out" / "site"
    files = site.build(course, site_out)
    say(f"Study site: {len(files)} files, {site.size(files) // 1024} KB; open {site_out / 'index.html'}")
    guide_out = guide_out or root / "out" / "study_guide.pdf"
    pages = guide.write(course, guide_out)
    say(f"Study guide: {pages} pages")
    return [site_out, guide_out]


def cmd_site(root: Path, args) -> int:
    from .publish import site

    out = Path(args.out) if args.out else root / "out" / "site"
    files = site.build(load_course(root), out)
    say(f"Wrote the study site ({len(files)} files, {site.size(files) // 1024} KB): {out / 'index.html'}")
    return 0


def cmd_guide(root: Path, args) -> int:
    from .publish import guide

    out = Path(args.out) if args.out else root / "out" / "study_guide.pdf"
    pages = guide.write(load_course(root), out)
    say(f"Wrote the study guide ({pages} pages): {out}")
    return 0


def cmd_handout(root: Path, args) -> int:
    from .publish import handout

    out = Path(args.out) if args.out else root / "out" / "trainee_handout.pdf"
    handout.write(out, hub=args.hub or "", contact=args.contact or "")
    say(f"Wrote the trainee handout (one page): {out}")
    return 0


def cmd_autograde_parallel(root: Path, args) -> int:
    """`cps-course autograde-parallel`: every module, N workers, then what went wrong, in numbers."""
    from grading import triage

    from .autograde import parallel

    course = load_course(root)
    extra = [f"--Execute.timeout={args.timeout}"] if args.timeout else []
    outcomes = [parallel.autograde(root, m.id, workers=args.workers, force=args.force, extra_args=extra, say=say)
                for m in course.modules]
    for line in triage.report(root, course, db_url(root)):
        say(line)
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_report(root: Path, args) -> int:
    from grading.report import cmd

    return cmd(root, args)


COMMANDS = {
    "validate": (cmd_validate, "check the content data and that source/ is up to date"),
    "build": (cmd_build, "write source/ notebooks and public content files from content/"),
    "release": (cmd_release, "build, then make release/ with nbgrader generate_assignment and check it"),
    "cohort": (cmd_cohort, "write the simulated cohort into submitted/"),
    "autograde": (cmd_autograde, "run nbgrader autograde on every module, with progress"),
    "autograde-parallel": (cmd_autograde_parallel,
                           "autograde every module with N nbgrader workers (PostgreSQL; SQLite runs one at a time)"),
    "summary": (cmd_summary, "write per trainee and per principle CSV summaries from the gradebook"),
    "stats": (cmd_stats, "print course statistics as JSON: modules, scenarios, items, coverage per principle"),
    "main": (cmd_main, "the whole cycle: build, release, submissions (or simulated cohort), autograde, summary"),
    "report": (cmd_report,
               "write every grading table (CSV, out/grading/) and the HTML class and trainee reports (out/report/)"),
    "site": (cmd_site, "write the offline study site (readings and practice with feedback; default out/site/)"),
    "guide": (cmd_guide, "print the study guide to PDF with headless Chromium (default out/study_guide.pdf)"),
    "handout": (cmd_handout, "print a one-page guide for trainees: log in, fetch, Run All, answer, submit, "
                             "feedback, help (default out/trainee_handout.pdf)"),
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cps-course", description=__doc__)
    p.add_argument("--root", help="the course folder (default: found from the current folder)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_fn, help_) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_, description=help_)
        if name == "summary":
            sp.add_argument("--out", help="folder for the CSV files (default: out/summary)")
        if name in ("site", "guide", "handout"):
            sp.add_argument("out", nargs="?", help="the folder (site) or PDF file (guide, handout) to write")
        if name == "handout":
            sp.add_argument("--hub", help="the address trainees open (e.g. https://hub.example.org)")
            sp.add_argument("--contact", help="how trainees reach their trainer (e.g. an email or phone)")
        if name == "autograde-parallel":
            from cps_ethics.autograde.parallel import add_arguments

            add_arguments(sp)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        root = require_root(Path(args.root) if args.root else None)
        return COMMANDS[args.command][0](root, args)
    except CourseError as e:
        print(f"cps-course {args.command}: " + "\n".join(visible(line) for line in str(e).split("\n")), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
