"""The official anthropic and google-genai SDKs read the mock provider's tool-call, thinking and
structured answers: what the mock sends is what those providers send, as their own clients parse it."""

from __future__ import annotations

import anthropic
import pytest
from google import genai
from google.genai import types

from tests.mock_provider import KEYS, MockProvider, Reply

CALL = {"id": "toolu_01", "name": "weather", "arguments": {"city": "Paris"}}
TOOL = {"name": "weather", "description": "Weather in a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


@pytest.fixture(scope="module")
def mock():
    running = MockProvider.start_in_thread({
        "tools": Reply(text="", reasoning="Paris weather needed.", tool_calls=[CALL], signature="c2lnLTE="),
        "json": Reply(text='{"name": "Ada", "age": 36}')})
    yield running
    running.stop()


@pytest.fixture
def claude(mock):
    return anthropic.Anthropic(base_url=mock.url("anthropic").removesuffix("/v1"), api_key=KEYS["anthropic"],
                               max_retries=0)


@pytest.fixture
def gemini(mock):
    options = types.HttpOptions(base_url=mock.url("google").removesuffix("v1beta"), api_version="v1beta")
    return genai.Client(api_key=KEYS["google"], http_options=options)


def test_anthropic_sdk_parses_signed_thinking_and_tool_use(claude):
    message = claude.messages.create(model="tools", max_tokens=2048, tools=[TOOL],
                                     messages=[{"role": "user", "content": "Weather in Paris?"}])
    assert message.stop_reason == "tool_use"
    thinking, tool_use = message.content
    assert (thinking.type, thinking.thinking, thinking.signature) == ("thinking", "Paris weather needed.", "c2lnLTE=")
    assert (tool_use.type, tool_use.id, tool_use.name, tool_use.input) == ("tool_use", "toolu_01", "weather",
                                                                          {"city": "Paris"})


def test_anthropic_sdk_assembles_the_streamed_tool_use(claude):
    with claude.messages.stream(model="tools", max_tokens=2048, tools=[TOOL],
                                messages=[{"role": "user", "content": "Weather in Paris?"}]) as stream:
        message = stream.get_final_message()
    assert message.stop_reason == "tool_use"
    assert message.content[0].signature == "c2lnLTE="
    assert message.content[1].input == {"city": "Paris"}


def test_anthropic_sdk_gets_a_forced_tool_as_the_structured_answer(claude, mock):
    message = claude.messages.create(model="json", max_tokens=256, tools=[{**TOOL, "name": "person"}],
                                     tool_choice={"type": "tool", "name": "person"},
                                     messages=[{"role": "user", "content": "Who?"}])
    assert [(block.type, block.name, block.input) for block in message.content] == [
        ("tool_use", "person", {"name": "Ada", "age": 36})]
    assert mock.requests[-1].json["tool_choice"] == {"type": "tool", "name": "person"}


def test_genai_sdk_parses_function_calls_thoughts_and_signatures(gemini):
    response = gemini.models.generate_content(model="tools", contents="Weather in Paris?")
    parts = response.candidates[0].content.parts
    assert (parts[0].thought, parts[0].text) == (True, "Paris weather needed.")
    assert (parts[1].function_call.name, parts[1].function_call.args) == ("weather", {"city": "Paris"})
    assert parts[1].thought_signature == b"sig-1"


def test_genai_sdk_streams_the_function_call_whole(gemini):
    calls = [part.function_call for chunk in gemini.models.generate_content_stream(model="tools", contents="Hi")
             for part in chunk.candidates[0].content.parts if part.function_call]
    assert [(call.name, call.args) for call in calls] == [("weather", {"city": "Paris"})]


def test_genai_sdk_reads_a_json_answer(gemini):
    response = gemini.models.generate_content(model="json", contents="Who?", config=types.GenerateContentConfig(
        response_mime_type="application/json"))
    assert response.parsed is None and response.text == '{"name": "Ada", "age": 36}'
