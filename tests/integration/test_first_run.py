"""First run against the real server: the Providers view's check (the probe of `llms --check`) and who may run it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.conftest import MOCK_KEY_ENV
from tests.ledger_file import written_lines
from tests.server_process import ServerProcess


def post(url: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=b"", method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_check_of_a_provider_asks_each_of_its_models_and_gives_latency_or_the_plain_reason(llms_server):
    status, body = post(llms_server.url + "/providers/anthropic/check", {"Origin": llms_server.url})
    assert status == 200
    assert body["provider"] == "anthropic"
    results = {r["model"]: r for r in body["results"]}
    assert [r["model"] for r in body["results"]] == ["claude-sonnet-4-5", "claude-401", "shape-anthropic"]
    assert results["claude-sonnet-4-5"]["ok"] is True and results["claude-sonnet-4-5"]["reason"] == "ok"
    assert isinstance(results["claude-sonnet-4-5"]["latency_ms"], int)
    assert results["claude-401"]["ok"] is False
    assert results["claude-401"]["reason"].startswith("401 bad key: ")


def test_the_check_is_refused_to_a_foreign_page_and_says_why_a_provider_cannot_be_checked(llms_server):
    status, body = post(llms_server.url + "/providers/anthropic/check", {"Origin": "https://evil.example"})
    assert status == 403
    assert "is not this server's own page" in body["error"]["message"]
    status, body = post(llms_server.url + "/providers/nokey/check", {"Origin": llms_server.url})
    assert (status, body["error"]["message"]) == (409, "provider 'nokey' is disabled: MOCK_UNSET_KEY is not set")
    status, body = post(llms_server.url + "/providers/nosuch/check")
    assert status == 404 and body["error"]["message"].startswith("no provider 'nosuch' in ")


def test_with_a_token_the_check_needs_it(mock_config_path):
    server = ServerProcess(mock_config_path, "--token", "s3cret", env=MOCK_KEY_ENV)
    try:
        assert post(server.url + "/providers/google/check")[0] == 401
        status, body = post(server.url + "/providers/google/check", {"Authorization": "Bearer s3cret"})
        assert status == 200 and all(r["ok"] for r in body["results"] if r["model"] != "gemini-cut")
    finally:
        server.stop()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def ollama_config(mock_provider, tmp_path, ollama_url: str, model: str = "llama3.2", ledger: dict | None = None):
    """Two providers: openai with a key that is not set, and an Ollama at `ollama_url`."""
    raw = {"defaults": {"model": "gpt-4o-mini"}, **({"ledger": ledger} if ledger else {}),
           "providers": {"openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"),
                                    "api_key": "$MOCK_UNSET_KEY", "models": {"gpt-4o-mini": "gpt-4o-mini"}},
                         "ollama": {"type": "ollama", "base_url": ollama_url,
                                    "models": {model: model, "gemma3": "gemma3"}}}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(raw))
    return path


def test_an_answering_ollama_offers_its_installed_models_free_and_serves_them(mock_provider, tmp_path):
    ledger = tmp_path / "usage.jsonl"
    server = ServerProcess(ollama_config(mock_provider, tmp_path, mock_provider.ollama_url(),
                                         ledger={"enabled": True, "path": str(ledger)}))
    try:
        public = get_json(server.url + "/api/config")
        ollama = next(p for p in public["providers"] if p["id"] == "ollama")
        # llama3.2 of llms.json is installed as llama3.2:latest; gemma3 is not installed; qwen2.5-coder:7b is.
        assert ollama["enabled"] is True
        assert ollama["models"] == [{"alias": "llama3.2", "provider_model": "llama3.2:latest", "reasoning": False},
                                    {"alias": "qwen2.5-coder:7b", "provider_model": "qwen2.5-coder:7b",
                                     "reasoning": False}]
        assert public["pricing"]["ollama"] == {"llama3.2": {"input": 0, "output": 0},
                                               "qwen2.5-coder:7b": {"input": 0, "output": 0}}
        request = urllib.request.Request(server.url + "/v1/chat/completions", method="POST",
                                         headers={"Content-Type": "application/json"},
                                         data=json.dumps({"model": "qwen2.5-coder:7b",
                                                          "messages": [{"role": "user", "content": "hi"}]}).encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert answer["choices"][0]["message"]["content"] == "Hello from qwen2.5-coder:7b on the mock Ollama."
        assert answer["llms"]["provider"] == "ollama"
        ids = [m["id"] for m in get_json(server.url + "/v1/models")["data"]]
        assert ids == ["llama3.2", "qwen2.5-coder:7b"]
        server.stop()
        [line] = written_lines(ledger)
        assert (line["model"], line["cost_usd"], line["cost_provenance"]) == ("qwen2.5-coder:7b", 0, "computed")
        output = server.output()
        assert "1 of 2 providers ready: ollama\n" in output
        assert "  off  openai  MOCK_UNSET_KEY is not set\n" in output
        assert f"set a key's variable and restart, or edit the providers in {tmp_path / 'llms.json'}\n" in output
        assert ("defaults.model gpt-4o-mini is not ready (openai: MOCK_UNSET_KEY is not set): "
                "using llama3.2 (ollama)\n") in output
    finally:
        server.stop()


def test_an_ollama_that_does_not_answer_offers_no_model_and_says_where_it_was_asked(mock_provider, tmp_path):
    from tests.server_process import free_port

    closed = f"http://127.0.0.1:{free_port()}"  # loopback, nothing listening
    server = ServerProcess(ollama_config(mock_provider, tmp_path, closed))
    try:
        ollama = next(p for p in get_json(server.url + "/api/config")["providers"] if p["id"] == "ollama")
        assert (ollama["enabled"], ollama["models"]) == (False, [])
        assert ollama["disabled_reason"].startswith(f"Ollama is not answering at {closed} (")
        with urllib.request.urlopen(server.url + "/fragments/models", timeout=30) as response:
            fragment = response.read().decode()
        assert "No model is available" in fragment and f"Ollama is not answering at {closed}" in fragment
        server.stop()
        assert "0 of 2 providers ready: no message can be sent yet\n" in server.output()
    finally:
        server.stop()


def test_the_checks_of_the_providers_view_are_in_the_ledger_as_the_apps_requests(mock_provider, tmp_path):
    from tests.integration.test_first_run_cli import ledger_config, lines_of

    config, ledger = ledger_config(mock_provider, tmp_path)
    server = ServerProcess(config, env=MOCK_KEY_ENV)
    try:
        assert post(server.url + "/providers/google/check", {"Origin": server.url})[0] == 200
    finally:
        server.stop()
    lines = lines_of(ledger)
    assert sorted(line["model"] for line in lines) == ["gemini-2.5-flash", "gemini-cut", "shape-google"]
    assert {(line["client"], line["provider"]) for line in lines} == {("app", "google")}
