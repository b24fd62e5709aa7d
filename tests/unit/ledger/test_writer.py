"""The ledger writer: rotation by size, and a torn last line ended before the next one."""

from llms.ledger.location import ledger_files
from llms.ledger.reader import read_records
from tests.unit.ledger.lines import record, recorder_for


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
