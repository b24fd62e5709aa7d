"""A local model priced by electricity (a provider's "energy" in llms.json), against the real server and the mock:
each request costs its response time × watts ÷ 3,600,000 × USD per kWh, estimated, and is summed like any other."""

from __future__ import annotations

import json
import urllib.request

import openai
import pytest

from tests.ledger_file import written_lines
from tests.mock_provider import KEYS, Reply
from tests.server_process import ServerProcess

ENERGY = {"watts": 65, "usd_per_kwh": 0.30}


def _energy_usd(response_ms: float) -> float:
    return response_ms / 1000 * 65 / 3_600_000 * 0.30


@pytest.fixture
def served(tmp_path, mock_provider):
    mock_provider.set_model("energy-upstream", Reply(text="Local answer.", delay_s=0.2, usage={
        "openai": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}}))
    mock_provider.set_model("energy-priced", Reply(text="Paid answer.", usage={
        "openai": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}}))
    config = {"providers": {
        "local": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                  "models": {"llama-local": "energy-upstream"}, "default_pricing": {"input": 0, "output": 0},
                  "energy": ENERGY},
        "paid": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                 "models": {"paid-model": "energy-priced"}, "pricing": {"paid-model": {"input": 2, "output": 8}}}},
        "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config))
    server = ServerProcess(path)
    yield server, tmp_path / "usage.jsonl"
    server.stop()


def test_a_local_model_costs_the_electricity_of_its_answer_and_sums_with_priced_ones(served):
    server, ledger = served
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused")
    client.chat.completions.create(model="llama-local", messages=[{"role": "user", "content": "hi"}])
    stream = client.chat.completions.create(model="llama-local", messages=[{"role": "user", "content": "hi"}],
                                            stream=True, stream_options={"include_usage": True})
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "Local answer."
    client.chat.completions.create(model="paid-model", messages=[{"role": "user", "content": "hi"}])
    local_one, local_two, paid = written_lines(ledger)
    for line in (local_one, local_two):
        assert line["response_ms"] >= 200  # the mock answers after 0.2 s
        assert line["cost_usd"] == _energy_usd(line["response_ms"])  # e.g. 205 ms → $0.0000011104…
        assert (line["cost_provenance"], line["energy"], line["prices"]) == ("estimated", ENERGY, None)
        assert (line["input_cost"], line["output_cost"], line["total_cost"]) == (None, None, line["cost_usd"])
        assert line["usage"]["prompt_tokens"] == 30  # tokens are still counted, only not priced
    # (1000 × 2 + 100 × 8) / 1M = $0.0028 at token prices, beside the energy costs.
    assert (paid["cost_usd"], paid["cost_provenance"], paid["energy"]) == (0.0028, "computed", None)
    assert local_one["price_version"] == paid["price_version"] and paid["price_version"].startswith("genai-prices ")
    with urllib.request.urlopen(server.url + "/api/analytics/llm", timeout=10) as response:
        summary = json.loads(response.read())["summary"]
    assert summary["totalCostUsd"] == pytest.approx(local_one["cost_usd"] + local_two["cost_usd"] + 0.0028, rel=1e-12)
    assert summary["estimatedCalls"] == 2


def test_the_browser_is_told_each_provider_s_energy_and_the_price_version(served):
    server, _ = served
    with urllib.request.urlopen(server.url + "/api/config", timeout=10) as response:
        config = json.loads(response.read())
    energy = {p["id"]: p["energy"] for p in config["providers"]}
    assert energy == {"local": ENERGY, "paid": None}
    assert config["price_version"].startswith("genai-prices ")
