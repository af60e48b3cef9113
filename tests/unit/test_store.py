"""The answers sidecar: atomic writes, clear errors, nothing lost."""

from __future__ import annotations

import json
import os

import pytest

from cps_ethics import store
from cps_ethics.store import AnswerStore, StoreError


def test_record_writes_a_versioned_file_with_timestamps(tmp_path):
    s = AnswerStore(tmp_path)
    s.record("q1", "a")
    s.record("q2", ["x", "y"])
    data = json.loads((tmp_path / "cps_answers.json").read_text())
    assert data["format"] == "cps-answers" and data["version"] == 1
    assert data["answers"]["q1"]["value"] == "a"
    assert data["answers"]["q2"]["value"] == ["x", "y"]
    assert data["answers"]["q1"]["at"].endswith("Z")


def test_changing_an_answer_keeps_the_others(tmp_path):
    s = AnswerStore(tmp_path)
    s.record("q1", "a")
    s.record("q2", "b")
    s.record("q1", "c")
    assert {k: v["value"] for k, v in s.answers().items()} == {"q1": "c", "q2": "b"}


def test_write_is_atomic_no_temp_files_left(tmp_path, monkeypatch):
    s = AnswerStore(tmp_path)
    s.record("q1", "a")
    before = (tmp_path / "cps_answers.json").read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        s.record("q1", "b")
    assert (tmp_path / "cps_answers.json").read_bytes() == before  # old answers intact
    assert not list(tmp_path.glob(".cps_answers.*.tmp"))


def test_reading_never_creates_a_file(tmp_path):
    assert AnswerStore(tmp_path).answers() == {}
    assert not (tmp_path / "cps_answers.json").exists()


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", "not_json"),
    (b"\xff\xfe\x00garbage", "not_utf8"),
    (b"[1, 2]", "wrong_shape"),
    (b'{"format": "cps-answers", "version": 9, "answers": {}}', "wrong_version"),
    (b'{"format": "cps-answers", "version": 1, "answers": []}', "wrong_shape"),
    (b'{"format": "cps-answers", "version": 1, "answers": {"q": {"value": 1}}}', "wrong_shape"),
    (b'{"format": "other", "version": 1, "answers": {}}', "wrong_shape"),
])
def test_unusable_files_give_a_reason(tmp_path, raw, reason):
    (tmp_path / "cps_answers.json").write_bytes(raw)
    with pytest.raises(StoreError) as e:
        store.read(tmp_path / "cps_answers.json")
    assert e.value.reason == reason
    assert "cps_answers.json" in str(e.value)


def test_missing_directory_symlink_and_large(tmp_path):
    p = tmp_path / "cps_answers.json"
    with pytest.raises(StoreError) as e:
        store.read(p)
    assert e.value.reason == "missing"
    p.mkdir()
    with pytest.raises(StoreError) as e:
        store.read(p)
    assert e.value.reason == "not_a_file"
    p.rmdir()
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps(store.empty()))
    p.symlink_to(target)
    with pytest.raises(StoreError) as e:
        store.read(p)
    assert e.value.reason == "not_a_file"
    p.unlink()
    p.write_bytes(b" " * (store.MAX_BYTES + 1))
    with pytest.raises(StoreError) as e:
        store.read(p)
    assert e.value.reason == "too_large"


def test_an_unreadable_old_file_is_kept_aside_not_lost(tmp_path):
    (tmp_path / "cps_answers.json").write_bytes(b"{half a fi")
    note = AnswerStore(tmp_path).record("q1", "a")
    assert note and "kept as" in note
    kept = list(tmp_path.glob("cps_answers.unreadable-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"{half a fi"
    assert AnswerStore(tmp_path).answers()["q1"]["value"] == "a"
