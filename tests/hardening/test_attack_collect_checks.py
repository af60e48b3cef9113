"""Attacks on collect's two checks of who made a submission folder and when (exchange.CourseCollect:
_scan_inbound, _written_later), through the real exchange and `nbgrader collect` (issue 16). Trainees are not
local users (a container hub); each folder is given the uid of the person who would have made it (lchown).

Phase 1, a hub whose pods all run as one uid (64000): ann and ben submit; the trainer puts in the inbound
folder, with their own account, a submission a trainee sent by e-mail (eve). Before the fix that one folder of
another uid made every classmate's folder "made by the same account as another trainee's" and nobody was
collected; the hub cannot tell who submitted, so everyone is collected and the log says so.
Phase 2, per-person uids (ann 64001, ben 64002, gus 64007): gus, who has not submitted as himself yet, writes
a folder in hal's name; nothing can tell it from hal's own, and it is collected as hal's. Then gus submits as
himself: the next collect refuses the hal folder (gus's uid made two names). Before the fix the report said
"Not collected" while submitted/hal/ was that very folder (graded as hal's); now it says it is the collected
submission, and it stays reported on later collects.
Phase 3: ann writes a folder in ben's name whose random part reads like another finding
("written after the time in its folder's name"): ben's problems.csv row was labelled written_later (the label
was read from the whole line, folder name included). Now the label comes from collect's own words.
Phase 4, a hub whose trainees are local users (two system accounts stand for them): games writes a folder in
the name of someone with no account on the server (zed). Before the fix it went to the container-hub check,
where games's uid had made one name only, and was collected as a new trainee (any number of them: a flood of
made-up trainees for collect and autograde); now it is refused, naming games.
"""

from __future__ import annotations

import shutil

import pytest
from courselib import give_to, need_root_to_chown, own_course_env, released_one_module, submit_through_exchange

from cps_ethics.autograde.exchange import SHARED_OWNER
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.autograde.submission import WRITTEN_LATER, read_checks
from cps_ethics.simulate import cohort
from grading import choices

pytestmark = pytest.mark.slow
ANN, BEN, EVE, GUS, HAL, ZED = "ann_k", "ben_k", "eve_k", "gus_k", "hal_k", "zed_k"  # not local users (pwd.getpwnam fails)
SHARED_UID = 64000
UID = {ANN: 64001, BEN: 64002, GUS: 64007}


def _collect_checks(checks, student):
    return [r["why"] for r in checks.get(student, []) if r["step"] == "collect"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    need_root_to_chown()
    with own_course_env():
        base = tmp_path_factory.mktemp("collect_checks")
        root, _course, module, exchange, ex = released_one_module(base)
        a = module.id
        shutil.rmtree(root / "submitted", ignore_errors=True)
        homes, right = base / "homes", cohort.PREFIX + "all_right"
        inbound = exchange / "ma-cps-ethics" / "inbound"

        def mine(student):
            return sorted(inbound.glob(f"{student}+*"), key=lambda p: p.name.split("+")[2])

        # 1. one uid for every pod; the trainer adds an e-mailed submission with their own account (root here)
        for s in (ANN, BEN):
            submit_through_exchange(root, module, homes, s, right, ex)
            give_to(mine(s)[0], SHARED_UID)
        submit_through_exchange(root, module, homes, EVE, right, ex)  # made by the trainer's account
        shared = nbgrader(["collect", a, *ex], root, check=False)
        shared_collected = sorted(p.name for p in (root / "submitted").iterdir() if (p / a).is_dir())
        shared_checks = read_checks(root, a)

        # 2. per-person uids; gus writes hal's submission before ever submitting as himself
        for s in (ANN, BEN):
            for f in mine(s):
                give_to(f, UID[s])
        submit_through_exchange(root, module, homes, HAL, right, ex)
        forged = mine(HAL)[0]
        give_to(forged, UID[GUS])
        first = nbgrader(["collect", a, "--update", *ex], root, check=False)
        hal_first = (root / "submitted" / HAL / a / "timestamp.txt").read_text().strip()
        submit_through_exchange(root, module, homes, GUS, right, ex)
        give_to(mine(GUS)[0], UID[GUS])

        # 3. ann writes a folder in ben's name whose random part reads like another finding
        ben_real = mine(BEN)[0]
        fake = inbound / f"{BEN}+{a}+{ben_real.name.split('+')[2]}+x {WRITTEN_LATER}"
        shutil.copytree(mine(ANN)[0], fake)
        give_to(fake, UID[ANN])
        second = nbgrader(["collect", a, "--update", *ex], root, check=False)
        checks_second = read_checks(root, a)
        again = nbgrader(["collect", a, *ex], root, check=False)  # the trainer re-runs it, without --update
        checks_again = read_checks(root, a)

        # 4. a hub whose trainees are local users (the system accounts games and news stand for two): games writes
        #    a folder in the name of someone who has no account on the server
        for s, uid in (("games", 5), ("news", 9), (ZED, 5)):
            folder = inbound / f"{s}+{a}+{ben_real.name.split('+')[2]}+local"
            shutil.copytree(mine(BEN)[0], folder)
            give_to(folder, uid)
        local = nbgrader(["collect", a, "--update", *ex], root, check=False)
        yield {"root": root, "a": a, "shared": shared, "shared_collected": shared_collected,
               "shared_checks": shared_checks, "first": first, "second": second, "again": again,
               "forged": forged.name, "ben_real": ben_real.name, "hal_first": hal_first, "checks_second": checks_second,
               "checks_again": checks_again, "local": local,
               "checks_local": read_checks(root, a), "problems": choices.check_problems(root, [a])}


def test_a_folder_the_trainer_put_in_does_not_refuse_a_class_on_one_uid(run):
    assert run["shared"].returncode == 0, run["shared"].stdout[-2000:]
    assert run["shared_collected"] == [ANN, BEN, EVE], (run["shared_collected"], run["shared_checks"])
    for s in (ANN, BEN):
        assert not any(SHARED_OWNER in w for w in _collect_checks(run["shared_checks"], s)), run["shared_checks"]
    assert "cannot tell who submitted" in run["shared"].stdout + run["shared"].stderr


def test_a_forged_folder_collected_earlier_is_reported_as_the_collected_one(run):
    assert run["hal_first"] == run["forged"].split("+")[2], "the forged folder was collected as hal's (undetectable)"
    root, a = run["root"], run["a"]
    assert (root / "submitted" / HAL / a / "timestamp.txt").read_text().strip() == run["hal_first"]
    for key in ("checks_second", "checks_again"):
        why = _collect_checks(run[key], HAL)
        assert any(SHARED_OWNER in w and "uid 64007" in w for w in why), (key, why)
        assert any("is the collected submission" in w for w in why), (key, why)


def test_a_folder_name_does_not_relabel_a_classmates_problem_row(run):
    assert run["second"].returncode == 0, run["second"].stdout[-2000:]
    p = run["problems"]
    ben = p[p["student"] == BEN]
    assert len(ben) >= 1, p.to_string()
    assert set(ben["reason"]) == {"refused_file"}, ben.to_string()
    assert not any(WRITTEN_LATER in r["why"] for r in run["checks_second"].get(BEN, []))
    stamp = (run["root"] / "submitted" / BEN / run["a"] / "timestamp.txt").read_text().strip()
    assert stamp == run["ben_real"].split("+")[2], "ben's own submission stays collected"


def test_on_a_hub_of_local_users_a_folder_named_for_someone_without_an_account_is_refused(run):
    assert run["local"].returncode == 0, run["local"].stdout[-2000:]
    root, a = run["root"], run["a"]
    assert (root / "submitted" / "games" / a).is_dir() and (root / "submitted" / "news" / a).is_dir()
    assert not (root / "submitted" / ZED / a).exists(), "a local trainee's folder in a made-up name was collected"
    why = _collect_checks(run["checks_local"], ZED)
    assert any("made by user games" in w for w in why), why
