"""The official openai SDK's `responses.create` through the real server's /v1/responses: translated to a chat
completions mock, to Anthropic and to Gemini, and passed through to a mock that speaks Responses; stream and
non-stream, a function tool round trip, and each request once in the ledger at the cost worked out by hand."""

from __future__ import annotations

import json
import urllib.request

import openai
import pytest

from tests.integration.test_messages import serve
from tests.ledger_file import line_of
from tests.mock_provider import KEYS, RETRY_AFTER_S, Reply, stream_events

TOKEN = "responses-test-token"
PRICE = {"input": 1.25, "output": 10, "cached_input": 0.125}
CLAUDE_PRICE = {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75, "cache_write_1h": 6}
CHAT_USAGE = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
              "prompt_tokens_details": {"cached_tokens": 1000}, "completion_tokens_details": {"reasoning_tokens": 120}}
RESPONSES_USAGE = {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1000}, "output_tokens": 340,
                   "output_tokens_details": {"reasoning_tokens": 120}, "total_tokens": 1540}
CLAUDE_USAGE = {"input_tokens": 100, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200,
                "cache_creation": {"ephemeral_5m_input_tokens": 150, "ephemeral_1h_input_tokens": 50},
                "output_tokens": 340}
# By hand: fresh input, cached input, output (reasoning is inside output).
COST = (200 * 1.25 + 1000 * 0.125 + 340 * 10) / 1e6
CLAUDE_COST = (100 * 3 + 1000 * 0.3 + 150 * 3.75 + 50 * 6 + 340 * 15) / 1e6
WEATHER = {"type": "function", "name": "get_weather", "description": "The weather in a city.", "strict": False,
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
CALL = {"id": "call_weather_1", "name": "get_weather", "arguments": {"city": "Paris"}}
ANSWER = "It is sunny in Paris."


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_provider):
    folder = tmp_path_factory.mktemp("responses")
    base = {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"]}
    config = {"providers": {
        # id openai: responses on by default, so /v1/responses passes through
        "openai": base | {"models": {"gpt-pass": "resp-model", "gpt-pass-429": "fault-429", "gpt-mixed": "fault-500",
                                     "gpt-pass-cut": "fault-cut"},
                          "pricing": {"gpt-pass": PRICE}},
        "chatonly": base | {"models": {"gpt-chat": "resp-model", "gpt-chat-500": "fault-500", "gpt-mixed": "resp-model",
                                       "gpt-chat-cut": "fault-cut"},
                            "pricing": {"gpt-chat": PRICE}},
        "anthropic": {"type": "anthropic", "base_url": mock_provider.url("anthropic"), "api_key": KEYS["anthropic"],
                      "models": {"claude-r": "claude-resp"}, "pricing": {"claude-r": CLAUDE_PRICE}},
        "google": {"type": "google", "base_url": mock_provider.url("google"), "api_key": KEYS["google"],
                   "models": {"gemini-r": "gemini-resp"}, "pricing": {"gemini-r": {"input": 0.3, "output": 2.5}}}}}
    server = serve(folder, config, TOKEN)
    yield server, folder / "usage.jsonl", mock_provider
    server.stop()


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key=TOKEN, max_retries=0, timeout=20)


def answers(mock, **reply) -> None:
    mock.set_model("resp-model", Reply(usage={"openai": CHAT_USAGE, "responses": RESPONSES_USAGE}, **reply))


def round_trip_input(first) -> list:
    """The second turn of a tool loop, as a stateless client sends it: the question, the model's items, the result."""
    call_id = next(item.call_id for item in first.output if item.type == "function_call")
    return [{"role": "user", "content": "Weather in Paris?"}, *[item.model_dump(exclude_none=True) for item in first.output],
            {"type": "function_call_output", "call_id": call_id, "output": json.dumps({"sky": "sunny"})}]


def test_translated_to_chat_completions_with_a_function_tool_round_trip(served):
    server, ledger, mock = served
    answers(mock, text="", tool_calls=[CALL])
    first = client(server).responses.create(model="gpt-chat", instructions="Be brief.", input="Weather in Paris?",
                                            tools=[WEATHER], tool_choice="auto", max_output_tokens=300)
    assert [item.type for item in first.output] == ["function_call"]
    call = first.output[0]
    assert (call.call_id, call.name, json.loads(call.arguments)) == (CALL["id"], "get_weather", {"city": "Paris"})
    sent = mock.requests[-1]
    assert (sent.format, sent.path) == ("openai", "/openai/v1/chat/completions")
    assert sent.json["messages"] == [{"role": "system", "content": "Be brief."},
                                     {"role": "user", "content": "Weather in Paris?"}]
    assert sent.json["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "parameters": WEATHER["parameters"], "description": WEATHER["description"],
        "strict": False}}]
    assert (sent.json["tool_choice"], sent.json["max_completion_tokens"]) == ("auto", 300)

    answers(mock, text=ANSWER)
    raw = client(server).responses.with_raw_response.create(model="gpt-chat", input=round_trip_input(first),
                                                           tools=[WEATHER])
    second = raw.parse()
    assert second.output_text == ANSWER and second.status == "completed"
    assert mock.requests[-1].json["messages"][1:] == [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": CALL["id"], "type": "function", "function": {"name": "get_weather",
                                                                "arguments": json.dumps(CALL["arguments"])}}]},
        {"role": "tool", "tool_call_id": CALL["id"], "content": json.dumps({"sky": "sunny"})}]
    usage = second.usage
    assert (usage.input_tokens, usage.input_tokens_details.cached_tokens, usage.output_tokens,
            usage.output_tokens_details.reasoning_tokens) == (1200, 1000, 340, 120)
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert (line["endpoint"], line["client_app"], line["model"], line["provider"], line["status"]) == \
        ("/v1/responses", "openai-python", "gpt-chat", "chatonly", "ok")
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12) and line["cost_provenance"] == "computed"


def test_translated_stream_is_responses_event_sequence_with_usage(served):
    server, ledger, mock = served
    answers(mock, text="", reasoning="Checking the forecast.", tool_calls=[CALL])
    stream = client(server).responses.with_raw_response.create(model="gpt-chat", input="Weather in Paris?",
                                                              tools=[WEATHER], stream=True)
    events = list(stream.parse())
    kinds = [event.type for event in events]
    assert kinds == ["response.created", "response.in_progress",
                     "response.output_item.added", "response.reasoning_summary_part.added",
                     "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
                     "response.reasoning_summary_part.done", "response.output_item.done",
                     "response.output_item.added", "response.function_call_arguments.delta",
                     "response.function_call_arguments.done", "response.output_item.done", "response.completed"]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    final = events[-1].response
    assert [item.type for item in final.output] == ["reasoning", "function_call"]
    assert final.output[0].summary[0].text == "Checking the forecast."
    assert json.loads(final.output[1].arguments) == CALL["arguments"] and final.output[1].call_id == CALL["id"]
    assert final.usage.input_tokens_details.cached_tokens == 1000
    assert final.usage.output_tokens_details.reasoning_tokens == 120
    line = line_of(ledger, stream.headers["X-LLMS-Request-Id"])
    assert line["is_streaming"] is True and line["endpoint"] == "/v1/responses"
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12) and line["ttft_ms"] > 0


def test_translated_text_stream_assembles_in_the_sdks_stream_helper(served):
    server, _, mock = served
    answers(mock, text=ANSWER)
    with client(server).responses.stream(model="gpt-chat", input="Weather?") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert final.output_text == ANSWER
    assert kinds[2:5] == ["response.output_item.added", "response.content_part.added", "response.output_text.delta"]
    assert kinds[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed"]


def test_passed_through_to_a_provider_that_speaks_responses_with_a_tool_round_trip(served):
    server, ledger, mock = served
    answers(mock, text="", tool_calls=[CALL])
    first = client(server).responses.create(model="gpt-pass", input="Weather in Paris?", tools=[WEATHER],
                                            store=False, include=["reasoning.encrypted_content"])
    assert first.output[0].type == "function_call" and first.output[0].call_id == CALL["id"]
    assert mock.requests[-1].format == "responses"
    assert mock.requests[-1].json == {"model": "resp-model", "input": "Weather in Paris?", "tools": [WEATHER],
                                      "store": False, "include": ["reasoning.encrypted_content"]}
    answers(mock, text=ANSWER)
    second_input = round_trip_input(first)
    raw = client(server).responses.with_raw_response.create(model="gpt-pass", input=second_input, tools=[WEATHER])
    assert raw.parse().output_text == ANSWER
    assert mock.requests[-1].json["input"] == second_input  # the items as the client sent them
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert (line["endpoint"], line["provider"], line["client_app"]) == ("/v1/responses", "openai", "openai-python")
    assert line["usage"]["prompt_tokens_details"]["cached_tokens"] == 1000
    assert line["usage"]["completion_tokens_details"]["reasoning_tokens"] == 120
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12)


def test_passed_through_stream_relays_the_providers_events(served):
    server, ledger, mock = served
    answers(mock, text=ANSWER, reasoning="A quick look.")
    stream = client(server).responses.with_raw_response.create(model="gpt-pass", input="Weather?", stream=True)
    kinds = [event.type for event in stream.parse()]
    sent = b"".join(stream_events("responses", "resp-model", mock.models["resp-model"], True)).decode()
    assert kinds == [line[len("event: "):] for line in sent.splitlines() if line.startswith("event:")]
    line = line_of(ledger, stream.headers["X-LLMS-Request-Id"])
    assert line["is_streaming"] is True and line["status"] == "ok"
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12) and line["ttft_ms"] > 0


def test_translated_to_anthropic_signed_reasoning_goes_back_as_encrypted_content(served):
    server, ledger, mock = served
    mock.set_model("claude-resp", Reply(text=ANSWER, reasoning="Let me think.", usage={"anthropic": CLAUDE_USAGE}))
    raw = client(server).responses.with_raw_response.create(
        model="claude-r", input="Weather?", reasoning={"effort": "low", "summary": "auto"},
        include=["reasoning.encrypted_content"])
    first = raw.parse()
    assert [item.type for item in first.output] == ["reasoning", "message"]
    assert first.output[0].summary[0].text == "Let me think." and first.output_text == ANSWER
    sent = mock.requests[-1].json
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert first.usage.input_tokens == 1300 and first.usage.input_tokens_details.cached_tokens == 1000
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert line["usage"]["prompt_tokens_details"]["cache_write_1h_tokens"] == 50
    assert line["cost_usd"] == pytest.approx(CLAUDE_COST, abs=1e-12)

    again = [{"role": "user", "content": "Weather?"}, *[item.model_dump(exclude_none=True) for item in first.output],
             {"role": "user", "content": "And tomorrow?"}]
    client(server).responses.create(model="claude-r", input=again, reasoning={"effort": "low"})
    assistant = mock.requests[-1].json["messages"][1]
    assert assistant["content"][0] == {"type": "thinking", "thinking": "Let me think.",
                                       "signature": mock.models["claude-resp"].signature}


def test_translated_to_gemini(served):
    server, _, mock = served
    mock.set_model("gemini-resp", Reply(text=ANSWER))
    answer = client(server).responses.create(model="gemini-r", instructions="Be brief.", input="Weather?",
                                             text={"format": {"type": "json_object"}})
    assert answer.output_text == ANSWER
    sent = mock.requests[-1].json
    assert sent["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert sent["generationConfig"]["responseMimeType"] == "application/json"


@pytest.mark.parametrize("fields, param", [
    ({"previous_response_id": "resp_123"}, "previous_response_id"),
    ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
    ({"include": ["message.output_text.logprobs"]}, "include[0]"),
    ({"top_logprobs": 2}, "top_logprobs")])
def test_a_field_a_translation_cannot_carry_is_a_400_naming_it(served, fields, param):
    server, _, _ = served
    with pytest.raises(openai.BadRequestError) as raised:
        client(server).responses.create(model="gpt-chat", input="Hi", **fields)
    assert raised.value.body["param"] == param and raised.value.body["message"].startswith(param)


def test_upstream_errors_arrive_as_the_sdks_own_classes_and_are_recorded(served):
    server, ledger, _ = served
    with pytest.raises(openai.RateLimitError) as raised:
        client(server).responses.create(model="gpt-pass-429", input="Hi")
    assert raised.value.response.headers["retry-after"] == RETRY_AFTER_S
    assert raised.value.body["code"] == "rate_limit_exceeded"  # the upstream's own code (the mock sends OpenAI's)
    line = line_of(ledger, raised.value.response.headers["X-LLMS-Request-Id"])
    assert (line["status"], line["error"]["status"], line["endpoint"]) == ("error", 429, "/v1/responses")
    with pytest.raises(openai.InternalServerError):
        client(server).responses.create(model="gpt-chat-500", input="Hi")


def test_an_unknown_model_is_a_404(served):
    server, _, _ = served
    with pytest.raises(openai.NotFoundError):
        client(server).responses.create(model="no-such-model", input="Hi")


def test_a_gemini_tool_round_trip_sends_the_thought_signature_back(served):
    server, _, mock = served
    mock.set_model("gemini-resp", Reply(text="", tool_calls=[CALL]))
    first = client(server).responses.create(model="gemini-r", input="Weather in Paris?", tools=[WEATHER])
    assert first.output[0].type == "function_call"
    mock.set_model("gemini-resp", Reply(text=ANSWER))
    assert client(server).responses.create(model="gemini-r", input=round_trip_input(first),
                                           tools=[WEATHER]).output_text == ANSWER
    parts = [part for turn in mock.requests[-1].json["contents"] for part in turn["parts"]]
    assert next(part for part in parts if "functionCall" in part)["thoughtSignature"] == \
        mock.models["gemini-resp"].signature


def test_when_the_responses_providers_fail_the_others_serving_the_model_answer_translated(served):
    server, ledger, mock = served
    answers(mock, text=ANSWER)
    raw = client(server).responses.with_raw_response.create(model="gpt-mixed", input="Hi")
    assert raw.parse().output_text == ANSWER and raw.headers["X-LLMS-Provider"] == "chatonly"
    assert [r.path for r in mock.requests[-2:]] == ["/openai/v1/responses", "/openai/v1/chat/completions"]
    assert line_of(ledger, raw.headers["X-LLMS-Request-Id"])["provider"] == "chatonly"


def test_a_stored_response_is_never_found_since_llms_keeps_none(served):
    server, _, _ = served
    with pytest.raises(openai.NotFoundError) as raised:
        client(server).responses.retrieve("resp_123")
    assert "llms keeps no responses" in raised.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client(server).responses.input_items.list("resp_123")


def raw_stream(server, model: str) -> tuple[list[dict], str]:
    """A streamed /v1/responses request read as its SSE data payloads, and its request id."""
    request = urllib.request.Request(server.url + "/v1/responses", data=json.dumps(
        {"model": model, "input": "Hi", "stream": True}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return [json.loads(line[len("data: "):]) for line in response.read().decode().splitlines()
                if line.startswith("data: ")], response.headers["X-LLMS-Request-Id"]


def test_a_passed_through_stream_cut_short_ends_with_an_error_event_numbered_after_the_last(served):
    server, ledger, _ = served
    events, request_id = raw_stream(server, "gpt-pass-cut")
    # the mock cuts after two events (response.created, response.in_progress)
    assert [event["type"] for event in events] == ["response.created", "response.in_progress", "error"]
    # the cut reads as a dropped connection or an early end, as the socket's close races the last read
    assert events[-1]["sequence_number"] == 2 and events[-1]["message"]
    assert line_of(ledger, request_id)["status"] == "error"


def test_a_translated_stream_cut_short_ends_with_response_failed(served):
    server, ledger, _ = served
    events, request_id = raw_stream(server, "gpt-chat-cut")
    assert events[-1]["type"] == "response.failed" and events[-1]["response"]["status"] == "failed"
    assert events[-1]["response"]["error"]["code"] == "server_error" and events[-1]["response"]["error"]["message"]
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    assert line_of(ledger, request_id)["status"] == "error"
