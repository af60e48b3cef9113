"""The answers sidecar: every choice a trainee makes, written atomically on the widget event only."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from .course import ANSWERS_FILE
from .errors import AnswerStoreError

FORMAT = "cps-answers"
VERSION = 1
LOCK_FILE = ".cps_answers.lock"  # hidden, so trainees do not see it in JupyterLab's file browser
MAX_BYTES = 2 * 1024 * 1024  # far above any real course; stops a runaway file from being parsed
# A reflection's longest saved text (about 3,000 words); the widget keeps to it, autograde cuts anything longer.
MAX_REFLECTION_CHARS = 20_000


class StoreError(AnswerStoreError):
    """An answers file that cannot be used; `reason` is a short code, the message is plain words."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def empty() -> dict:
    return {"format": FORMAT, "version": VERSION, "answers": {}}


def parse(raw: bytes, name: str = ANSWERS_FILE) -> dict:
    """Check an answers file's bytes; return its answers {id: {"value", "at"}} or raise StoreError."""
    if len(raw) > MAX_BYTES:
        raise StoreError("too_large", f"{name} is larger than {MAX_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError("not_utf8", f"{name} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise StoreError("not_json", f"{name} is not valid JSON (it may have been edited or cut short)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError("wrong_shape", f"{name} is not a course answers file")
    if data.get("version") != VERSION:
        raise StoreError("wrong_version", f"{name} has answers format version {data.get('version')!r}, "
                         f"this course reads version {VERSION}")
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise StoreError("wrong_shape", f"{name} has no answers table")
    for key, entry in answers.items():
        if not (isinstance(entry, dict) and "value" in entry and isinstance(entry.get("at"), str)):
            raise StoreError("wrong_shape", f"{name}: the answer to {key!r} is not in the expected form")
    return answers


def read(path: Path) -> dict:
    """The answers in the file at `path`; StoreError (reason 'missing', 'not_a_file', ...) if unusable."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise StoreError("missing", f"no answers file ({path.name}) was found") from None
    if stat.S_ISLNK(st.st_mode):
        raise StoreError("not_a_file", f"{path.name} is a link, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise StoreError("not_a_file", f"{path.name} is not a regular file")
    if st.st_size > MAX_BYTES:
        raise StoreError("too_large", f"{path.name} is larger than {MAX_BYTES // 1024 // 1024} MiB")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise StoreError("unreadable", f"{path.name} cannot be read ({e.strerror})") from None
    return parse(raw, path.name)


class AnswerStore:
    """Reads and writes one folder's answers file. Writing happens only through `record`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / ANSWERS_FILE

    def answers(self) -> dict:
        """Current answers, or {} when there is no file yet (StoreError if the file is unusable)."""
        try:
            return read(self.path)
        except StoreError as e:
            if e.reason == "missing":
                return {}
            raise

    @contextlib.contextmanager
    def _locked(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def record(self, item_id: str, value, variant: str | None = None) -> str | None:
        """Save one answer atomically (with the variant of the slot the trainee answered, if it has variants).
        Returns a note for the trainee if an unusable old file was set aside."""
        note = None
        with self._locked():
            try:
                answers = self.answers()
            except StoreError as e:
                aside = self.path.with_name(f"cps_answers.unreadable-{datetime.now():%Y%m%d-%H%M%S}.json")
                if os.path.lexists(self.path):
                    os.replace(self.path, aside)
                note = f"Your earlier answers file could not be read ({e}); it was kept as {aside.name}."
                answers = {}
            answers[item_id] = {"value": value, "at": now(), **({"variant": variant} if variant else {})}
            data = empty()
            data["answers"] = answers
            # ASCII escapes: text that parsed (lone surrogates from \u escapes too) can always be written back.
            self._write(json.dumps(data, indent=1, ensure_ascii=True, sort_keys=True).encode("utf-8"))
        return note

    def _write(self, payload: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".cps_answers.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        dir_fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
