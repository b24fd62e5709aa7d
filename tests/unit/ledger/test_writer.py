"""The ledger writer: rotation by size, a torn last line ended before the next one, a full disk leaving whole
lines, and every line written (secrets masked, lone surrogates replaced)."""

import errno
import json
import logging
import os

from llms.ledger import writer as writer_module
from llms.ledger.location import ledger_files
from llms.ledger.reader import read_records
from llms.ledger.writer import LedgerWriter
from tests.unit.ledger.lines import record, recorder_for, written_line


def test_rotation_by_size_keeps_every_old_file_readable_in_order(tmp_path):
    recorder = recorder_for(tmp_path, max_bytes=2000)
    for i in range(12):
        recorder(record(request_id=f"{i:032x}"))
    files = ledger_files(tmp_path / "usage.jsonl")
    assert [p.name for p in files][-2:] == ["usage.jsonl.1", "usage.jsonl"] and len(files) > 3
    assert all(p.stat().st_size <= 2000 for p in files)
    ids = [r["request_id"] for r in read_records(files, warn=lambda m: None)]
    assert ids == [f"{i:032x}" for i in range(12)]


def test_appending_after_a_torn_line_starts_a_new_line(tmp_path):
    path = tmp_path / "usage.jsonl"
    path.write_text('{"timestamp": "2026-11-23T10:00:00+01:00", "cut')
    recorder_for(tmp_path)(record())
    warnings = []
    assert [r["request_id"] for r in read_records([path], warnings.append)] == ["a" * 32]
    assert warnings == [f"{path}:1: not valid JSON (Invalid control character at: line 1 column 48 (char 47)); skipped"]


def _disk_full_after(monkeypatch, bytes_that_fit: int):
    """os.write in the writer puts `bytes_that_fit` bytes of the next write on disk, then fails as a full disk."""
    real_write, room = os.write, [bytes_that_fit]

    def write(fd, data):
        if room[0]:
            written = real_write(fd, bytes(data[:room[0]]))  # a short write: the rest would come next call
            room[0] -= written
            return written
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer_module.os, "write", write)


def test_a_write_that_runs_out_of_space_leaves_whole_lines_and_is_counted_and_warned_once(tmp_path, monkeypatch,
                                                                                           caplog):
    recorder = recorder_for(tmp_path)
    recorder(record(request_id="1" * 32))
    _disk_full_after(monkeypatch, 40)
    with caplog.at_level(logging.WARNING, logger="llms.ledger"):
        recorder(record(request_id="2" * 32))
        recorder(record(request_id="3" * 32))
    path = tmp_path / "usage.jsonl"
    assert path.read_bytes().endswith(b"\n") and len(path.read_bytes().splitlines()) == 1
    assert recorder.writer.write_errors == 2
    assert recorder.writer.last_error == f"{path}: No space left on device"
    assert [r.message for r in caplog.records].count(
        f"the ledger cannot be written ({path}: No space left on device); requests are served but not recorded "
        "until it can (see /health ledger.write_errors)") == 1
    monkeypatch.undo()  # space freed: the next line is whole, and every reader takes it
    recorder(record(request_id="4" * 32))
    warnings = []
    assert [r["request_id"] for r in read_records([path], warnings.append)] == ["1" * 32, "4" * 32]
    assert warnings == []


def test_a_line_with_a_lone_surrogate_or_a_configured_key_is_written_repaired(tmp_path):
    writer = LedgerWriter(tmp_path / "usage.jsonl", 10**9, ("sk-short",))
    writer.append(written_line(error={"message": "bad \ud800 byte from sk-short", "status": 500}))
    [line] = (tmp_path / "usage.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["error"]["message"] == "bad \ufffd byte from ***"
