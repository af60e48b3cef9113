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
from nbgrader.utils import notebook_hash
from traitlets import Bool

from .submission import (
    AFTER_FEEDBACK,
    HELD,
    NBGRADER_FILES,
    Refused,
    copy_plain,
    open_folder,
    problem_at,
    record_release,
    released,
    shown,
    write_check,
)

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
            try:
                owner, claimed = pwd.getpwuid(os.lstat(path).st_uid).pw_name, pwd.getpwnam(user).pw_name
            except KeyError:  # not a local user (another spawner): nbgrader's own warning stands
                owner = claimed = user
            if owner != claimed:
                problem = f"made by user {shown(owner)}, not by {shown(claimed)}"
        self._refused = {**getattr(self, "_refused", {})}
        self._refused.setdefault(user, []).extend([{"path": shown(name), "why": problem}] if problem else [])
        return {**record, "timestamp": datetime.datetime.min, "refused": True} if problem else record

    def init_src(self):
        super().init_src()  # a refused folder has the oldest time: the trainee's latest plain one is taken
        self.src_records = [r for r in self.src_records if not r.get("refused")]
        if not self.after_feedback:
            given = released(self.coursedir.root, self.coursedir.assignment_id)
            self.src_records = [r for r in self.src_records if not self._held(r, given.get(r["username"], set()))]

    def _held(self, rec: dict, given: set[str]) -> bool:
        """Keep aside a submission newer than the graded one when that one's feedback was released."""
        a, user = self.coursedir.assignment_id, rec["username"]
        dest = self.coursedir.format_path(self.coursedir.submitted_directory, user, a)
        try:
            now = Path(dest, "timestamp.txt").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return False  # nothing collected yet: nbgrader's own rules apply
        existing = self.coursedir.get_existing_timestamp(dest)
        if now not in given or (existing is not None and rec["timestamp"] <= existing):
            return False
        held = Path(self.coursedir.root, HELD, user, a, rec["timestamp"].strftime("%Y-%m-%dT%H%M%S.%f"))
        why = (f"{AFTER_FEEDBACK}: not collected, so not graded; the graded submission of {shown(now, 40)} stands. "
               f"It is kept in {HELD}/{user}/{a}/. To grade it instead: "
               f"nbgrader collect {a} --update --CourseCollect.after_feedback=True")
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
        tmp = Path(tempfile.mkdtemp(prefix=".cps-collect-", dir=os.path.dirname(dest)))
        try:
            self._refused[user] += copy_plain(open_folder(self.inbound_path, [name]), tmp, None, self.coursedir.ignore,
                                              1000 * self.coursedir.max_file_size, 1000 * self.coursedir.max_dir_size)
            tmp.chmod(0o755)
            os.replace(tmp, dest)
        except (Refused, OSError) as r:
            self._refused[user].append({"path": shown(name), "why": str(r) if isinstance(r, Refused) else shown(r, 300)})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def copy_files(self):
        super().copy_files()
        for user, refused in sorted(getattr(self, "_refused", {}).items()):
            if _ID.fullmatch(user):
                write_check(self.coursedir.root, "collect", self.coursedir.assignment_id, user, refused, self.log)
            else:
                self.log.warning("Refused %s: %s", "; ".join(r["path"] for r in refused), refused[0]["why"])


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
