"""The alias asked for prices a request, after failover too: the ledger (through the real app and its recorder)
and one-shot chat (through run_chat), against the mock provider, per tests/vectors/failover_prices.json."""

from __future__ import annotations

import copy
import io
import json
import socket
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from llms.commands.chat import run_chat
from llms.config import parse_config
from llms.pricing.cost import format_usd
from llms.server.access import ServerSettings
from llms.server.app import create_app
from tests.mock_provider import KEYS, Reply

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "failover_prices.json").read_text(encoding="utf-8"))
CASES = VECTORS["cases"]
MILLION = 1_000_000  # tokens in and out: the cost is then the entry's input + output price
REFUSING = "http://127.0.0.1:1/v1"  # nothing listens on port 1: a connection refused, which fails over


def config_for(case: dict, mock, tmp_path: Path):
    raw = copy.deepcopy(VECTORS["config"])
    for provider_id, provider in raw["providers"].items():
        provider["base_url"] = REFUSING if provider_id in case["failing"] else mock.url("openai")
        provider["api_key"] = "$MOCK_OPENAI_KEY"
        for provider_model in provider["models"].values():
            mock.set_model(provider_model, Reply(text="Priced answer.", usage={
                "openai": {"prompt_tokens": MILLION, "completion_tokens": MILLION}}))
    raw["ledger"] = {"enabled": True, "path": str(tmp_path / "usage.jsonl")}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {"MOCK_OPENAI_KEY": KEYS["openai"]})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
async def test_the_ledger_prices_a_request_by_the_alias_served(case, mock_provider, tmp_path):
    config = config_for(case, mock_provider, tmp_path)
    port = free_port()
    server = TestServer(create_app(config, ServerSettings("127.0.0.1", port)), host="127.0.0.1", port=port)
    async with TestClient(server) as client:
        for stream in (False, True):
            response = await client.post("/v1/chat/completions", json={
                "model": case["asked"], "stream": stream, "messages": [{"role": "user", "content": "hi"}]})
            assert response.status == 200 and response.headers["X-LLMS-Provider"] == case["provider"]
            await response.read()
    lines = [json.loads(text) for text in (tmp_path / "usage.jsonl").read_text().splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert (line["provider"], line["model"]) == (case["provider"], case["alias"])
        assert {name: line["prices"][name] for name in case["price"]} == case["price"]
        assert line["cost_usd"] == case["price"]["input"] + case["price"]["output"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_one_shot_chat_prices_a_request_by_the_alias_served(case, mock_provider, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert run_chat(config_for(case, mock_provider, tmp_path), case["asked"], "hi", out, err) == 0
    usage_line = out.getvalue().splitlines()[-1]
    cost = format_usd(case["price"]["input"] + case["price"]["output"], "computed")
    assert f" via {case['provider']} · " in usage_line and f" · {cost} · " in usage_line, usage_line
