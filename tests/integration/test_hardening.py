"""The real app (in process, on 127.0.0.1) against a hostile upstream (tests/hostile_provider.py): whatever the
provider sends, keys never reach the client or the ledger, a malformed reply is a recorded 502 with a request id,
and every request gets its ledger line, one its readers accept."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from llms.config import parse_config
from llms.ledger.schema import MAX_ERROR_CHARS, line_problem
from llms.server.access import ServerSettings
from llms.server.app import MAX_BODY_BYTES, create_app
from tests.hostile_provider import LONG_ERROR_CHARS, LONG_FINISH_CHARS, HostileProvider
from tests.server_process import free_port

LONG_KEY = "sk-hostile-key-0123456789"
SHORT_KEY = "k7x"  # shorter than 8 characters: masked all the same
PROMPT = "Say hello"


def config_for(hostile: HostileProvider, tmp_path: Path, key: str):
    models = {name: name for name in ("echo-key", "deep", "infinite-usage", "surrogate-error", "long-error",
                                      "long-finish")}
    raw = {"defaults": {"model": "echo-key", "connect_timeout_s": 2, "read_timeout_s": 5},
           "providers": {"hostile": {"type": "openai-compatible", "base_url": hostile.url, "api_key": key,
                                     "models": models, "pricing": {"echo-key": {"input": 1, "output": 2}}}},
           "ledger": {"enabled": True, "prompts": True, "path": str(tmp_path / "usage.jsonl")}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


@pytest.fixture
async def served(tmp_path):
    """(client, ledger path, key) for an app whose one provider is the hostile upstream, with a long key."""
    async with HostileProvider() as hostile:
        async with _client(config_for(hostile, tmp_path, LONG_KEY)) as client:
            yield client, tmp_path / "usage.jsonl"


def _client(config) -> TestClient:
    port = free_port()
    return TestClient(TestServer(create_app(config, ServerSettings("127.0.0.1", port)), host="127.0.0.1", port=port))


async def ask(client: TestClient, model: str, *, stream: bool, content: str = PROMPT) -> tuple[int, dict, str]:
    response = await client.post("/v1/chat/completions", json={
        "model": model, "stream": stream, "messages": [{"role": "user", "content": content}]})
    return response.status, dict(response.headers), await response.text()


def ledger_lines(path: Path) -> list[dict]:
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("key", [LONG_KEY, SHORT_KEY])
@pytest.mark.parametrize("stream", [False, True])
async def test_a_key_echoed_in_a_200_answer_is_masked_for_the_client_and_in_the_ledger(tmp_path, key, stream):
    async with HostileProvider() as hostile:
        async with _client(config_for(hostile, tmp_path, key)) as client:
            status, _, text = await ask(client, "echo-key", stream=stream)
    assert status == 200
    assert key not in text and "You sent Bearer *** (key ***)." in text
    ledger_text = (tmp_path / "usage.jsonl").read_text(encoding="utf-8")
    assert key not in ledger_text
    [line] = ledger_lines(tmp_path / "usage.jsonl")
    assert line["status"] == "ok" and line["output_text"].endswith("You sent Bearer *** (key ***).")


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("model", ["deep", "infinite-usage"])
async def test_a_deeply_nested_or_infinite_reply_is_a_recorded_502_with_a_request_id(served, model, stream):
    client, ledger = served
    status, headers, text = await ask(client, model, stream=stream)
    [line] = ledger_lines(ledger)
    assert line["status"] == "error" and line["error"]["status"] == 502 and line_problem(line) is None
    if stream:  # the status line went out with the first chunk; the fault is the stream's last event
        assert status == 200
        error = json.loads(text.split("data: ")[-2])["error"]
    else:
        assert status == 502
        assert headers["X-LLMS-Request-Id"] == line["request_id"]
        error = json.loads(text)["error"]
    assert error["code"] == "malformed" and error["provider"] == "hostile"
    assert error["message"].startswith("hostile sent a ")
    assert ("nested deeper" in error["message"]) if model == "deep" else ("inf" in error["message"].lower())
    assert line["error"]["message"] == error["message"]


async def test_a_lone_surrogate_in_a_prompt_still_writes_the_ledger_line(served):
    client, ledger = served
    status, _, _ = await ask(client, "echo-key", stream=False, content="half a pair: \ud800.")
    assert status == 200
    [line] = ledger_lines(ledger)
    assert line["messages"][0]["content"] == "half a pair: \ufffd."
    assert line_problem(line) is None


async def test_a_lone_surrogate_in_a_provider_error_still_writes_the_ledger_line(served):
    client, ledger = served
    status, _, text = await ask(client, "surrogate-error", stream=False)
    assert status == 500 and "upstream broke" in json.loads(text)["error"]["message"]
    [line] = ledger_lines(ledger)
    assert line["status"] == "error" and line["error"]["message"] == "hostile: upstream broke: \ufffd here"


@pytest.mark.parametrize("stream", [False, True])
async def test_an_over_long_error_or_finish_reason_is_cut_with_a_marker_to_what_readers_accept(served, stream):
    client, ledger = served
    await ask(client, "long-error", stream=stream)
    await ask(client, "long-finish", stream=stream)
    error_line, finish_line = ledger_lines(ledger)
    assert line_problem(error_line) is None and line_problem(finish_line) is None
    message = error_line["error"]["message"]
    assert len(message) == MAX_ERROR_CHARS < LONG_ERROR_CHARS and message.endswith("… [truncated]")
    assert len(finish_line["finish_reason"]) == 100 < LONG_FINISH_CHARS
    assert finish_line["finish_reason"].endswith("… [truncated]")


async def test_a_ledger_that_cannot_be_written_is_counted_in_health_and_chat_keeps_working(tmp_path):
    async with HostileProvider() as hostile:
        config = config_for(hostile, tmp_path, LONG_KEY)
        (tmp_path / "usage.jsonl").mkdir()  # where the file should be: every write fails
        async with _client(config) as client:
            status, _, _ = await ask(client, "echo-key", stream=False)
            health = await (await client.get("/health")).json()
            pages = {path: await client.get(path) for path in ("/api/ledger", "/api/analytics/llm")}
            answers = {path: (response.status, await response.json()) for path, response in pages.items()}
    assert status == 200
    assert health["ledger"] == {"write_errors": 1, "last_error": f"{tmp_path / 'usage.jsonl'}: Is a directory"}
    note = f"the ledger {tmp_path / 'usage.jsonl'} cannot be read: Is a directory"
    for path, (status, body) in answers.items():  # the ledger's state, not a 500
        assert status == 503, path
        assert body["error"]["message"] == note and body["ledger"] == {"enabled": True, "warnings": [], "note": note}


async def raw_status(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client library would send these) and read the status and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def raw_get(port: int, target: bytes, *headers: bytes, host: bytes | None = None) -> bytes:
    lines = [b"GET " + target + b" HTTP/1.1", b"Host: " + (host or f"127.0.0.1:{port}".encode()), *headers,
             b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n"


@pytest.mark.parametrize("tokens", [{}, {"default": "s3cret-token"}])
async def test_bad_input_is_a_clear_4xx_never_a_500(tmp_path, caplog, tokens):
    async with HostileProvider() as hostile:
        config = config_for(hostile, tmp_path, LONG_KEY)
        port = free_port()
        server = TestServer(create_app(config, ServerSettings("127.0.0.1", port, tokens)), host="127.0.0.1", port=port)
        async with TestClient(server) as client:
            auth = b"Authorization: Bearer s3cret-token"
            cases = {
                "a non-ASCII digit in the Host port": (raw_get(port, b"/health", host="127.0.0.1:²".encode()), 403),
                "a token that is not UTF-8": (raw_get(port, b"/api/config", b"Authorization: Bearer \xff\xfe"),
                                              401 if tokens else 200),
                "a cookie that is not UTF-8": (raw_get(port, b"/api/config", b"Cookie: llms_token=\xff\xfe"),
                                               401 if tokens else 200),
                "since in year 1 at +14:00": (raw_get(port, b"/api/ledger?since=0001-01-01T00:00:00%2B14:00", auth), 400),
                "since in year 9999 at -14:00": (raw_get(port, b"/api/ledger?since=9999-12-31T23:59:59-14:00", auth), 400),
                "analytics to the last day of year 9999": (raw_get(port, b"/api/analytics/llm?to=9999-12-31", auth), 400),
                "analytics from the last day of year 9999": (raw_get(port, b"/api/analytics/llm?from=9999-12-31", auth),
                                                             400),
                "a superscript limit": (raw_get(port, b"/api/ledger?limit=%C2%B2", auth), 400),
                "a CRLF in an analytics page": (raw_get(port, b"/analytics/a%0D%0Ab", auth), 404),
            }
            for name, (request, expected) in cases.items():
                status, body = await raw_status(port, request)
                assert status == expected, (name, body)
            deep = json.dumps({"model": "echo-key", "messages": [{"role": "user", "content": "hi"}]})[:-1]
            deep += ', "metadata": ' + "[" * 970 + "]" * 970 + "}"
            for text, message in [(deep, "request body is nested deeper than 100 levels"),
                                  ('{"model": "echo-key", "messages": [{"role": "user", "content": "hi"}], '
                                   '"temperature": NaN}',
                                   "request body has NaN, which is not a JSON number (use null or a finite number)")]:
                headers = {"Content-Type": "application/json"} | ({"Authorization": "Bearer s3cret-token"} if tokens else {})
                response = await client.post("/v1/chat/completions", data=text, headers=headers)
                assert response.status == 400 and (await response.json())["error"]["message"] == message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]



async def test_secrets_in_base_url_are_masked_in_cannot_reach_errors(tmp_path):
    # anthropic: its key goes in x-api-key, so aiohttp may send the URL's userinfo as Basic auth
    raw = {"providers": {"proxied": {"type": "anthropic", "api_key": "sk-unused-key",
                                     "base_url": "http://alice:pw-in-url@127.0.0.1:1/v1?key=q-in-url",  # nothing listens on port 1
                                     "models": {"m": "m"}}},
           "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    async with _client(parse_config(json.dumps(raw), tmp_path / "llms.json", {})) as client:
        status, _, text = await ask(client, "m", stream=False)
    message = json.loads(text)["error"]["message"]
    assert status == 502 and message.startswith("cannot reach proxied at http://***@127.0.0.1:1/v1?key=***: ")
    ledger_text = (tmp_path / "usage.jsonl").read_text(encoding="utf-8")
    for secret in ("pw-in-url", "q-in-url", "alice"):
        assert secret not in message and secret not in ledger_text


async def test_a_body_over_the_size_limit_is_a_413(served):
    client, _ = served
    body = b'{"model": "echo-key", "messages": [{"role": "user", "content": "' + b"x" * MAX_BODY_BYTES + b'"}]}'
    response = await client.post("/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 413 and (await response.json())["error"]["message"].startswith("Request Entity Too Large")
