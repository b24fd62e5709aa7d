"""The one stream-reading rule: what a streamed answer said, and when its first token came."""

import time

from llms.providers.answer import Answer, deltas


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
