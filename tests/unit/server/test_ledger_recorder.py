"""The ledger as a recorder: one priced line per request, no key ever, prompts only when asked."""

import json

from llms.ledger.schema import RECORD_FIELDS, PROMPT_FIELDS, line_problem
from tests.unit.ledger.lines import PRICE, SECRET, lines, record, recorder_for


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


def test_every_line_the_recorder_writes_passes_the_readers_check(tmp_path):
    recorder = recorder_for(tmp_path, prompts=True)
    recorder(record())
    recorder(record(request_id="b" * 32, status="aborted", usage=None, output_text="x" * 40, finish_reason=None))
    recorder(record(request_id="c" * 32, status="error", error="connection refused", http_status=502, usage=None,
                    output_text=None, provider=None, provider_model=None, alias=None, ttft_ms=None))
    recorder(record(request_id="d" * 32, model="mini", alias="mini", provider_model="gpt-4o-mini"))
    assert [line_problem(line) for line in lines(tmp_path / "usage.jsonl")] == [None] * 4
