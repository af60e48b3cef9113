"""Attacks on "no resubmitting after feedback" (issue 16), through the real nbgrader exchange and commands.

Trainees of one module submit all wrong (one all right); the trainer collects, autogrades, generates and
releases feedback. Then, without the trainer ever setting CourseCollect.after_feedback:
- CHAIN submitted again before release_feedback and the trainer re-collected then (a plain `collect
  --update`); after seeing the feedback CHAIN submits all right. Before the fix the hold compared with the
  submission in submitted/, which was not the one feedback was released on, so the new one was collected.
- BACKDATE removes their inbound folder and puts an all-right one there named with a time older than the
  graded submission; the trainer collects with `--before-duedate` (nbgrader then replaces any submission whose
  time differs). Before the fix "older than the graded one" meant "not after feedback".
- BADSTAMP's inbound folder holds a timestamp.txt that is not a time (a trainee writes their inbound folder on
  a hub). Before the fix the next collect stopped for the whole class (get_existing_timestamp raised), so
  NEWCOMER's first submission was never collected.
- LOST_LEDGER: the trainer's feedback_released.jsonl loses this trainee's line (git clean -x, a damaged or
  new file); before the fix the next submission was collected. The feedback page in the exchange (named by
  the hash of the collected submission's secret) now says the feedback was released too.
- NAMED_EARLY writes their inbound folder by hand, named a year before they made it (so a late submission
  would pass for on time: nbgrader judges lateness by the name). It is collected as named, and the trainer is
  told the file system's time (ctime, which a trainee cannot set back); HONEST's folder is not flagged.
- WEIRD: file names with terminal escapes, a link, a folder of 2100 files sorting before the notebook, and a
  second inbound folder whose trainee id holds escapes. Before the fix the cap on entries dropped the
  notebook (scored 0); nothing is printed raw and triage has a row for everyone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from courselib import code_points, own_course_env, released_one_module, submit_through_exchange

from cps_ethics.autograde.runner import nbgrader
from cps_ethics.autograde.submission import HELD, RELEASED, WRITTEN_LATER, read_checks
from cps_ethics.simulate import cohort
from grading import choices, triage

pytestmark = pytest.mark.slow
COURSE_ID = "ma-cps-ethics"
CHAIN, BACKDATE, BADSTAMP, HONEST, NEWCOMER, WEIRD = "chain", "backdate", "badstamp", "honest", "newcomer", "weird"
NAMED_EARLY = "named_early"
LOST = "lost_ledger"  # feedback released, then the trainer's ledger lost (git clean -x, a new course folder)
ESC = "\x1b[2J\x1b[32m"  # clear the screen, then green


def _inbound(exchange: Path, student: str) -> list[Path]:
    return sorted((exchange / COURSE_ID / "inbound").glob(f"{student}+*"))


def _stamp(root: Path, student: str, module) -> str:
    return (root / "submitted" / student / module.id / "timestamp.txt").read_text().strip()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    with own_course_env():
        base = tmp_path_factory.mktemp("after_feedback_attack")
        root, course, module, exchange, ex = released_one_module(base, course_id=COURSE_ID)
        url = f"sqlite:///{root / 'gradebook.db'}"
        shutil.rmtree(root / "submitted", ignore_errors=True)
        homes, wrong, right = base / "homes", cohort.PREFIX + "all_wrong", cohort.PREFIX + "all_right"
        for s in (CHAIN, BACKDATE, BADSTAMP, LOST):
            submit_through_exchange(root, module, homes, s, wrong, ex)
        submit_through_exchange(root, module, homes, HONEST, right, ex)
        submit_through_exchange(root, module, homes, NAMED_EARLY, right, ex)
        made = _inbound(exchange, NAMED_EARLY)[0]
        user, a, when, rnd = made.name.split("+")
        year_before = when.replace(when[:4], str(int(when[:4]) - 1), 1)
        (made / "timestamp.txt").write_text(year_before)
        made.rename(made.with_name(f"{user}+{a}+{year_before}+{rnd}"))
        (_inbound(exchange, BADSTAMP)[0] / "timestamp.txt").write_text("not a time")
        nbgrader(["collect", module.id, *ex], root)
        nbgrader(["autograde", module.id], root, check=False)
        first = {s: code_points(url, s) for s in (CHAIN, BACKDATE, HONEST, LOST, NAMED_EARLY)}
        named_early = {"checks": read_checks(root, module.id), "problems": choices.check_problems(root, [module.id]),
                       "stamp": _stamp(root, NAMED_EARLY, module), "year_before": year_before}
        graded = {s: _stamp(root, s, module) for s in (CHAIN, BACKDATE)}
        nbgrader(["generate_feedback", module.id], root, check=False)

        submit_through_exchange(root, module, homes, CHAIN, wrong, ex)  # before feedback is released: allowed
        nbgrader(["collect", module.id, "--update", f"--student={CHAIN}", *ex], root)
        nbgrader(["release_feedback", module.id, *ex], root, check=False)

        ledger = root / RELEASED
        ledger.write_text("".join(x for x in ledger.read_text().splitlines(True) if LOST not in x))
        submit_through_exchange(root, module, homes, LOST, right, ex)
        lost = nbgrader(["collect", module.id, "--update", f"--student={LOST}", *ex], root, check=False)
        submit_through_exchange(root, module, homes, CHAIN, right, ex)  # after feedback
        chain = nbgrader(["collect", module.id, "--update", f"--student={CHAIN}", *ex], root, check=False)

        old = _inbound(exchange, BACKDATE)[0]
        submit_through_exchange(root, module, homes, BACKDATE, right, ex)
        new = next(p for p in _inbound(exchange, BACKDATE) if p != old)
        user, a, when, rnd = old.name.split("+")
        older = when.replace(when[:4], str(int(when[:4]) - 1), 1)  # a year before the graded submission
        shutil.rmtree(old)
        (new / "timestamp.txt").write_text(older)
        new.rename(new.with_name(f"{user}+{a}+{older}+{rnd}"))
        backdate = nbgrader(["collect", module.id, "--before-duedate", f"--student={BACKDATE}", *ex], root,
                            check=False)
        checks_after_backdate = read_checks(root, module.id)

        (root / "submitted" / BADSTAMP / module.id / "timestamp.txt").write_text("not a time")  # collected earlier
        submit_through_exchange(root, module, homes, NEWCOMER, right, ex)
        submit_through_exchange(root, module, homes, WEIRD, right, ex)  # names with escapes, a link, too many entries
        weird = _inbound(exchange, WEIRD)[0]
        (weird / f"{ESC}ALL GOOD{'A' * 200}").write_text("x")
        (weird / f"evil{ESC}").symlink_to("/etc/shadow")
        (weird / "junk").mkdir()
        for n in range(2100):
            (weird / "junk" / f"{n}").write_text("")
        shutil.copytree(weird, weird.with_name(f"we{ESC}ird+{module.id}+{weird.name.split('+')[2]}+x"), symlinks=True)
        everyone = nbgrader(["collect", module.id, "--update", *ex], root, check=False)
        regrade = nbgrader(["autograde", module.id, "--force"], root, check=False)
        rows = triage.triage(root, course, url)
        yield {"named_early": named_early, "lost": lost, "triage": rows, "checks_after_backdate": checks_after_backdate, "root": root, "module": module, "first": first, "graded": graded, "chain": chain,
               "backdate": backdate, "everyone": everyone, "regrade": regrade,
               "after": {s: code_points(url, s) for s in (CHAIN, BACKDATE, HONEST, NEWCOMER, WEIRD, LOST)},
               "checks": read_checks(root, module.id)}


def test_resubmitting_after_feedback_when_the_trainer_recollected_before_release_is_held(run):
    assert run["chain"].returncode == 0, run["chain"].stdout[-2000:]
    assert "Held back for trainee chain" in run["chain"].stdout, run["chain"].stdout[-2000:]
    assert run["after"][CHAIN] == run["first"][CHAIN] < run["first"][HONEST]
    assert (run["root"] / HELD / CHAIN / run["module"].id).is_dir()


def test_a_backdated_submission_collected_with_before_duedate_is_held(run):
    assert run["backdate"].returncode == 0, run["backdate"].stdout[-2000:]
    assert _stamp(run["root"], BACKDATE, run["module"]) == run["graded"][BACKDATE]
    assert run["after"][BACKDATE] == run["first"][BACKDATE] < run["first"][HONEST]
    why = [r["why"] for r in run["checks_after_backdate"].get(BACKDATE, []) if r["step"] == "collect"]
    assert any("made after feedback was released" in w for w in why), why


def test_a_timestamp_that_is_not_a_time_does_not_stop_the_collect_for_the_class(run):
    assert run["everyone"].returncode == 0, run["everyone"].stdout[-3000:]
    assert (run["root"] / "submitted" / NEWCOMER / run["module"].id).is_dir()
    assert run["after"][NEWCOMER] == run["first"][HONEST]
    why = [r["why"] for r in run["checks"].get(BADSTAMP, []) if r["step"] == "collect"]
    assert any("timestamp.txt" in w for w in why), why


def test_crafted_names_in_one_submission_reach_no_output_raw_and_stop_nobody(run):
    out = run["everyone"].stdout + run["everyone"].stderr
    assert "\x1b" not in out, "an escape sequence from a trainee's file name was printed raw"
    assert run["after"][WEIRD] == run["first"][HONEST], "the submission was graded (the bad entries left out)"
    t = run["triage"].set_index("student")
    assert {NEWCOMER, HONEST, WEIRD, CHAIN, BACKDATE} <= set(t.index)
    assert t.loc[WEIRD, "refused"] >= 2 and t.loc[NEWCOMER, "refused"] == 0
    assert not t["reason"].str.contains("\x1b", regex=False).any()
    assert t["reason"].str.len().max() < 20_000, "one trainee's names make no huge report cell"


def test_a_lost_ledger_does_not_reopen_the_assignment(run):
    """The feedback page release_feedback put in the exchange says so too."""
    assert run["lost"].returncode == 0, run["lost"].stdout[-2000:]
    assert f"Held back for trainee {LOST}" in run["lost"].stdout, run["lost"].stdout[-2000:]
    assert run["after"][LOST] == run["first"][LOST] < run["first"][HONEST]


def test_a_folder_named_before_it_was_made_is_collected_as_named_and_reported(run):
    seen = run["named_early"]
    assert seen["stamp"] == seen["year_before"], "collected as named: nbgrader's own rules decide lateness"
    assert run["first"][NAMED_EARLY] == run["first"][HONEST], "not refused: graded like any submission"
    why = [r["why"] for r in seen["checks"].get(NAMED_EARLY, []) if r["step"] == "collect"]
    assert any(WRITTEN_LATER in w and seen["year_before"][:10] in w for w in why), why
    assert not any(WRITTEN_LATER in r["why"] for r in seen["checks"].get(HONEST, [])), "an honest folder is not flagged"
    p = seen["problems"]
    assert set(p.loc[p["reason"] == "written_later", "student"]) == {NAMED_EARLY}, p.to_string()
    t = run["triage"].set_index("student")
    assert WRITTEN_LATER in t.loc[NAMED_EARLY, "reason"] and WRITTEN_LATER not in t.loc[HONEST, "reason"]
