"""With the ledger on, requests made with the openai SDK through the real server (against the shared mock
provider) appear once in the ledger, in `llms --report`, in /api/analytics/llm, /api/ledger and /health (only
with the token, when there is one); damaged lines are skipped with warnings; the converted llms.py config serves."""

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import openai
import pytest

from tests.ledger_file import written_lines
from tests.mock_provider import KEYS, Reply
from tests.server_process import ROOT, ServerProcess

KEY = KEYS["openai"]
UPSTREAM_MODEL = "ledger-gpt-4o"  # its own name: the mock is shared by the whole session
USAGE = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
COST = (12 * 2.5 + 5 * 10) / 1e6
TOKEN = "t0ken-for-ledger-tests"


def write_config(tmp_path: Path, mock_provider) -> tuple[Path, Path]:
    """An llms.json with the ledger on and gpt-4o answered by the mock: "Hello" with USAGE, streamed or not."""
    mock_provider.set_model(UPSTREAM_MODEL, Reply(text="Hello", usage={"openai": USAGE}))
    config = {"providers": {"openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"),
                                       "api_key": KEY, "models": {"gpt-4o": UPSTREAM_MODEL},
                                       "pricing": {"gpt-4o": {"input": 2.5, "output": 10}}}},
              "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config))
    return path, tmp_path / "usage.jsonl"


@pytest.fixture
def served(tmp_path, mock_provider):
    path, ledger = write_config(tmp_path, mock_provider)
    server = ServerProcess(path)
    yield server, path, ledger
    server.stop()


def get_json(url: str, headers: dict | None = None) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return json.loads(response.read())


def sdk_requests(url: str) -> list[str]:
    client = openai.OpenAI(base_url=url + "/v1", api_key="unused")
    messages = [{"role": "user", "content": "Say hello"}]
    plain = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=messages)
    assert plain.parse().choices[0].message.content == "Hello"
    streamed = client.chat.completions.with_raw_response.create(
        model="gpt-4o", messages=messages, stream=True, stream_options={"include_usage": True})
    assert "".join(c.choices[0].delta.content or "" for c in streamed.parse() if c.choices) == "Hello"
    return [plain.headers["X-LLMS-Request-Id"], streamed.headers["X-LLMS-Request-Id"]]


def test_sdk_requests_appear_once_in_ledger_report_analytics_ledger_api_and_health(served):
    server, config_path, ledger = served
    ids = sdk_requests(server.url)

    lines = written_lines(ledger)
    assert [line["request_id"] for line in lines] == ids
    assert [line["is_streaming"] for line in lines] == [False, True]
    assert all(line["cost_usd"] == COST and line["cost_provenance"] == "computed" for line in lines)
    assert all(line["client"] == "api" and line["usage"]["prompt_tokens"] == 12 for line in lines)
    assert KEY not in ledger.read_text() and "Say hello" not in ledger.read_text()

    report = subprocess.run([sys.executable, "-m", "llms", "--report", "csv", "--config", str(config_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    assert [row["request_id"] for row in csv.DictReader(io.StringIO(report.stdout))] == ids

    analytics = get_json(server.url + "/api/analytics/llm?granularity=hour&tz=Europe/Berlin")
    assert analytics["summary"]["totalCalls"] == 2
    assert analytics["summary"]["totalCostUsd"] == COST + COST
    assert [(m["provider"], m["model"], m["calls"]) for m in analytics["byModel"]] == [("openai", "gpt-4o", 2)]
    assert len(analytics["byTime"]) in (24, 25) and sum(b["calls"] for b in analytics["byTime"]) == 2

    page = get_json(server.url + "/api/ledger?limit=1")
    assert [r["request_id"] for r in page["records"]] == ids[:1] and page["more"] is True
    rest = get_json(server.url + "/api/ledger?since=" + urllib.parse.quote(page["next_since"]))
    assert ids[1] in [r["request_id"] for r in rest["records"]] and rest["more"] is False

    assert get_json(server.url + "/health")["cost_stats_24h"] == {
        "total_cost": COST + COST, "provider_costs": {"openai": COST + COST}, "requests": 2, "cost_usd": COST + COST,
        "errors": 0}


def test_bad_analytics_parameters_answer_400_naming_the_parameter(served):
    server, _, _ = served
    for query, param in (("granularity=month", "granularity"), ("tz=Mars/Base", "tz"), ("from=yesterday", "from"),
                         ("from=2020-01-01&to=2026-01-01", "granularity")):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{server.url}/api/analytics/llm?{query}", timeout=10)
        error = json.loads(caught.value.read())["error"]
        assert (caught.value.code, error["param"]) == (400, param)
        assert error["message"].startswith(param + ": ")


def test_with_the_ledger_off_analytics_is_empty_and_says_why(tmp_path):
    path = tmp_path / "llms.json"
    path.write_text(json.dumps({"providers": {}}))
    server = ServerProcess(path)
    try:
        analytics = get_json(server.url + "/api/analytics/llm")
        assert analytics["summary"]["totalCalls"] == 0 and analytics["byModel"] == []
        assert analytics["ledger"]["enabled"] is False and "ledger is off" in analytics["ledger"]["note"]
        health = get_json(server.url + "/health")
        assert health["features"] == {"cost_tracking": False} and "cost_stats_24h" not in health
        assert get_json(server.url + "/api/ledger")["records"] == []
    finally:
        server.stop()


def test_the_llmspy_config_converted_by_import_config_serves(tmp_path):
    fixture = Path(__file__).parent.parent / "fixtures" / "llmspy-2.0.35-llms.json"
    converted = tmp_path / "converted.json"
    subprocess.run([sys.executable, "-m", "llms", "--import-config", str(fixture), "--output", str(converted)],
                   cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    server = ServerProcess(converted, env={"GROQ_API_KEY": "gsk-test"})
    try:
        models = {m["id"]: m["owned_by"] for m in get_json(server.url + "/v1/models")["data"]}
        assert models["llama3.3:70b"] == "groq" and models["kimi-k2"] == "groq"
        providers = {p["id"]: p for p in get_json(server.url + "/api/config")["providers"]}
        assert providers["groq"]["enabled"] is True and providers["openai"]["disabled_reason"] == "OPENAI_API_KEY is not set"
    finally:
        server.stop()


def test_lines_with_wrongly_typed_fields_are_skipped_and_every_reader_still_answers(served):
    server, config_path, ledger = served
    # A request that has ended: one ending after the server's now waits for its time in /api/ledger (ledger_page).
    now = (datetime.now().astimezone() - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    good = {"timestamp": now, "request_id": "c" * 32, "client": "api", "provider": "openai", "model": "gpt-4o",
            "provider_model": UPSTREAM_MODEL, "endpoint": "/v1/chat/completions", "is_streaming": False,
            "status": "ok", "error": None, "finish_reason": "stop", "usage": USAGE, "cost_usd": COST,
            "cost_provenance": "computed", "prices": {"input": 2.5, "output": 10}, "response_ms": 10.0, "ttft_ms": None}
    bad = [good | {"request_id": "d" * 32, "response_ms": "abc"}, good | {"request_id": "e" * 32, "cost_usd": "0.1"}]
    ledger.write_text("".join(json.dumps(line) + "\n" for line in (good, *bad)))
    warnings = [f'{ledger}:2: response_ms: expected a number from 0 to 604800000 or null, got "abc"; skipped',
                f'{ledger}:3: cost_usd: expected a number from 0 to 100000 or null, got "0.1"; skipped']

    analytics = get_json(server.url + "/api/analytics/llm")
    assert analytics["summary"]["totalCalls"] == 1 and analytics["summary"]["totalCostUsd"] == COST
    assert analytics["ledger"]["warnings"] == warnings
    page = get_json(server.url + "/api/ledger")
    assert [r["request_id"] for r in page["records"]] == [good["request_id"]] and page["ledger"]["warnings"] == warnings
    for fmt in ("summary", "detailed", "csv", "hourly"):
        report = subprocess.run([sys.executable, "-m", "llms", "--report", fmt, "--config", str(config_path)],
                                cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert report.returncode == 0, report.stderr
        assert report.stderr.splitlines() == [f"llms: warning: {warning}" for warning in warnings]


def test_with_a_token_health_shows_the_spend_only_to_requests_carrying_it(tmp_path, mock_provider):
    path, _ = write_config(tmp_path, mock_provider)
    server = ServerProcess(path, "--token", TOKEN)
    try:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key=TOKEN)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Say hello"}])
        expected = {"total_cost": COST, "provider_costs": {"openai": COST}, "requests": 1, "cost_usd": COST,
                    "errors": 0}
        assert "cost_stats_24h" not in get_json(server.url + "/health")
        assert "cost_stats_24h" not in get_json(server.url + "/health", {"Authorization": "Bearer wrong"})
        assert get_json(server.url + "/health", {"Authorization": f"Bearer {TOKEN}"})["cost_stats_24h"] == expected
        assert get_json(server.url + "/health", {"Cookie": f"llms_token={TOKEN}"})["cost_stats_24h"] == expected
    finally:
        server.stop()
