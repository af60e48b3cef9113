"""A trainee submits in another's name on a hub whose trainees are not local users of the trainer's server
(a container spawner: each person their own uid, no name for it in the trainer's /etc/passwd), through the
real nbgrader exchange and `nbgrader collect` (issue 16). nbgrader's own owner check needs a local user, so
before this check a folder named `cal+...` made by ann's account was collected as cal's submission.

Phase 1: ann and ben submit; every folder has one owner (the test's own account, as on a hub without
per-person uids): both are collected and the log says that collect cannot tell who submitted.
Phase 2: ann's folders get uid 64001, ben's 64002 (as each person's own uid would), and ann's account makes
a folder named for cal: it is refused and reported, naming ann; ben's new submission is collected.
"""

from __future__ import annotations

import shutil

import pytest
from courselib import give_to, need_root_to_chown, own_course_env, released_one_module, submit_through_exchange

from cps_ethics.autograde.exchange import SHARED_OWNER
from cps_ethics.autograde.runner import nbgrader
from cps_ethics.autograde.submission import read_checks
from cps_ethics.simulate import cohort
from grading import choices

pytestmark = pytest.mark.slow
ANN, BEN, CAL = "ann_c", "ben_c", "cal_c"  # not local users: pwd.getpwnam fails, as in a container hub
UID = {ANN: 64001, BEN: 64002}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    need_root_to_chown()
    with own_course_env():
        base = tmp_path_factory.mktemp("shared_owner")
        root, course, module, exchange, ex = released_one_module(base)
        shutil.rmtree(root / "submitted", ignore_errors=True)
        homes, right = base / "homes", cohort.PREFIX + "all_right"
        inbound = exchange / "ma-cps-ethics" / "inbound"
        for s in (ANN, BEN):
            submit_through_exchange(root, module, homes, s, right, ex)
        one_owner = nbgrader(["collect", module.id, *ex], root, check=False)
        collected_first = sorted(p.name for p in (root / "submitted").iterdir())

        for folder in inbound.iterdir():
            give_to(folder, UID[folder.name.split("+")[0]])
        submit_through_exchange(root, module, homes, BEN, right, ex)  # ben again, as himself
        newest = max(inbound.glob(f"{BEN}+*"), key=lambda p: p.name.split("+")[2])
        give_to(newest, UID[BEN])
        ann_folder = next(inbound.glob(f"{ANN}+*"))
        forged = inbound / ann_folder.name.replace(ANN, CAL, 1)
        shutil.copytree(ann_folder, forged)  # ann's account writes a folder in cal's name
        give_to(forged, UID[ANN])
        per_uid = nbgrader(["collect", module.id, "--update", *ex], root, check=False)
        yield {"root": root, "module": module, "one_owner": one_owner, "collected_first": collected_first,
               "per_uid": per_uid, "checks": read_checks(root, module.id), "ben_newest": newest.name,
               "problems": choices.check_problems(root, [module.id])}


def test_one_owner_for_everyone_collects_everyone_and_says_it_cannot_tell(run):
    assert run["one_owner"].returncode == 0, run["one_owner"].stdout[-2000:]
    assert run["collected_first"] == [ANN, BEN]
    assert "cannot tell who submitted" in run["one_owner"].stdout + run["one_owner"].stderr


def test_a_folder_made_by_another_trainees_account_is_refused_and_names_them(run):
    assert run["per_uid"].returncode == 0, run["per_uid"].stdout[-2000:]
    root = run["root"]
    assert not (root / "submitted" / CAL).exists(), "the forged submission was collected"
    why = [r["why"] for r in run["checks"].get(CAL, []) if r["step"] == "collect"]
    assert any(SHARED_OWNER in w and ANN in w and "uid 64001" in w for w in why), why
    p = run["problems"]
    assert CAL in set(p.loc[p["reason"] == "refused_file", "student"]), p.to_string()


def test_a_trainee_with_their_own_account_is_collected(run):
    root, a = run["root"], run["module"].id
    stamp = (root / "submitted" / BEN / a / "timestamp.txt").read_text().strip()
    assert stamp == run["ben_newest"].split("+")[2], "ben's newest submission, made by his own uid, was collected"
    assert not any(SHARED_OWNER in r["why"] for r in run["checks"].get(BEN, []))
