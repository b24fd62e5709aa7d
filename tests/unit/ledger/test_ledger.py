"""The ledger: one priced line per request, no key ever, prompts only when asked, rotation, a reader that survives damage."""

import json
from pathlib import Path

import pytest

from llms.config import parse_config
from llms.ledger.reader import (PROMPT_FIELDS, RECORD_FIELDS, LedgerWriter, ledger_files, line_problem, read_records,
                         warn_unpriced_models)
from llms.server.ledger_recorder import LedgerRecorder

SECRET = "sk-secret-0123456789"
PRICE = {"input": 2.0, "output": 10.0}


class Prices(dict):
    def price_for(self, provider_id, alias):
        return self.get(provider_id, {}).get(alias)


def make_config(tmp_path: Path, **ledger):
    raw = {"providers": {"openai": {"type": "openai-compatible", "base_url": "https://api.openai.com/v1",
                                    "api_key": SECRET, "headers": {"X-Secret": SECRET},
                                    "models": {"gpt-4o": "gpt-4o-2024-08-06", "mini": "gpt-4o-mini"}}},
           "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl"), **ledger}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def record(**overrides):
    base = {"request_id": "a" * 32, "timestamp": "2026-11-23T10:00:00.000+01:00", "client": "api",
            "provider": "openai", "model": "openai/gpt-4o", "alias": "gpt-4o", "provider_model": "gpt-4o-2024-08-06",
            "endpoint": "/v1/chat/completions", "is_streaming": True, "status": "ok", "http_status": 200,
            "error": None, "finish_reason": "stop",
            "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200,
                      "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 50}},
            "response_ms": 812.5, "ttft_ms": 120.25,
            "messages": [{"role": "user", "content": "what is 2+2?"}], "output_text": "4"}
    return base | overrides


def recorder_for(tmp_path, *, prompts=False, max_bytes=10**9):
    config = make_config(tmp_path, prompts=prompts)
    writer = LedgerWriter(tmp_path / "usage.jsonl", max_bytes)
    return LedgerRecorder(config, Prices(openai={"gpt-4o": PRICE, "mini": None}), writer, prompts)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_request_becomes_one_line_with_exactly_the_documented_fields_priced_when_written(tmp_path):
    recorder_for(tmp_path)(record())
    [line] = lines(tmp_path / "usage.jsonl")
    assert tuple(line) == RECORD_FIELDS
    assert line["model"] == "gpt-4o"  # the alias, without the provider/ pin
    assert line["cost_usd"] == (1000 * 2.0 + 200 * 10.0) / 1e6
    assert line["cost_provenance"] == "computed" and line["prices"] == PRICE
    assert line["usage"]["completion_tokens_details"]["reasoning_tokens"] == 50
    assert (line["timestamp"], line["response_ms"], line["ttft_ms"]) == ("2026-11-23T10:00:00.000+01:00", 812.5, 120.25)


def test_no_line_ever_holds_a_key(tmp_path):
    recorder = recorder_for(tmp_path, prompts=True)
    recorder(record())
    recorder(record(request_id="b" * 32, status="error", error="upstream said 401", http_status=401, usage=None,
                    output_text=None, provider_model=None, alias=None))
    assert SECRET not in (tmp_path / "usage.jsonl").read_text()


def test_message_text_is_kept_only_when_prompts_is_true(tmp_path):
    recorder_for(tmp_path / "off")(record())
    recorder_for(tmp_path / "on", prompts=True)(record())
    [off] = lines(tmp_path / "off" / "usage.jsonl")
    [on] = lines(tmp_path / "on" / "usage.jsonl")
    assert not set(PROMPT_FIELDS) & set(off) and "what is 2+2?" not in json.dumps(off)
    assert on["messages"] == [{"role": "user", "content": "what is 2+2?"}] and on["output_text"] == "4"


def test_a_stream_stopped_without_usage_is_estimated_from_the_text(tmp_path):
    recorder_for(tmp_path)(record(status="aborted", usage=None, output_text="x" * 40))
    [line] = lines(tmp_path / "usage.jsonl")
    assert line["usage"]["prompt_tokens"] == 3 and line["usage"]["completion_tokens"] == 10  # ceil(chars / 4)
    assert line["cost_provenance"] == "estimated" and line["cost_usd"] == (3 * 2.0 + 10 * 10.0) / 1e6


def test_a_stopped_stream_estimate_counts_the_streamed_reasoning_as_output(tmp_path):
    # As record.js: estimateTokens(text + reasoning); ceil(41 / 4) = 11, where each alone would give 1 + 10.
    recorder_for(tmp_path)(record(status="aborted", usage=None, output_text="x", reasoning_text="r" * 40))
    [line] = lines(tmp_path / "usage.jsonl")
    assert line["usage"]["completion_tokens"] == 11 and line["usage"]["prompt_tokens"] == 3
    assert line["cost_provenance"] == "estimated" and line["cost_usd"] == (3 * 2.0 + 11 * 10.0) / 1e6


def test_a_stream_cut_after_reasoning_only_is_estimated_not_unknown(tmp_path):
    recorder_for(tmp_path)(record(status="error", error="cut", http_status=502, usage=None, output_text=None,
                                  reasoning_text="r" * 8))
    [line] = lines(tmp_path / "usage.jsonl")
    assert (line["usage"]["completion_tokens"], line["cost_provenance"]) == (2, "estimated")


def test_a_request_no_provider_answered_has_no_usage_and_an_unknown_cost(tmp_path):
    recorder_for(tmp_path)(record(status="error", error="connection refused", http_status=502, usage=None,
                                  output_text=None, provider_model=None, alias=None))
    [line] = lines(tmp_path / "usage.jsonl")
    assert line["error"] == {"message": "connection refused", "status": 502}
    assert (line["usage"], line["cost_usd"], line["cost_provenance"]) == (None, None, None)


def test_an_unpriced_model_is_recorded_as_unpriced(tmp_path):
    recorder_for(tmp_path)(record(model="mini", alias="mini", provider_model="gpt-4o-mini"))
    [line] = lines(tmp_path / "usage.jsonl")
    assert (line["cost_usd"], line["cost_provenance"], line["prices"]) == (None, "unpriced", None)


def test_rotation_by_size_keeps_every_old_file_readable_in_order(tmp_path):
    recorder = recorder_for(tmp_path, max_bytes=2000)
    for i in range(12):
        recorder(record(request_id=f"{i:032x}"))
    files = ledger_files(tmp_path / "usage.jsonl")
    assert [p.name for p in files][-2:] == ["usage.jsonl.1", "usage.jsonl"] and len(files) > 3
    assert all(p.stat().st_size <= 2000 for p in files)
    ids = [r["request_id"] for r in read_records(files, warn=lambda m: None)]
    assert ids == [f"{i:032x}" for i in range(12)]


def test_torn_last_line_and_corrupted_line_are_skipped_with_file_and_line_number(tmp_path):
    path = tmp_path / "usage.jsonl"
    good = json.dumps(record() | {"cost_usd": 1}, separators=(",", ":"))
    path.write_text(f"{good}\n{{\"timestamp\": oops\n{good}\n[1, 2]\n{good[:40]}")
    warnings = []
    records = list(read_records([path], warnings.append))
    assert len(records) == 2
    assert warnings == [
        f"{path}:2: not valid JSON (Expecting value: line 1 column 15 (char 14)); skipped",
        f"{path}:4: not a ledger record (expected a JSON object, got [1, 2]); skipped",
        f"{path}:5: incomplete last line (the writer stopped mid-line); skipped",
    ]


def written_line(**overrides) -> dict:
    """A line as LedgerWriter writes it, with `overrides` (dotted names reach into usage, error, prices)."""
    line = {"timestamp": "2026-11-23T10:00:00.000+01:00", "request_id": "b" * 32, "client": "api",
            "provider": "openai", "model": "gpt-4o", "provider_model": "gpt-4o-2024-08-06",
            "endpoint": "/v1/chat/completions", "is_streaming": True, "status": "ok", "error": None,
            "finish_reason": "stop", "usage": record()["usage"], "cost_usd": 0.004, "cost_provenance": "computed",
            "prices": dict(PRICE), "response_ms": 812.5, "ttft_ms": 120.25}
    for name, value in overrides.items():
        *parents, last = name.split(".")
        target = line
        for parent in parents:
            target = target[parent]
        target[last] = value
    return line


WRONG_TYPES = [
    ({"response_ms": "abc"}, 'response_ms: expected a number from 0 to 604800000 or null, got "abc"'),
    ({"cost_usd": "0.1"}, 'cost_usd: expected a number ≥ 0 or null, got "0.1"'),
    ({"cost_usd": -0.5}, "cost_usd: expected a number ≥ 0 or null, got -0.5"),
    ({"ttft_ms": True}, "ttft_ms: expected a number from 0 to 604800000 or null, got true"),
    ({"response_ms": 1e300}, "response_ms: expected a number from 0 to 604800000 or null, got 1e+300"),
    ({"request_id": 7}, "request_id: expected an id of letters, digits and _.:@- (at most 128), got 7"),
    ({"status": "done"}, 'status: expected one of "ok", "error", "aborted", got "done"'),
    ({"provider": 3}, "provider: expected a text of at most 200 characters or null, got 3"),
    ({"model": None}, "model: expected a text of at most 200 characters, got null"),
    ({"client": ["api"]}, 'client: expected a text of at most 200 characters or null, got ["api"]'),
    ({"usage.prompt_tokens": "1000"}, 'usage.prompt_tokens: expected a whole number ≥ 0, got "1000"'),
    ({"usage.completion_tokens": 1.5}, "usage.completion_tokens: expected a whole number ≥ 0, got 1.5"),
    ({"usage.prompt_tokens_details.cached_tokens": -1},
     "usage.prompt_tokens_details.cached_tokens: expected a whole number ≥ 0, got -1"),
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
    assert warnings == [f"{path}:1: cost_usd: expected a number ≥ 0 or null, got NaN; skipped",
                        f"{path}:2: ttft_ms: expected a number from 0 to 604800000 or null, got Infinity; skipped",
                        f"{path}:3: not a ledger record (it has no status, model); skipped"]


def test_every_line_the_recorder_writes_passes_the_readers_check(tmp_path):
    recorder = recorder_for(tmp_path, prompts=True)
    recorder(record())
    recorder(record(request_id="b" * 32, status="aborted", usage=None, output_text="x" * 40, finish_reason=None))
    recorder(record(request_id="c" * 32, status="error", error="connection refused", http_status=502, usage=None,
                    output_text=None, provider=None, provider_model=None, alias=None, ttft_ms=None))
    recorder(record(request_id="d" * 32, model="mini", alias="mini", provider_model="gpt-4o-mini"))
    assert [line_problem(line) for line in lines(tmp_path / "usage.jsonl")] == [None] * 4


def test_appending_after_a_torn_line_starts_a_new_line(tmp_path):
    path = tmp_path / "usage.jsonl"
    path.write_text('{"timestamp": "2026-11-23T10:00:00+01:00", "cut')
    recorder_for(tmp_path)(record())
    warnings = []
    assert [r["request_id"] for r in read_records([path], warnings.append)] == ["a" * 32]
    assert warnings == [f"{path}:1: not valid JSON (Invalid control character at: line 1 column 48 (char 47)); skipped"]


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


def test_each_model_without_a_price_is_warned_about_once(tmp_path):
    config = make_config(tmp_path)
    warnings = []
    warn_unpriced_models(config.enabled_providers, Prices(openai={"gpt-4o": PRICE}).price_for, warnings.append)
    assert warnings == ["no pricing configured for openai/mini: costs will show as unknown"]
