"""Budgets that act, against the real server and the mock provider: hard caps hold under 50 concurrent requests,
a refusal is a 429 naming the budget (OpenAI- and Anthropic-shaped), thresholds are logged once each, /health
shows the budgets, and hard caps without the ledger stop the server at start with the key path."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import aiohttp
import anthropic
import openai
import pytest

from llms.ledger.schema import ledger_line, recorder_record
from tests.mock_provider import KEYS, Reply
from tests.server_process import ROOT, ServerProcess

PRICE = {"input": 10, "output": 30}  # USD per 1M tokens
CLAUDE_PRICE = {"input": 3, "output": 15}
# The mock bills 20 prompt and 100 output tokens a request: (20 × 10 + 100 × 30) / 1M = $0.0032.
USAGE = {"prompt_tokens": 20, "completion_tokens": 100, "total_tokens": 120}
REAL_COST = 0.0032
# The body every request sends: 82 bytes of JSON, so at most 82 prompt tokens, and max_tokens 100:
# worst case (82 × 10 + 100 × 30) / 1M = $0.00382.
BODY = {"model": "cap-model", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 100}
WORST_CASE = 0.00382


def _seed_line(cost_usd: float, provider: str = "openai", model: str = "cap-model") -> dict:
    """A ledger line of this month that spent `cost_usd`, built through the one definition of a line."""
    record = recorder_record(
        request_id=f"seed{int(cost_usd * 1e6)}{provider}", timestamp=datetime.now().astimezone().isoformat(timespec="milliseconds"),
        client="api", client_app=None, token=None, ip_address="127.0.0.1", provider=provider, model=model,
        alias=model, provider_model=model, endpoint="/v1/chat/completions", is_streaming=False, status="ok",
        http_status=200, error=None, finish_reason="stop", usage=None, response_ms=100.0, ttft_ms=None,
        messages=None, output_text=None, reasoning_text=None)
    # cost_usd at $10 per 1M input tokens
    usage = {"prompt_tokens": round(cost_usd * 100_000), "completion_tokens": 0, "total_tokens": round(cost_usd * 100_000)}
    return ledger_line(record, {"cost_usd": cost_usd, "provenance": "computed", "prices": PRICE}, usage, model,
                       prompts=False)


def _config(tmp_path: Path, mock, budget: dict, *, spent_usd: float, ledger: bool = True) -> Path:
    mock.set_model("cap-upstream", Reply(text="Capped answer.", usage={"openai": USAGE}, delay_s=2.0))
    mock.set_model("cap-fast", Reply(text="Quick answer.", usage={"openai": USAGE}))
    mock.set_model("cap-claude", Reply(text="Claude answer.", usage={
        "anthropic": {"input_tokens": 20, "output_tokens": 100}}))
    ledger_path = tmp_path / "usage.jsonl"
    if spent_usd:
        ledger_path.write_text(json.dumps(_seed_line(spent_usd)) + "\n")
    config = {
        "providers": {
            "openai": {"type": "openai-compatible", "base_url": mock.url("openai"), "api_key": KEYS["openai"],
                       "models": {"cap-model": "cap-upstream", "cap-fast": "cap-fast"},
                       "pricing": {"cap-model": PRICE, "cap-fast": PRICE}},
            "anthropic": {"type": "anthropic", "base_url": mock.url("anthropic"), "api_key": KEYS["anthropic"],
                          "models": {"cap-claude": "cap-claude"}, "pricing": {"cap-claude": CLAUDE_PRICE}},
        },
        "budget": budget,
        "ledger": {"enabled": ledger, "path": str(ledger_path)},
    }
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def _health(server) -> dict:
    with urllib.request.urlopen(server.url + "/health", timeout=10) as response:
        return json.loads(response.read())


def _ledger(tmp_path: Path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "usage.jsonl").read_text().splitlines()]


async def _fifty_at_once(url: str) -> list[tuple[int, dict]]:
    async with aiohttp.ClientSession() as session:
        async def one() -> tuple[int, dict]:
            async with session.post(url + "/v1/chat/completions", data=json.dumps(BODY, separators=(",", ":")),
                                    headers={"Content-Type": "application/json"}) as response:
                return response.status, await response.json()
        return await asyncio.gather(*(one() for _ in range(50)))


def test_fifty_concurrent_requests_never_overspend_a_nearly_spent_one_dollar_cap(tmp_path, mock_provider):
    # $0.97 of $1 spent: $0.03 left. Checked against spend alone, all 50 would pass (50 × $0.0032 = $0.16).
    # Reserved at the worst case, 7 fit while all are in flight (7 × $0.00382 = $0.02674; an 8th would make
    # $0.03056 > $0.03): the mock answers after 2 s, so every request is in flight before the first settles.
    path = _config(tmp_path, mock_provider, {"monthly_usd": {"usd": 1, "hard": True}}, spent_usd=0.97)
    server = ServerProcess(path)
    try:
        results = asyncio.run(_fifty_at_once(server.url))
        ok = [body for status, body in results if status == 200]
        refused = [body for status, body in results if status == 429]
        assert (len(ok), len(refused)) == (7, 43)
        error = refused[0]["error"]
        assert error["code"] == "budget_exceeded" and error["type"] == "insufficient_quota"
        assert error["budget"]["name"] == "monthly_usd" and error["budget"]["cap_usd"] == 1
        assert error["message"].startswith("budget monthly_usd (All providers) is capped at $1.00 a month: $0.97 spent")
        assert "could cost up to $0.0038" in error["message"]
        health = _health(server)
        (budget,) = health["budgets"]
        assert budget["spend_usd"] == pytest.approx(0.97 + 7 * REAL_COST, abs=1e-12)  # $0.9924, under the cap
        assert budget["reserved_usd"] == pytest.approx(0, abs=1e-12) and budget["hard"] is True
        assert (budget["state"], budget["threshold"]) == ("warning", 80)
        lines = _ledger(tmp_path)[1:]
        assert sorted(line["status"] for line in lines) == ["error"] * 43 + ["ok"] * 7  # refusals are recorded
        assert sum(line["cost_usd"] or 0 for line in lines) == pytest.approx(7 * REAL_COST, abs=1e-12)
        assert all(line["error"]["status"] == 429 for line in lines if line["status"] == "error")
        # One after the other, each settles before the next reserves: $0.9924 + $0.0038 fits, $0.9956 + $0.0038 fits,
        # then $0.9988 + $0.0038 would pass $1: refused, and the month ends at $0.9988.
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
        for _ in range(2):
            client.chat.completions.create(model="cap-fast", messages=BODY["messages"], max_tokens=100)
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="cap-fast", messages=BODY["messages"], max_tokens=100)
        assert caught.value.code == "budget_exceeded"
        assert _health(server)["budgets"][0]["spend_usd"] == pytest.approx(0.97 + 9 * REAL_COST, abs=1e-12)
    finally:
        server.stop()
    log = server.output()
    assert log.count("budget monthly_usd (All providers) reached 80 %") == 1  # at start: $0.97 of $1.00
    assert "reached 100 %" not in log


def test_a_spent_cap_refuses_messages_in_anthropic_s_shape_and_a_provider_cap_only_its_provider(tmp_path, mock_provider):
    path = _config(tmp_path, mock_provider, {"providers": {"anthropic": {"usd": 0.5, "hard": True}, "openai": 5}},
                   spent_usd=0)
    (tmp_path / "usage.jsonl").write_text(json.dumps(_seed_line(0.5, provider="anthropic", model="cap-claude")) + "\n")
    server = ServerProcess(path)
    try:
        client = anthropic.Anthropic(base_url=server.url, api_key="unused", max_retries=0)
        with pytest.raises(anthropic.RateLimitError) as caught:
            client.messages.create(model="cap-claude", max_tokens=100, messages=[{"role": "user", "content": "hi"}])
        body = caught.value.body
        assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
        assert body["error"]["code"] == "budget_exceeded"
        assert body["error"]["budget"] | {"request_worst_case_usd": None} == {
            "name": "providers.anthropic", "label": "anthropic", "spend_usd": 0.5, "reserved_usd": 0.0,
            "request_worst_case_usd": None, "cap_usd": 0.5}
        # openai's budget is not a cap, and the anthropic cap does not count its requests.
        answer = openai.OpenAI(base_url=server.url + "/v1", api_key="unused").chat.completions.create(
            model="cap-fast", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "Quick answer."
        states = {b["budget"]: (b["state"], b["hard"]) for b in _health(server)["budgets"]}
        assert states == {"providers.anthropic": ("reached", True), "providers.openai": ("ok", False)}
    finally:
        server.stop()


def test_each_threshold_is_logged_once_as_spend_crosses_it(tmp_path, mock_provider):
    # A soft $0.01 budget, $0.0032 a request: 32 %, 64 % (past 50), 96 % (past 80), 128 % (past 100), 160 %.
    path = _config(tmp_path, mock_provider, {"monthly_usd": 0.01}, spent_usd=0)
    server = ServerProcess(path)
    try:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused")
        for _ in range(5):
            client.chat.completions.create(model="cap-fast", messages=[{"role": "user", "content": "hi"}])
        (budget,) = _health(server)["budgets"]
        assert budget["spend_usd"] == pytest.approx(5 * REAL_COST, abs=1e-12)
        assert (budget["state"], budget["hard"], budget["percent"]) == ("reached", False, pytest.approx(160))
    finally:
        server.stop()
    log = server.output()
    for threshold in (50, 80, 100):
        assert log.count(f"budget monthly_usd (All providers) reached {threshold} %") == 1


@pytest.mark.parametrize(("budget", "where"), [
    ({"hard": True, "monthly_usd": 20}, "budget.hard"),
    ({"tokens": {"alice": {"usd": 5, "hard": True}}}, "budget.tokens.alice.hard"),
])
def test_hard_caps_without_the_ledger_stop_the_server_at_start_naming_the_key(tmp_path, mock_provider, budget, where):
    path = _config(tmp_path, mock_provider, budget, spent_usd=0, ledger=False)
    done = subprocess.run([sys.executable, "-m", "llms", "--serve", "0", "--config", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert f"{where}: hard caps need the ledger: set \"ledger\": {{\"enabled\": true}} in llms.json" in done.stderr


def test_a_spent_cap_refuses_the_responses_api_too(tmp_path, mock_provider):
    path = _config(tmp_path, mock_provider, {"monthly_usd": {"usd": 0.97, "hard": True}}, spent_usd=0.97)
    server = ServerProcess(path)
    try:
        request = urllib.request.Request(server.url + "/v1/responses", method="POST",
                                         data=json.dumps({"model": "cap-fast", "input": "hi"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        assert caught.value.code == 429
        error = json.loads(caught.value.read())["error"]
        assert (error["code"], error["budget"]["name"], error["budget"]["spend_usd"]) == ("budget_exceeded",
                                                                                         "monthly_usd", 0.97)
    finally:
        server.stop()
