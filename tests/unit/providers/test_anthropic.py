import json
from pathlib import Path

import pytest

from llms.config import ConfigError, load_config, parse_config
from llms.paths import DEFAULT_CONFIG
from llms.providers.anthropic import WIRE
from llms.providers.base import ProviderError, Target
from llms.providers.failover import target_for

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


def test_without_a_client_limit_max_tokens_is_the_models_maximum_from_the_packaged_config():
    config = load_config(DEFAULT_CONFIG, {"ANTHROPIC_API_KEY": "k"})
    anthropic = config.provider("anthropic")
    assert set(anthropic.max_output_tokens) == set(anthropic.models.values())  # every packaged Claude has one
    target = target_for(anthropic, "claude-sonnet-4-5")
    assert target.max_output_tokens == 64000
    assert WIRE.build_request(target, body(), stream=False).json["max_tokens"] == 64000
    # thinking fits inside it; a client's own limit still wins
    thinking = WIRE.build_request(target, body(reasoning_effort="high"), stream=False).json
    assert (thinking["max_tokens"], thinking["thinking"]["budget_tokens"]) == (64000, 24576)
    assert WIRE.build_request(target, body(max_tokens=10), stream=False).json["max_tokens"] == 10
    # a model without a configured maximum keeps 4096 (plus the thinking budget)
    assert WIRE.build_request(TARGET, body(reasoning_effort="low"), stream=False).json["max_tokens"] == 4096 + 1024


@pytest.mark.parametrize("limits, problem", [
    ({"claude": 0}, "providers.anthropic.max_output_tokens.claude: expected a whole number of tokens > 0, got 0"),
    ({"claude": 6.5}, "expected a whole number of tokens > 0, got 6.5"),
    ({"claude": True}, "expected a whole number of tokens > 0, got true"),
    ({"claude-9": 100}, "providers.anthropic.max_output_tokens.claude-9: expected a model of this provider's models"),
    ([100], "providers.anthropic.max_output_tokens: expected an object"),
])
def test_max_output_tokens_in_llms_json_is_checked_with_where_and_what(limits, problem):
    raw = {"providers": {"anthropic": {"type": "anthropic", "base_url": "https://api.anthropic.com/v1",
                                       "models": {"claude": "claude-sonnet-4-5-20250929"},
                                       "max_output_tokens": limits}}}
    with pytest.raises(ConfigError) as caught:
        parse_config(json.dumps(raw, indent=2), Path("llms.json"), {})
    assert problem in str(caught.value) and str(caught.value).startswith("llms.json:")


def test_max_output_tokens_may_name_the_alias_or_the_provider_model_id():
    raw = {"providers": {"anthropic": {"type": "anthropic", "base_url": "https://api.anthropic.com/v1",
                                       "models": {"claude": "claude-sonnet-4-5-20250929", "opus": "claude-opus-4-1"},
                                       "max_output_tokens": {"claude": 64000, "claude-opus-4-1": 32000}}}}
    provider = parse_config(json.dumps(raw), Path("llms.json"), {}).provider("anthropic")
    assert provider.max_output_tokens == {"claude-sonnet-4-5-20250929": 64000, "claude-opus-4-1": 32000}


def test_max_completion_tokens_wins_over_max_tokens():
    request = WIRE.build_request(TARGET, body(max_tokens=100, max_completion_tokens=50), stream=False)
    assert request.json["max_tokens"] == 50


@pytest.mark.parametrize("field, value", [("base_url", "https://evil"), ("api_key", "sk-other"), ("n", 3),
                                          ("logprobs", True), ("service_tier", "flex"), ("functions", [{}])])
def test_request_refuses_fields_it_cannot_carry_with_a_400_naming_them(field, value):
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(**{field: value}), stream=False)
    # "unsupported": failover tries the next candidate, whose wire format may carry the field.
    assert (caught.value.kind, caught.value.status, caught.value.param) == ("unsupported", 400, field)
    assert f"'{field}'" in caught.value.message and "anthropic" in caught.value.message


def test_neutral_values_and_sampling_hints_without_equivalent_are_accepted():
    request = WIRE.build_request(TARGET, body(n=1, logprobs=False, store=False, seed=7, presence_penalty=0.5,
                                              frequency_penalty=0.1, parallel_tool_calls=True), stream=False)
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


def test_audio_content_part_is_refused_as_unsupported_so_another_provider_may_take_it():
    messages = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "x"}}]}]
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(messages), stream=False)
    assert (caught.value.kind, caught.value.status, caught.value.param) == ("unsupported", 400, "messages")


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
        "role": "assistant", "content": "Hello there.", "reasoning_content": "Let me see.",
        "thinking_blocks": [{"type": "thinking", "thinking": "Let me see.", "signature": "s"}]}}]
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
        {"role": "assistant", "content": ""}, {"reasoning_content": "Hm."},
        {"thinking_blocks": [{"type": "thinking", "thinking": "Hm.", "signature": "s"}]}, {"content": "Hello"},
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


WEATHER = {"type": "function", "function": {"name": "weather", "description": "Weather in a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


@pytest.mark.parametrize("choice, expected", [
    ("auto", {"type": "auto"}), ("none", {"type": "none"}), ("required", {"type": "any"}),
    ({"type": "function", "function": {"name": "weather"}}, {"type": "tool", "name": "weather"})])
def test_tools_and_tool_choice_are_translated(choice, expected):
    request = WIRE.build_request(TARGET, body(tools=[WEATHER], tool_choice=choice), stream=False)
    assert request.json["tools"] == [{"name": "weather", "description": "Weather in a city", "input_schema": {
        "type": "object", "properties": {"city": {"type": "string"}}}}]
    assert request.json["tool_choice"] == expected


def test_parallel_tool_calls_false_disables_parallel_tool_use():
    request = WIRE.build_request(TARGET, body(tools=[WEATHER], parallel_tool_calls=False), stream=False)
    assert request.json["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    request = WIRE.build_request(TARGET, body(tools=[WEATHER], tool_choice="required", parallel_tool_calls=False),
                                 stream=False)
    assert request.json["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_tool_history_becomes_tool_use_and_one_user_turn_of_tool_results():
    messages = [{"role": "user", "content": "Weather in Paris and Rome?"},
                {"role": "assistant", "content": None, "thinking_blocks": [
                    {"type": "thinking", "thinking": "Two cities.", "signature": "sig-1"}],
                 "tool_calls": [
                    {"id": "toolu_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}},
                    {"id": "toolu_2", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Rome"}'}}]},
                {"role": "tool", "tool_call_id": "toolu_1", "content": "Sunny"},
                {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "Rain"}]}]
    request = WIRE.build_request(TARGET, body(messages, tools=[WEATHER]), stream=False)
    assert request.json["messages"][1:] == [
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Two cities.", "signature": "sig-1"},
            {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {"city": "Rome"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Sunny"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "Rain"}]}]}]


def test_cache_control_is_kept_on_system_message_and_tool_parts():
    marker = {"type": "ephemeral"}
    messages = [{"role": "system", "content": [{"type": "text", "text": "Long rules.", "cache_control": marker}]},
                {"role": "user", "content": "Hi", "cache_control": marker}]
    request = WIRE.build_request(TARGET, body(messages, tools=[{**WEATHER, "cache_control": marker}]), stream=False)
    assert request.json["system"] == [{"type": "text", "text": "Long rules.", "cache_control": marker}]
    assert request.json["messages"] == [{"role": "user", "content": [
        {"type": "text", "text": "Hi", "cache_control": marker}]}]
    assert request.json["tools"][0]["cache_control"] == marker


def test_pdf_file_part_becomes_a_document_block():
    part = {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}}
    request = WIRE.build_request(TARGET, body([{"role": "user", "content": [part]}]), stream=False)
    assert request.json["messages"][0]["content"] == [{"type": "document", "title": "a.pdf", "source": {
        "type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}]
    with pytest.raises(ProviderError, match="file_data"):
        WIRE.build_request(TARGET, body([{"role": "user", "content": [{"type": "file", "file": {"file_id": "f"}}]}]),
                           stream=False)


def test_reasoning_effort_becomes_a_thinking_budget_below_max_tokens():
    request = WIRE.build_request(TARGET, body(reasoning_effort="medium"), stream=False)
    assert request.json["thinking"] == {"type": "enabled", "budget_tokens": 8192}
    assert request.json["max_tokens"] == 4096 + 8192
    request = WIRE.build_request(TARGET, body(reasoning_effort="high", max_tokens=5000), stream=False)
    assert request.json["thinking"] == {"type": "enabled", "budget_tokens": 4999}
    assert "thinking" not in WIRE.build_request(TARGET, body(reasoning_effort="none"), stream=False).json
    with pytest.raises(ProviderError, match="'max_tokens' 500"):
        WIRE.build_request(TARGET, body(reasoning_effort="low", max_tokens=500), stream=False)


def test_json_schema_becomes_a_forced_tool_and_comes_back_as_content():
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    request = WIRE.build_request(TARGET, body(response_format={"type": "json_schema", "json_schema": {
        "name": "Person", "schema": schema}}), stream=False)
    assert request.json["tools"] == [{"name": "json_answer", "description": "Answer as Person.",
                                      "input_schema": schema}]
    assert request.json["tool_choice"] == {"type": "tool", "name": "json_answer"}
    request = WIRE.build_request(TARGET, body(response_format={"type": "json_object"}), stream=False)
    assert request.json["tools"][0]["input_schema"] == {"type": "object"}
    data = {"id": "msg_1", "content": [{"type": "tool_use", "id": "toolu_9", "name": "json_answer",
                                        "input": {"name": "Ada"}}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 1, "output_tokens": 1}}
    choice = WIRE.parse_completion(data, "claude")["choices"][0]
    assert choice == {"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
                                                                       "content": '{"name": "Ada"}'}}
    with pytest.raises(ProviderError, match="'response_format' cannot be combined with 'tools'"):
        WIRE.build_request(TARGET, body(tools=[WEATHER], response_format={"type": "json_object"}), stream=False)


def test_completion_tool_use_becomes_tool_calls_with_signed_thinking_blocks():
    thinking = {"type": "thinking", "thinking": "Need weather.", "signature": "sig-1"}
    data = {"id": "msg_1", "content": [thinking, {"type": "text", "text": "Checking."},
                                       {"type": "tool_use", "id": "toolu_1", "name": "weather",
                                        "input": {"city": "Paris"}}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 1, "output_tokens": 1}}
    choice = WIRE.parse_completion(data, "claude")["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"] == {"role": "assistant", "content": "Checking.", "reasoning_content": "Need weather.",
                                 "thinking_blocks": [thinking], "tool_calls": [
                                     {"id": "toolu_1", "type": "function",
                                      "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}]}


def test_stream_tool_use_becomes_openai_tool_call_deltas():
    stream = WIRE.new_stream("claude")
    chunks = events(
        stream, START,
        ("content_block_start", {"index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "thinking_delta", "thinking": "Hm."}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "signature_delta", "signature": "sig-1"}}),
        ("content_block_stop", {"index": 0}),
        ("content_block_start", {"index": 1, "content_block": {"type": "tool_use", "id": "toolu_1",
                                                               "name": "weather", "input": {}}}),
        ("content_block_delta", {"index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"city": '}}),
        ("content_block_delta", {"index": 1, "delta": {"type": "input_json_delta", "partial_json": '"Paris"}'}}),
        ("content_block_stop", {"index": 1}),
        ("message_delta", {"delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}}),
        ("message_stop", {}))
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "content": ""}, {"reasoning_content": "Hm."},
        {"thinking_blocks": [{"type": "thinking", "thinking": "Hm.", "signature": "sig-1"}]},
        {"tool_calls": [{"index": 0, "id": "toolu_1", "type": "function",
                         "function": {"name": "weather", "arguments": ""}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}, {}]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_stream_structured_tool_input_streams_as_content_with_stop():
    stream = WIRE.new_stream("claude")
    chunks = events(
        stream, START,
        ("content_block_start", {"index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "json_answer",
                                                               "input": {}}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'}}),
        ("message_delta", {"delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 3}}))
    assert [c["choices"][0]["delta"] for c in chunks][1:] == [{"content": '{"a": 1}'}, {}]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_a_strict_tool_stays_strict_on_anthropic():
    tools = [{"type": "function", "function": {"name": "weather", "strict": True, "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
        "additionalProperties": False}}}]
    [tool] = WIRE.build_request(TARGET, body(tools=tools), stream=False).json["tools"]
    assert tool == {"name": "weather", "strict": True, "input_schema": tools[0]["function"]["parameters"]}


STRICT_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
                 "additionalProperties": False}
STRICT_FORMAT = {"type": "json_schema", "json_schema": {"name": "Person", "strict": True, "schema": STRICT_SCHEMA}}
CLAUDE_4 = Target("anthropic", "https://api.anthropic.com/v1", "sk-ant-secret", "claude-sonnet-4-20250514")


def test_a_strict_json_schema_is_a_strict_forced_tool_before_claude_4_5():
    request = WIRE.build_request(CLAUDE_4, body(response_format=STRICT_FORMAT), stream=False).json
    assert request["tools"] == [{"name": "json_answer", "description": "Answer as Person.",
                                 "input_schema": STRICT_SCHEMA, "strict": True}]
    assert request["tool_choice"] == {"type": "tool", "name": "json_answer"}
    assert "output_config" not in request


def test_a_strict_json_schema_is_anthropics_json_output_on_claude_4_5_and_later():
    request = WIRE.build_request(TARGET, body(response_format=STRICT_FORMAT), stream=False).json
    assert request["output_config"] == {"format": {"type": "json_schema", "schema": STRICT_SCHEMA}}
    assert "tools" not in request and "tool_choice" not in request
    data = {"id": "msg_1", "content": [{"type": "text", "text": '{"name": "Ada"}'}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1}}
    assert WIRE.parse_completion(data, "claude")["choices"][0] == {
        "index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": '{"name": "Ada"}'}}


def test_a_json_schema_beside_tools_or_thinking_is_a_json_output_on_claude_4_5():
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}
    loose = {"type": "json_schema", "json_schema": {"name": "N", "schema": schema}}
    with_tools = WIRE.build_request(TARGET, body(response_format=loose, tools=[WEATHER]), stream=False).json
    assert with_tools["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    assert [tool["name"] for tool in with_tools["tools"]] == ["weather"] and "tool_choice" not in with_tools
    thinking = WIRE.build_request(TARGET, body(response_format=loose, reasoning_effort="low"), stream=False).json
    assert thinking["output_config"]["format"]["schema"] == schema and thinking["thinking"]["budget_tokens"] == 1024
    alone = WIRE.build_request(TARGET, body(response_format=loose), stream=False).json  # any schema: a forced tool
    assert (alone["tool_choice"], "output_config" in alone) == ({"type": "tool", "name": "json_answer"}, False)
    for target, kind in ((CLAUDE_4, loose), (TARGET, {"type": "json_object"})):
        with pytest.raises(ProviderError, match="'response_format' cannot be combined with 'tools'") as caught:
            WIRE.build_request(target, body(response_format=kind, tools=[WEATHER]), stream=False)
        assert (caught.value.kind, caught.value.param) == ("unsupported", "response_format")


@pytest.mark.parametrize("model, has", [
    ("claude-sonnet-4-5-20250929", True), ("claude-haiku-4-5", True), ("claude-opus-4-6", True),
    ("claude-sonnet-5", True), ("anthropic.claude-opus-4-5-20251101-v1:0", True),
    ("claude-opus-4-1-20250805", False), ("claude-sonnet-4-20250514", False), ("claude-3-5-sonnet-20241022", False),
    ("claude-3-7-sonnet-latest", False), ("my-local-model", False)])
def test_which_claude_models_take_json_outputs(model, has):
    request = WIRE.build_request(Target("anthropic", "https://api.anthropic.com/v1", "k", model),
                                 body(response_format=STRICT_FORMAT), stream=False).json
    assert ("output_config" in request) is has


@pytest.mark.parametrize("asked, sent", [("auto", "auto"), ("default", "standard_only"), ("priority", "auto")])
def test_service_tier_maps_to_anthropics_and_the_tier_that_served_comes_back(asked, sent):
    assert WIRE.build_request(TARGET, body(service_tier=asked), stream=False).json["service_tier"] == sent
    data = {"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hi"}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 5, "output_tokens": 1, "service_tier": "priority"}}
    assert WIRE.parse_completion(data, "claude")["service_tier"] == "priority"
    stream = WIRE.new_stream("claude")
    chunks = events(stream, ("message_start", {"message": {"id": "msg_1", "usage": {
        "input_tokens": 5, "output_tokens": 1, "service_tier": "standard"}}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "Hi"}}))
    assert [c["service_tier"] for c in chunks] == ["standard", "standard"]
    assert "service_tier" not in WIRE.parse_completion({**data, "usage": {"input_tokens": 5, "output_tokens": 1}}, "c")
