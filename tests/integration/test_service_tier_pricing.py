"""A request served at a service tier is priced at that tier's rates, through the real server: genai-prices'
flex / priority prices for an OpenAI model, llms.json's for an Anthropic and a Gemini one; the tier the answer says
served it wins over the one asked for."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import openai
import pytest
from genai_prices import Usage, calc_price

from tests.conftest import MOCK_KEY_ENV
from tests.ledger_file import written_lines
from tests.mock_provider import Reply
from tests.server_process import ServerProcess

OPENAI_USAGE = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
                "prompt_tokens_details": {"cached_tokens": 400}}
ANTHROPIC_PRICE = {"input": 3, "output": 15, "service_tiers": {"priority": {"input": 6, "output": 30}}}
GEMINI_PRICE = {"input": 0.3, "output": 2.5, "service_tiers": {"flex": {"input": 0.15, "output": 1.25}}}


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_provider):
    folder = tmp_path_factory.mktemp("tiers")
    ledger = folder / "usage.jsonl"
    config = {"defaults": {"connect_timeout_s": 2, "read_timeout_s": 5}, "ledger": {"enabled": True, "path": str(ledger)},
              "providers": {
                  # Provider id "openai": priced by genai-prices' OpenAI data, service tiers included.
                  "openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"),
                             "api_key": "$MOCK_OPENAI_KEY", "models": {"gpt-5": "gpt-5"}},
                  "claude": {"type": "anthropic", "base_url": mock_provider.url("anthropic"),
                             "api_key": "$MOCK_ANTHROPIC_KEY", "models": {"tier-claude": "tier-claude-model"},
                             "pricing": {"tier-claude": ANTHROPIC_PRICE}},
                  "gem": {"type": "google", "base_url": mock_provider.url("google"), "api_key": "$MOCK_GOOGLE_KEY",
                          "models": {"tier-gemini": "tier-gemini-model"}, "pricing": {"tier-gemini": GEMINI_PRICE}}}}
    (folder / "llms.json").write_text(json.dumps(config))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    yield process, ledger
    process.stop()


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)


def line_of(ledger, request_id: str, wait_s: float = 10) -> dict:
    """The request's ledger line, once written: the server writes it when the request has ended, which for a
    stream is after the client read its last event."""
    deadline = time.monotonic() + wait_s
    while True:
        lines = [line for line in written_lines(ledger) if line["request_id"] == request_id]
        if lines or time.monotonic() > deadline:
            [line] = lines
            return line
        time.sleep(0.05)


def genai_cost(tier: str | None) -> float:
    """What genai-prices itself charges gpt-5 for OPENAI_USAGE at `tier` (the oracle, not our rule)."""
    usage = Usage(input_tokens=OPENAI_USAGE["prompt_tokens"], output_tokens=OPENAI_USAGE["completion_tokens"],
                  cache_read_tokens=OPENAI_USAGE["prompt_tokens_details"]["cached_tokens"])
    context = {"service_tier": tier} if tier else None
    return float(calc_price(usage, "gpt-5", provider_id="openai", genai_request_timestamp=datetime.now(UTC),
                            price_context=context).total_price)


@pytest.mark.parametrize("asked, served_at, stream, charged", [
    ("flex", None, False, "flex"),  # the answer says nothing: the tier asked for
    ("flex", "priority", False, "priority"),  # the tier that served it wins
    ("priority", "flex", True, "flex"),  # streamed: the chunks' service_tier
    ("auto", "default", True, None),  # standard rates
])
def test_an_openai_request_is_priced_at_the_tier_that_served_it(served, mock_provider, asked, served_at, stream,
                                                               charged):
    server, ledger = served
    mock_provider.set_model("gpt-5", Reply(text="Tiered answer.", usage={"openai": OPENAI_USAGE},
                                           service_tier=served_at))
    messages = [{"role": "user", "content": "Hi"}]
    if stream:
        with client(server).chat.completions.with_streaming_response.create(
                model="gpt-5", service_tier=asked, messages=messages, stream=True) as response:
            request_id = response.headers["X-LLMS-Request-Id"]
            chunks = list(response.parse())
        assert {chunk.service_tier for chunk in chunks} == {served_at}
    else:
        raw = client(server).chat.completions.with_raw_response.create(model="gpt-5", service_tier=asked,
                                                                       messages=messages)
        request_id = raw.headers["X-LLMS-Request-Id"]
        assert raw.parse().service_tier == served_at
    assert mock_provider.requests[-1].json["service_tier"] == asked
    line = line_of(ledger, request_id)
    assert line["service_tier"] == (served_at or asked)
    assert line["cost_usd"] == pytest.approx(genai_cost(charged), abs=1e-15, rel=0)
    assert line["cost_provenance"] == "computed" and "service_tiers" not in line["prices"]
    assert line["output_cost"] == pytest.approx(100 * line["prices"]["output"] / 1e6, abs=1e-15, rel=0)
    assert line["input_cost"] + line["output_cost"] == line["cost_usd"]


@pytest.mark.parametrize("served_at, rates", [("priority", (6, 30)), ("standard", (3, 15))])
def test_an_anthropic_request_is_priced_at_the_tier_its_usage_says(served, mock_provider, served_at, rates):
    server, ledger = served
    usage = {"input_tokens": 2000, "output_tokens": 50, "service_tier": served_at}
    mock_provider.set_model("tier-claude-model", Reply(text="Fast answer.", usage={"anthropic": usage}))
    raw = client(server).chat.completions.with_raw_response.create(model="tier-claude", service_tier="auto",
                                                                   messages=[{"role": "user", "content": "Hi"}])
    assert raw.parse().service_tier == served_at
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert line["service_tier"] == served_at
    assert line["cost_usd"] == pytest.approx((2000 * rates[0] + 50 * rates[1]) / 1e6, abs=1e-15, rel=0)
    assert (line["prices"]["input"], line["prices"]["output"]) == rates


@pytest.mark.parametrize("stream", [False, True])
def test_a_gemini_flex_request_reaches_gemini_and_is_priced_at_flex_rates(served, mock_provider, stream):
    server, ledger = served
    usage = {"promptTokenCount": 4000, "candidatesTokenCount": 200, "totalTokenCount": 4200, "serviceTier": "flex"}
    mock_provider.set_model("tier-gemini-model", Reply(text="Slow and cheap.", usage={"google": usage}))
    messages = [{"role": "user", "content": "Hi"}]
    if stream:
        with client(server).chat.completions.with_streaming_response.create(
                model="tier-gemini", service_tier="flex", messages=messages, stream=True) as response:
            request_id = response.headers["X-LLMS-Request-Id"]
            assert [chunk.service_tier for chunk in response.parse()][-1] == "flex"
    else:
        raw = client(server).chat.completions.with_raw_response.create(model="tier-gemini", service_tier="flex",
                                                                       messages=messages)
        request_id = raw.headers["X-LLMS-Request-Id"]
        assert raw.parse().service_tier == "flex"
    assert mock_provider.requests[-1].json["serviceTier"] == "flex"
    line = line_of(ledger, request_id)
    assert (line["service_tier"], line["prices"]["input"]) == ("flex", 0.15)
    assert line["cost_usd"] == pytest.approx((4000 * 0.15 + 200 * 1.25) / 1e6, abs=1e-15, rel=0)
