"""The documented snippets (docs/contracts.md) run unchanged against llms: the LLM proxy cost-tracking guide's
jq, Python and /health curl over a ledger written by the real server (against the shared mock provider), and
AgentLens's three /api/analytics/llm curl examples over a ledger written here, checked against figures worked out
by hand."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import urllib.request
from datetime import datetime, timedelta, timezone

import openai
import pytest

from tests.ledger_file import written_lines
from tests.mock_provider import KEYS, Reply
from tests.server_process import ROOT, ServerProcess

UPSTREAM_MODEL = "contracts-model"  # its own name: the mock is shared by the whole session
USAGE = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
TOKEN = "ci=t0ken-for-contract-tests"
SECRET = TOKEN.split("=", 1)[1]
# Two aliases of one provider model, priced apart, and one unpriced: by hand,
# gpt-4o: 12 × 600 / 1e6 = 0.0072 in, 5 × 1200 / 1e6 = 0.006 out, 0.0132 in all (> 0.01);
# mini: 12 × 0.5 / 1e6 = 0.000006 in, 5 × 2 / 1e6 = 0.00001 out, 0.000016 in all.
PRICING = {"gpt-4o": {"input": 600, "output": 1200}, "mini": {"input": 0.5, "output": 2}}
GUIDE_PYTHON = """import json

with open('logs/cost-tracking.jsonl', 'r') as f:
    for line in f:
        record = json.loads(line)
        print(f"Cost: ${record['total_cost']:.6f} for {record['model']}")
"""


@pytest.fixture
def ledger_of(tmp_path, mock_provider):
    """Run the real server with a named token, send `models` through it with the SDK, return the ledger's path."""
    mock_provider.set_model(UPSTREAM_MODEL, Reply(text="Hello", usage={"openai": USAGE}))
    ledger = tmp_path / "logs" / "cost-tracking.jsonl"
    config = {"providers": {"openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"),
                                       "api_key": KEYS["openai"],
                                       "models": {"gpt-4o": UPSTREAM_MODEL, "mini": UPSTREAM_MODEL,
                                                  "unpriced": UPSTREAM_MODEL},
                                       "pricing": PRICING}},
              "ledger": {"enabled": True, "path": str(ledger)}}
    (tmp_path / "llms.json").write_text(json.dumps(config))

    def run(*models: str, then=None) -> Path:
        server = ServerProcess(tmp_path / "llms.json", "--token", TOKEN)
        try:
            client = openai.OpenAI(base_url=server.url + "/v1", api_key=SECRET)
            for model in models:
                client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hello"}])
            if then is not None:
                then(server)
        finally:
            server.stop()
        return ledger
    return run


def curl(url: str, *headers: str) -> dict:
    """The guide's `curl URL` (with `-H` headers), run as written when curl is installed."""
    if shutil.which("curl"):
        command = ["curl", "-s", url, *(part for header in headers for part in ("-H", header))]
        return json.loads(subprocess.run(command, capture_output=True, text=True, check=True, timeout=30).stdout)
    request = urllib.request.Request(url, headers=dict(header.split(": ", 1) for header in headers))
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_line_has_the_guides_flat_fields(ledger_of):
    ledger = ledger_of("gpt-4o")
    [line] = written_lines(ledger)
    assert line["user_id"] == "token:ci" and line["ip_address"] == "127.0.0.1"
    assert (line["input_tokens"], line["output_tokens"], line["total_tokens"]) == (12, 5, 17)
    assert line["input_cost"] == pytest.approx(0.0072, abs=1e-12)
    assert line["output_cost"] == pytest.approx(0.006, abs=1e-12)
    assert line["total_cost"] == line["cost_usd"] == line["input_cost"] + line["output_cost"]
    assert line["total_cost"] == pytest.approx(0.0132, abs=1e-12)


def test_the_guides_jq_finds_the_expensive_request_and_never_an_unpriced_one(ledger_of):
    ledger = ledger_of("gpt-4o", "mini", "unpriced")
    lines = written_lines(ledger)
    assert [line["total_cost"] is None for line in lines] == [False, False, True]  # null, never 0
    command = "cat logs/cost-tracking.jsonl | jq 'select(.total_cost > 0.01)'"
    if shutil.which("jq"):
        out = subprocess.run(command, shell=True, cwd=ledger.parent.parent, capture_output=True, text=True, check=True)
        found = [json.loads(chunk) for chunk in out.stdout.replace("}\n{", "}\x00{").split("\x00") if chunk.strip()]
    else:  # the same filter in Python: null > 0.01 is false in jq
        found = [line for line in lines if line["total_cost"] is not None and line["total_cost"] > 0.01]
    assert [line["model"] for line in found] == ["gpt-4o"]
    assert found[0]["total_cost"] == pytest.approx(0.0132, abs=1e-12)


def test_the_guides_python_prints_each_cost(ledger_of, tmp_path):
    ledger = ledger_of("gpt-4o", "mini")
    script = tmp_path / "analyze.py"
    script.write_text(GUIDE_PYTHON)
    out = subprocess.run([sys.executable, str(script)], cwd=ledger.parent.parent, capture_output=True, text=True,
                         check=True)
    assert out.stdout.splitlines() == ["Cost: $0.013200 for gpt-4o", "Cost: $0.000016 for mini"]


def test_the_guides_health_check(ledger_of):
    answers = {}

    def ask(server):
        answers["open"] = curl(f"{server.url}/health")
        answers["token"] = curl(f"{server.url}/health", f"Authorization: Bearer {SECRET}")
    ledger_of("gpt-4o", "mini", "unpriced", then=ask)
    assert answers["open"]["status"] == "healthy" and answers["open"]["features"] == {"cost_tracking": True}
    assert "cost_stats_24h" not in answers["open"]  # in token mode, what was spent is for token holders only
    stats = answers["token"]["cost_stats_24h"]
    # by hand: 0.0132 + 0.000016, the unpriced request adds nothing
    assert stats["total_cost"] == pytest.approx(0.013216, abs=1e-12)
    assert stats["provider_costs"] == {"openai": stats["total_cost"]}
    assert (stats["requests"], stats["errors"]) == (3, 0)


ENDPOINTS = {"anthropic": "/v1/messages", "openai": "/v1/chat/completions"}  # how each request of the ledger came in


def ledger_line(when: datetime, number: int, provider: str, model: str, token, tokens: tuple[int, int], cost: float,
                ms: float) -> dict:
    return {"timestamp": when.isoformat(timespec="milliseconds"), "request_id": f"req{number}", "client": "api",
            "token": token, "provider": provider, "model": model, "endpoint": ENDPOINTS[provider], "status": "ok",
            "usage": {"prompt_tokens": tokens[0], "completion_tokens": tokens[1]}, "cost_usd": cost,
            "cost_provenance": "computed", "response_ms": ms}


@pytest.fixture
def analytics_server(tmp_path):
    """A real server (named token my-agent=als_your_key) over a ledger written here, so every figure is known."""
    now = datetime.now(timezone.utc)
    claude = ("anthropic", "claude-sonnet-4-20250514")
    lines = [
        ledger_line(datetime(2026, 2, 2, 10, 15, tzinfo=timezone.utc), 1, *claude, "my-agent", (1000, 200), 0.006, 1500),
        ledger_line(datetime(2026, 2, 2, 11, 30, tzinfo=timezone.utc), 2, "openai", "gpt-4o", None, (500, 100), 0.00225,
                    900),
        ledger_line(datetime(2026, 2, 5, 9, 0, tzinfo=timezone.utc), 3, *claude, "other", (2000, 400), 0.012, 1100),
        ledger_line(datetime(2026, 2, 9, 0, 0, tzinfo=timezone.utc), 4, "openai", "gpt-4o", None, (10, 10), 0.5, 100),
        ledger_line(now - timedelta(hours=3), 5, "openai", "gpt-4o", "my-agent", (40, 4), 0.0002, 300),
        ledger_line(now - timedelta(hours=2), 6, *claude, None, (100, 10), 0.0004, 500),
        ledger_line(now - timedelta(hours=1), 7, *claude, "my-agent", (300, 50), 0.00165, 700),
    ]
    ledger = tmp_path / "usage.jsonl"
    ledger.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "llms.json").write_text(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": str(ledger)}}))
    server = ServerProcess(tmp_path / "llms.json", "--token", "my-agent=als_your_key")
    yield server.url.replace("127.0.0.1", "localhost")
    server.stop()


def test_agentlens_past_week_by_day(analytics_server):
    answer = curl(f"{analytics_server}/api/analytics/llm?from=2026-02-01&to=2026-02-08&granularity=day",
                  "Authorization: Bearer als_your_key")
    # by hand: requests 1-3 (to=2026-02-08 takes that whole day; request 4 is the next midnight)
    summary = answer["summary"]
    assert {key: summary[key] for key in ("totalCalls", "totalInputTokens", "totalOutputTokens", "avgLatencyMs")} == {
        "totalCalls": 3, "totalInputTokens": 3500, "totalOutputTokens": 700, "avgLatencyMs": 1166.7}
    assert summary["totalCostUsd"] == pytest.approx(0.02025) and summary["avgCostPerCall"] == pytest.approx(0.00675)
    assert [(m["provider"], m["model"], m["calls"], m["inputTokens"], m["outputTokens"], m["avgLatencyMs"])
            for m in answer["byModel"]] == [("anthropic", "claude-sonnet-4-20250514", 2, 3000, 600, 1300),
                                            ("openai", "gpt-4o", 1, 500, 100, 900)]
    assert answer["byModel"][0]["costUsd"] == pytest.approx(0.018)
    assert len(answer["byTime"]) == 8 and answer["byTime"][1]["bucket"].startswith("2026-02-02T00:00:00")
    assert [(b["calls"], b["inputTokens"]) for b in answer["byTime"] if b["calls"]] == [(2, 1500), (1, 2000)]
    assert answer["byTime"][1]["avgLatencyMs"] == 1200 and answer["byTime"][1]["costUsd"] == pytest.approx(0.00825)


def test_by_endpoint_stands_beside_by_provider_and_by_model(analytics_server):
    answer = curl(f"{analytics_server}/api/analytics/llm?from=2026-02-01&to=2026-02-08&granularity=day",
                  "Authorization: Bearer als_your_key")
    # by hand: requests 1 and 3 came in by /v1/messages ($0.006 + $0.012), request 2 by /v1/chat/completions
    assert [(e["endpoint"], e["calls"], e["inputTokens"], e["outputTokens"], e["avgLatencyMs"])
            for e in answer["byEndpoint"]] == [("/v1/messages", 2, 3000, 600, 1300),
                                               ("/v1/chat/completions", 1, 500, 100, 900)]
    assert [e["costUsd"] for e in answer["byEndpoint"]] == pytest.approx([0.018, 0.00225])


def test_agentlens_one_model_since_a_date(analytics_server):
    answer = curl(f"{analytics_server}/api/analytics/llm?model=claude-sonnet-4-20250514&from=2026-02-01",
                  "Authorization: Bearer als_your_key")
    # by hand: requests 1, 3, 6, 7 (to defaults to now, granularity to hour)
    summary = answer["summary"]
    assert (summary["totalCalls"], summary["totalInputTokens"], summary["totalOutputTokens"]) == (4, 3400, 660)
    assert summary["totalCostUsd"] == pytest.approx(0.02005) and summary["avgLatencyMs"] == 950
    assert [m["model"] for m in answer["byModel"]] == ["claude-sonnet-4-20250514"]
    assert answer["query"]["granularity"] == "hour" and sum(b["calls"] for b in answer["byTime"]) == 4


def test_agentlens_by_agent_and_provider(analytics_server):
    answer = curl(f"{analytics_server}/api/analytics/llm?agentId=my-agent&provider=anthropic",
                  "Authorization: Bearer als_your_key")
    # by hand: the last 24 h by default, so request 7 only (5 is openai, 6 has no token)
    summary = answer["summary"]
    assert (summary["totalCalls"], summary["totalInputTokens"], summary["totalOutputTokens"]) == (1, 300, 50)
    assert summary["totalCostUsd"] == pytest.approx(0.00165) and summary["avgLatencyMs"] == 700
    assert len(answer["byTime"]) in (24, 25) and sum(b["calls"] for b in answer["byTime"]) == 1


def test_the_guides_report_commands_with_cost_tracking_file(tmp_path):
    """analyze_costs.py's commands as `llms --report …`, the ledger named by COST_TRACKING_FILE (the config leaves
    it off): requests 5-7 are within 168 hours, 1-4 are not."""
    now = datetime.now(timezone.utc)
    claude = ("anthropic", "claude-sonnet-4-20250514")
    lines = [ledger_line(datetime(2026, 2, 2, 10, 15, tzinfo=timezone.utc), 1, *claude, "my-agent", (1000, 200),
                         0.006, 1500),
             ledger_line(now - timedelta(hours=3), 5, "openai", "gpt-4o", "my-agent", (40, 4), 0.0002, 300),
             ledger_line(now - timedelta(hours=2), 6, *claude, None, (100, 10), 0.0004, 500),
             ledger_line(now - timedelta(hours=1), 7, *claude, "my-agent", (300, 50), 0.00165, 700)]
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "cost-tracking.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "llms.json").write_text(json.dumps({"providers": {}}))
    # run from the ledger's folder, as the guide does; this tree's llms, whatever is installed
    env = dict(os.environ, COST_TRACKING_FILE="logs/cost-tracking.jsonl",
               PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))))

    def report(*args: str) -> str:
        command = [sys.executable, "-m", "llms", "--config", str(tmp_path / "llms.json"), "--report", *args]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    for summary in (report("--since", "168"), report("--since", "168", "--format", "summary")):
        # by hand: $0.0002 + $0.0004 + $0.00165 = $0.00225 over 44 + 110 + 350 = 504 tokens
        assert "Total Cost: $0.002250\n" in summary and "Total Requests: 3\n" in summary
        assert "Total Tokens: 504\n" in summary and "Average Cost per Request: $0.000750\n" in summary
        assert "Average Cost per 1K Tokens: $0.004464\n" in summary
        assert "COST BY PROVIDER:\n" + "-" * 40 + "\n" + \
            "anthropic    | $0.002050 |     2 req |      460 tokens\n" + \
            "openai       | $0.000200 |     1 req |       44 tokens\n" in summary
        assert "TOP MODELS BY COST:\n" + "-" * 50 + "\n" + \
            "anthropic/claude-sonnet-4-20250514 | $0.002050 |     2 req |      460 tokens\n" in summary
    everything = report()
    assert "Total Requests: 4\n" in everything and "Total Cost: $0.008250\n" in everything
    assert len(report("--format", "detailed").splitlines()) == 2 + 4
    assert len(report("--format", "csv").splitlines()) == 1 + 4  # the header and the four requests
    assert report("--since", "24", "--format", "hourly").count("#") == 3


@pytest.mark.parametrize("ledger", [False, True])
def test_verbose_logs_one_line_per_request_and_every_unpriced_model_is_warned_about_once(tmp_path, mock_provider, ledger):
    mock_provider.set_model(UPSTREAM_MODEL, Reply(text="Hello", usage={"openai": USAGE}))
    config = {"providers": {"openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"),
                                       "api_key": KEYS["openai"],
                                       "models": {"gpt-4o": UPSTREAM_MODEL, "unpriced": UPSTREAM_MODEL,
                                                  "broken": "fault-500"},
                                       "pricing": PRICING}},
              "ledger": {"enabled": ledger, "path": str(tmp_path / "usage.jsonl")}}
    (tmp_path / "llms.json").write_text(json.dumps(config))
    server = ServerProcess(tmp_path / "llms.json", "--verbose")
    try:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused")
        for model in ("gpt-4o", "unpriced", "gpt-4o"):
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hello"}])
        with pytest.raises(openai.InternalServerError):
            client.with_options(max_retries=0).chat.completions.create(
                model="broken", messages=[{"role": "user", "content": "hi"}])
        # the warning comes once the price table is built (just after start); requests give it time
        deadline = datetime.now() + timedelta(seconds=10)
        while "for openai/unpriced" not in server.output() and datetime.now() < deadline:
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Say hello"}])
    finally:
        server.stop()
    output = server.output()
    warning = ("Cost: Not calculated (no pricing configured) for openai/unpriced: "
               "add providers.openai.pricing.unpriced to llms.json")
    assert output.count(warning) == 1 and output.count("Cost: Not calculated (no pricing configured) for ") == 2
    lines = [line.split(" llms.requests: ", 1)[1] for line in output.splitlines() if " llms.requests: " in line]
    # 12 in and 5 out at $600/$1200 per 1M: 0.0072 + 0.006 = $0.0132, as the ledger prices it
    pattern = r"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}[+-]\d\d:\d\d openai/{model} in 12 out 5 {cost} [\d,]+ ms ok"
    assert re.fullmatch(pattern.format(model="gpt-4o", cost=re.escape("$0.01")), lines[0]), lines[0]
    assert re.fullmatch(pattern.format(model="unpriced", cost=re.escape("Cost: Not calculated (no pricing configured)")),
                        lines[1]), lines[1]
    assert re.fullmatch(r"\S+ openai/broken no usage no cost [\d,]+ ms error 500", lines[3]), lines[3]
