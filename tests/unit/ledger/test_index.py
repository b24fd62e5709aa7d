"""ledger/index.py: the index answers exactly what a scan of the lines answers (DST days, half- and quarter-hour
zones, edges off the 15-minute grid, filters, rotation, unpriced lines, errors), and is caught up or rebuilt
whenever the files moved on or changed under it."""

import json
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from llms.ledger import index as index_module
from llms.ledger.analytics import parse_query
from llms.ledger.index import LedgerIndex, aggregate_ledger, checked_lines, index_path, reindex, scan_ledger
from llms.ledger.reader import read_records
from llms.ledger.writer import LedgerWriter
from tests.unit.ledger.lines import written_line

PROVIDERS = (("openai", "gpt-4o", "gpt-4o-2024-08-06"), ("anthropic", "claude", "claude-sonnet-4-5"),
             ("groq", "kimi", "kimi-k2"), (None, "missing", None))
ZONES = ("+01:00", "+05:30", "+05:45", "-04:00", "Z", "+02:00")


def _line(i: int, moment: datetime) -> dict:
    provider, model, provider_model = PROVIDERS[i % len(PROVIDERS)]
    zone = ZONES[i % len(ZONES)]
    local = moment.astimezone(timezone(_offset(zone)))
    stamp = local.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    status = ("ok", "ok", "error", "aborted", "ok")[i % 5]
    priced = provider in ("openai", "anthropic")
    line = written_line(timestamp=stamp, request_id=f"{i:032x}", provider=provider, model=model,
                        provider_model=provider_model, status=status,
                        cost_usd=(i % 7 + 1) * 0.000123 if priced else None,
                        cost_provenance=("computed", "estimated")[i % 2] if priced else "unpriced",
                        response_ms=None if i % 11 == 0 else 37.5 + (i * 97) % 9000, ttft_ms=(i * 13) % 700 or None)
    line["usage"] = None if status == "error" else {
        "prompt_tokens": 100 + i % 900, "completion_tokens": 10 + i % 300, "total_tokens": 110 + i % 900 + i % 300,
        "prompt_tokens_details": {"cached_tokens": i % 50, "cache_write_tokens": i % 3 * 10, "cache_write_1h_tokens": i % 3},
        "completion_tokens_details": {"reasoning_tokens": i % 5}}
    line["client"] = ("api", "app")[i % 2]
    line["client_app"] = ("openai-python", None, "curl")[i % 3]
    line["token"] = (None, "ci", "team")[i % 3]
    line["input_cost"] = line["cost_usd"] and line["cost_usd"] / 3
    line["output_cost"] = line["cost_usd"] and line["cost_usd"] - line["cost_usd"] / 3
    return line


def _offset(zone: str) -> timedelta:
    if zone == "Z":
        return timedelta(0)
    sign = 1 if zone[0] == "+" else -1
    return sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))


# Around Berlin's and New York's fall-back nights and Berlin's spring-forward one, 7 minutes apart
# (so range edges fall inside 15-minute slots).
DAYS = (datetime(2026, 3, 28, 20, tzinfo=timezone.utc), datetime(2026, 10, 24, 20, tzinfo=timezone.utc),
        datetime(2026, 10, 31, 22, tzinfo=timezone.utc))


def _write_ledger(path, max_bytes=10**9):
    writer = LedgerWriter(path, max_bytes)
    i = 0
    for day in DAYS:
        for step in range(300):
            writer.append(_line(i, day + timedelta(minutes=7 * step)))
            i += 1
    writer.close()
    return i


QUERIES = [
    {},
    {"granularity": "hour", "tz": "Europe/Berlin"},
    {"from": "2026-03-29", "to": "2026-03-29", "granularity": "hour", "tz": "Europe/Berlin"},
    {"from": "2026-10-25", "to": "2026-10-25", "granularity": "hour", "tz": "Europe/Berlin"},
    {"from": "2026-11-01", "to": "2026-11-02", "granularity": "hour", "tz": "America/New_York"},
    {"from": "2026-10-25T01:07:00+05:30", "to": "2026-10-26T09:53:31+05:30", "granularity": "hour", "tz": "Asia/Kolkata"},
    {"from": "2026-10-25T03:07:00+05:45", "to": "2026-11-01T11:11:11Z", "granularity": "day", "tz": "Asia/Kathmandu"},
    {"granularity": "week", "tz": "Asia/Kathmandu"},
    {"from": "2026-10-25T10:00:00Z", "to": "2026-10-25T10:05:00Z", "granularity": "hour"},
    {"from": "2026-10-25T10:01:00Z", "to": "2026-10-25T10:14:00Z", "granularity": "hour"},
    {"from": "2026-10-25T10:00:00Z", "granularity": "day", "tz": "Europe/Berlin", "provider": "openai"},
    {"to": "2026-10-25T10:20:00.500+02:00", "granularity": "day", "model": "claude-sonnet-4-5"},
    {"granularity": "day", "agentId": "ci", "client": "api", "tz": "America/New_York"},
    {"granularity": "hour", "agentId": "curl", "from": "2026-10-31T23:59:59.999Z", "to": "2026-11-01T06:00:00.001Z"},
]


def _both(path, params):
    query = parse_query(params)
    indexed_warnings, scanned_warnings = [], []
    indexed, indexed_cache = aggregate_ledger(path, query, indexed_warnings.append, with_savings=True)
    scanned, scanned_cache = scan_ledger(path, query, scanned_warnings.append, with_savings=True)
    return ((indexed.result(), indexed.documented_result(), indexed_cache.result(), indexed_warnings),
            (scanned.result(), scanned.documented_result(), scanned_cache.result(), scanned_warnings))


@pytest.fixture(scope="module")
def rotated_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "usage.jsonl"
    count = _write_ledger(path, max_bytes=60_000)
    return path, count


@pytest.mark.parametrize("params", QUERIES, ids=[json.dumps(q) for q in QUERIES])
def test_the_index_answers_exactly_what_the_line_scan_answers(rotated_ledger, params):
    path, _ = rotated_ledger
    indexed, scanned = _both(path, params)
    assert indexed == scanned


def test_the_rotated_ledger_is_indexed_whole_by_the_writer_and_the_cells_count_every_line(rotated_ledger):
    path, count = rotated_ledger
    assert len(list(path.parent.glob("usage.jsonl.*"))) > 3
    indexed, _ = _both(path, {})
    assert indexed[0]["summary"]["requests"] == count == 900
    assert indexed[0]["summary"]["unpriced_requests"] == 450  # groq and the provider-less lines
    assert indexed[0]["summary"]["errors"] == 180 and indexed[0]["summary"]["aborted"] == 180
    db = LedgerIndex(path).db
    assert db.execute("SELECT sum(requests) FROM cells WHERE level = 0").fetchone() == (900,)
    assert db.execute("SELECT sum(requests) FROM cells WHERE level = 1").fetchone() == (900,)
    assert db.execute("SELECT sum(requests) FROM cells WHERE level = 2").fetchone() == (900,)


def test_the_index_is_beside_the_ledger_readable_by_its_owner_only(rotated_ledger):
    path, _ = rotated_ledger
    assert index_path(path) == path.with_name("usage.index.sqlite")
    assert stat.S_IMODE(index_path(path).stat().st_mode) == 0o600


@pytest.fixture
def ledger(tmp_path):
    """The same 900 lines written as the writer writes them, without it (quicker; its index is built on first read)."""
    path = tmp_path / "usage.jsonl"
    lines = (_line(i, day + timedelta(minutes=7 * step)) for i, (day, step) in
             enumerate((day, step) for day in DAYS for step in range(300)))
    path.write_text("".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines))
    return path


def _requests(path) -> int:
    warnings = []
    aggregator, _ = aggregate_ledger(path, parse_query({}), warnings.append)
    return aggregator.result()["summary"]["requests"]


def test_lines_appended_by_another_writer_are_caught_up_from_the_recorded_offset(ledger):
    extra = [_line(1000 + i, DAYS[1] + timedelta(minutes=i)) for i in range(5)]
    with ledger.open("a") as file:
        file.write("".join(json.dumps(line) + "\n" for line in extra))
    assert _requests(ledger) == 905
    assert _both(ledger, {"granularity": "hour"})[0] == _both(ledger, {"granularity": "hour"})[1]


def test_a_shortened_ledger_is_rebuilt(ledger):
    _requests(ledger)
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:100]))
    assert _requests(ledger) == 100


def test_a_ledger_replaced_by_another_file_is_rebuilt(ledger):
    _requests(ledger)
    replacement = ledger.with_name("edited.jsonl")
    replacement.write_bytes(b"".join(ledger.read_bytes().splitlines(keepends=True)[:-10]))
    replacement.replace(ledger)  # as an editor saves: a new file under the old name
    assert _requests(ledger) == 890


def test_a_line_edited_in_place_is_seen_by_the_mtime_and_the_index_rebuilt(ledger):
    _requests(ledger)
    data = ledger.read_bytes()
    edited = data.replace(b'"status":"aborted"', b'"status":"error"  ', 1)
    assert len(edited) == len(data)
    before = ledger.stat().st_mtime_ns
    ledger.write_bytes(edited)
    os.utime(ledger, ns=(before + 10**9, before + 10**9))
    indexed, scanned = _both(ledger, {})
    assert indexed == scanned and indexed[0]["summary"]["aborted"] == 179


def test_a_hand_edit_the_checks_cannot_see_is_fixed_by_reindex(ledger):
    _requests(ledger)
    data = ledger.read_bytes()
    info = ledger.stat()
    ledger.write_bytes(data.replace(b'"status":"aborted"', b'"status":"error"  ', 1))
    os.utime(ledger, ns=(info.st_atime_ns, info.st_mtime_ns))  # same size, same mtime, same last line
    stale, scanned = _both(ledger, {})
    assert stale[0]["summary"]["aborted"] == 180 and scanned[0]["summary"]["aborted"] == 179
    assert reindex(ledger, progress=lambda message: None) == 900
    assert _both(ledger, {})[0] == scanned


def test_a_removed_rotated_file_makes_the_index_rebuild(tmp_path):
    path = tmp_path / "usage.jsonl"
    _write_ledger(path, max_bytes=60_000)
    before = _requests(path)
    oldest = max(path.parent.glob("usage.jsonl.*"), key=lambda p: int(p.suffix[1:]))
    removed = len(oldest.read_bytes().splitlines())
    oldest.unlink()
    assert _requests(path) == before - removed


def test_bad_lines_give_the_scan_s_warnings_and_a_torn_last_line_is_named(tmp_path):
    path = tmp_path / "usage.jsonl"
    good = [json.dumps(_line(i, DAYS[0] + timedelta(minutes=i))) for i in range(3)]
    path.write_text(f"{good[0]}\n{{\"timestamp\": oops\n{good[1]}\n[1, 2]\n{good[2]}\n" + good[0][:40])
    indexed, scanned = _both(path, {})
    assert indexed == scanned
    assert indexed[3] == [
        f"{path}:2: not valid JSON (Expecting value: line 1 column 15 (char 14)); skipped",
        f"{path}:4: not a ledger record (expected a JSON object, got [1,2]); skipped",
        f"{path}:6: incomplete last line (the writer stopped mid-line); skipped",
    ]


def test_more_than_ten_bad_lines_are_counted_as_the_scan_counts_them(tmp_path):
    path = tmp_path / "usage.jsonl"
    path.write_text("".join(f"not json {i}\n" for i in range(14)))
    indexed, scanned = _both(path, {})
    assert indexed[3] == scanned[3] and indexed[3][-1] == f"{path}: 4 more bad lines skipped"


def test_a_writer_does_not_wait_for_a_reader_holding_the_index_and_the_line_is_caught_up(ledger):
    reader = LedgerIndex(ledger)
    reader.refresh()
    reader.db.execute("BEGIN IMMEDIATE")
    writer = LedgerWriter(ledger, 10**9)
    writer.append(_line(5000, DAYS[2]))
    assert writer.index_errors == 0
    reader.db.execute("ROLLBACK")
    writer.append(_line(5001, DAYS[2]))
    writer.close()
    assert LedgerIndex(ledger).db.execute("SELECT sum(requests) FROM cells WHERE level = 0").fetchone() == (902,)
    assert _requests(ledger) == 902


def test_a_missing_index_is_rebuilt_with_progress_lines(ledger, monkeypatch):
    for suffix in ("", "-wal", "-shm"):
        index_path(ledger).with_name(index_path(ledger).name + suffix).unlink(missing_ok=True)
    monkeypatch.setattr(index_module, "PROGRESS_BYTES", 0)
    said = []
    aggregate_ledger(ledger, parse_query({}), lambda message: None, progress=said.append)
    size_mb = ledger.stat().st_size / 1e6
    assert said[0] == f"indexing the ledger (no index yet): {size_mb:,.0f} MB in 1 file(s) into {index_path(ledger)}"
    assert said[-1].startswith("indexed 900 lines in ")


def test_an_index_that_cannot_be_opened_answers_from_the_lines_with_a_warning(ledger):
    for suffix in ("", "-wal", "-shm"):
        index_path(ledger).with_name(index_path(ledger).name + suffix).unlink(missing_ok=True)
    index_path(ledger).mkdir()  # a folder where the database should be
    warnings = []
    aggregator, _ = aggregate_ledger(ledger, parse_query({}), warnings.append)
    assert aggregator.result()["summary"]["requests"] == 900
    assert warnings[0].startswith(f"the ledger index cannot be used ({index_path(ledger)}: ")
    assert warnings[0].endswith("; reading every line instead")


def test_lines_the_index_checked_read_back_as_a_full_check_reads_them(tmp_path):
    path = tmp_path / "usage.jsonl"
    good = [json.dumps(_line(i, DAYS[1] + timedelta(minutes=i)), separators=(",", ":")) for i in range(6)]
    too_long = json.dumps(_line(3, DAYS[1]) | {"model": "x" * 201})
    path.write_text(f"{good[0]}\n{good[1]}\n{{\"cost_usd\": oops\n{good[2]}\n{too_long}\n{good[4]}\n{good[5]}\n")
    checked = checked_lines(path)
    assert checked == {path: (path.stat().st_size, frozenset({3, 5}))}
    with_index, without = [], []
    assert list(read_records([path], with_index.append, checked=checked)) == list(read_records([path], without.append))
    assert with_index == without and len(without) == 2


def test_a_file_with_more_bad_lines_than_are_kept_is_checked_line_by_line(tmp_path):
    path = tmp_path / "usage.jsonl"
    path.write_text("".join(f"not json {i}\n" for i in range(12)))
    assert checked_lines(path) == {}


def test_a_writer_whose_index_cannot_be_opened_still_appends_and_warns_once(tmp_path, caplog):
    path = tmp_path / "usage.jsonl"
    index_path(path).mkdir()
    writer = LedgerWriter(path, 10**9)
    with caplog.at_level("WARNING", logger="llms.ledger"):
        writer.append(_line(1, DAYS[0]))
        writer.append(_line(2, DAYS[0]))
    writer.close()
    assert len(path.read_text().splitlines()) == 2 and writer.index_errors == 1
    [warning] = [r.message for r in caplog.records]
    assert warning.startswith(f"the ledger index cannot be written ({index_path(path)}: ")


def test_a_rebuild_hands_the_old_cells_pages_back_to_the_disk(ledger):
    for _ in range(3):
        reindex(ledger, progress=lambda message: None)
    db = LedgerIndex(ledger).db
    (pages,), = db.execute("PRAGMA page_count")
    (free,), = db.execute("PRAGMA freelist_count")
    assert free * 3 <= pages
