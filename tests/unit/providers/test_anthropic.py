import json

import pytest

from llms.providers.anthropic import WIRE
from llms.providers.base import ProviderError, Target

TARGET = Target("anthropic", "https://api.anthropic.com/v1", "sk-ant-secret", "claude-sonnet-4-5-20250929")
PNG = "iVBORw0KGgo="


def body(messages=None, **extra):
    return {"model": "claude", "messages": messages or [{"role": "user", "content": "Hi"}], **extra}


def events(stream, *pairs):
    chunks = []
    for name, payload in pairs:
        chunks += stream.feed(name, json.dumps({"type": name, **payload}))
    return chunks


def test_request_goes_to_messages_with_key_version_and_content_type():
    request = WIRE.build_request(TARGET, body(), stream=False)
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.headers == {"x-api-key": "sk-ant-secret", "anthropic-version": "2023-06-01",
                               "content-type": "application/json"}
    assert request.json == {"model": "claude-sonnet-4-5-20250929", "max_tokens": 4096,
                            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]}


def test_request_maps_system_sampling_stop_and_max_tokens():
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "system", "content": [{"type": "text", "text": "Be kind."}]},
                {"role": "user", "content": "Hi"}]
    request = WIRE.build_request(TARGET, body(messages, temperature=0.5, top_p=0.9, stop="END", max_tokens=100,
                                              user="u1"), stream=True)
    assert request.json["system"] == "Be brief.\n\nBe kind."
    assert request.json["temperature"] == 0.5 and request.json["top_p"] == 0.9
    assert request.json["stop_sequences"] == ["END"]
    assert request.json["max_tokens"] == 100
    assert request.json["metadata"] == {"user_id": "u1"}
    assert request.json["stream"] is True
    assert all(message["role"] != "system" for message in request.json["messages"])


def test_max_completion_tokens_wins_over_max_tokens():
    request = WIRE.build_request(TARGET, body(max_tokens=100, max_completion_tokens=50), stream=False)
    assert request.json["max_tokens"] == 50


def test_request_drops_fields_that_could_redirect_the_call_or_swap_keys():
    request = WIRE.build_request(TARGET, body(base_url="https://evil", api_key="sk-other", n=3,
                                              extra_headers={"x-api-key": "sk-other"}), stream=False)
    assert set(request.json) == {"model", "messages", "max_tokens"}
    assert request.headers["x-api-key"] == "sk-ant-secret"


def test_data_url_images_become_base64_blocks_and_same_role_messages_merge():
    messages = [{"role": "user", "content": "Look:"},
                {"role": "user", "content": [{"type": "text", "text": "this"},
                                             {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]},
                {"role": "assistant", "content": "A cat."},
                {"role": "assistant", "content": "Grey."}]
    request = WIRE.build_request(TARGET, body(messages), stream=False)
    assert request.json["messages"] == [
        {"role": "user", "content": [
            {"type": "text", "text": "Look:"}, {"type": "text", "text": "this"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A cat."}, {"type": "text", "text": "Grey."}]}]


def test_unsupported_content_part_is_refused_as_a_bad_request():
    messages = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "x"}}]}]
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(messages), stream=False)
    assert (caught.value.kind, caught.value.status) == ("http", 400)


def test_completion_joins_text_and_keeps_thinking_as_reasoning_content():
    data = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "thinking", "thinking": "Let me see.", "signature": "s"},
                        {"type": "text", "text": "Hello "}, {"type": "text", "text": "there."}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 100, "output_tokens": 340, "cache_read_input_tokens": 1000,
                      "cache_creation_input_tokens": 100,
                      "cache_creation": {"ephemeral_5m_input_tokens": 60, "ephemeral_1h_input_tokens": 40}}}
    result = WIRE.parse_completion(data, "claude")
    assert result["object"] == "chat.completion" and result["model"] == "claude" and result["id"] == "msg_1"
    assert result["choices"] == [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "Hello there.", "reasoning_content": "Let me see."}}]
    assert result["usage"] == {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
                               "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 100,
                                                         "cache_write_1h_tokens": 40},
                               "completion_tokens_details": {"reasoning_tokens": 0}}


@pytest.mark.parametrize("stop_reason, finish_reason", [
    ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"),
    ("refusal", "content_filter")])
def test_stop_reason_maps_to_finish_reason(stop_reason, finish_reason):
    data = {"content": [], "stop_reason": stop_reason, "usage": {"input_tokens": 1, "output_tokens": 1}}
    assert WIRE.parse_completion(data, "c")["choices"][0]["finish_reason"] == finish_reason


def test_completion_without_content_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.parse_completion({"id": "msg_1", "type": "message"}, "c")
    assert (caught.value.kind, caught.value.status) == ("malformed", 502)
    assert caught.value.message.startswith("anthropic sent a malformed message")


def test_completion_with_non_numeric_usage_is_malformed():
    with pytest.raises(ProviderError, match="malformed usage"):
        WIRE.parse_completion({"content": [], "usage": {"input_tokens": "ten"}}, "c")


START = ("message_start", {"message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [],
                                       "usage": {"input_tokens": 100, "cache_read_input_tokens": 1000,
                                                 "cache_creation_input_tokens": 100, "output_tokens": 1}}})


def test_stream_translates_text_and_thinking_and_keeps_the_last_cumulative_usage():
    stream = WIRE.new_stream("claude")
    chunks = events(
        stream, START,
        ("content_block_start", {"index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "thinking_delta", "thinking": "Hm."}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "signature_delta", "signature": "s"}}),
        ("content_block_stop", {"index": 0}),
        ("ping", {}),
        ("content_block_start", {"index": 1, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"index": 1, "delta": {"type": "text_delta", "text": "Hello"}}),
        ("message_delta", {"delta": {"stop_reason": None}, "usage": {"output_tokens": 200}}),
        ("content_block_delta", {"index": 1, "delta": {"type": "text_delta", "text": " there"}}),
        ("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": 340}}),
        ("message_stop", {}))
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "content": ""}, {"reasoning_content": "Hm."}, {"content": "Hello"},
        {"content": " there"}, {}]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["model"] == "claude" and c["id"] == "msg_1" and "usage" not in c for c in chunks)
    final = stream.finish()
    assert final["choices"] == [] and final["model"] == "claude"
    # output 340 is the last message_delta, not 1 + 200 + 340; the input side comes from message_start.
    assert final["usage"] == {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
                              "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 100},
                              "completion_tokens_details": {"reasoning_tokens": 0}}


def test_stream_message_delta_with_input_counts_replaces_message_start_counts():
    stream = WIRE.new_stream("claude")
    events(stream, START, ("message_delta", {"delta": {"stop_reason": "end_turn"}, "usage": {
        "input_tokens": 150, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": None,
        "output_tokens": 10}}), ("message_stop", {}))
    usage = stream.finish()["usage"]
    assert usage["prompt_tokens"] == 150 + 1000 + 100
    assert usage["completion_tokens"] == 10


def test_stream_without_message_stop_is_cut():
    stream = WIRE.new_stream("claude")
    events(stream, START, ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "Hi"}}))
    with pytest.raises(ProviderError) as caught:
        stream.finish()
    assert (caught.value.kind, caught.value.status) == ("cut", 502)


def test_stream_with_stop_reason_but_no_message_stop_is_complete():
    stream = WIRE.new_stream("claude")
    events(stream, START, ("message_delta", {"delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 5}}))
    assert stream.finish()["usage"]["completion_tokens"] == 5


def test_stream_error_event_raises_the_providers_error():
    stream = WIRE.new_stream("claude")
    with pytest.raises(ProviderError) as caught:
        events(stream, START, ("error", {"error": {"type": "overloaded_error", "message": "Overloaded"}}))
    assert (caught.value.kind, caught.value.status) == ("http", 529)
    assert caught.value.message == "Overloaded (overloaded_error)"


def test_stream_event_that_is_not_json_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.new_stream("claude").feed("message_start", "{oops")
    assert caught.value.kind == "malformed"
    assert caught.value.message.startswith("anthropic sent a malformed stream event")


def test_stream_with_non_numeric_usage_is_malformed():
    stream = WIRE.new_stream("claude")
    events(stream, START, ("message_delta", {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": "x"}}))
    with pytest.raises(ProviderError, match="malformed usage"):
        stream.finish()


def test_stream_ignores_unknown_event_types():
    assert WIRE.new_stream("claude").feed("future_event", '{"type": "future_event"}') == []


@pytest.mark.parametrize("data, message", [
    ({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
     "invalid x-api-key (authentication_error)"),
    ("upstream connect error", "upstream connect error"),
    (None, "HTTP 500"),
])
def test_error_message_is_the_providers_own(data, message):
    assert WIRE.error_message(500, data) == message
