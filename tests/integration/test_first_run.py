"""First run against the real server: the Providers view's check (the probe of `llms --check`) and who may run it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.conftest import MOCK_KEY_ENV
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
