"""The one stream-reading rule: what a streamed answer said, and when its first token came."""

import time

from llms.providers.answer import Answer, deltas, served_tier, tool_call_names


def chunk(delta: dict, finish_reason=None) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


def test_time_to_first_token_starts_at_content_reasoning_or_a_tool_call_never_at_a_role_alone():
    for first in ({"content": "Hi"}, {"reasoning_content": "hmm"}, {"reasoning": "hmm"},
                  {"tool_calls": [{"index": 0, "function": {"name": "f"}}]}):
        answer = Answer(time.perf_counter())
        answer.take(chunk({"role": "assistant", "content": ""}))
        assert answer.ttft_ms is None
        answer.take(chunk(first))
        assert answer.ttft_ms is not None and answer.ttft_ms >= 0


def test_text_reasoning_and_the_last_finish_reason_are_kept_apart():
    answer = Answer(time.perf_counter())
    for piece in (chunk({"reasoning_content": "think "}), chunk({"content": "4"}), chunk({"content": "2"}, "stop"),
                  {"choices": []}):
        answer.take(piece)
    assert (answer.output_text, answer.reasoning_text, answer.finish_reason) == ("42", "think ", "stop")
    assert deltas(chunk({"content": "a", "reasoning": "b"})) == ("a", "b", False)


def test_a_streamed_answer_keeps_each_tool_calls_name_once_in_the_order_the_calls_began():
    answer = Answer(time.perf_counter())
    for piece in (chunk({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "weather", "arguments": ""}}]}),
                  chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
                  chunk({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "weather", "arguments": "{}"}}]}),
                  chunk({"tool_calls": [{"index": 1, "function": {"name": "weather", "arguments": ""}}]}),  # repeated
                  chunk({"tool_calls": [{"index": 2, "id": "c", "function": {"name": "search", "arguments": "{}"}}]}),
                  {**chunk({}, "tool_calls"), "service_tier": "flex"}):
        answer.take(piece)
    assert (answer.tool_calls, answer.service_tier) == (["weather", "weather", "search"], "flex")
    plain = Answer(time.perf_counter())
    plain.take(chunk({"content": "Hi"}, "stop"))
    assert (plain.tool_calls, plain.service_tier) == (None, None)


def test_a_completions_tool_calls_are_named_over_its_choices_legacy_function_call_included():
    completion = {"choices": [
        {"message": {"tool_calls": [{"type": "function", "function": {"name": "weather", "arguments": "{}"}},
                                    {"type": "function", "function": {"name": "search", "arguments": "{}"}}]}},
        {"message": {"function_call": {"name": "lookup", "arguments": "{}"}}},
        {"message": {"content": "no call"}}]}
    assert tool_call_names(completion) == ["weather", "search", "lookup"]
    assert tool_call_names({"choices": [{"message": {"content": "Hi"}}]}) is None


def test_the_served_tier_is_the_providers_else_the_one_asked_for():
    assert served_tier("default", {"service_tier": "auto"}) == "default"
    assert served_tier(None, {"service_tier": "flex"}) == "flex"
    assert served_tier(None, {}) is None and served_tier(3, {"service_tier": None}) is None
