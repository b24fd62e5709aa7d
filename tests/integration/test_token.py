"""With a token, /v1 and /api need it (Bearer or the cookie set by /?token=); /health and /static do not."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.conftest import MOCK_KEY_ENV
from tests.ledger_file import written_lines
from tests.server_process import ServerProcess

TOKEN = "t0ken-for-tests"


@pytest.fixture(scope="module")
def guarded(mock_config_path):
    server = ServerProcess(mock_config_path, "--token", TOKEN, env=MOCK_KEY_ENV)
    yield server
    server.stop()


def status_of(url: str, headers: dict | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_requests_without_the_token_get_401(guarded):
    status, _ = status_of(guarded.url + "/v1/models")
    assert status == 401
    assert status_of(guarded.url + "/api/config")[0] == 401
    assert status_of(guarded.url + "/v1/models", {"Authorization": "Bearer wrong"})[0] == 401


def test_bearer_token_and_open_paths(guarded):
    assert status_of(guarded.url + "/v1/models", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert status_of(guarded.url + "/health")[0] == 200


def test_opening_the_page_with_the_token_sets_a_strict_httponly_cookie_that_then_works(guarded):
    status, headers = status_of(guarded.url + f"/?token={TOKEN}")
    assert status == 200
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"llms_token={TOKEN};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    request = urllib.request.Request(guarded.url + "/api/config", headers={"Cookie": f"llms_token={TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "providers" in json.loads(response.read())


def test_the_ledger_records_which_named_token_a_request_came_with(mock_provider, tmp_path):
    import openai

    from tests.conftest import mock_config

    ledger = tmp_path / "usage.jsonl"
    config = mock_config(mock_provider) | {"ledger": {"enabled": True, "path": str(ledger)}}
    config_path = tmp_path / "llms.json"
    config_path.write_text(json.dumps(config))
    server = ServerProcess(config_path, "--token", "ci=ci-secret-1", "--token", "laptop=laptop-secret-2",
                           env=MOCK_KEY_ENV)
    try:
        for secret in ("ci-secret-1", "laptop-secret-2"):
            client = openai.OpenAI(base_url=server.url + "/v1", api_key=secret, max_retries=0)
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    finally:
        server.stop()
    lines = written_lines(ledger)
    assert [(line["client"], line["token"]) for line in lines] == [("api", "ci"), ("api", "laptop")]
    assert "secret" not in ledger.read_text()
