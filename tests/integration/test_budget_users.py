"""Per-user analytics and the Price check in /api/analytics/llm, against the real server and the mock: each named
token and `local` with requests, tokens and cost, this month's spend against budget.tokens.<name>, and per model how
far our computed cost drifts from what the provider reported."""

from __future__ import annotations

import json
import urllib.request

import openai
import pytest

from llms.pricing.drift import UPDATE_HINT
from tests.integration.test_budget_caps import _seed_line
from tests.mock_provider import KEYS, Reply
from tests.server_process import ServerProcess

PRICE = {"input": 10, "output": 30}
USAGE = {"prompt_tokens": 20, "completion_tokens": 100, "total_tokens": 120}  # (20 × 10 + 100 × 30) / 1M = $0.0032


def serve(tmp_path, mock_provider) -> ServerProcess:
    mock_provider.set_model("user-upstream", Reply(text="Hi.", usage={"openai": USAGE}))
    # OpenRouter bills $0.0031 where our prices make $0.0032 (drift +3.2 %: stale); $0.0032 for the other (0 %).
    mock_provider.set_model("router-stale", Reply(text="Hi.", usage={"openai": USAGE | {"cost": 0.0031}}))
    mock_provider.set_model("router-fresh", Reply(text="Hi.", usage={"openai": USAGE | {"cost": 0.0032}}))
    ledger = tmp_path / "usage.jsonl"
    ledger.write_text(json.dumps(_seed_line(0.5)) + "\n")  # a request without a token this month: `local`
    config = {"providers": {
        "openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                   "models": {"cap-model": "user-upstream"}, "pricing": {"cap-model": PRICE}},
        "openrouter": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                       "models": {"claude": "router-stale", "llama": "router-fresh"},
                       "pricing": {"claude": PRICE, "llama": PRICE}}},
        "budget": {"tokens": {"alice": 0.01}},
        "ledger": {"enabled": True, "path": str(ledger)}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config))
    return ServerProcess(path, "--token", "alice=alice-secret", "--token", "bob=bob-secret", "--token",
                         "carol=carol-secret")


def _ask(server, secret: str, model: str) -> None:
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=secret)
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])


def test_users_and_price_check(tmp_path, mock_provider):
    server = serve(tmp_path, mock_provider)
    try:
        _ask(server, "alice-secret", "cap-model")
        _ask(server, "alice-secret", "claude")
        _ask(server, "bob-secret", "llama")
        request = urllib.request.Request(server.url + "/api/analytics/llm?include=byUser,priceCheck",
                                         headers={"Authorization": "Bearer bob-secret"})
        with urllib.request.urlopen(request, timeout=10) as response:
            result = json.loads(response.read())
    finally:
        server.stop()
    users = {row["userId"]: row for row in result["byUser"]}
    assert [row["userId"] for row in result["byUser"]] == ["token:alice", "token:bob", "token:carol", "local"]
    alice, bob, carol, local = (users[name] for name in ("token:alice", "token:bob", "token:carol", "local"))
    # alice: $0.0032 at our prices + $0.0031 billed by the router; her $0.01 budget is 63 % used this month.
    assert (alice["calls"], alice["inputTokens"], alice["outputTokens"]) == (2, 40, 200)
    assert alice["costUsd"] == pytest.approx(0.0063, abs=1e-15)
    assert alice["monthCostUsd"] == pytest.approx(0.0063, abs=1e-15) and alice["monthBudgetUsd"] == 0.01
    assert (bob["calls"], bob["costUsd"], bob["monthBudgetUsd"]) == (1, 0.0032, None)
    assert (carol["calls"], carol["costUsd"], carol["monthCostUsd"]) == (0, 0, 0)  # a token that sent nothing
    assert (local["calls"], local["costUsd"], local["monthCostUsd"], local["monthBudgetUsd"]) == (1, 0.5, 0.5, None)
    stale, fresh = result["priceCheck"]
    assert (stale["provider"], stale["model"], stale["calls"]) == ("openrouter", "claude", 1)
    assert (stale["reportedCostUsd"], stale["computedCostUsd"]) == (0.0031, 0.0032)
    assert stale["drift"] == pytest.approx(0.0001 / 0.0031, rel=1e-9) and stale["stale"] and stale["hint"] == UPDATE_HINT
    assert stale["priceVersions"][0].startswith("genai-prices ")
    assert (fresh["model"], fresh["drift"], fresh["stale"], fresh["hint"]) == ("llama", 0.0, False, None)
