"""Cache savings through the real server: requests through the mock are recorded in the ledger, then
/api/analytics/llm's `cache` extra and `llms --report`'s cache line show what caching saved, worked out by hand."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import KEYS
from tests.mock_provider import Reply
from tests.server_process import ROOT, ServerProcess

CLAUDE = {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75, "cache_write_1h": 6}
GPT = {"input": 2.5, "output": 10, "cached_input": 1.25}
# Anthropic's usage: input_tokens leaves out cache reads and writes (100 + 1000 + 200 = 1300 in).
CLAUDE_USAGE = {"input_tokens": 100, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200,
                "cache_creation": {"ephemeral_5m_input_tokens": 150, "ephemeral_1h_input_tokens": 50}, "output_tokens": 40}
GPT_USAGE = {"prompt_tokens": 2000, "completion_tokens": 10, "total_tokens": 2010,
             "prompt_tokens_details": {"cached_tokens": 1500}}


@pytest.fixture
def served(tmp_path: Path, mock_provider):
    mock_provider.set_model("savings-claude", Reply(text="Hi", usage={"anthropic": CLAUDE_USAGE}))
    mock_provider.set_model("savings-gpt", Reply(text="Hi", usage={"openai": GPT_USAGE}))
    config = {"providers": {
        "anthropic": {"type": "anthropic", "base_url": mock_provider.url("anthropic"), "api_key": KEYS["anthropic"],
                      "models": {"claude-sonnet-4-5": "savings-claude"}, "pricing": {"claude-sonnet-4-5": CLAUDE}},
        "openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                   "models": {"gpt-4o": "savings-gpt"}, "pricing": {"gpt-4o": GPT}}},
        "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config))
    server = ServerProcess(path)
    yield server, path
    server.stop()


def ask(url: str, model: str) -> None:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello"}]}).encode()
    request = urllib.request.Request(url + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_analytics_and_report_show_what_caching_saved_by_provider_and_model(served):
    server, config_path = served
    for model in ("claude-sonnet-4-5", "claude-sonnet-4-5", "gpt-4o"):
        ask(server.url, model)

    with urllib.request.urlopen(server.url + "/api/analytics/llm", timeout=10) as response:
        body = json.loads(response.read())
    cache = body["cache"]
    # The extras that read every line come only when asked (include=): the documented call reads the index alone.
    assert not {"byUser", "priceCheck", "todaysPrices"} & set(body)
    # Per Claude request: reads 1000 × (3 − 0.3) = 2700, 5-minute writes 150 × (3.75 − 3) = 112.5,
    # 1-hour writes 50 × (6 − 3) = 150 (per 1M tokens). GPT: reads 1500 × (2.5 − 1.25) = 1875.
    claude = {"calls": 2, "inputTokens": 2600, "cachedTokens": 2000, "cacheWriteTokens": 400, "cacheWrite1hTokens": 100,
              "readSavedUsd": 0.0054, "writeExtra5mUsd": 0.000225, "writeExtra1hUsd": 0.0003,
              "netSavedUsd": 0.0054 - 0.000225 - 0.0003, "hitRate": 2000 / 2600, "unpricedCalls": 0}
    gpt = {"calls": 1, "inputTokens": 2000, "cachedTokens": 1500, "cacheWriteTokens": 0, "cacheWrite1hTokens": 0,
           "readSavedUsd": 0.001875, "writeExtra5mUsd": 0.0, "writeExtra1hUsd": 0.0, "netSavedUsd": 0.001875,
           "hitRate": 0.75, "unpricedCalls": 0}
    assert cache["byProvider"] == [{"provider": "anthropic", **approx(claude)}, {"provider": "openai", **approx(gpt)}]
    assert cache["byModel"] == [{"provider": "anthropic", "model": "claude-sonnet-4-5", **approx(claude)},
                                {"provider": "openai", "model": "gpt-4o", **approx(gpt)}]
    assert cache["summary"]["hitRate"] == pytest.approx(3500 / 4600)
    assert cache["summary"]["netSavedUsd"] == pytest.approx(0.0054 - 0.000525 + 0.001875, abs=1e-12)

    report = subprocess.run([sys.executable, "-m", "llms", "--report", "--config", str(config_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=30, check=True).stdout
    # 3500 of 4600 = 76.1 %; reads 0.0054 + 0.001875 = $0.0073; writes 0.000525 → $0.00053; net 0.00675 → $0.0068.
    assert ("Cache 3,500 of 4,600 input tokens read from cache (76.1 %) · reads saved $0.0073 · writes cost $0.00053 "
            "more (5-minute $0.00023, 1-hour $0.0003) · net saved $0.0068") in report


def test_analytics_prices_the_range_again_on_another_model_and_at_todays_prices(served):
    server, _ = served
    for model in ("claude-sonnet-4-5", "claude-sonnet-4-5", "gpt-4o"):
        ask(server.url, model)
    with urllib.request.urlopen(server.url + "/api/analytics/llm?whatIf=openai/gpt-4o&include=todaysPrices", timeout=10) as response:
        body = json.loads(response.read())
    # Claude as recorded: 100 × 3 + 1000 × 0.3 + 150 × 3.75 + 50 × 6 + 40 × 15 = 2062.5; on gpt-4o (no write price:
    # writes cost input) 100 × 2.5 + 1000 × 1.25 + 200 × 2.5 + 40 × 10 = 2400. GPT: 500 × 2.5 + 1500 × 1.25 + 10 × 10 = 3225.
    claude = {"calls": 2, "recordedUsd": 2 * 0.0020625, "recordedUnpricedCalls": 0, "repricedUsd": 2 * 0.0024,
              "repricedUnpricedCalls": 0}
    gpt = {"calls": 1, "recordedUsd": 0.003225, "recordedUnpricedCalls": 0, "repricedUsd": 0.003225,
           "repricedUnpricedCalls": 0}
    assert body["whatIf"]["model"] == "openai/gpt-4o"
    assert body["whatIf"]["byModel"] == [{"provider": "anthropic", "model": "claude-sonnet-4-5", **approx(claude)},
                                         {"provider": "openai", "model": "gpt-4o", **approx(gpt)}]
    assert body["whatIf"]["summary"]["repricedUsd"] == pytest.approx(0.0048 + 0.003225, abs=1e-12)
    # Today's prices are the ones these were recorded at.
    assert [(row["model"], row["repricedUsd"]) for row in body["todaysPrices"]["byModel"]] == [
        ("claude-sonnet-4-5", pytest.approx(0.004125, abs=1e-12)), ("gpt-4o", pytest.approx(0.003225, abs=1e-12))]

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/api/analytics/llm?whatIf=openai/gpt-5-nowhere", timeout=10)
    assert refused.value.code == 400
    error = json.loads(refused.value.read())["error"]
    assert (error["param"], error["message"]) == (
        "whatIf", "whatIf: no price for 'openai/gpt-5-nowhere': give a priced provider/alias, like openai/gpt-4o-mini")

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/api/analytics/llm?include=byUser,everything", timeout=10)
    error = json.loads(refused.value.read())["error"]
    assert (refused.value.code, error["param"]) == (400, "include")
    assert error["message"] == "include: unknown include 'everything': give any of byUser, priceCheck, todaysPrices"


def approx(figures: dict) -> dict:
    return {name: pytest.approx(value, abs=1e-12) if isinstance(value, float) else value
            for name, value in figures.items()}
