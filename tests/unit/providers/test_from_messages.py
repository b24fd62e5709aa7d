import json

import pytest

from llms.providers.anthropic import WIRE as ANTHROPIC
from llms.providers.base import ProviderError, Target
from llms.providers.from_messages import MessagesEvents, chat_body, effort_for, message_of, usage_of
from llms.providers.translation import Refused

IMAGE = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
PDF = {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"}


def test_system_blocks_keep_cache_control_and_user_blocks_become_chat_parts():
    chat = chat_body({"model": "m", "max_tokens": 50, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Look", "cache_control": {"type": "ephemeral"}},
        {"type": "image", "source": IMAGE},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
        {"type": "document", "source": PDF, "title": "a.pdf"},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain"}}]}],
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]})
    assert chat["messages"] == [
        {"role": "system", "content": [{"type": "text", "text": "Be brief.",
                                        "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
        {"role": "user", "content": [
            {"type": "text", "text": "Look", "cache_control": {"type": "ephemeral"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0x", "filename": "a.pdf"}},
            {"type": "text", "text": "plain"}]}]
    assert chat["max_completion_tokens"] == 50


def test_tool_use_and_tool_results_become_tool_calls_and_tool_messages_results_first():
    chat = chat_body({"model": "m", "max_tokens": 50, "messages": [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Checking."},
                                          {"type": "tool_use", "id": "toolu_1", "name": "w", "input": {"c": "Oslo"}},
                                          {"type": "tool_use", "id": "toolu_2", "name": "w", "input": {"c": "Rome"}}]},
        {"role": "user", "content": [{"type": "text", "text": "Thanks"},
                                     {"type": "tool_result", "tool_use_id": "toolu_1", "content": "snow"},
                                     {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": True,
                                      "content": [{"type": "text", "text": "timeout"}]}]}]})
    assert chat["messages"][1:] == [
        {"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "toolu_1", "type": "function", "function": {"name": "w", "arguments": '{"c": "Oslo"}'}},
            {"id": "toolu_2", "type": "function", "function": {"name": "w", "arguments": '{"c": "Rome"}'}}]},
        {"role": "tool", "tool_call_id": "toolu_1", "content": "snow"},
        {"role": "tool", "tool_call_id": "toolu_2", "content": "Error: timeout"},
        {"role": "user", "content": [{"type": "text", "text": "Thanks"}]}]


def test_signed_thinking_is_kept_as_thinking_blocks_for_anthropic_and_unsigned_as_reasoning_only():
    signed = {"type": "thinking", "thinking": "Hmm.", "signature": "c2ln"}
    chat = chat_body({"model": "m", "max_tokens": 50, "messages": [
        {"role": "user", "content": "Q"},
        {"role": "assistant", "content": [signed, {"type": "text", "text": "A"}]},
        {"role": "user", "content": "Q2"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "Ours.", "signature": ""},
                                          {"type": "text", "text": "B"}]},
        {"role": "user", "content": "Q3"}]})
    assert chat["messages"][1] == {"role": "assistant", "content": "A", "reasoning_content": "Hmm.",
                                   "thinking_blocks": [signed]}
    assert chat["messages"][3] == {"role": "assistant", "content": "B", "reasoning_content": "Ours."}
    # the Anthropic wire sends the signed block back first in its turn
    sent = ANTHROPIC.build_request(Target("a", "https://x", "k", "claude"), chat, stream=False).json
    assert sent["messages"][1]["content"][0] == signed


def test_tools_tool_choice_thinking_metadata_and_sampling_fields_map_to_their_chat_fields():
    chat = chat_body({"model": "m", "max_tokens": 9000, "stream": True, "temperature": 0.2, "top_p": 0.9, "top_k": 5,
                      "stop_sequences": ["END"], "metadata": {"user_id": "u-1"},
                      "tools": [{"name": "w", "description": "Weather", "input_schema": {"type": "object"},
                                 "cache_control": {"type": "ephemeral"}}],
                      "tool_choice": {"type": "tool", "name": "w", "disable_parallel_tool_use": True},
                      "thinking": {"type": "enabled", "budget_tokens": 8192},
                      "messages": [{"role": "user", "content": "hi"}]})
    assert {k: v for k, v in chat.items() if k != "messages"} == {
        "model": "m", "max_completion_tokens": 9000, "temperature": 0.2, "top_p": 0.9, "top_k": 5, "stream": True,
        "stop": ["END"], "user": "u-1",
        "tools": [{"type": "function", "function": {"name": "w", "parameters": {"type": "object"},
                                                    "description": "Weather"}, "cache_control": {"type": "ephemeral"}}],
        "tool_choice": {"type": "function", "function": {"name": "w"}}, "parallel_tool_calls": False,
        "reasoning_effort": "medium"}


@pytest.mark.parametrize("budget, effort", [(1024, "low"), (1025, "medium"), (8192, "medium"), (8193, "high")])
def test_a_thinking_budget_takes_the_smallest_effort_that_covers_it(budget, effort):
    assert effort_for(budget) == effort


@pytest.mark.parametrize("thinking", [{"type": "disabled"}, {"type": "adaptive"}])
def test_thinking_off_or_adaptive_asks_for_no_effort(thinking):
    assert "reasoning_effort" not in chat_body({"model": "m", "messages": [], "thinking": thinking})


@pytest.mark.parametrize("tier, asked", [("auto", "auto"), ("standard_only", "default")])
def test_service_tier_is_the_chat_service_tier(tier, asked):
    assert chat_body({"model": "m", "messages": [], "service_tier": tier})["service_tier"] == asked


@pytest.mark.parametrize("body, param", [
    ({"service_tier": "priority"}, "service_tier"),
    ({"container": "c"}, "container"),
    ({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}, "tools[0].type"),
    ({"metadata": {"user_id": "u", "team": "x"}}, "metadata.team"),
    ({"messages": [{"role": "user", "content": [{"type": "search_result", "source": "s"}]}]}, "messages[0].content[0].type"),
    ({"messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t",
                                                 "content": [{"type": "image", "source": IMAGE}]}]}]},
     "messages[0].content[0].content[0]"),
    ({"messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "file", "file_id": "f"}}]}]},
     "messages[0].content[0].source"),
    ({"thinking": {"type": "enabled"}}, "thinking"),
    ({"tool_choice": {"type": "sometimes"}}, "tool_choice.type")])
def test_what_chat_completions_cannot_carry_is_refused_naming_it(body, param):
    with pytest.raises(Refused) as raised:
        chat_body({"model": "m", "messages": [], **body})
    assert raised.value.param == param and raised.value.message.startswith(param)


def test_a_chat_completion_becomes_an_anthropic_message_with_anthropics_usage():
    completion = {"choices": [{"finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "Checking.", "reasoning_content": "Think.",
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "w", "arguments": '{"c": "Oslo"}'}}]}}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 340,
                  "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 50}}}
    message = message_of(completion, "gpt-claude", "groq")
    assert message["content"] == [{"type": "thinking", "thinking": "Think.", "signature": ""},
                                  {"type": "text", "text": "Checking."},
                                  {"type": "tool_use", "id": "call_1", "name": "w", "input": {"c": "Oslo"}}]
    assert (message["type"], message["role"], message["model"], message["stop_reason"]) == \
        ("message", "assistant", "gpt-claude", "tool_use")
    assert message["usage"] == {"input_tokens": 150, "cache_creation_input_tokens": 50,
                                "cache_read_input_tokens": 1000, "output_tokens": 340}


@pytest.mark.parametrize("finish, stop", [("stop", "end_turn"), ("length", "max_tokens"),
                                          ("content_filter", "refusal"), (None, "end_turn")])
def test_finish_reasons_become_stop_reasons(finish, stop):
    assert message_of({"choices": [{"finish_reason": finish, "message": {"content": "x"}}]}, "m", "p")["stop_reason"] \
        == stop


def test_tool_arguments_that_are_not_a_json_object_are_the_providers_fault():
    completion = {"choices": [{"message": {"tool_calls": [{"id": "c", "function": {"name": "w", "arguments": "[1]"}}]}}]}
    with pytest.raises(ProviderError) as raised:
        message_of(completion, "m", "groq")
    assert raised.value.kind == "malformed" and raised.value.status == 502


def chunk(delta: dict, finish_reason=None) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


def test_a_chat_stream_becomes_anthropics_event_sequence():
    events = MessagesEvents("m")
    out = events.start()
    for delta in ({"role": "assistant", "content": ""}, {"reasoning_content": "Hm"}, {"reasoning_content": "m."},
                  {"content": "Hi "}, {"content": "there"},
                  {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                   "function": {"name": "w", "arguments": ""}}]},
                  {"tool_calls": [{"index": 0, "function": {"arguments": '{"c":'}}]},
                  {"tool_calls": [{"index": 0, "function": {"arguments": '"Oslo"}'}}]}):
        out += events.feed(chunk(delta))
    out += events.feed(chunk({}, "tool_calls"))
    out += events.finish({"prompt_tokens": 10, "completion_tokens": 4})
    assert [name for name, _ in out] == [
        "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta",
        "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
        "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop"]
    assert all(payload["type"] == name for name, payload in out)
    assert out[2][1] == {"type": "content_block_start", "index": 0,
                         "content_block": {"type": "thinking", "thinking": "", "signature": ""}}
    assert out[10][1]["content_block"] == {"type": "tool_use", "id": "call_1", "name": "w", "input": {}}
    assert [p["delta"]["partial_json"] for _, p in out[11:13]] == ['{"c":', '"Oslo"}']
    assert out[14][1] == {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                          "usage": {"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                                    "output_tokens": 4}}


def test_a_fault_mid_stream_is_anthropics_error_event():
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}
    assert MessagesEvents("m").failed(error) == [("error", error)]


def test_usage_without_figures_is_zeros():
    assert usage_of(None) == {"input_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                              "output_tokens": 0}
    assert json.dumps(usage_of(None))


def test_what_claude_code_sends_is_carried_system_turns_effort_and_a_context_edit_that_clears_nothing():
    # Claude Code 2.1 to a model it does not know: adaptive thinking, output_config.effort, a system message
    # between turns, and thinking kept in full.
    chat = chat_body({"model": "m", "max_tokens": 32000, "thinking": {"type": "adaptive"},
                      "output_config": {"effort": "high"},
                      "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
                      "messages": [{"role": "user", "content": "Q"},
                                   {"role": "system", "content": "Agents: claude, Explore"},
                                   {"role": "user", "content": "Q2"}]})
    assert chat["reasoning_effort"] == "high" and chat["max_completion_tokens"] == 32000
    assert [m["role"] for m in chat["messages"]] == ["user", "system", "user"]
    assert chat["messages"][1] == {"role": "system", "content": "Agents: claude, Explore"}


def test_output_config_format_is_structured_output():
    chat = chat_body({"model": "m", "messages": [],
                      "output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}})
    assert chat["response_format"] == {"type": "json_schema", "json_schema": {"name": "output",
                                                                              "schema": {"type": "object"}}}


@pytest.mark.parametrize("body, param", [
    ({"context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}}, "context_management.edits[0]"),
    ({"context_management": {"edits": [{"type": "clear_thinking_20251015",
                                        "keep": {"type": "thinking_turns", "value": 1}}]}}, "context_management.edits[0]"),
    ({"output_config": {"effort": "max"}}, "output_config.effort"),
    ({"output_config": {"format": {"type": "json_schema"}}}, "output_config.format")])
def test_context_edits_and_output_settings_without_an_equivalent_are_refused(body, param):
    with pytest.raises(Refused) as raised:
        chat_body({"model": "m", "messages": [], **body})
    assert raised.value.param == param


def test_a_gemini_thought_signature_rides_in_the_tool_use_id_and_comes_back_to_the_call():
    signature = "Cs8BAb4+9vt/abc+de=="  # base64 as Gemini sends it, "+" "/" and padding included
    call = {"id": "call_g_0_0", "type": "function", "function": {"name": "w", "arguments": "{}"},
            "extra_content": {"google": {"thought_signature": signature}}}
    message = message_of({"choices": [{"finish_reason": "tool_calls", "message": {"tool_calls": [call]}}]}, "m", "g")
    tool_use = message["content"][0]
    assert tool_use["id"].startswith("call_g_0_0__ts_") and not set("+/=") & set(tool_use["id"])
    chat = chat_body({"model": "m", "messages": [
        {"role": "user", "content": "Q"}, {"role": "assistant", "content": [tool_use]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_use["id"], "content": "ok"}]}]})
    assert chat["messages"][1]["tool_calls"] == [call]
    assert chat["messages"][2]["tool_call_id"] == "call_g_0_0"
    streamed = MessagesEvents("m")
    streamed.start()
    start = streamed.feed(chunk({"tool_calls": [call | {"index": 0}]}))[0][1]
    assert start["content_block"]["id"] == tool_use["id"]
