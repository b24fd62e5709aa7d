"""The ledger reader survives damage: a bad line is skipped with a warning naming file, line and field."""

import json

import pytest

from llms.ledger.analytics import Aggregator, parse_query
from llms.ledger.reader import read_records
from llms.ledger.schema import MAX_TOKENS
from llms.ledger.writer import LedgerWriter
from tests.unit.ledger.lines import record, written_line


def test_torn_last_line_and_corrupted_line_are_skipped_with_file_and_line_number(tmp_path):
    path = tmp_path / "usage.jsonl"
    good = json.dumps(record() | {"cost_usd": 1}, separators=(",", ":"))
    path.write_text(f"{good}\n{{\"timestamp\": oops\n{good}\n[1, 2]\n{good[:40]}")
    warnings = []
    records = list(read_records([path], warnings.append))
    assert len(records) == 2
    assert warnings == [
        f"{path}:2: not valid JSON (Expecting value: line 1 column 15 (char 14)); skipped",
        f"{path}:4: not a ledger record (expected a JSON object, got [1,2]); skipped",
        f"{path}:5: incomplete last line (the writer stopped mid-line); skipped",
    ]


WRONG_TYPES = [
    ({"response_ms": "abc"}, 'response_ms: expected a number from 0 to 604800000 or null, got "abc"'),
    ({"cost_usd": "0.1"}, 'cost_usd: expected a number from 0 to 100000 or null, got "0.1"'),
    ({"cost_usd": -0.5}, "cost_usd: expected a number from 0 to 100000 or null, got -0.5"),
    ({"ttft_ms": True}, "ttft_ms: expected a number from 0 to 604800000 or null, got true"),
    ({"response_ms": 1e300}, "response_ms: expected a number from 0 to 604800000 or null, got 1e+300"),
    ({"request_id": 7}, "request_id: expected an id of letters, digits and _.:@- (at most 128), got 7"),
    ({"status": "done"}, 'status: expected one of "ok", "error", "aborted", got "done"'),
    ({"provider": 3}, "provider: expected a text of at most 200 characters or null, got 3"),
    ({"model": None}, "model: expected a text of at most 200 characters, got null"),
    ({"client": ["api"]}, 'client: expected a text of at most 200 characters or null, got ["api"]'),
    ({"usage.prompt_tokens": "1000"}, 'usage.prompt_tokens: expected a whole number from 0 to 1000000000000, got "1000"'),
    ({"usage.completion_tokens": 1.5}, "usage.completion_tokens: expected a whole number from 0 to 1000000000000, got 1.5"),
    ({"usage.prompt_tokens_details.cached_tokens": -1},
     "usage.prompt_tokens_details.cached_tokens: expected a whole number from 0 to 1000000000000, got -1"),
    ({"usage.completion_tokens_details": 50}, "usage.completion_tokens_details: expected an object or null, got 50"),
    ({"usage": "lots"}, 'usage: expected an object or null, got "lots"'),
    ({"error": "boom"}, 'error: expected an object or null, got "boom"'),
    ({"cost_provenance": "guessed"},
     'cost_provenance: expected one of "reported", "computed", "estimated", "unpriced" or null, got "guessed"'),
    ({"usage.cost": "0.1"}, 'usage.cost: expected a number ≥ 0, got "0.1"'),
    ({"error": {"message": "bad gateway", "status": "502"}}, 'error.status: expected a whole number ≥ 0 or null, got "502"'),
    ({"prices.tiers": [{"above": "200000", "input": 5}]}, 'prices.tiers[0].above: expected a number ≥ 0, got "200000"'),
    ({"prices.tiers": [{"above": 200000, "output": "15"}]},
     'prices.tiers[0].output: expected a price ≥ 0 (or -1: variable), got "15"'),
    ({"prices.input": "2.5"}, 'prices.input: expected a price ≥ 0 (or -1: variable), got "2.5"'),
    ({"timestamp": "2026-11-23T10:00:00"},
     'timestamp: expected an ISO 8601 time with its offset like 2026-11-23T10:00:00.000+01:00, got "2026-11-23T10:00:00"'),
]


@pytest.mark.parametrize(("overrides", "warning"), WRONG_TYPES, ids=[w.split(":")[0] for _, w in WRONG_TYPES])
def test_a_line_with_a_field_of_the_wrong_type_is_skipped_with_a_warning_naming_line_and_field(tmp_path, overrides, warning):
    path = tmp_path / "usage.jsonl"
    good = [written_line(request_id="1"), written_line(request_id="3")]
    path.write_text("".join(json.dumps(line) + "\n" for line in (good[0], written_line(**overrides), good[1])))
    warnings = []
    assert list(read_records([path], warnings.append)) == good
    assert warnings == [f"{path}:2: {warning}; skipped"]


def test_nan_infinity_and_missing_fields_are_skipped_too(tmp_path):
    path = tmp_path / "usage.jsonl"
    line = json.dumps(written_line())
    path.write_text(line.replace('"cost_usd": 0.004', '"cost_usd": NaN') + "\n"
                    + line.replace('"ttft_ms": 120.25', '"ttft_ms": Infinity') + "\n"
                    + json.dumps({"timestamp": "2026-11-23T10:00:00.000+01:00", "request_id": "x"}) + "\n")
    warnings = []
    assert list(read_records([path], warnings.append)) == []
    assert warnings == [f"{path}:1: cost_usd: expected a number from 0 to 100000 or null, got NaN; skipped",
                        f"{path}:2: ttft_ms: expected a number from 0 to 604800000 or null, got Infinity; skipped",
                        f"{path}:3: not a ledger record (it has no status, model); skipped"]


def test_token_counts_past_the_bound_are_skipped_so_no_sum_becomes_infinity(tmp_path):
    path = tmp_path / "usage.jsonl"
    huge = [written_line(request_id="a", **{"usage.prompt_tokens": 1e308, "usage.total_tokens": 1e308}),
            written_line(request_id="b", **{"usage.prompt_tokens": 1e308, "usage.total_tokens": 1e308})]
    at_most = written_line(request_id="c", **{"usage.prompt_tokens": MAX_TOKENS, "usage.total_tokens": MAX_TOKENS})
    # An integer past the largest double: JavaScript reads it as Infinity, and math.isfinite overflows on it.
    past_doubles = json.dumps(written_line(request_id="d")).replace('"completion_tokens": 200',
                                                                    f'"completion_tokens": {10 ** 400}')
    path.write_text("".join(json.dumps(line) + "\n" for line in [*huge, at_most]) + past_doubles + "\n")
    warnings = []
    records = list(read_records([path], warnings.append))
    assert [r["request_id"] for r in records] == ["c"]
    assert warnings == [
        f"{path}:1: usage.prompt_tokens: expected a whole number from 0 to 1000000000000, got 1e+308; skipped",
        f"{path}:2: usage.prompt_tokens: expected a whole number from 0 to 1000000000000, got 1e+308; skipped",
        f"{path}:4: usage.completion_tokens: expected a whole number from 0 to 1000000000000, got Infinity; skipped"]
    aggregator = Aggregator(parse_query({"from": "2026-11-23", "to": "2026-11-23", "tz": "Europe/Berlin"}))
    for kept in records:
        aggregator.add(kept)
    summary = json.loads(json.dumps(aggregator.documented_result(), allow_nan=False))["summary"]
    assert (summary["totalCalls"], summary["totalInputTokens"]) == (1, MAX_TOKENS)


def test_since_skips_older_lines_without_parsing_them(tmp_path):
    path = tmp_path / "usage.jsonl"
    writer = LedgerWriter(path, 10**9)
    for hour in (8, 9, 10):
        writer.append({"timestamp": f"2026-11-23T{hour:02d}:00:00.000+01:00", "request_id": str(hour),
                       "model": "gpt-4o", "status": "ok"})
    writer.close()
    from datetime import datetime
    since = datetime.fromisoformat("2026-11-23T09:00:00+01:00")
    assert [r["request_id"] for r in read_records([path], print, since=since)] == ["9", "10"]


def test_the_lines_of_the_issue_are_skipped_by_name_and_the_lines_after_them_still_read(tmp_path):
    path = tmp_path / "usage.jsonl"
    bad = [written_line(request_id="space", timestamp="2026-11-23 10:00:00.000+01:00"),
           written_line(request_id="reason", finish_reason="f" * 200),
           written_line(request_id="error", status="error", error={"message": "e" * 20_000, "status": 502})]
    good = [written_line(request_id="before"), written_line(request_id="after")]
    path.write_text("".join(json.dumps(line) + "\n" for line in [good[0], *bad, good[1]]))
    warnings = []
    assert [r["request_id"] for r in read_records([path], warnings.append)] == ["before", "after"]
    assert [w.split(": expected")[0] for w in warnings] == [f"{path}:2: timestamp", f"{path}:3: finish_reason",
                                                           f"{path}:4: error.message"]
