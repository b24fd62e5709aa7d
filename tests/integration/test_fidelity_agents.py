"""An agent framework through the real server: pydantic-ai's `Agent` with a tool, through `OpenAIChatModel`,
completes its tool loop on each wire format, and each step is its own ledger line priced exactly."""

from __future__ import annotations

import json

import openai
import pytest
from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse, ToolCallPart, ToolReturnPart
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from tests.conftest import MOCK_KEY_ENV
from tests.ledger_file import written_lines
from tests.mock_provider import DEFAULT_PROMPT_TOKENS, Reply
from tests.server_process import ServerProcess

FORMATS = {"openai": ("gpt", "openai-compatible", "MOCK_OPENAI_KEY"),
           "anthropic": ("claude", "anthropic", "MOCK_ANTHROPIC_KEY"),
           "google": ("gemini", "google", "MOCK_GOOGLE_KEY")}
PRICE = {"input": 2, "output": 8}  # USD per 1M tokens, the same on each wire
CALL = {"id": "call_weather_1", "name": "weather", "arguments": {"city": "Paris"}}
FINAL = "Sunny in Paris, says the tool."


def agent_config(mock, ledger_path) -> dict:
    providers = {provider: {"type": kind, "base_url": mock.url(fmt), "api_key": f"${key}",
                            "models": {f"agent-{fmt}": f"agent-model-{fmt}"}, "pricing": {f"agent-{fmt}": PRICE}}
                 for fmt, (provider, kind, key) in FORMATS.items()}
    return {"defaults": {"connect_timeout_s": 2, "read_timeout_s": 5}, "providers": providers,
            "ledger": {"enabled": True, "path": str(ledger_path)}}


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_provider):
    folder = tmp_path_factory.mktemp("agents")
    ledger = folder / "usage.jsonl"
    (folder / "llms.json").write_text(json.dumps(agent_config(mock_provider, ledger)))
    for fmt in FORMATS:
        # The model calls the tool first; once the tool's result is in the conversation, it answers.
        mock_provider.set_model(f"agent-model-{fmt}", Reply(text="", tool_calls=[CALL], text_after_tool_result=FINAL))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    yield process, ledger
    process.stop()


def weather_agent(server, fmt: str) -> tuple[Agent, list[str]]:
    model = OpenAIChatModel(f"agent-{fmt}", provider=OpenAIProvider(base_url=server.url + "/v1", api_key="unused"))
    agent = Agent(model, instructions="Answer with the weather tool.")
    asked: list[str] = []

    @agent.tool_plain
    def weather(city: str) -> str:
        """The weather in a city."""
        asked.append(city)
        return f"Sunny in {city}"

    return agent, asked


def lines_for(ledger, model: str) -> list[dict]:
    return [line for line in written_lines(ledger) if line["model"] == model]


def step_cost(output_tokens: int) -> float:
    return (DEFAULT_PROMPT_TOKENS * PRICE["input"] + output_tokens * PRICE["output"]) / 1_000_000


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_pydantic_ai_agent_completes_its_tool_loop_and_each_step_is_priced(served, mock_provider, fmt):
    server, ledger = served
    agent, asked = weather_agent(server, fmt)
    before = len(lines_for(ledger, f"agent-{fmt}"))
    result = agent.run_sync("What is the weather in Paris?")
    assert result.output == FINAL and asked == ["Paris"]
    [call] = [part for message in result.all_messages() if isinstance(message, ModelResponse)
              for part in message.parts if isinstance(part, ToolCallPart)]
    [returned] = [part for message in result.all_messages() for part in getattr(message, "parts", [])
                  if isinstance(part, ToolReturnPart)]
    assert (call.tool_name, call.args_as_dict(), returned.tool_call_id) == ("weather", {"city": "Paris"},
                                                                            call.tool_call_id)
    # The second request carried the call and its result in that wire's own shape.
    sent = [r.json for r in mock_provider.requests if r.model == f"agent-model-{fmt}"][-1]
    if fmt == "anthropic":
        assert sent["messages"][-1]["content"][0] == {"type": "tool_result", "tool_use_id": call.tool_call_id,
                                                      "content": "Sunny in Paris"}
    elif fmt == "google":
        assert sent["contents"][-1]["parts"][0]["functionResponse"]["name"] == "weather"
    else:
        assert sent["messages"][-1] == {"role": "tool", "tool_call_id": call.tool_call_id, "content": "Sunny in Paris"}
    # Two requests, two ledger lines: the tool call (1 output token at the mock) and the answer (6 words).
    steps = lines_for(ledger, f"agent-{fmt}")[before:]
    assert [line["finish_reason"] for line in steps] == ["tool_calls", "stop"]
    assert [line["status"] for line in steps] == ["ok", "ok"]
    assert [line["tool_calls"] for line in steps] == [["weather"], None]  # what the model called, step by step
    assert [line["usage"]["completion_tokens"] for line in steps] == [1, 6]
    assert [line["cost_usd"] for line in steps] == [pytest.approx(step_cost(1), abs=1e-15),
                                                   pytest.approx(step_cost(6), abs=1e-15)]
    assert result.usage.requests == 2
    assert (result.usage.input_tokens, result.usage.output_tokens) == (2 * DEFAULT_PROMPT_TOKENS, 7)


@pytest.mark.parametrize("fmt", list(FORMATS))
async def test_a_streamed_agent_run_completes_its_tool_loop_too(served, fmt):
    server, ledger = served
    agent, asked = weather_agent(server, fmt)
    before = len(lines_for(ledger, f"agent-{fmt}"))
    async with agent.run_stream("What is the weather in Paris?") as run:
        output = await run.get_output()
    assert output == FINAL and asked == ["Paris"]
    steps = lines_for(ledger, f"agent-{fmt}")[before:]
    assert [(line["is_streaming"], line["finish_reason"]) for line in steps] == [(True, "tool_calls"), (True, "stop")]
    assert [line["tool_calls"] for line in steps] == [["weather"], None]
    assert [line["cost_usd"] for line in steps] == [pytest.approx(step_cost(1), abs=1e-15),
                                                   pytest.approx(step_cost(6), abs=1e-15)]


def test_the_service_tier_asked_for_is_recorded(served):
    server, ledger = served
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)
    raw = client.chat.completions.with_raw_response.create(model="agent-openai", service_tier="flex",
                                                           messages=[{"role": "user", "content": "Hi"}])
    [line] = [line for line in lines_for(ledger, "agent-openai")
              if line["request_id"] == raw.headers["X-LLMS-Request-Id"]]
    assert line["service_tier"] == "flex"


def test_the_tier_anthropic_served_at_is_recorded(served, mock_provider):
    server, ledger = served
    agent_reply = mock_provider.models["agent-model-anthropic"]
    usage = {"input_tokens": 12, "output_tokens": 2, "service_tier": "priority"}
    mock_provider.set_model("agent-model-anthropic", Reply(text="Fast answer.", usage={"anthropic": usage}))
    try:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)
        raw = client.chat.completions.with_raw_response.create(model="agent-anthropic", service_tier="priority",
                                                               messages=[{"role": "user", "content": "Hi"}])
    finally:
        mock_provider.set_model("agent-model-anthropic", agent_reply)
    assert raw.parse().service_tier == "priority"  # Anthropic's usage.service_tier, as OpenAI's field
    assert [r.json for r in mock_provider.requests if r.format == "anthropic"][-1]["service_tier"] == "auto"
    [line] = [line for line in lines_for(ledger, "agent-anthropic")
              if line["request_id"] == raw.headers["X-LLMS-Request-Id"]]
    assert line["service_tier"] == "priority"
