"""The course's nbgrader exchange for the trainer: collect and release_feedback move plain files only."""

from __future__ import annotations

import datetime
import os
import pwd
import re
import shutil
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.exchange.default import ExchangeCollect, ExchangeReleaseFeedback
from nbgrader.utils import notebook_hash, parse_utc
from traitlets import Bool

from .submission import (
    AFTER_FEEDBACK,
    HELD,
    NBGRADER_FILES,
    WRITTEN_LATER,
    Refused,
    copy_plain,
    open_folder,
    problem_at,
    read_checks,
    record_release,
    released,
    shown,
    write_check,
)

SHARED_OWNER = "made by the same account"
COLLECTED = "the collected submission"  # a check that describes what is in submitted/, kept until it is replaced
COLLECTED_FROM = ".cps_autograde.collected_from"  # in submitted/<trainee>/<assignment>/: the inbound folder's name
_ID = re.compile(r"[\w@-][\w.@-]*")  # a trainee id that is a plain folder name


class CourseCollect(ExchangeCollect):
    """nbgrader's collect, copying plain files only; a refused submission is reported, the others collected.
    A submission made after the trainee was given feedback on this module is held back (kept for the trainer
    in submitted_after_feedback/, not graded) unless the trainer collects with `after_feedback`."""

    after_feedback = Bool(False, help="Collect (so that autograde grades) a submission a trainee made after their "
                                      "feedback on this assignment was released. Off: such a submission is kept in "
                                      "submitted_after_feedback/ and reported, and the graded one stands.").tag(config=True)

    def _path_to_record(self, path):
        name = os.path.basename(path)
        user = name.rsplit("+", 3)[0]
        try:
            record, problem = super()._path_to_record(path), None
        except Exception:  # noqa: BLE001 - a name a trainee made up must not stop the collection
            record, problem = {"username": user, "filename": name}, "a folder name without a valid time"
        problem = problem or problem_at(path)
        if not problem and not _ID.fullmatch(user):
            problem = "a folder whose trainee id is not a plain name"
        if not problem and self.check_owner:
            uid, owner, claimed = _local(path, user)
            if owner and claimed:
                problem = f"made by user {shown(owner)}, not by {shown(claimed)}" if owner != claimed else None
            elif owner and uid not in _trainer() and self._scan_inbound()[1]:
                problem = (f"made by user {shown(owner)}, not by {shown(user)} (a trainee of that name has no account "
                           "here, where trainees have local accounts)")
            else:  # not a local user (a container spawner): compare owners among trainees
                problem = self._scan_inbound()[0].get(name)
        if not hasattr(self, "_refused"):  # not copied per folder: a flood of folder names stays linear
            self._refused = {}
        found = [{"path": shown(name), "why": problem}] if problem else []
        if found and _ID.fullmatch(user) and self._collected_from(user) == name:
            found = [{**found[0], "of": COLLECTED, "why": problem + (
                f". Yet an earlier collect took this very folder: it is the collected submission (submitted/{user}/"
                f"{self.coursedir.assignment_id}/), graded as theirs; remove it, or collect another of theirs with "
                "--update")}]
        self._refused.setdefault(user, []).extend(found)
        return {**record, "timestamp": datetime.datetime.min, "refused": True} if problem else record

    def _collected_from(self, user: str) -> str | None:
        """The name of the inbound folder the collected submission of `user` was copied from (do_copy notes it)."""
        try:
            return Path(self._dest(user), COLLECTED_FROM).read_text(encoding="utf-8", errors="surrogateescape")
        except (OSError, ValueError):
            return None

    def _scan_inbound(self) -> tuple[dict[str, str], bool]:
        """One look at every inbound folder's owner, kept for the run: ({inbound folder name: why refused}, whether
        trainees are local users here (some trainee's folder was made by the local user of its name)).
        The refusals are for trainees who are not local users (a container spawner such as Kubernetes, where
        each person has their own uid but the trainer's server has no name for it): a folder made by the same
        account (uid) as another trainee's folders was submitted by one person in another's name, or made by
        them. Nothing is refused when one account made every trainee's folders (a hub without per-person uids
        cannot tell who submitted; the log says so once)."""
        if getattr(self, "_scanned", None) is not None:
            return self._scanned
        by_uid: dict[int, set[str]] = {}
        folders: list[tuple[str, str, int]] = []
        local_hub = False
        try:
            entries = list(os.scandir(self.inbound_path))
        except OSError:
            entries = []
        for e in entries:
            user = e.name.split("+", 1)[0]
            if "+" not in e.name:
                continue
            try:
                uid = e.stat(follow_symlinks=False).st_uid
            except OSError:
                continue
            try:
                local_uid = pwd.getpwnam(user).pw_uid
            except KeyError:
                local_uid = None
            if local_uid is not None:  # a local user: the owner's name is compared instead
                local_hub |= local_uid == uid and uid not in _trainer()
                continue
            by_uid.setdefault(uid, set()).add(user)
            folders.append((e.name, user, uid))
        shared: dict[str, str] = {}
        self._scanned = shared, local_hub
        trainer = _trainer()  # what the trainer put in by hand (a submission sent by e-mail) accuses nobody
        people = {uid: names for uid, names in by_uid.items() if uid not in trainer}
        if len(people) <= 1:
            crowd = max((people or by_uid).items(), key=lambda kv: len(kv[1]), default=(None, set()))
            if len(crowd[1]) > 1:
                self.log.warning("Every trainee's submission folder was made by one account (uid %s), so collect "
                                 "cannot tell who submitted for whom; give each person their own uid (deploy/"
                                 "kubernetes/values.yaml does).", crowd[0])
            return self._scanned
        for name, user, uid in folders:
            if uid in trainer:
                continue
            others = sorted(people[uid] - {user})
            if others:
                named = ", ".join(shown(o, 40) for o in others[:5]) + (" ..." if len(others) > 5 else "")
                shared[name] = (f"{SHARED_OWNER} (uid {uid}) as the submission folders of {named}: one person "
                                "may have submitted in another's name. Not collected; ask the trainees, and to "
                                f"collect it anyway: nbgrader collect {self.coursedir.assignment_id} "
                                f"--student={shown(user, 40)} --update --CourseCollect.check_owner=False")
        return self._scanned

    def init_src(self):
        super().init_src()  # a refused folder has the oldest time: the trainee's latest plain one is taken
        self.src_records = [r for r in self.src_records if not r.get("refused") and self._existing_readable(r)]
        if not self.after_feedback:
            given = released(self.coursedir.root, self.coursedir.assignment_id)
            try:  # the feedback pages in the exchange, listed once for everyone
                pages = set(os.listdir(os.path.join(self.course_path, "feedback")))
            except OSError:
                pages = set()
            self.src_records = [r for r in self.src_records if not self._held(
                r, given.get(r["username"], set()) | self._released_here(r["username"], pages))]

    def _dest(self, user: str) -> str:
        return self.coursedir.format_path(self.coursedir.submitted_directory, user, self.coursedir.assignment_id)

    def _existing_readable(self, rec: dict) -> bool:
        """nbgrader compares a new submission with the collected one's timestamp.txt and stops the whole collect
        when that is not a time: such a trainee is left out (and reported), the others are collected."""
        try:
            self.coursedir.get_existing_timestamp(self._dest(rec["username"]))
            return True
        except Exception:  # noqa: BLE001 - nbgrader raises AttributeError (CourseDirectory has no fail())
            user = rec["username"]
            self._refused = getattr(self, "_refused", {})
            self._refused.setdefault(user, []).append({"path": shown(rec["filename"]), "why": (
                f"not collected: the collected submission's timestamp.txt (submitted/{user}/"
                f"{self.coursedir.assignment_id}/timestamp.txt) is not a time, so nbgrader cannot tell whether "
                "this one is newer; put the time of that submission in it (or remove the folder) and collect again")})
            return False

    def _released_here(self, user: str, pages: set[str]) -> set[str]:
        """{the collected submission's time} when its feedback page is in the exchange (release_feedback put it
        there under the hash of the submission's secret), whatever the ledger says: a lost or damaged
        feedback_released.jsonl does not reopen the assignment."""
        dest = Path(self._dest(user))
        try:
            secret = (dest / "submission_secret.txt").read_text(encoding="utf-8")
            stamp = (dest / "timestamp.txt").read_text(encoding="utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return set()
        mine = {f"{notebook_hash(secret=secret, notebook_id=nb.stem)}.html" for nb in dest.glob("*.ipynb")}
        return {stamp} if mine & pages else set()

    def _held(self, rec: dict, given: set[str]) -> bool:
        """Keep aside a submission that would replace the collected one when this trainee has been given
        feedback on this assignment (on the collected submission or an earlier one)."""
        a, user = self.coursedir.assignment_id, rec["username"]
        dest = self._dest(user)
        try:
            now = Path(dest, "timestamp.txt").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return False  # nothing collected yet: nbgrader's own rules apply
        existing = self.coursedir.get_existing_timestamp(dest)
        replaces = existing is None or rec["timestamp"] > existing or (  # --before-duedate: any other time
            self.before_duedate and rec["timestamp"] != existing)
        if not given or not replaces:
            return False
        held = Path(self.coursedir.root, HELD, user, a, rec["timestamp"].strftime("%Y-%m-%dT%H%M%S.%f"))
        stands = (f"the graded submission of {shown(now, 40)} stands" if now in given else
                  f"the collected submission of {shown(now, 40)} stands (feedback was released on the one of "
                  f"{shown(max(given), 40)})")
        why = (f"{AFTER_FEEDBACK}: not collected, so not graded; {stands}. "
               f"It is kept in {HELD}/{user}/{a}/. To grade it instead: "
               f"nbgrader collect {a} --student={user} --update --CourseCollect.after_feedback=True")
        if not held.exists():
            held.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".cps-held-", dir=held.parent))
            try:
                bad = copy_plain(open_folder(self.inbound_path, [rec["filename"]]), tmp, None, (),
                                 1000 * self.coursedir.max_file_size, 1000 * self.coursedir.max_dir_size)
                why += "".join(f"; {r['path']} is {r['why']} (not kept)" for r in bad)
                os.replace(tmp, held)
            except (Refused, OSError) as e:
                why += f"; it could not be kept ({shown(e, 200)})"
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        self.log.warning("Held back for trainee %s: %s", shown(user), why)
        self._refused.setdefault(user, []).append({"path": shown(rec["filename"]), "why": why})
        return True

    def do_copy(self, src, dest, log=None):
        name, user = os.path.basename(src), os.path.basename(os.path.dirname(dest))
        self._copied = {*getattr(self, "_copied", set()), user}
        tmp = Path(tempfile.mkdtemp(prefix=".cps-collect-", dir=os.path.dirname(dest)))
        found: list[dict] = []
        try:
            found += copy_plain(open_folder(self.inbound_path, [name]), tmp, None, self.coursedir.ignore,
                                1000 * self.coursedir.max_file_size, 1000 * self.coursedir.max_dir_size)
            found += _same_time(tmp, name) + _written_later(src, name)
            (tmp / COLLECTED_FROM).write_text(name, encoding="utf-8", errors="surrogateescape")  # ignored at copy
            tmp.chmod(0o755)
            os.replace(tmp, dest)
        except (Refused, OSError) as r:
            found.append({"path": shown(name), "why": str(r) if isinstance(r, Refused) else shown(r, 300)})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._refused[user] += [{**r, "of": COLLECTED} for r in found]

    def copy_files(self):
        super().copy_files()
        a = self.coursedir.assignment_id
        for user, refused in sorted(getattr(self, "_refused", {}).items()):
            if not _ID.fullmatch(user):
                if refused:
                    self.log.warning("Refused %s: %s", "; ".join(r["path"] for r in refused), refused[0]["why"])
                continue
            if user not in getattr(self, "_copied", ()):  # what an earlier collect found in the collected one stands
                kept = [{k: v for k, v in r.items() if k != "step"} for r in read_checks(self.coursedir.root, a).get(
                    user, []) if r.get("of") == COLLECTED and r.get("step") == "collect"]
                refused = [r for r in kept if r not in refused] + refused  # found again this time: listed once
            write_check(self.coursedir.root, "collect", a, user,
                        [{k: v for k, v in r.items() if k != "step"} for r in refused], self.log)


def _trainer() -> set[int]:
    """The accounts whose folders in the exchange are the trainer's own: root and the one collecting."""
    return {0, os.geteuid()}


def _local(path: str, user: str) -> tuple[int | None, str | None, str | None]:
    """(the folder's owner uid, that owner's local user name, the local user named `user`); None where there is none."""
    try:
        uid = os.lstat(path).st_uid
    except OSError:
        return None, None, None
    try:
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        owner = None
    try:
        claimed = pwd.getpwnam(user).pw_name
    except KeyError:
        claimed = None
    return uid, owner, claimed


def _same_time(folder: Path, name: str) -> list[dict]:
    """Make the collected timestamp.txt the time in the inbound folder's name, which collect already judged
    by (`nbgrader submit` writes the same string to both). A trainee who writes their inbound folder by hand
    cannot then give the trainer's copy a time that is not a time, a far-future one (so that nothing they
    submit later counts as newer) or a huge one (it reaches the feedback ledger)."""
    when, stamp = name.rsplit("+", 3)[2], folder / "timestamp.txt"
    try:
        said = stamp.read_text(encoding="utf-8", errors="replace").strip() if stamp.is_file() else None
    except OSError:
        said = None
    if said == when:
        return []
    shutil.rmtree(stamp) if stamp.is_dir() and not stamp.is_symlink() else stamp.unlink(missing_ok=True)
    stamp.write_text(when, encoding="utf-8")
    return [{"path": "timestamp.txt", "why": ("missing" if said is None else f"{shown(said, 60)!r}, not the time "
             f"in the folder's name") + f": the folder's time ({shown(when, 60)}) is kept"}]


SLACK = datetime.timedelta(minutes=15)  # nbgrader names the folder, then copies; hub nodes' clocks differ a little


def _written_later(src: str, name: str) -> list[dict]:
    """A trainee who writes their inbound folder by hand chooses the time in its name (a submission made after
    the due date, named before it, is not late for nbgrader). The file system's change time (ctime) of the
    folder and of what is in it cannot be set back by a trainee: when it is later than the name's time by more
    than SLACK, the trainer is told both times (not refused: moving the exchange to another disk also renews
    every change time)."""
    try:
        said = parse_utc(name.rsplit("+", 3)[2])
    except Exception:  # noqa: BLE001 - collect has already refused a name without a time
        return []
    latest, seen, todo = 0.0, 0, [src]
    while todo and seen <= 5000:  # a folder of more entries is refused by copy_plain anyway
        here = todo.pop()
        try:
            latest = max(latest, os.lstat(here).st_ctime)
            with os.scandir(here) as entries:
                for e in entries:
                    seen += 1
                    st = e.stat(follow_symlinks=False)
                    latest = max(latest, st.st_ctime)
                    if e.is_dir(follow_symlinks=False):
                        todo.append(e.path)
        except OSError:
            continue
    written = datetime.datetime.fromtimestamp(latest, datetime.timezone.utc).replace(tzinfo=None)
    if not latest or written - said <= SLACK:
        return []
    return [{"path": shown(name), "why": (
        f"{WRITTEN_LATER}: the name says {said:%Y-%m-%d %H:%M} UTC, the file system says it was last written at "
        f"{written:%Y-%m-%d %H:%M} UTC; nbgrader judges lateness by the name. Collected as named: check with the "
        "trainee if the due date falls between (an exchange copied to another disk also shows a later time)")}]


class CourseReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, releasing each trainee's feedback page(s) only, plain files only."""

    def copy_files(self):
        a, skip = self.coursedir.assignment_id, set(self.coursedir.student_id_exclude.split(","))
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            notebooks = [nb.name for nb in gb.find_assignment(a).notebooks]  # MissingEntry: nbgrader says so
        base = os.path.join(self.coursedir.root, self.coursedir.feedback_directory)
        students = [self.coursedir.student_id] if self.coursedir.student_id not in ("", "*") else (
            sorted(e.name for e in os.scandir(base) if e.is_dir(follow_symlinks=False)) if os.path.isdir(base) else [])
        for student in (s for s in students if s not in skip and os.path.lexists(os.path.join(base, s, a))):
            try:
                self._release(base, student, a, notebooks)
            except (Refused, OSError, ValueError) as e:
                self.log.warning("Feedback not released for %s: %s", shown(student), shown(e, 500))

    def _release(self, base: str, student: str, assignment: str, notebooks: list[str]) -> None:
        tmp = Path(tempfile.mkdtemp(prefix=".cps-release-", dir=self.dest_path))
        try:
            names = {f"{n}.html" for n in notebooks} | set(NBGRADER_FILES)
            copy_plain(open_folder(base, [student, assignment]), tmp, names)
            stamp, secret = ((tmp / f).read_text() if (tmp / f).is_file() else "" for f in NBGRADER_FILES)
            for nb in notebooks:
                if not secret or not (tmp / f"{nb}.html").is_file():
                    raise Refused(f"no plain feedback page or submission secret for {nb}")
                (tmp / f"{nb}.html").chmod(0o644)  # trainees read it, whatever the trainer's umask
                os.replace(tmp / f"{nb}.html", Path(self.dest_path) / f"{notebook_hash(secret=secret, notebook_id=nb)}.html")
                self.log.info("Feedback released for %s: %s/%s (%s)", shown(student), assignment, nb, shown(stamp))
            record_release(self.coursedir.root, assignment, student, stamp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
