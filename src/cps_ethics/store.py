"""The answers sidecar: every choice a trainee makes, written atomically on the widget event only."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
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


def _document(raw: bytes, name: str) -> dict:
    """The answers table of an answers file's bytes (format, version and table checked), or StoreError."""
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
    return answers


def parse(raw: bytes, name: str = ANSWERS_FILE) -> dict:
    """Check an answers file's bytes; return its answers {id: {"value", "at"}} or raise StoreError."""
    answers = _document(raw, name)
    for key, entry in answers.items():
        if not (isinstance(entry, dict) and "value" in entry and isinstance(entry.get("at"), str)):
            raise StoreError("wrong_shape", f"{name}: the answer to {key!r} is not in the expected form")
    return answers


def _raw(path: Path) -> bytes:
    """The bytes of the regular file at `path` (never through a link); StoreError if it cannot be used."""
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
    return raw


def read(path: Path) -> dict:
    """The answers in the file at `path`; StoreError (reason 'missing', 'not_a_file', ...) if unusable."""
    path = Path(path)
    return parse(_raw(path), path.name)


# --- The trainer's side: every string in an answers file is untrusted -------------------------------------
# Control characters (C0, DEL, C1), invisible and direction-changing characters, and lone surrogates.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
                     "\ud800-\udfff]")
MAX_TEXT = 200  # characters kept of any one string of an answers file (ids are far shorter)


def _escape(m: re.Match) -> str:
    o = ord(m.group())
    if 0xD800 <= o <= 0xDFFF:
        return "\ufffd"
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def visible(text, limit: int | None = None) -> str:
    """Text from a trainee's file as it may be printed or shown: control and invisible characters as
    `\\x1b`-style text, lone surrogates as U+FFFD, cut to `limit` characters. The one helper for every
    terminal line, table and report that shows a trainee's strings."""
    text = _HIDDEN.sub(_escape, text if isinstance(text, str) else str(text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text


def _text(s: str) -> str:
    return visible(s, MAX_TEXT)


def _kind(x) -> str:
    """What a JSON value is, in words (for a problem message)."""
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(x), type(x).__name__)


def _value(v):
    """A saved answer in one of the forms the widgets write, strings cleaned; None if it fits none:
    text (single choice); a list of texts (multiple choice; ordering, with null for an empty step);
    an object of texts (matching); a list of [node, option] text pairs (scenario path)."""
    if isinstance(v, str):
        return _text(v)
    if isinstance(v, dict):
        if all(isinstance(x, str) for x in v.values()):
            return {_text(k): _text(x) for k, x in v.items()}
        return None
    if isinstance(v, list):
        if all(isinstance(x, str) or x is None for x in v):
            return [None if x is None else _text(x) for x in v]
        if all(isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) for y in x) for x in v):
            return [[_text(x[0]), _text(x[1])] for x in v]
    return None


def check_entry(key: str, entry) -> tuple[dict | None, str]:
    """(the entry with its strings cleaned, "") if it has the form the widgets write, else (None, what is wrong)."""
    if not isinstance(entry, dict):
        return None, f"is {_kind(entry)}, not an answer with a value and a time"
    if "value" not in entry:
        return None, "has no value"
    value = _value(entry["value"])
    if value is None:
        v = entry["value"]
        inner = {_kind(x) for x in (v.values() if isinstance(v, dict) else v if isinstance(v, list) else [])}
        return None, (f"has a value that is {_kind(v)}" + (f" holding {', '.join(sorted(inner))}" if inner else "")
                      + ", which no question of the course saves")
    if not isinstance(entry.get("at"), str):
        return None, f"has a save time that is {_kind(entry.get('at'))}, not text"
    out = {"value": value, "at": _text(entry["at"])}
    if "variant" in entry:
        if not isinstance(entry["variant"], str):
            return None, f"has a version that is {_kind(entry['variant'])}, not text"
        out["variant"] = _text(entry["variant"])
    return out, ""


def load(path: Path) -> tuple[dict, list[tuple[str, str]]]:
    """The trainer's reader: (answers {id: {"value", "at", "variant"?}}, problems [(reason, message)]).

    Never raises for anything in the file. Every field is type-checked against what the widgets write and
    every string cleaned (`visible`, cut to MAX_TEXT characters). A file that cannot be used gives no answers
    and one problem (reason from StoreError: missing, not_json, ...); an entry that does not fit is left out,
    with a problem (reason 'bad_entry')."""
    path = Path(path)
    try:
        table = _document(_raw(path), path.name)
    except StoreError as e:
        return {}, [(e.reason, visible(str(e)))]
    return checked(table, path.name)


def checked(table: dict, name: str = ANSWERS_FILE) -> tuple[dict, list[tuple[str, str]]]:
    """`load` on an answers table already parsed (see `load`)."""
    answers, problems = {}, []
    for key, entry in table.items():
        clean, why = check_entry(key, entry)
        shown = _text(key)
        if clean is None:
            problems.append(("bad_entry", f"{name}: the answer to '{shown}' {why}; it was not graded"))
        elif shown in answers:
            problems.append(("bad_entry", f"{name}: two answers to '{shown}' once cleaned; neither was graded"))
            answers[shown] = None
        else:
            answers[shown] = clean
    return {k: v for k, v in answers.items() if v is not None}, problems


def read_checked(path: Path) -> dict:
    """Like `read` (StoreError when the file as a whole cannot be used), but every entry type-checked and
    cleaned as in `load`; entries that do not fit are left out (the trainer's reports list them)."""
    path = Path(path)
    return checked(_document(_raw(path), path.name), path.name)[0]


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
