"""A ledger read split between worker processes writes what one process writes: rows, order and warnings."""

import io
import json
import multiprocessing
import os
import random
from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from llms.commands import report
from llms.config import parse_config
from llms.ledger import parallel
from llms.ledger.export import csv_rows
from llms.ledger.index import checked_lines, reindex
from llms.ledger.parallel import SpanFailed, rendered, spans
from llms.ledger.reader import read_records
from tests.unit.ledger.lines import record

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _ledger(path, lines=3000, bad_every=150, torn=True):
    """`lines` lines a minute apart with a bad one every `bad_every` (not JSON, or a wrong type) and a torn end."""
    rng, text = random.Random(3), []
    for i in range(lines):
        stamp = (START + timedelta(minutes=i)).astimezone(BERLIN).isoformat(timespec="milliseconds")
        line = record(request_id=f"{i:032x}", timestamp=stamp, response_ms=round(rng.lognormvariate(7, 0.8), 1),
                      provider=rng.choice(["openai", "anthropic"]))
        line["cost_usd"] = rng.random() / 100
        if i % bad_every == 7:
            text.append('{"timestamp": oops\n' if i % 2 else json.dumps(line | {"response_ms": "abc"}) + "\n")
        else:
            text.append(json.dumps(line, separators=(",", ":")) + "\n")
    path.write_text("".join(text) + ('{"timestamp": "2026-11-23T11:30' if torn else ""))
    return path


@pytest.fixture
def small_spans(monkeypatch):
    """Spans of a few dozen lines, and workers from the first byte."""
    monkeypatch.setattr(parallel, "SPAN_BYTES", 40_000)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)


def _in_one_process(files, render, since=None, checked=None):
    warnings = []
    return render(read_records(files, warnings.append, since=since, checked=checked or {})), warnings


def _in_workers(files, render, since=None, checked=None):
    warnings = []
    return "".join(rendered(files, render, warnings.append, since=since, checked=checked or {}, workers=2)), warnings


def test_spans_start_at_line_starts_and_number_lines_as_the_reader_does(tmp_path):
    path = _ledger(tmp_path / "usage.jsonl", lines=500)
    data = path.read_bytes()
    cut = list(spans([path], 10_000, {}))
    assert len(cut) == len(data) // 10_000 + 1
    assert b"".join(data[span.start:span.end] for span in cut) == data
    assert [span.first_number for span in cut] == [data.count(b"\n", 0, span.start) + 1 for span in cut]
    assert all(span.start == 0 or data[span.start - 1:span.start] == b"\n" for span in cut)
    assert cut[-1].end == len(data) and not data.endswith(b"\n")  # the torn last line is the last span's


def test_a_file_the_index_checked_whole_without_failures_is_cut_the_same_without_counting_lines(tmp_path):
    path = _ledger(tmp_path / "usage.jsonl", lines=500, torn=False)
    size = path.stat().st_size
    counted = list(spans([path], 10_000, {path: (size - 1, frozenset())}))
    assert [span.first_number for span in spans([path], 10_000, {path: (size, frozenset())})] == [None] * len(counted)
    assert [span[:3] for span in spans([path], 10_000, {path: (size, frozenset())})] == [span[:3] for span in counted]
    assert [span.first_number for span in spans([path], 10_000, {path: (size, frozenset({3}))})] == \
        [span.first_number for span in counted]


@pytest.mark.parametrize("indexed", [False, True], ids=["unchecked", "checked by the index"])
@pytest.mark.parametrize("since", [None, START + timedelta(hours=20)], ids=["all", "since"])
def test_workers_write_what_one_process_writes_with_its_warnings(tmp_path, small_spans, indexed, since):
    # The index takes a file's lines as checked only while its failed lines are all on record (10 a file).
    first = _ledger(tmp_path / "usage.jsonl.1", lines=2500, bad_every=300 if indexed else 150, torn=False)
    second = _ledger(tmp_path / "usage.jsonl", lines=1200, bad_every=150 if indexed else 40)
    if indexed:
        reindex(tmp_path / "usage.jsonl", lambda message: None)
    checked = checked_lines(tmp_path / "usage.jsonl") if indexed else {}
    assert sorted(checked) == ([second, first] if indexed else [])
    assert not indexed or all(failed for _, failed in checked.values())
    files = [first, second]
    for render in (csv_rows, partial(report._detailed_rows, BERLIN, None, "openai")):
        text, warnings = _in_workers(files, render, since, checked)
        assert (text, warnings) == _in_one_process(files, render, since, checked)
        assert text.count("\n") > 500
    if since is None and not indexed:  # 17 bad lines, then 30 and the torn one: 10 warned a file, then a count
        assert [warnings[10], warnings[-1], len(warnings)] == [
            f"{first}: 7 more bad lines skipped", f"{second}: 21 more bad lines skipped", 22]
        assert warnings[11] == f"{second}:8: not valid JSON (Expecting value: line 1 column 15 (char 14)); skipped"
    else:
        assert warnings


def _fails_on_line_2000(records):
    for line in records:
        if line["request_id"] == f"{2000:032x}":
            raise OSError("disk read error")
    return "x"


def _exits(records):
    os._exit(3)


def test_a_worker_that_fails_stops_the_output_at_the_span_it_failed_on(tmp_path, small_spans):
    path = _ledger(tmp_path / "usage.jsonl", torn=False)
    written = []
    with pytest.raises(SpanFailed, match=rf"^{path} bytes \d+–\d+: OSError: disk read error; the output stops before these bytes$"):
        for text in rendered([path], _fails_on_line_2000, lambda message: None, since=None, checked={}, workers=2):
            written.append(text)
    assert 0 < len(written) < len(list(spans([path], parallel.SPAN_BYTES, {})))
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_stops_the_output_with_a_clear_error(tmp_path, small_spans):
    path = _ledger(tmp_path / "usage.jsonl", lines=500, torn=False)
    with pytest.raises(SpanFailed, match="a worker process ended unexpectedly"):
        list(rendered([path], _exits, lambda message: None, since=None, checked={}, workers=2))


def test_a_reader_that_stops_early_ends_the_workers(tmp_path, small_spans):
    path = _ledger(tmp_path / "usage.jsonl", torn=False)
    texts = rendered([path], csv_rows, lambda message: None, since=None, checked={}, workers=2)
    assert next(texts).count("\r\n") > 10
    texts.close()  # as `llms --report csv | head` does when head has its lines
    assert multiprocessing.active_children() == []


def test_a_small_ledger_is_read_in_this_process(tmp_path, monkeypatch):
    path = _ledger(tmp_path / "usage.jsonl")
    assert path.stat().st_size < parallel.MIN_PARALLEL_BYTES
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", None)  # a pool would fail
    assert _in_workers([path], csv_rows) == _in_one_process([path], csv_rows)


def test_a_failed_worker_ends_the_report_with_exit_1_and_what_failed(tmp_path, small_spans, monkeypatch):
    _ledger(tmp_path / "usage.jsonl", torn=False)
    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": "usage.jsonl"}}),
                          tmp_path / "llms.json", {})
    monkeypatch.setattr(report, "csv_rows", _fails_on_line_2000)  # forked workers run the patched module
    out, err = io.StringIO(), io.StringIO()
    assert report.run_report(config, "csv", None, None, None, out, err, tz=BERLIN) == 1
    stopped = err.getvalue().splitlines()[-1]
    assert stopped.startswith(f"llms: the report stopped: {tmp_path / 'usage.jsonl'} bytes ")
    assert stopped.endswith(": OSError: disk read error; the output stops before these bytes")
    first_byte = int(stopped.split(" bytes ")[1].split("–")[0])
    before = [span for span in spans([tmp_path / "usage.jsonl"], parallel.SPAN_BYTES, {}) if span.end <= first_byte]
    assert out.getvalue().split("\r\n", 1)[1] == "x" * len(before) and before  # the spans before the one that failed
