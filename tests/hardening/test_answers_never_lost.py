"""Answers are never lost: SIGKILL mid-write, concurrent writers, and a fuzzed sidecar loader."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cps_ethics import store
from cps_ethics.course import ANSWERS_FILE
from cps_ethics.store import AnswerStore, StoreError

REPO = Path(__file__).resolve().parents[2]
FORK = multiprocessing.get_context("fork")
ITEMS = 5
FILLER = "x" * 3000  # each write spans several pages


def expected_state(last: int) -> dict:
    """The answers after writes 0..last: item q{i % ITEMS} holds [i, FILLER]."""
    out = {}
    for i in range(last + 1):
        out[f"q{i % ITEMS}"] = [i, FILLER]
    return out


FILE_EVENTS = ("open", "os.", "fcntl.", "tempfile.", "shutil.")  # audit events of file operations
WRITES = 6


def _writer(folder: str, kill_at: int, writing, counted) -> None:
    """Record WRITES answers; SIGKILL itself just before its `kill_at`-th file operation (0: never).

    Python's audit hook sees every open, lock, temporary file, chmod and rename, so a kill lands at an exact
    step of an exact write: chosen by the test, not by timing. `writing` holds the write in progress."""
    s = AnswerStore(Path(folder))
    count = 0

    def hook(event, args):
        nonlocal count
        if event.startswith(FILE_EVENTS):
            count += 1
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(hook)
    for i in range(WRITES):
        writing.value = i
        s.record(f"q{i % ITEMS}", [i, FILLER])
    counted.value = count


def _run_together(target, arg_lists, timeout: float) -> None:
    """Start one process per argument list, release them at the same moment, and require clean exits."""
    start = FORK.Event()
    procs = [FORK.Process(target=target, args=(*args, start)) for args in arg_lists]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout)
        assert p.exitcode == 0


def _run_writer(folder: Path, kill_at: int) -> tuple[int, int, int]:
    writing, counted = FORK.Value("i", -1), FORK.Value("i", -1)
    child = FORK.Process(target=_writer, args=(str(folder), kill_at, writing, counted))
    child.start()
    child.join(120)
    return child.exitcode, writing.value, counted.value


def test_sigkill_at_every_step_of_every_write_never_leaves_a_corrupt_or_partial_sidecar(tmp_path):
    folder = tmp_path / "all"
    folder.mkdir()
    code, _, steps = _run_writer(folder, 0)  # how many file operations WRITES writes take, unkilled
    assert code == 0 and steps >= 4 * WRITES, steps
    assert {k: v["value"] for k, v in store.read(folder / ANSWERS_FILE).items()} == expected_state(WRITES - 1)
    seen = set()  # (write in progress, whether it was kept)
    for kill_at in range(1, steps + 1):
        folder = tmp_path / f"k{kill_at}"
        folder.mkdir()
        code, i, _ = _run_writer(folder, kill_at)
        assert code == -signal.SIGKILL, f"kill point {kill_at}: the writer was not killed ({code})"
        try:
            values = {k: v["value"] for k, v in store.read(folder / ANSWERS_FILE).items()}
        except StoreError as e:  # only before the very first answer reached the file
            assert e.reason == "missing" and i == 0, f"kill point {kill_at}: the sidecar is unusable: {e}"
            values = {}
        # Every write before the one in progress is there, and that one is there whole or not at all.
        assert values in (expected_state(i - 1), expected_state(i)), f"kill point {kill_at}: answers lost"
        seen.add((i, values == expected_state(i)))
        # The store still works (the lock is free) and the next write keeps everything.
        AnswerStore(folder).record("after_kill", "ok")
        again = {k: v["value"] for k, v in store.read(folder / ANSWERS_FILE).items()}
        assert again == {**values, "after_kill": "ok"}
        shutil.rmtree(folder)
    # By construction the kills covered every write, each both before and after its answer was kept.
    assert seen == {(i, kept) for i in range(WRITES) for kept in (False, True)}, sorted(seen)


def _record_many(folder: str, prefix: str, n: int, start) -> None:
    start.wait(10)
    s = AnswerStore(Path(folder))
    for i in range(n):
        s.record(f"{prefix}{i % 10}", [prefix, i])


def _final(prefix: str, n: int) -> dict:
    return {f"{prefix}{k}": [prefix, max(i for i in range(n) if i % 10 == k)] for k in range(10)}


def test_two_processes_writing_at_once_never_lose_a_choice(tmp_path):
    for attempt in range(5):
        folder = tmp_path / f"p{attempt}"
        _run_together(_record_many, [(str(folder), p, 60) for p in ("a", "b")], timeout=60)
        got = {k: v["value"] for k, v in store.read(folder / ANSWERS_FILE).items()}
        assert got == {**_final("a", 60), **_final("b", 60)}


def test_two_threads_writing_at_once_never_lose_a_choice(tmp_path):
    for attempt in range(5):
        folder = tmp_path / f"t{attempt}"
        start = threading.Event()
        errors: list = []

        def run(prefix):
            try:
                _record_many(str(folder), prefix, 60, start)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(p,)) for p in ("a", "b")]
        for t in threads:
            t.start()
        start.set()
        for t in threads:
            t.join(60)
        assert not errors
        got = {k: v["value"] for k, v in store.read(folder / ANSWERS_FILE).items()}
        assert got == {**_final("a", 60), **_final("b", 60)}


def _widget_clicks(folder: str, ref: str, values: list, start) -> None:
    """A second notebook tab on the same folder is a second kernel: a process driving real widgets."""
    from cps_ethics.notebook import widgets

    start.wait(10)
    for v in values:
        q = widgets.build(ref, widgets.Context(Path(folder), trainee="trainee_a"))
        q.radio.value = v  # what a click does: the widget's own event handler saves


def test_two_widgets_saving_at_once_never_lose_a_choice(tmp_path):
    from cps_ethics.notebook import widgets

    folder = tmp_path / "01_why_a_code"
    shutil.copytree(REPO / "release" / "01_why_a_code", folder)
    content = json.loads((folder / "cps_content.json").read_text())
    singles = [r for r, it in content["items"].items() if it["kind"] == "graded" and it["type"] == "single"]
    assert len(singles) >= 2
    a, b = singles[:2]
    va = [o["id"] for o in content["items"][a]["options"]] * 5
    vb = [o["id"] for o in content["items"][b]["options"]] * 5
    _run_together(_widget_clicks, [(str(folder), r, vals) for r, vals in ((a, va), (b, vb))], timeout=120)
    got = store.read(folder / ANSWERS_FILE)
    assert got[a]["value"] == va[-1] and got[b]["value"] == vb[-1]
    # And a fresh widget shows both saved choices.
    ctx = widgets.Context(folder, trainee="trainee_a")
    assert widgets.build(a, ctx).radio.value == va[-1]
    assert widgets.build(b, ctx).radio.value == vb[-1]


# ---- the loader, fuzzed ------------------------------------------------------------------------

# Any text, lone surrogates too: JSON's \\ud800 escapes decode to them, and a hand-edited file may hold them.
texts = st.text(st.characters(exclude_categories=()), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)
entries = st.fixed_dictionaries({"value": json_values, "at": texts})
valid_files = st.fixed_dictionaries({"format": st.just(store.FORMAT), "version": st.just(store.VERSION),
                                     "answers": st.dictionaries(texts, entries, max_size=5)})
near_valid = st.fixed_dictionaries(
    {},
    optional={"format": st.sampled_from([store.FORMAT, "cps-content", 1]) | json_values,
              "version": st.sampled_from([1, 2, "1", None, 1.5]) | json_values,
              "answers": st.dictionaries(texts, entries | json_values, max_size=4) | json_values},
) | json_values

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_parse_or_fail_with_the_stores_own_error(raw):
    try:
        answers = store.parse(raw)
    except StoreError as e:
        assert e.reason and str(e)
    else:
        assert isinstance(answers, dict)


@FUZZ
@given(near_valid)
def test_any_json_parses_or_fails_with_the_stores_own_error(data):
    raw = json.dumps(data).encode()
    try:
        answers = store.parse(raw)
    except StoreError as e:
        assert e.reason in {"wrong_shape", "wrong_version", "not_json"} and str(e)
    else:
        assert answers == data["answers"]


@FUZZ
@given(valid_files)
def test_valid_files_round_trip(data):
    assert store.parse(json.dumps(data).encode()) == data["answers"]


@FUZZ
@given(data=valid_files, raw=st.binary(max_size=500), which=st.booleans())
def test_read_and_record_never_fail_otherwise_and_keep_what_was_saved(tmp_path_factory, data, raw, which):
    """Whatever file is there (valid, tampered, garbage), reading fails only with StoreError, and the next
    choice is saved; a usable file's answers are all kept, an unusable one is set aside, not deleted."""
    folder = tmp_path_factory.mktemp("fuzz")
    payload = json.dumps(data).encode() if which else raw
    (folder / ANSWERS_FILE).write_bytes(payload)
    try:
        before = store.read(folder / ANSWERS_FILE)
    except StoreError:
        before = None
    AnswerStore(folder).record("new_choice", "picked")
    after = store.read(folder / ANSWERS_FILE)
    assert after["new_choice"]["value"] == "picked"
    if before is not None:
        assert {k: v for k, v in after.items() if k != "new_choice"} == {
            k: v for k, v in before.items() if k != "new_choice"}
    else:
        kept = list(folder.glob("cps_answers.unreadable-*.json"))
        assert len(kept) == 1 and kept[0].read_bytes() == payload


@pytest.mark.parametrize("raw", [b"[" * 100_000, b'{"a":' * 50_000, b"\xff\xfe", b"", b"null",
                                 b'{"format": "cps-answers", "version": true, "answers": {}}',
                                 b"1" * 5000, b'"\\ud800"'])
def test_pathological_inputs_give_the_stores_own_error(raw):
    try:
        store.parse(raw)
    except StoreError as e:
        assert str(e)


def test_read_refuses_links_folders_and_huge_files(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps(store.empty()))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ANSWERS_FILE).symlink_to(target)
    (tmp_path / "b" / ANSWERS_FILE).mkdir(parents=True)
    (tmp_path / "c").mkdir()
    with open(tmp_path / "c" / ANSWERS_FILE, "wb") as f:
        f.truncate(store.MAX_BYTES + 1)
    reasons = []
    for name in ("a", "b", "c"):
        with pytest.raises(StoreError) as e:
            store.read(tmp_path / name / ANSWERS_FILE)
        reasons.append(e.value.reason)
    assert reasons == ["not_a_file", "not_a_file", "too_large"]
