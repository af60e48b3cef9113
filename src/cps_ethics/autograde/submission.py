"""A submission is plain files only: links, devices and pipes are refused, reported and never followed."""

from __future__ import annotations

import datetime
import errno
import fnmatch
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from nbgrader.converters import Autograde, BaseConverter, GenerateFeedback, NbGraderException

from cps_ethics.course import ANSWERS_FILE

NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's own, written by `nbgrader submit`
CHECKS = Path("out") / "submission_checks"  # <step>/<assignment>/<trainee>.json in the course folder
RELEASED = "feedback_released.jsonl"  # in the course folder: one line per feedback page released to a trainee
HELD = "submitted_after_feedback"  # <trainee>/<assignment>/<time>/: submissions made after feedback was released
AFTER_FEEDBACK = "a submission made after feedback was released"
WRITTEN_LATER = "written after the time in its folder's name"
MAX_ENTRIES = 2000
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_KINDS = {stat.S_IFCHR: "a device file", stat.S_IFBLK: "a device file", stat.S_IFIFO: "a named pipe (FIFO)",
          stat.S_IFSOCK: "a socket"}


class Refused(Exception):
    """An entry the course will not read; the message says why in plain words."""


def shown(text, limit: int = 200) -> str:
    """Untrusted text for a log line or report: control characters and lone surrogates written as \\x1b."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text)[:limit])


def _hard_link_is_harmless(st: os.stat_result) -> bool:
    """A second name for a file is harmless when the trainer owns the file (a backup made with `cp -al` or
    rsync) or when the kernel lets people link only files they own or may write (fs.protected_hardlinks, on
    by default in Debian and Ubuntu): a trainee cannot then give a name to a file they could not read."""
    if st.st_uid == os.getuid():
        return True
    try:
        return Path("/proc/sys/fs/protected_hardlinks").read_text().strip() == "1"
    except OSError:
        return False


def why_not_plain(st: os.stat_result, link_to: str = "") -> str | None:
    """Why an entry (its lstat) is refused, or None for a plain file or folder."""
    if stat.S_ISLNK(st.st_mode):
        return f"a link (to {shown(link_to)}); links are never followed"
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1 and not _hard_link_is_harmless(st):
        return "a hard link (the same file also has a name outside the submission)"
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    return _KINDS.get(stat.S_IFMT(st.st_mode), "not a plain file")


def problem_at(name, dir_fd: int | None = None) -> str | None:
    """Why the entry `name` (in the folder `dir_fd`) is refused, looked at without following it."""
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    return why_not_plain(st, os.readlink(name, dir_fd=dir_fd) if stat.S_ISLNK(st.st_mode) else "")


def _copy_file(name: str, dir_fd: int, dest: Path, limit: int) -> int:
    """Copy one plain file, opened through its folder's descriptor without following anything; its size."""
    fd, copied = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd), 0
    try:
        if why_not_plain(os.fstat(fd)) or not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused(why_not_plain(os.fstat(fd)) or "a folder where a file belongs")
        dest.unlink(missing_ok=True)
        with open(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "wb") as out:
            while chunk := os.read(fd, 1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise Refused(f"larger than the limit ({limit // 1000} KB)")
                out.write(chunk)
        return copied
    finally:
        os.close(fd)


def open_folder(base: str, parts: list[str]) -> int:
    """A descriptor of base/parts..., each part opened without following a link (the base is the trainer's)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    for part in parts:
        try:
            nxt = os.open(part, _DIR, dir_fd=fd)
        except OSError as e:
            problem = problem_at(part, fd) if e.errno in (errno.ENOTDIR, errno.ELOOP) else e.strerror.lower()
            os.close(fd)
            raise Refused(f"the submission folder {shown(part)} is {problem or 'not a folder'}") from None
        os.close(fd)
        fd = nxt
    return fd


def copy_plain(fd: int, dest: Path, keep: set[str] | None, ignore=(), limit: int = 100_000_000,
               total: int = 1_000_000_000) -> list[dict]:
    """Look at every entry under the folder `fd` (closed here) without following anything, and copy its plain
    files to `dest`: the top-level files named in `keep`, or (keep None) all not matched by `ignore`.
    Returns what was refused: [{"path", "why"}]."""
    refused, seen, size = [], 0, 0

    def walk(dfd: int, rel: str, out: Path | None) -> None:
        nonlocal seen, size
        with os.scandir(dfd) as it:  # files before folders: a big folder cannot push the graded files past the cap
            entries = sorted(it, key=lambda e: (e.is_dir(follow_symlinks=False), e.name))
        for e in entries:
            seen, path = seen + 1, f"{rel}{e.name}"
            if seen > MAX_ENTRIES:
                refused.append({"path": path, "why": f"more than {MAX_ENTRIES} entries: the rest not looked at"})
                return
            wanted = out is not None and ((e.name in keep and not rel) if keep is not None else
                                          not any(fnmatch.fnmatch(e.name, g) for g in ignore))
            try:
                problem = problem_at(e.name, dfd)
                if problem:
                    raise Refused(problem)
                if e.is_dir(follow_symlinks=False):  # a kept name that is a folder stays an empty folder
                    sub = os.open(e.name, _DIR, dir_fd=dfd)
                    try:
                        if wanted:
                            (out / e.name).mkdir()
                        walk(sub, path + "/", out / e.name if wanted else None)
                    finally:
                        os.close(sub)
                elif wanted:
                    size += _copy_file(e.name, dfd, out / e.name, min(limit, total - size))
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
    """Log and keep what was refused for one trainee at one step (a later run that refuses nothing clears it)."""
    path = Path(root) / CHECKS / step / assignment / f"{trainee}.json"
    for r in refused if log else ():
        log.warning("Refused for trainee %s (%s): %s is %s", shown(trainee), step, r["path"], r["why"])
    if not refused:
        return path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"trainee": shown(trainee), "assignment": assignment, "step": step, "refused": refused}, f, indent=1)
    os.replace(tmp, path)


def read_checks(root: Path, assignment: str) -> dict[str, list[dict]]:
    """Every refusal of `assignment` by trainee, at collect and autograde (for triage and the reports)."""
    out: dict[str, list[dict]] = {}
    for path in sorted((Path(root) / CHECKS).glob(f"*/{assignment}/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            out.setdefault(path.stem, []).extend({**r, "step": data["step"]} for r in data["refused"])
        except (OSError, ValueError, KeyError, TypeError):
            out.setdefault(path.stem, []).append({"path": path.name, "why": "check record unreadable", "step": "?"})
    return out


def record_release(root: str, assignment: str, trainee: str, submission: str) -> None:
    """Note in the course folder that `trainee` has been given feedback on their submission of `submission`
    (its nbgrader time), so a later submission is held back at collect (see exchange.CourseCollect)."""
    line = json.dumps({"assignment": assignment, "trainee": trainee, "submission": submission.strip(),
                       "released": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
    fd = os.open(Path(root) / RELEASED, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, (line + "\n").encode())  # one write to a file opened for appending: lines never interleave
    finally:
        os.close(fd)


def released(root, assignment: str) -> dict[str, set[str]]:
    """{trainee: the submission times whose feedback was released} for `assignment` (a damaged line is skipped:
    the ledger is the trainer's own file, written only by release_feedback)."""
    out: dict[str, set[str]] = {}
    try:
        text = (Path(root) / RELEASED).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        try:
            r = json.loads(line)
            if r["assignment"] == assignment:
                out.setdefault(str(r["trainee"]), set()).add(str(r["submission"]))
        except (ValueError, KeyError, TypeError):
            continue
    return out


class _PlainFilesOnly(BaseConverter):
    """Takes the place of BaseConverter's copy of every other file (it follows links and trusts globs)."""

    keep: tuple[str, ...] = NBGRADER_FILES
    _step = "generate_feedback"

    def init_destination(self, assignment_id: str, student_id: str) -> bool:
        stamp = Path(self._format_source(assignment_id, student_id)) / "timestamp.txt"  # nbgrader reads it first
        if os.path.lexists(stamp) and problem_at(stamp):
            self._refuse(assignment_id, student_id, [{"path": "timestamp.txt", "why": problem_at(stamp)}])
        return super().init_destination(assignment_id, student_id)

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        src, base = self._format_source(assignment_id, student_id), os.path.join(self.coursedir.root, self._input_directory)
        parts = os.path.relpath(src, base).split(os.sep)  # <student>/<assignment>: no link on the way either
        base, parts = (os.path.dirname(src), [os.path.basename(src)]) if ".." in parts else (base, parts)
        dest = Path(self._format_dest(assignment_id, student_id))
        dest.mkdir(parents=True, exist_ok=True)
        try:
            refused = copy_plain(open_folder(base, parts), dest, set(self.keep), limit=1000 * self.coursedir.max_file_size)
        except Refused as r:
            refused = [{"path": ".", "why": str(r)}]
        refused += self._notes(assignment_id, student_id, dest)
        if self._step == "autograde" or refused:
            write_check(self.coursedir.root, self._step, assignment_id, student_id, refused, self.log)
        if {r["path"] for r in refused} & ({os.path.basename(nb) for nb in self.notebooks} | set(self.keep) | {"."}):
            self._refuse(assignment_id, student_id, refused, log=False)  # a file that is graded or read

    def _notes(self, assignment_id: str, student_id: str, dest: Path) -> list[dict]:
        """Findings kept with the refusals that do not stop the step (CourseAutograde adds one)."""
        return []

    def _refuse(self, assignment_id, student_id, refused, log=True) -> None:
        if log:
            write_check(self.coursedir.root, self._step, assignment_id, student_id, refused, self.log)
        raise NbGraderException(f"{shown(student_id)}/{assignment_id} not graded: "
                                + "; ".join(f"{r['path']} is {r['why']}" for r in refused))


class CourseAutograde(Autograde, _PlainFilesOnly):
    """nbgrader's Autograde; autograded/ gets only the notebook(s), the answers file and nbgrader's own files."""

    keep = (ANSWERS_FILE, *NBGRADER_FILES)
    _step = "autograde"

    def _notes(self, assignment_id: str, student_id: str, dest: Path) -> list[dict]:
        """A submission newer than the one whose feedback this trainee was given is graded (the trainer put it
        in submitted/, or collected it with CourseCollect.after_feedback), and the trainer is told."""
        stamps = released(self.coursedir.root, assignment_id).get(student_id)
        try:
            now = (dest / "timestamp.txt").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return []
        if not stamps or now in stamps:
            return []
        return [{"path": "(the submission)", "why": f"{AFTER_FEEDBACK} (graded: submitted {shown(now, 40)}; "
                 f"feedback was given on the one of {shown(max(stamps), 40)})"}]

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        super().init_assignment(assignment_id, student_id)
        wanted = {os.path.basename(nb) for nb in self.notebooks} | set(self.keep)
        for entry in os.scandir(self._format_dest(assignment_id, student_id)):  # what nbgrader copies from source/
            if entry.name not in wanted and not entry.name.startswith(".cps_autograde"):
                shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)


class CourseGenerateFeedback(GenerateFeedback, _PlainFilesOnly):
    """nbgrader's GenerateFeedback; feedback/ gets only the feedback page and nbgrader's own two files."""


def install() -> None:
    """Make nbgrader's commands and formgrader use the course's converters (nbgrader has no setting for it)."""
    from nbgrader.apps import api, autogradeapp, generatefeedbackapp

    autogradeapp.Autograde = api.Autograde = CourseAutograde
    generatefeedbackapp.GenerateFeedback = api.GenerateFeedback = CourseGenerateFeedback
