"""Token counts stay numbers (issue 15, item 13): a count no request can have (past MAX_TOKENS) is a malformed line
when the ledger is read, a provider that reports one gives a recorded 502, and /health and /api/analytics/llm never
answer Infinity."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from llms.config import parse_config
from llms.ledger.schema import MAX_TOKENS, line_problem
from tests.hostile_provider import HostileProvider
from tests.integration.test_hardening import _client, ask, ledger_lines
from tests.integration.test_hardening_costs import finite_json

HUGE = 1e308  # a valid JSON number; two of them add up to infinity


def config(hostile: HostileProvider, tmp_path):
    raw = {"providers": {"hostile": {"type": "openai-compatible", "base_url": hostile.url, "api_key": "sk-hostile-key",
                                     "models": {"echo-key": "echo-key", "huge-usage": "huge-usage"}}},
           "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def usage(prompt, completion=1):
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


async def test_two_huge_token_counts_in_the_ledger_are_skipped_and_sums_stay_finite(tmp_path):
    now = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat(timespec="milliseconds")  # in /health's 24 h
    line = {"timestamp": now, "status": "ok", "model": "echo-key", "provider": "hostile"}
    lines = [line | {"request_id": f"huge{i}", "usage": usage(HUGE), "input_tokens": HUGE} for i in range(2)]
    lines.append(line | {"request_id": "most", "usage": usage(MAX_TOKENS, 0), "input_tokens": MAX_TOKENS})
    (tmp_path / "usage.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    async with HostileProvider() as hostile:
        async with _client(config(hostile, tmp_path)) as client:
            body = finite_json(await (await client.get("/api/analytics/llm")).text())
            health = finite_json(await (await client.get("/health")).text())
    assert (body["summary"]["totalCalls"], body["summary"]["totalInputTokens"]) == (1, MAX_TOKENS)
    skipped = "usage.prompt_tokens: expected a whole number from 0 to 1000000000000, got 1e+308; skipped"
    assert body["ledger"]["warnings"] == [f"{tmp_path / 'usage.jsonl'}:{n}: {skipped}" for n in (1, 2)]
    assert health["cost_stats_24h"]["requests"] == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_a_provider_reporting_a_huge_token_count_is_a_recorded_502_in_a_line_its_readers_take(tmp_path, stream):
    async with HostileProvider() as hostile:
        async with _client(config(hostile, tmp_path)) as client:
            status, _, text = await ask(client, "huge-usage", stream=stream)
            health = finite_json(await (await client.get("/health")).text())
    [line] = ledger_lines(tmp_path / "usage.jsonl")
    assert line["status"] == "error" and line["error"]["status"] == 502 and line_problem(line) is None
    # Not streamed: no usage read; streamed: the usage estimated from the text, as for any stream cut short.
    assert (line["usage"] is None) if not stream else (line["usage"]["prompt_tokens"] < 100)
    error = json.loads(text.split("data: ")[-2])["error"] if stream else json.loads(text)["error"]
    assert status == (200 if stream else 502)  # a stream's status line went out with its first chunk
    assert error["code"] == "malformed"
    assert error["message"] == ("openai-compatible provider sent a malformed usage: usage out of range: prompt_tokens "
                                "1.00e+308, expected 0 to 1000000000000")
    assert line["error"]["message"] == error["message"]
    assert health["cost_stats_24h"]["requests"] == 1
