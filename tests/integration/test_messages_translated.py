"""The official anthropic SDK through the real server's /v1/messages to providers that are not Anthropic: the
request translated into chat completions (and Gemini), the answer told back as an Anthropic message or
Anthropic's event sequence; tools round trip, thinking, stream; each request once in the ledger at the exact
cost worked out by hand."""

from __future__ import annotations

import json
import urllib.request

import anthropic
import pytest

from tests.integration.test_messages import serve
from tests.ledger_file import line_of
from tests.mock_provider import KEYS, Reply

TOKEN = "messages-translated-token"
PRICE = {"input": 1.25, "output": 10, "cached_input": 0.125}
USAGE = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
         "prompt_tokens_details": {"cached_tokens": 1000}, "completion_tokens_details": {"reasoning_tokens": 120}}
COST = (200 * 1.25 + 1000 * 0.125 + 340 * 10) / 1e6  # by hand: fresh input, cached input, output
WEATHER = {"name": "get_weather", "description": "The weather in a city.",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
CALL = {"id": "call_weather_2", "name": "get_weather", "arguments": {"city": "Oslo"}}
ANSWER = "Snow in Oslo today."
QUESTION = {"role": "user", "content": "Weather in Oslo?"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_provider):
    folder = tmp_path_factory.mktemp("messages-translated")
    config = {"providers": {
        "groq": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                 "models": {"gpt-claude": "msg-model", "gpt-claude-500": "fault-500", "claude-mixed": "msg-model"},
                 "pricing": {"gpt-claude": PRICE}},
        "google": {"type": "google", "base_url": mock_provider.url("google"), "api_key": KEYS["google"],
                   "models": {"gemini-claude": "gemini-msg"}},
        # claude-mixed: Anthropic first (overloaded), then groq above, translated
        "anthropic": {"type": "anthropic", "base_url": mock_provider.url("anthropic"), "api_key": KEYS["anthropic"],
                      "models": {"claude-mixed": "fault-529"}}}}
    server = serve(folder, config, TOKEN)
    yield server, folder / "usage.jsonl", mock_provider
    server.stop()


def client(server) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key=TOKEN, max_retries=0, timeout=20)


def answers(mock, **reply) -> None:
    mock.set_model("msg-model", Reply(usage={"openai": USAGE}, **reply))


def test_tools_round_trip_translated_to_chat_completions_and_priced_exactly(served):
    server, ledger, mock = served
    answers(mock, text="", tool_calls=[CALL])
    first = client(server).messages.create(model="gpt-claude", max_tokens=512, system="Be brief.",
                                           messages=[QUESTION], tools=[WEATHER], tool_choice={"type": "any"})
    assert first.stop_reason == "tool_use"
    call = first.content[-1]
    assert (call.type, call.id, call.name, call.input) == ("tool_use", CALL["id"], "get_weather", {"city": "Oslo"})
    sent = mock.requests[-1]
    assert sent.path == "/openai/v1/chat/completions"
    assert sent.json["messages"] == [{"role": "system", "content": "Be brief."}, QUESTION]
    assert sent.json["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "parameters": WEATHER["input_schema"], "description": WEATHER["description"]}}]
    assert (sent.json["tool_choice"], sent.json["max_completion_tokens"]) == ("required", 512)

    answers(mock, text=ANSWER)
    raw = client(server).messages.with_raw_response.create(
        model="gpt-claude", max_tokens=512, tools=[WEATHER], messages=[
            QUESTION, {"role": "assistant", "content": [block.model_dump() for block in first.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": CALL["id"], "content": "snow"}]}])
    second = raw.parse()
    assert [block.type for block in second.content] == ["text"] and second.content[0].text == ANSWER
    assert second.stop_reason == "end_turn"
    assert mock.requests[-1].json["messages"][1:] == [
        {"role": "assistant", "content": None, "tool_calls": [{"id": CALL["id"], "type": "function", "function": {
            "name": "get_weather", "arguments": json.dumps(CALL["arguments"])}}]},
        {"role": "tool", "tool_call_id": CALL["id"], "content": "snow"}]
    assert (second.usage.input_tokens, second.usage.cache_read_input_tokens, second.usage.output_tokens) == \
        (200, 1000, 340)
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert (line["endpoint"], line["client_app"], line["model"], line["provider"], line["status"]) == \
        ("/v1/messages", "anthropic-sdk-python", "gpt-claude", "groq", "ok")
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12) and line["cost_provenance"] == "computed"


def test_stream_is_anthropics_event_sequence_with_tool_input_and_thinking(served):
    server, ledger, mock = served
    answers(mock, text="Let me check.", reasoning="Oslo is in Norway.", tool_calls=[CALL])
    with client(server).messages.stream(model="gpt-claude", max_tokens=512, messages=[QUESTION], tools=[WEATHER],
                                        thinking={"type": "enabled", "budget_tokens": 2048}) as stream:
        kinds = [event.type for event in stream if not event.type.endswith(("text", "thinking", "input_json"))]
        final = stream.get_final_message()
        request_id = stream.response.headers["X-LLMS-Request-Id"]
    assert mock.requests[-1].json["reasoning_effort"] == "medium"
    def block(deltas: int) -> list[str]:
        return ["content_block_start", *["content_block_delta"] * deltas, "content_block_stop"]
    # thinking in one delta, text in one per word, the tool input in the one fragment the mock sends
    assert kinds == ["message_start", *block(1), *block(3), *block(1), "message_delta", "message_stop"]
    assert [block.type for block in final.content] == ["thinking", "text", "tool_use"]
    assert final.content[0].thinking == "Oslo is in Norway." and final.content[1].text == "Let me check."
    assert final.content[2].input == CALL["arguments"] and final.stop_reason == "tool_use"
    assert (final.usage.input_tokens, final.usage.cache_read_input_tokens, final.usage.output_tokens) == \
        (200, 1000, 340)
    line = line_of(ledger, request_id)
    assert line["is_streaming"] is True and line["finish_reason"] == "tool_calls"
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12) and line["ttft_ms"] > 0


def test_the_raw_stream_opens_with_message_start_and_ping(served):
    server, _, mock = served
    answers(mock, text=ANSWER)
    request = urllib.request.Request(server.url + "/v1/messages", data=json.dumps(
        {"model": "gpt-claude", "max_tokens": 64, "stream": True, "messages": [QUESTION]}).encode(),
        headers={"x-api-key": TOKEN, "anthropic-version": "2023-06-01", "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        names = [line[len("event: "):] for line in response.read().decode().splitlines() if line.startswith("event:")]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]


def test_translated_to_gemini(served):
    server, _, mock = served
    mock.set_model("gemini-msg", Reply(text=ANSWER, reasoning="Thought."))
    message = client(server).messages.create(model="gemini-claude", max_tokens=100, messages=[QUESTION],
                                             system=[{"type": "text", "text": "Be brief."}])
    assert [block.type for block in message.content] == ["thinking", "text"] and message.content[1].text == ANSWER
    sent = mock.requests[-1].json
    assert sent["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert sent["generationConfig"]["maxOutputTokens"] == 100


def test_a_server_tool_is_refused_in_anthropics_shape_naming_it(served):
    server, _, _ = served
    with pytest.raises(anthropic.BadRequestError) as raised:
        client(server).messages.create(model="gpt-claude", max_tokens=64, messages=[QUESTION],
                                       tools=[{"type": "web_search_20250305", "name": "web_search"}])
    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert raised.value.body["error"]["message"].startswith("tools[0].type:")
    assert "groq (openai-compatible)" in raised.value.body["error"]["message"]


def test_an_upstream_500_is_the_sdks_class_and_recorded(served):
    server, ledger, _ = served
    with pytest.raises(anthropic.InternalServerError) as raised:
        client(server).messages.create(model="gpt-claude-500", max_tokens=64, messages=[QUESTION])
    line = line_of(ledger, raised.value.response.headers["X-LLMS-Request-Id"])
    assert (line["status"], line["endpoint"]) == ("error", "/v1/messages")


def test_a_gemini_tool_round_trip_sends_the_thought_signature_back(served):
    server, _, mock = served
    mock.set_model("gemini-msg", Reply(text="", tool_calls=[CALL]))
    first = client(server).messages.create(model="gemini-claude", max_tokens=100, messages=[QUESTION], tools=[WEATHER])
    call = first.content[-1]
    assert call.type == "tool_use" and call.input == CALL["arguments"]
    mock.set_model("gemini-msg", Reply(text=ANSWER))
    client(server).messages.create(model="gemini-claude", max_tokens=100, tools=[WEATHER], messages=[
        QUESTION, {"role": "assistant", "content": [block.model_dump() for block in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "snow"}]}])
    parts = [part for turn in mock.requests[-1].json["contents"] for part in turn["parts"]]
    function_call = next(part for part in parts if "functionCall" in part)
    # Gemini 3 refuses a function-calling history without its signature (thought-signatures docs)
    assert function_call["thoughtSignature"] == mock.models["gemini-msg"].signature
    assert next(part for part in parts if "functionResponse" in part)["functionResponse"]["name"] == "get_weather"


def test_when_every_anthropic_provider_fails_the_others_serving_the_model_answer_translated(served):
    server, ledger, mock = served
    answers(mock, text=ANSWER)
    raw = client(server).messages.with_raw_response.create(model="claude-mixed", max_tokens=64, messages=[QUESTION])
    assert raw.parse().content[0].text == ANSWER and raw.headers["X-LLMS-Provider"] == "groq"
    assert [r.path for r in mock.requests[-2:]] == ["/anthropic/v1/messages", "/openai/v1/chat/completions"]
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert (line["provider"], line["status"]) == ("groq", "ok")
