"""A submission is plain files only: links, devices and odd names are refused, reported, and never followed."""

from __future__ import annotations

import datetime
import errno
import fnmatch
import json
import os
import pwd
import re
import shutil
import stat
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, BaseConverter, GenerateFeedback, NbGraderException
from nbgrader.exchange.default import ExchangeCollect, ExchangeReleaseFeedback
from nbgrader.utils import notebook_hash

from cps_ethics.course import ANSWERS_FILE

NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's own, written by `nbgrader submit`
CHECKS = Path("out") / "submission_checks"  # <step>/<assignment>/<trainee>.json, in the course folder
MAX_ENTRIES = 2000
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_ID = re.compile(r"[\w.@-]+")


class Refused(Exception):
    """An entry the course will not read; the message says why, in plain words."""


def shown(text, limit: int = 200) -> str:
    """Untrusted text for a log line or report: control characters and lone surrogates written as \\x1b."""
    text = str(text)[:limit]
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def why_not_plain(st: os.stat_result, link_to: str = "") -> str | None:
    """Why an entry (lstat) is refused, or None for a plain file or folder."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return f"a link (to {shown(link_to)}); links are never followed"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode) and st.st_nlink > 1:
        return "a hard link (the same file also has a name outside the submission)"
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "not a plain file"


def problem_at(name, dir_fd: int | None = None) -> str | None:
    """Why the entry `name` (in the folder `dir_fd`) is refused, looked at without following it."""
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    return why_not_plain(st, os.readlink(name, dir_fd=dir_fd) if stat.S_ISLNK(st.st_mode) else "")


def _copy_file(name: str, dir_fd: int, dest: Path, limit: int) -> None:
    """Copy one plain file read through its folder's descriptor; never follows or opens anything else."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        problem = why_not_plain(st)
        if problem or not stat.S_ISREG(st.st_mode):
            raise Refused(problem or "a folder where a file belongs")
        if st.st_size > limit:
            raise Refused(f"larger than {limit // 1000} KB")
        if dest.is_symlink() or dest.exists():
            dest.unlink()
        with os.fdopen(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "wb") as out:
            copied = 0
            while chunk := os.read(fd, 1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise Refused(f"larger than {limit // 1000} KB")
                out.write(chunk)
    finally:
        os.close(fd)


def open_folder(base: str, parts: list[str]) -> int:
    """A descriptor of base/parts..., every part opened without following a link (the base is the trainer's)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    for part in parts:
        try:
            nxt = os.open(part, _DIR, dir_fd=fd)
        except OSError as e:
            problem = problem_at(part, fd) if e.errno in (errno.ENOTDIR, errno.ELOOP) else None
            os.close(fd)
            raise Refused(f"the submission folder {shown(part)} is {problem or 'not a folder'}") from None
        os.close(fd)
        fd = nxt
    return fd


def copy_plain(fd: int, dest: Path | None, keep: set[str] | None, ignore=(), limit: int = 100_000_000,
               total: int = 1_000_000_000) -> list[dict]:
    """Look at every entry under the folder `fd` (closed here), refuse what is not plain, and copy plain files
    to `dest`: only the top-level names in `keep` (None: everything not matched by `ignore`). Returns the
    refusals, each {"path", "why"}."""
    refused, seen, size = [], 0, 0

    def walk(dfd: int, rel: str, out: Path | None) -> None:
        nonlocal seen, size
        with os.scandir(dfd) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            seen += 1
            path = f"{rel}{e.name}"
            if seen > MAX_ENTRIES:
                refused.append({"path": path, "why": f"more than {MAX_ENTRIES} entries: the rest not looked at"})
                return
            try:
                problem = problem_at(e.name, dfd)
                if problem:
                    raise Refused(problem)
                wanted = (e.name in keep) if (keep is not None and not rel) else (
                    keep is None and not any(fnmatch.fnmatch(e.name, g) for g in ignore))
                if e.is_dir(follow_symlinks=False):
                    sub = os.open(e.name, _DIR, dir_fd=dfd)
                    try:
                        target = out / e.name if (out and wanted) else None
                        if target:
                            target.mkdir()
                        walk(sub, path + "/", target)
                    finally:
                        os.close(sub)
                elif wanted and out is not None:
                    if size >= total:
                        raise Refused("over the submission's size limit")
                    _copy_file(e.name, dfd, out / e.name, min(limit, total - size))
                    size += (out / e.name).stat().st_size
            except Refused as r:
                refused.append({"path": path, "why": str(r)})
            except OSError as err:
                refused.append({"path": path, "why": f"could not be read ({err.strerror})"})

    try:
        walk(fd, "", dest)
    finally:
        os.close(fd)
    return [{"path": shown(r["path"]), "why": r["why"]} for r in refused]


def write_check(root: str, step: str, assignment: str, trainee: str, refused: list[dict], log=None) -> None:
    """The trainer's record of what was refused for one trainee (removed when a later run refuses nothing)."""
    path = Path(root) / CHECKS / step / assignment / f"{trainee}.json"
    for r in refused:
        if log:
            log.warning("Refused for trainee %s (%s): %s is %s", shown(trainee), step, r["path"], r["why"])
    if not refused:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"trainee": shown(trainee), "assignment": assignment, "step": step, "refused": refused}, f,
                  indent=1, ensure_ascii=True)
    os.replace(tmp, path)


def read_checks(root: Path, assignment: str) -> dict[str, list[dict]]:
    """Every refusal of `assignment` by trainee, from collect and autograde (for triage and the reports)."""
    out: dict[str, list[dict]] = {}
    for path in sorted((Path(root) / CHECKS).glob(f"*/{assignment}/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            out.setdefault(path.stem, []).extend({**r, "step": data["step"]} for r in data["refused"])
        except (OSError, ValueError, KeyError, TypeError):
            out.setdefault(path.stem, []).append({"path": path.name, "why": "check record unreadable", "step": "?"})
    return out


class _PlainFilesOnly(BaseConverter):
    """Takes the place of BaseConverter's copy of "every other file" (it follows links and trusts globs)."""

    keep: tuple[str, ...] = NBGRADER_FILES

    def _checked_folder(self, assignment_id: str, student_id: str) -> int:
        base = os.path.join(self.coursedir.root, self._input_directory)
        parts = [student_id, assignment_id]
        if os.path.join(base, *parts) != self._format_source(assignment_id, student_id):
            base, parts = os.path.split(self._format_source(assignment_id, student_id))
            parts = [parts]
        return open_folder(base, parts)

    def init_destination(self, assignment_id: str, student_id: str) -> bool:
        stamp = Path(self._format_source(assignment_id, student_id)) / "timestamp.txt"  # nbgrader reads it first
        problem = problem_at(stamp) if os.path.lexists(stamp) else None
        if problem:
            self._refuse(assignment_id, student_id, [{"path": "timestamp.txt", "why": problem}])
        return super().init_destination(assignment_id, student_id)

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        notebooks = {os.path.basename(nb) for nb in self.notebooks}
        dest = Path(self._format_dest(assignment_id, student_id))
        dest.mkdir(parents=True, exist_ok=True)
        try:
            refused = copy_plain(self._checked_folder(assignment_id, student_id), dest, set(self.keep),
                                 limit=1000 * self.coursedir.max_file_size)
        except Refused as r:
            refused = [{"path": ".", "why": str(r)}]
        graded = notebooks | set(self.keep) | {"."}
        if self._step == "autograde" or refused:
            write_check(self.coursedir.root, self._step, assignment_id, student_id, refused, self.log)
        if any(r["path"] in graded for r in refused):
            self._refuse(assignment_id, student_id, refused, log=False)

    def _refuse(self, assignment_id, student_id, refused, log=True) -> None:
        if log:
            write_check(self.coursedir.root, self._step, assignment_id, student_id, refused, self.log)
        raise NbGraderException(f"{shown(student_id)}/{assignment_id} not graded: "
                                + "; ".join(f"{r['path']} is {r['why']}" for r in refused))


class CourseAutograde(Autograde, _PlainFilesOnly):
    """nbgrader's Autograde; autograded/ gets only the notebook(s), the answers file and nbgrader's own files."""

    keep = (ANSWERS_FILE, *NBGRADER_FILES)
    _step = "autograde"

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        super().init_assignment(assignment_id, student_id)
        dest = Path(self._format_dest(assignment_id, student_id))
        wanted = {os.path.basename(nb) for nb in self.notebooks} | set(self.keep)
        for entry in os.scandir(dest):  # the source/ files nbgrader copies in (cps_content.json): not needed
            if entry.name not in wanted and not entry.name.startswith(".cps_autograde"):
                shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)


class CourseGenerateFeedback(GenerateFeedback, _PlainFilesOnly):
    """nbgrader's GenerateFeedback; feedback/ gets only the feedback page and nbgrader's own two files."""

    _step = "generate_feedback"


def install() -> None:
    """Make nbgrader's commands and its formgrader use the course's converters (nbgrader has no setting)."""
    from nbgrader.apps import api, autogradeapp, generatefeedbackapp

    autogradeapp.Autograde = api.Autograde = CourseAutograde
    generatefeedbackapp.GenerateFeedback = api.GenerateFeedback = CourseGenerateFeedback


class CourseCollect(ExchangeCollect):
    """nbgrader's collect, copying plain files only; a refused submission is reported, the others collected."""

    def _path_to_record(self, path):
        name = os.path.basename(path)
        user = name.rsplit("+", 3)[0]
        try:
            record, problem = super()._path_to_record(path), None
        except Exception:  # noqa: BLE001 - a name a trainee made up must not stop the collection
            record, problem = {"username": user, "filename": name}, "a folder name without a valid time"
        problem = problem or problem_at(path)
        if not problem and (not _ID.fullmatch(user) or user in (".", "..")):
            problem = "a folder whose trainee id is not a plain name"
        if not problem and self.check_owner:
            try:
                owner, claimed = pwd.getpwuid(os.lstat(path).st_uid).pw_name, pwd.getpwnam(user).pw_name
            except KeyError:  # not a local user (another spawner): nbgrader's own warning stands
                owner = claimed = user
            if owner != claimed:
                problem = f"made by user {shown(owner)}, not by {shown(claimed)}"
        self._refused = getattr(self, "_refused", {})
        self._refused.setdefault(user, []).extend([{"path": shown(name), "why": problem}] if problem else [])
        return {**record, "timestamp": datetime.datetime.min, "refused": True} if problem else record

    def init_src(self):
        super().init_src()  # a refused folder has the oldest time: the trainee's latest plain one is taken
        self.src_records = [r for r in self.src_records if not r.get("refused")]

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
            if _ID.fullmatch(user) and user not in (".", ".."):
                write_check(self.coursedir.root, "collect", self.coursedir.assignment_id, user, refused, self.log)
            else:
                self.log.warning("Refused %s: %s", "; ".join(r["path"] for r in refused), refused[0]["why"])


class CourseReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, releasing only each trainee's feedback page(s), plain files only."""

    def copy_files(self):
        a, skip = self.coursedir.assignment_id, set(filter(None, self.coursedir.student_id_exclude.split(",")))
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                notebooks = [nb.name for nb in gb.find_assignment(a).notebooks]
            except MissingEntry:
                notebooks = []
        base = os.path.join(self.coursedir.root, self.coursedir.feedback_directory)
        students = [self.coursedir.student_id] if self.coursedir.student_id not in ("", "*") else (
            sorted(e.name for e in os.scandir(base) if e.is_dir(follow_symlinks=False)) if os.path.isdir(base) else [])
        for student in (s for s in students if s not in skip):
            try:
                self._release(base, student, a, notebooks)
            except (Refused, OSError, ValueError) as e:
                self.log.warning("Feedback not released for %s: %s", shown(student), shown(e, 500))

    def _release(self, base: str, student: str, assignment: str, notebooks: list[str]) -> None:
        tmp = Path(tempfile.mkdtemp(prefix=".cps-release-", dir=self.dest_path))
        try:
            copy_plain(open_folder(base, [student, assignment]), tmp, {f"{n}.html" for n in notebooks} | set(NBGRADER_FILES))
            stamp, secret = ((tmp / f).read_text() if (tmp / f).is_file() else "" for f in NBGRADER_FILES)
            for nb in notebooks:
                if not secret or not (tmp / f"{nb}.html").is_file():
                    raise Refused(f"no plain feedback page or secret for {nb}")
                checksum = notebook_hash(secret=secret, notebook_id=nb)
                (tmp / f"{nb}.html").chmod(0o644)  # trainees read it (nbgrader's copy kept 0644 the same way)
                os.replace(tmp / f"{nb}.html", Path(self.dest_path) / f"{checksum}.html")
                self.log.info("Feedback released for %s: %s/%s (%s)", shown(student), assignment, nb, shown(stamp))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
