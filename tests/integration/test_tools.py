"""The official openai SDK through the real server to each wire format: tool calls (stream and not), the
tool-result round trip as the mock received it, .parse() with a Pydantic model, reasoning_effort, images
and PDFs, cache_control reaching Anthropic, and n refused on Anthropic."""

from __future__ import annotations

import json

import openai
import pytest
from pydantic import BaseModel

from tests.mock_provider import Reply

MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5", "google": "gemini-2.5-flash"}
CALL = {"id": "toolu_paris", "name": "weather", "arguments": {"city": "Paris"}}
TOOLS = [{"type": "function", "function": {"name": "weather", "description": "Weather in a city", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
ASK = [{"role": "user", "content": "Weather in Paris?"}]
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture
def client(llms_server):
    return openai.OpenAI(base_url=llms_server.url + "/v1", api_key="unused", max_retries=0, timeout=20)


@pytest.fixture
def answers(mock_provider):
    """Set what a model answers for one test; the session's replies come back afterwards."""
    saved = dict(mock_provider.models)

    def answer(fmt: str, **reply) -> None:
        mock_provider.set_model(MODELS[fmt], Reply(**reply))

    yield answer
    mock_provider.models.clear()
    mock_provider.models.update(saved)


def last_request(mock_provider, fmt):
    return [r for r in mock_provider.requests if r.format == fmt][-1].json


@pytest.mark.parametrize("fmt", list(MODELS))
def test_tool_call_comes_back_as_openai_tool_calls(client, answers, fmt):
    answers(fmt, text="", tool_calls=[CALL])
    completion = client.chat.completions.create(model=MODELS[fmt], messages=ASK, tools=TOOLS)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert (call.type, call.function.name, json.loads(call.function.arguments)) == ("function", "weather",
                                                                                   {"city": "Paris"})
    assert call.id


@pytest.mark.parametrize("fmt", list(MODELS))
def test_streamed_tool_call_deltas_assemble_into_the_call(client, answers, fmt):
    answers(fmt, text="", tool_calls=[CALL])
    calls: dict[int, dict] = {}
    finish = []
    for chunk in client.chat.completions.create(model=MODELS[fmt], messages=ASK, tools=TOOLS, stream=True):
        for choice in chunk.choices:
            finish += [choice.finish_reason] if choice.finish_reason else []
            for delta in choice.delta.tool_calls or []:
                entry = calls.setdefault(delta.index, {"id": delta.id, "name": None, "arguments": ""})
                entry["name"] = entry["name"] or (delta.function.name if delta.function else None)
                entry["arguments"] += (delta.function.arguments or "") if delta.function else ""
    assert finish == ["tool_calls"]
    assert [(c["name"], json.loads(c["arguments"])) for c in calls.values()] == [("weather", {"city": "Paris"})]
    assert calls[0]["id"]


def test_tool_round_trip_reaches_anthropic_as_tool_use_and_tool_result(client, answers, mock_provider):
    answers("anthropic", text="", tool_calls=[CALL], reasoning="Need the weather.")
    first = client.chat.completions.create(model=MODELS["anthropic"], messages=ASK, tools=TOOLS)
    message = first.choices[0].message
    history = ASK + [message.model_dump(exclude_none=True),
                     {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "Sunny"}]
    answers("anthropic", text="Sunny in Paris.")
    second = client.chat.completions.create(model=MODELS["anthropic"], messages=history, tools=TOOLS)
    assert second.choices[0].message.content == "Sunny in Paris."
    sent = last_request(mock_provider, "anthropic")["messages"]
    assert sent[1]["content"][0]["type"] == "thinking"  # signed thinking goes back, as Anthropic requires
    assert sent[1]["content"][0]["signature"] == Reply().signature
    assert sent[1]["content"][1] == {"type": "tool_use", "id": "toolu_paris", "name": "weather",
                                     "input": {"city": "Paris"}}
    assert sent[2] == {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_paris",
                                                    "content": "Sunny"}]}


def test_tool_round_trip_reaches_gemini_as_function_response_with_the_name(client, answers, mock_provider):
    answers("google", text="", tool_calls=[CALL])
    first = client.chat.completions.create(model=MODELS["google"], messages=ASK, tools=TOOLS)
    message = first.choices[0].message
    history = ASK + [message.model_dump(exclude_none=True),
                     {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": '{"sky": "sunny"}'}]
    answers("google", text="Sunny.")
    client.chat.completions.create(model=MODELS["google"], messages=history, tools=TOOLS)
    contents = last_request(mock_provider, "google")["contents"]
    assert contents[1]["parts"][0]["functionCall"]["name"] == "weather"
    assert contents[1]["parts"][0]["thoughtSignature"] == Reply().signature
    assert contents[2]["parts"] == [{"functionResponse": {"id": message.tool_calls[0].id, "name": "weather",
                                                          "response": {"sky": "sunny"}}}]


@pytest.mark.parametrize("fmt", list(MODELS))
def test_parse_with_a_pydantic_model(client, answers, mock_provider, fmt):
    answers(fmt, text='{"name": "Ada", "age": 36}')
    completion = client.chat.completions.parse(model=MODELS[fmt], messages=ASK, response_format=Person)
    assert completion.choices[0].message.parsed == Person(name="Ada", age=36)
    sent = last_request(mock_provider, fmt)
    if fmt == "anthropic":  # .parse() sends a strict schema: Claude 4.5's own JSON outputs (output_config.format)
        assert sent["output_config"]["format"]["schema"]["properties"]["age"] == {"title": "Age", "type": "integer"}
        assert "tools" not in sent
    if fmt == "google":
        assert sent["generationConfig"]["responseJsonSchema"]["required"] == ["name", "age"]


def test_parse_beside_tools_and_thinking_reaches_claude_4_5_as_its_json_output(client, answers, mock_provider):
    answers("anthropic", text='{"name": "Ada", "age": 36}', reasoning="Who is it?")
    strict_tools = [{"type": "function", "function": {**TOOLS[0]["function"], "strict": True, "parameters": {
        **TOOLS[0]["function"]["parameters"], "additionalProperties": False}}}]  # .parse() takes strict tools only
    completion = client.chat.completions.parse(model=MODELS["anthropic"], messages=ASK, response_format=Person,
                                               tools=strict_tools, reasoning_effort="low")
    message = completion.choices[0].message
    assert (message.parsed, message.model_extra["reasoning_content"]) == (Person(name="Ada", age=36), "Who is it?")
    sent = last_request(mock_provider, "anthropic")
    assert sent["output_config"]["format"]["schema"]["required"] == ["name", "age"]
    assert [tool["name"] for tool in sent["tools"]] == ["weather"] and sent["thinking"]["type"] == "enabled"


def test_one_tool_call_at_a_time_on_gemini_is_a_400_naming_the_field(client, mock_provider):
    before = len(mock_provider.requests)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODELS["google"], messages=ASK, tools=TOOLS, parallel_tool_calls=False)
    assert (caught.value.code, caught.value.param) == ("unsupported_parameter", "parallel_tool_calls")
    assert "FunctionCallingConfig" in caught.value.body["message"]
    assert len(mock_provider.requests) == before  # refused before anything was sent


@pytest.mark.parametrize("fmt", list(MODELS))
def test_reasoning_effort_reaches_each_provider_and_reasoning_comes_back(client, answers, mock_provider, fmt):
    answers(fmt, text="Done.", reasoning="Thinking hard.")
    completion = client.chat.completions.create(model=MODELS[fmt], messages=ASK, reasoning_effort="low")
    assert completion.choices[0].message.model_extra["reasoning_content"] == "Thinking hard."
    sent = last_request(mock_provider, fmt)
    expected = {"openai": ("reasoning_effort", "low"),
                "anthropic": ("thinking", {"type": "enabled", "budget_tokens": 1024}),
                "google": ("generationConfig", {"thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}})}
    name, value = expected[fmt]
    assert sent[name] == value


@pytest.mark.parametrize("fmt", ["anthropic", "google"])
def test_image_and_pdf_parts_reach_the_provider(client, mock_provider, fmt):
    content = [{"type": "text", "text": "Read these."},
               {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
               {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0xLjQ=", "filename": "a.pdf"}}]
    client.chat.completions.create(model=MODELS[fmt], messages=[{"role": "user", "content": content}])
    sent = last_request(mock_provider, fmt)
    if fmt == "anthropic":
        blocks = sent["messages"][0]["content"]
        assert [b["type"] for b in blocks] == ["text", "image", "document"]
        assert blocks[2]["source"] == {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQ="}
    else:
        parts = sent["contents"][0]["parts"]
        assert parts[1:] == [{"inlineData": {"mimeType": "image/png", "data": PNG}},
                             {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0xLjQ="}}]


def test_cache_control_reaches_anthropic(client, mock_provider):
    marker = {"type": "ephemeral"}
    messages = [{"role": "system", "content": [{"type": "text", "text": "Long rules.", "cache_control": marker}]},
                {"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": marker}]}]
    client.chat.completions.create(model=MODELS["anthropic"], messages=messages)
    sent = last_request(mock_provider, "anthropic")
    assert sent["system"] == [{"type": "text", "text": "Long rules.", "cache_control": marker}]
    assert sent["messages"][0]["content"][0]["cache_control"] == marker


def test_n_is_refused_on_anthropic_with_a_400_naming_it(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODELS["anthropic"], messages=ASK, n=2)
    assert "'n'" in caught.value.message and "anthropic" in caught.value.message
