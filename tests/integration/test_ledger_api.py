"""With the ledger on, requests made with the openai SDK through the real server appear once in the ledger,
in `llms --report`, in /api/analytics/llm, /api/ledger and /health; and the converted llms.py config serves."""

import csv
import io
import json
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openai
import pytest

from tests.server_process import ROOT, ServerProcess

KEY = "sk-upstream-secret-4242"
USAGE = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
COST = (12 * 2.5 + 5 * 10) / 1e6


class Upstream(BaseHTTPRequestHandler):
    """An OpenAI-compatible provider answering "Hello" with fixed usage, streamed or not."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        base = {"id": "chatcmpl-1", "created": 0, "model": body["model"]}
        if not body.get("stream"):
            self._send("application/json", json.dumps(base | {"object": "chat.completion", "usage": USAGE, "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}]}).encode())
            return
        chunks = [base | {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "Hello"}}]},
                  base | {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                  base | {"object": "chat.completion.chunk", "choices": [], "usage": USAGE}]
        self._send("text/event-stream", b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
                   + b"data: [DONE]\n\n")

    def _send(self, content_type: str, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet: pytest shows failures, not every request
        pass


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


@pytest.fixture
def served(tmp_path, upstream):
    config = {"providers": {"openai": {"type": "openai-compatible", "base_url": upstream, "api_key": KEY,
                                       "models": {"gpt-4o": "gpt-4o-2024-08-06"},
                                       "pricing": {"gpt-4o": {"input": 2.5, "output": 10}}}},
              "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config))
    server = ServerProcess(path)
    yield server, path, tmp_path / "usage.jsonl"
    server.stop()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
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

    lines = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [line["request_id"] for line in lines] == ids
    assert [line["is_streaming"] for line in lines] == [False, True]
    assert all(line["cost_usd"] == COST and line["cost_provenance"] == "computed" for line in lines)
    assert all(line["client"] == "api" and line["usage"]["prompt_tokens"] == 12 for line in lines)
    assert KEY not in ledger.read_text() and "Say hello" not in ledger.read_text()

    report = subprocess.run([sys.executable, "-m", "llms", "--report", "csv", "--config", str(config_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    assert [row["request_id"] for row in csv.DictReader(io.StringIO(report.stdout))] == ids

    analytics = get_json(server.url + "/api/analytics/llm?granularity=hour&tz=Europe/Berlin")
    assert analytics["summary"]["requests"] == 2
    assert analytics["summary"]["cost_usd"] == COST + COST
    assert [(m["provider"], m["model"], m["requests"]) for m in analytics["by_model"]] == [("openai", "gpt-4o", 2)]
    assert len(analytics["by_time"]) in (24, 25) and sum(b["requests"] for b in analytics["by_time"]) == 2

    page = get_json(server.url + "/api/ledger?limit=1")
    assert [r["request_id"] for r in page["records"]] == ids[:1] and page["more"] is True
    rest = get_json(server.url + "/api/ledger?since=" + urllib.parse.quote(page["next_since"]))
    assert ids[1] in [r["request_id"] for r in rest["records"]] and rest["more"] is False

    assert get_json(server.url + "/health")["cost_stats_24h"] == {"requests": 2, "cost_usd": COST + COST, "errors": 0}


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
        assert analytics["summary"]["requests"] == 0 and analytics["by_model"] == []
        assert analytics["ledger"]["enabled"] is False and "ledger is off" in analytics["ledger"]["note"]
        assert "cost_stats_24h" not in get_json(server.url + "/health")
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
