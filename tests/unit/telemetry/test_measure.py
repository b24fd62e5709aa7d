"""telemetry/measure.py: a recorder record and its price as a Measure, and its GenAI semantic-convention names."""

from __future__ import annotations

from llms.ledger.schema import recorder_record
from llms.telemetry.measure import measure_of, metric_attributes, provider_name, span_attributes, span_name, token_counts

USAGE = {"prompt_tokens": 1300, "completion_tokens": 340, "total_tokens": 1640,
         "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 200, "cache_write_1h_tokens": 50},
         "completion_tokens_details": {"reasoning_tokens": 0}}


def record(**changes) -> dict:
    fields = dict(request_id="a" * 32, timestamp="2026-12-02T01:02:03.456+01:00", client="api",
                  client_app="claude-code", token=None, ip_address="127.0.0.1", provider="anthropic",
                  model="sonnet", alias="sonnet", provider_model="claude-sonnet-4-5", endpoint="/v1/chat/completions",
                  is_streaming=True, status="ok", http_status=200, error=None, finish_reason="stop", usage=USAGE,
                  response_ms=1500.0, ttft_ms=250.0, messages=[{"role": "user", "content": "secret prompt"}],
                  output_text="the answer", reasoning_text=None)
    return recorder_record(**(fields | changes))


COST = {"cost_usd": 0.0065625, "provenance": "computed", "prices": None}


def test_a_record_becomes_times_in_seconds_and_epoch_nanoseconds():
    measure = measure_of(record(), "sonnet", USAGE, COST)
    assert measure.start_ns == 1796169723456000000  # 2026-12-02T00:02:03.456Z
    assert (measure.duration_s, measure.ttft_s) == (1.5, 0.25)
    assert measure.error_type is None


def test_token_kinds_are_totals_with_their_parts():
    assert token_counts(USAGE) == {"input": 1300, "cached": 1000, "cache_write": 200, "output": 340, "reasoning": 0}
    assert token_counts({"prompt_tokens": 5, "completion_tokens": 2}) == {
        "input": 5, "cached": 0, "cache_write": 0, "output": 2, "reasoning": 0}
    assert token_counts(None) == {}


def test_span_attributes_follow_the_genai_conventions_and_carry_no_text():
    measure = measure_of(record(), "sonnet", USAGE, COST)
    assert span_name(measure) == "chat sonnet"
    assert span_attributes(measure) == {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "sonnet",
        "gen_ai.response.model": "claude-sonnet-4-5", "gen_ai.usage.input_tokens": 1300,
        "gen_ai.usage.output_tokens": 340, "gen_ai.usage.cache_read.input_tokens": 1000,
        "gen_ai.usage.cache_creation.input_tokens": 200, "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.response.time_to_first_chunk": 0.25, "llms.request_id": "a" * 32, "llms.provider": "anthropic",
        "llms.model": "sonnet", "llms.status": "ok", "llms.streaming": True, "llms.client_app": "claude-code",
        "llms.cost_usd": 0.0065625, "llms.cost_provenance": "computed"}


def test_a_failed_or_left_request_names_its_error_type():
    failed = measure_of(record(status="error", http_status=429, error="rate limited", usage=None, ttft_ms=None,
                               finish_reason=None), "sonnet", None, {"cost_usd": None, "provenance": None})
    assert metric_attributes(failed)["error.type"] == "429"
    assert "gen_ai.usage.input_tokens" not in span_attributes(failed)
    left = measure_of(record(status="aborted", error="the client closed the connection"), "sonnet", USAGE, COST)
    assert metric_attributes(left)["error.type"] == "aborted"


def test_provider_ids_map_to_the_conventions_well_known_names():
    assert [provider_name(p) for p in ("openai", "gemini", "xai", "mistral", "groq", None)] == [
        "openai", "gcp.gemini", "x_ai", "mistral_ai", "groq", "unknown"]
