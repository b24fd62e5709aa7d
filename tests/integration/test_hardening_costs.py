"""Costs stay numbers (issue 15, item 13): a cost no request can have is a malformed line when the ledger is read,
an absurd price writes the cost as unknown, and /health and /api/analytics/llm never answer Infinity or NaN."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from llms.config import parse_config
from llms.ledger.schema import line_problem
from tests.hostile_provider import HostileProvider
from tests.integration.test_hardening import _client, ask, ledger_lines

HUGE = 1.5e308  # a valid JSON number; two of them add up to infinity


def config(hostile: HostileProvider, tmp_path, price: float):
    raw = {"providers": {"hostile": {"type": "openai-compatible", "base_url": hostile.url, "api_key": "sk-hostile-key",
                                     "models": {"echo-key": "echo-key"},
                                     "pricing": {"echo-key": {"input": price, "output": price}}}},
           "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def finite_json(text: str):
    """JSON as the browser's JSON.parse reads it: no Infinity, no NaN."""
    def refuse(name):
        raise AssertionError(f"{name} in {text[:200]}")
    return json.loads(text, parse_constant=refuse)


async def test_two_huge_costs_in_the_ledger_are_skipped_and_sums_stay_finite(tmp_path):
    now = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat(timespec="milliseconds")  # in /health's 24 h
    lines = [{"timestamp": now, "request_id": f"huge{i}", "status": "ok", "model": "echo-key", "provider": "hostile",
              "cost_usd": HUGE, "cost_provenance": "computed"} for i in range(2)]
    lines.append({"timestamp": now, "request_id": "fine", "status": "ok", "model": "echo-key", "provider": "hostile",
                  "cost_usd": 0.25, "cost_provenance": "computed"})
    (tmp_path / "usage.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    async with HostileProvider() as hostile:
        async with _client(config(hostile, tmp_path, 1)) as client:
            analytics = await client.get("/api/analytics/llm")
            body = finite_json(await analytics.text())
            health = finite_json(await (await client.get("/health")).text())
    assert body["summary"]["totalCalls"] == 1 and body["summary"]["totalCostUsd"] == 0.25
    skipped = "cost_usd: expected a number from 0 to 100000 or null, got 1.5e+308; skipped"
    assert body["ledger"]["warnings"] == [f"{tmp_path / 'usage.jsonl'}:{n}: {skipped}" for n in (1, 2)]
    assert health["cost_stats_24h"]["total_cost"] == 0.25 and health["cost_stats_24h"]["requests"] == 1


async def test_an_absurd_price_writes_the_cost_as_unknown_in_a_line_its_readers_take(tmp_path):
    async with HostileProvider() as hostile:
        # $1e300 per 1M tokens: 5 tokens would cost 5e294 dollars, two such requests infinity
        async with _client(config(hostile, tmp_path, 1e300)) as client:
            for _ in range(2):
                status, _, _ = await ask(client, "echo-key", stream=False)
                assert status == 200
            health = finite_json(await (await client.get("/health")).text())
            body = finite_json(await (await client.get("/api/analytics/llm")).text())
    written = ledger_lines(tmp_path / "usage.jsonl")
    assert [line_problem(line) for line in written] == [None, None]
    assert [(line["cost_usd"], line["cost_provenance"], line["total_cost"]) for line in written] == \
        [(None, "unpriced", None)] * 2
    assert health["cost_stats_24h"]["total_cost"] == 0
    assert body["summary"]["totalCalls"] == 2 and body["summary"]["unpricedCalls"] == 2
    assert body["summary"]["totalCostUsd"] == 0
