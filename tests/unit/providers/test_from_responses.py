import base64
import json

import pytest

from llms.providers.from_responses import ENCRYPTED_PREFIX, ResponseEvents, chat_body, response_of, usage_of
from llms.providers.translation import Refused

TOOL = {"type": "function", "name": "w", "description": "Weather", "strict": True,
        "parameters": {"type": "object", "properties": {"c": {"type": "string"}}}}


def test_a_string_input_and_instructions_become_system_and_user_messages():
    chat = chat_body({"model": "m", "instructions": "Be brief.", "input": "Hi", "max_output_tokens": 100,
                      "temperature": 0.3, "top_p": 0.9, "user": "u", "metadata": {"k": "v"}, "store": True,
                      "stream": True, "parallel_tool_calls": False, "service_tier": "flex",
                      "prompt_cache_key": "p", "safety_identifier": "s"})
    assert chat == {"model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                               {"role": "user", "content": "Hi"}],
                    "max_completion_tokens": 100, "temperature": 0.3, "top_p": 0.9, "user": "u",
                    "metadata": {"k": "v"}, "stream": True, "parallel_tool_calls": False, "service_tier": "flex",
                    "prompt_cache_key": "p", "safety_identifier": "s"}


def test_items_become_chat_messages_calls_grouped_into_one_assistant_turn():
    chat = chat_body({"model": "m", "input": [
        {"type": "message", "role": "developer", "content": "Rules."},
        {"role": "user", "content": [{"type": "input_text", "text": "Look"},
                                     {"type": "input_image", "image_url": "data:image/png;base64,AA", "detail": "low"},
                                     {"type": "input_file", "file_data": "data:application/pdf;base64,JV",
                                      "filename": "a.pdf"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
        {"type": "function_call", "call_id": "call_1", "name": "w", "arguments": '{"c":"Oslo"}', "id": "fc_1"},
        {"type": "function_call", "call_id": "call_2", "name": "w", "arguments": '{"c":"Rome"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "snow"},
        {"type": "function_call_output", "call_id": "call_2", "output": [{"type": "input_text", "text": "sun"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]}]})
    assert chat["messages"] == [
        {"role": "developer", "content": "Rules."},
        {"role": "user", "content": [{"type": "text", "text": "Look"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA",
                                                                         "detail": "low"}},
                                     {"type": "file", "file": {"file_data": "data:application/pdf;base64,JV",
                                                               "filename": "a.pdf"}}]},
        {"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "w", "arguments": '{"c":"Oslo"}'}},
            {"id": "call_2", "type": "function", "function": {"name": "w", "arguments": '{"c":"Rome"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "snow"},
        {"role": "tool", "tool_call_id": "call_2", "content": "sun"},
        {"role": "assistant", "content": "Done."}]


def test_tools_tool_choice_reasoning_and_text_format_map_to_their_chat_fields():
    chat = chat_body({"model": "m", "input": "Hi", "tools": [TOOL], "tool_choice": {"type": "function", "name": "w"},
                      "reasoning": {"effort": "high", "summary": "auto"},
                      "text": {"verbosity": "low", "format": {"type": "json_schema", "name": "answer", "strict": True,
                                                              "schema": {"type": "object"}}}})
    assert chat["tools"] == [{"type": "function", "function": {"name": "w", "parameters": TOOL["parameters"],
                                                               "description": "Weather", "strict": True}}]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "w"}}
    assert chat["reasoning_effort"] == "high" and chat["verbosity"] == "low"
    assert chat["response_format"] == {"type": "json_schema", "json_schema": {"name": "answer", "schema": {
        "type": "object"}, "strict": True}}
    assert chat_body({"model": "m", "input": "Hi", "text": {"format": {"type": "json_object"}}})["response_format"] \
        == {"type": "json_object"}
    assert "response_format" not in chat_body({"model": "m", "input": "Hi", "text": {"format": {"type": "text"}}})


def test_a_reasoning_item_goes_on_the_next_assistant_turn_with_the_signed_blocks_we_sent():
    blocks = [{"type": "thinking", "thinking": "Hm.", "signature": "c2ln"}]
    encrypted = ENCRYPTED_PREFIX + base64.b64encode(json.dumps(blocks).encode()).decode()
    chat = chat_body({"model": "m", "input": [
        {"role": "user", "content": "Q"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Hm."}],
         "encrypted_content": encrypted},
        {"type": "function_call", "call_id": "c1", "name": "w", "arguments": "{}"}]})
    assert chat["messages"][1] == {"role": "assistant", "content": None, "reasoning_content": "Hm.",
                                   "thinking_blocks": blocks,
                                   "tool_calls": [{"id": "c1", "type": "function",
                                                   "function": {"name": "w", "arguments": "{}"}}]}


@pytest.mark.parametrize("body, param", [
    ({"previous_response_id": "resp_1"}, "previous_response_id"),
    ({"conversation": "conv_1"}, "conversation"),
    ({"prompt": {"id": "pmpt_1"}}, "prompt"),
    ({"background": True}, "background"),
    ({"truncation": "auto"}, "truncation"),
    ({"include": ["file_search_call.results"]}, "include[0]"),
    ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
    ({"tool_choice": {"type": "allowed_tools", "tools": []}}, "tool_choice"),
    ({"text": {"format": {"type": "grammar"}}}, "text.format.type"),
    ({"input": [{"type": "web_search_call", "id": "ws_1"}]}, "input[0].type"),
    ({"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "file_1"}]}]},
     "input[0].content[0].file_id"),
    ({"input": [{"type": "reasoning", "id": "rs", "summary": [], "encrypted_content": "gAAAA"},
                {"role": "assistant", "content": "x"}]}, "input[0].encrypted_content"),
    ({"input": [{"role": "user", "content": "x"}, {"type": "reasoning", "id": "rs", "summary": []}]}, "input[1]")])
def test_what_cannot_be_carried_is_refused_naming_it(body, param):
    with pytest.raises(Refused) as raised:
        chat_body({"model": "m", "input": "Hi", **body})
    assert raised.value.param == param and raised.value.message.startswith(param)


COMPLETION = {"choices": [{"finish_reason": "tool_calls", "message": {
    "role": "assistant", "content": "Checking.", "reasoning_content": "Think.",
    "thinking_blocks": [{"type": "thinking", "thinking": "Think.", "signature": "c2ln"}],
    "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "w", "arguments": '{"c":"Oslo"}'}}]}}],
    "usage": {"prompt_tokens": 1200, "completion_tokens": 340, "prompt_tokens_details": {"cached_tokens": 1000},
              "completion_tokens_details": {"reasoning_tokens": 120}}}


def test_a_chat_completion_becomes_a_response_with_items_and_responses_usage():
    body = {"model": "gpt-x", "input": "Hi", "include": ["reasoning.encrypted_content"], "tools": [TOOL]}
    response = response_of(COMPLETION, body)
    assert (response["object"], response["status"], response["model"], response["store"]) == \
        ("response", "completed", "gpt-x", False)
    reasoning, message, call = response["output"]
    assert reasoning["type"] == "reasoning" and reasoning["summary"] == [{"type": "summary_text", "text": "Think."}]
    assert json.loads(base64.b64decode(reasoning["encrypted_content"][len(ENCRYPTED_PREFIX):])) == \
        COMPLETION["choices"][0]["message"]["thinking_blocks"]
    assert message["content"] == [{"type": "output_text", "text": "Checking.", "annotations": [], "logprobs": []}]
    assert {k: call[k] for k in ("type", "call_id", "name", "arguments", "status")} == \
        {"type": "function_call", "call_id": "call_1", "name": "w", "arguments": '{"c":"Oslo"}', "status": "completed"}
    assert response["usage"] == {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1000,
                                                                                "cache_write_tokens": 0},
                                 "output_tokens": 340, "output_tokens_details": {"reasoning_tokens": 120},
                                 "total_tokens": 1540}
    assert response["tools"] == [TOOL]
    # without include, no encrypted_content (as OpenAI)
    assert "encrypted_content" not in response_of(COMPLETION, {"model": "m", "input": "Hi"})["output"][0]


def test_a_cut_answer_is_incomplete_with_its_reason():
    response = response_of({"choices": [{"finish_reason": "length", "message": {"content": "Half"}}]},
                           {"model": "m", "input": "Hi"})
    assert (response["status"], response["incomplete_details"]) == ("incomplete", {"reason": "max_output_tokens"})
    assert usage_of(None) is None and response["usage"] is None


def chunk(delta: dict, finish_reason=None) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


def test_a_chat_stream_becomes_responses_event_sequence():
    events = ResponseEvents({"model": "m", "input": "Hi"})
    out = events.start()
    for delta in ({"role": "assistant", "content": ""}, {"reasoning_content": "Hm."}, {"content": "Hi "},
                  {"content": "there"}, {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                         "function": {"name": "w", "arguments": ""}}]},
                  {"tool_calls": [{"index": 0, "function": {"arguments": '{"c":"Oslo"}'}}]}):
        out += events.feed(chunk(delta))
    out += events.feed(chunk({}, "tool_calls"))
    out += events.finish({"prompt_tokens": 10, "completion_tokens": 4})
    assert [name for name, _ in out] == [
        "response.created", "response.in_progress",
        "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added", "response.function_call_arguments.delta",
        "response.function_call_arguments.done", "response.output_item.done", "response.completed"]
    assert [payload["sequence_number"] for _, payload in out] == list(range(len(out)))
    assert all(payload["type"] == name for name, payload in out)
    assert [payload["output_index"] for name, payload in out if name == "response.output_item.done"] == [0, 1, 2]
    assert out[12][1]["text"] == "Hi there" and out[17][1]["arguments"] == '{"c":"Oslo"}'
    final = out[-1][1]["response"]
    assert [item["type"] for item in final["output"]] == ["reasoning", "message", "function_call"]
    assert final["status"] == "completed" and final["usage"]["total_tokens"] == 14


def test_a_stream_cut_by_length_ends_incomplete_and_a_fault_as_response_failed():
    events = ResponseEvents({"model": "m", "input": "Hi"})
    events.start()
    events.feed(chunk({"content": "Half"}, "length"))
    assert events.finish(None)[-1][0] == "response.incomplete"
    failed = ResponseEvents({"model": "m", "input": "Hi"}).failed({"error": {"message": "busy", "code": "http"}})
    assert failed[0][0] == "response.failed"
    assert failed[0][1]["response"]["error"] == {"code": "http", "message": "busy"}
    assert failed[0][1]["response"]["status"] == "failed"


def test_a_gemini_thought_signature_rides_in_the_call_id_and_comes_back_to_the_call():
    call = {"id": "call_g_0_0", "type": "function", "function": {"name": "w", "arguments": "{}"},
            "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl/+x="}}}
    item = response_of({"choices": [{"finish_reason": "tool_calls", "message": {"tool_calls": [call]}}]},
                       {"model": "m", "input": "Hi"})["output"][0]
    chat = chat_body({"model": "m", "input": [{"role": "user", "content": "Q"}, item,
                                              {"type": "function_call_output", "call_id": item["call_id"], "output": "ok"}]})
    assert chat["messages"][1]["tool_calls"] == [call]
    assert chat["messages"][2]["tool_call_id"] == "call_g_0_0"


def test_a_streamed_signed_thinking_block_ends_as_the_reasoning_items_encrypted_content():
    events = ResponseEvents({"model": "m", "input": "Hi", "include": ["reasoning.encrypted_content"]})
    events.start()
    block = {"type": "thinking", "thinking": "Hm.", "signature": "c2ln"}
    for delta in ({"reasoning_content": "Hm."}, {"thinking_blocks": [block]}, {"content": "Hi"}):
        events.feed(chunk(delta))
    reasoning = events.finish(None)[-1][1]["response"]["output"][0]
    assert reasoning["summary"] == [{"type": "summary_text", "text": "Hm."}]
    assert json.loads(base64.b64decode(reasoning["encrypted_content"][len(ENCRYPTED_PREFIX):])) == [block]
