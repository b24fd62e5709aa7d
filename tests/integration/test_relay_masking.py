"""The real app (in process, on 127.0.0.1) relaying the stream of an upstream that echoes the key written with JSON
escapes (`"sk\\u002dant…"`): /v1/messages and /v1/responses pass-through write such an event parsed, masked and
re-serialized, so the client never decodes the key back, and events without a secret still go out as sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from llms.config import parse_config
from llms.server.access import ServerSettings
from llms.server.app import create_app
from tests.server_process import free_port

KEY = "sk-ant-relay-secret-0123456789"
ESCAPED_KEY = KEY.replace("-", "\\u002d")  # how the key appears in the upstream's raw JSON text
ECHO = "Your key is " + ESCAPED_KEY + "."
USAGE = {"input_tokens": 3, "output_tokens": 2}
PLAIN_EVENT = 'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"a\\nb"}}'


def _sse(kind: str, data: str) -> bytes:
    return f"event: {kind}\ndata: {data}\n\n".encode()


def _messages_events() -> list[bytes]:
    # https://docs.anthropic.com/en/api/messages-streaming; the key escaped in a text delta and in the message id
    # (a field no chat chunk carries).
    start = ('{"type":"message_start","message":{"id":"msg_' + ESCAPED_KEY + '","type":"message","role":"assistant",'
             '"model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}')
    return [_sse("message_start", start),
            _sse("content_block_start", PLAIN_EVENT.removeprefix("data: ")),
            _sse("content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                                        '"text":"' + ECHO + '"}}'),
            _sse("content_block_stop", '{"type":"content_block_stop","index":0}'),
            _sse("message_delta", '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
                                  '"usage":{"output_tokens":2}}'),
            _sse("message_stop", '{"type":"message_stop"}')]


def _responses_events() -> list[bytes]:
    # https://platform.openai.com/docs/api-reference/responses-streaming
    message = {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": "Your key is ***.", "annotations": []}]}
    done = {"id": "resp_1", "object": "response", "status": "completed", "model": "m", "output": [message],
            "usage": {**USAGE, "total_tokens": 5}}
    return [_sse("response.created", '{"type":"response.created","response":{"id":"resp_' + ESCAPED_KEY + '",'
                                     '"object":"response","status":"in_progress","model":"m","output":[]}}'),
            _sse("response.output_text.delta", '{"type":"response.output_text.delta","item_id":"msg_1",'
                                               '"output_index":0,"content_index":0,"delta":"' + ECHO + '"}'),
            _sse("response.completed", json.dumps({"type": "response.completed", "response": done}))]


async def _stream(events: list[bytes], request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for event in events:
        await response.write(event)
    await response.write_eof()
    return response


async def _messages(request: web.Request) -> web.StreamResponse:
    return await _stream(_messages_events(), request)


async def _responses(request: web.Request) -> web.StreamResponse:
    return await _stream(_responses_events(), request)


@pytest.fixture
async def client(tmp_path: Path):
    upstream = web.Application()
    upstream.router.add_post("/v1/messages", _messages)
    upstream.router.add_post("/v1/responses", _responses)
    runner = web.AppRunner(upstream, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    raw = {"defaults": {"model": "claude", "connect_timeout_s": 2, "read_timeout_s": 5},
           "providers": {"anthropic": {"type": "anthropic", "base_url": url, "api_key": KEY,
                                       "models": {"claude": "m"}},
                         "openai": {"type": "openai-compatible", "base_url": url, "api_key": KEY, "responses": True,
                                    "models": {"gpt": "m"}}},
           "ledger": {"enabled": True, "prompts": True, "path": str(tmp_path / "usage.jsonl")}}
    config = parse_config(json.dumps(raw), tmp_path / "llms.json", {})
    port = free_port()
    try:
        async with TestClient(TestServer(create_app(config, ServerSettings("127.0.0.1", port)),
                                         host="127.0.0.1", port=port)) as test_client:
            yield test_client
    finally:
        await runner.cleanup()


def _decoded(text: str) -> list[dict]:
    return [json.loads(line.removeprefix("data: ")) for line in text.splitlines() if line.startswith("data: ")]


async def test_a_messages_stream_echoing_the_key_in_json_escapes_is_masked_for_the_client(client):
    response = await client.post("/v1/messages", json={"model": "claude", "max_tokens": 10, "stream": True,
                                                      "messages": [{"role": "user", "content": "hi"}]})
    text = await response.text()
    assert response.status == 200
    events = _decoded(text)
    assert KEY not in json.dumps(events, ensure_ascii=False) and ESCAPED_KEY not in text
    assert events[0]["message"]["id"] == "msg_***"
    assert events[2]["delta"]["text"] == "Your key is ***."
    assert PLAIN_EVENT in text.splitlines()  # an event with escapes but no secret goes out byte for byte
    assert [event["type"] for event in events][-1] == "message_stop"


async def test_a_responses_stream_echoing_the_key_in_json_escapes_is_masked_for_the_client(client):
    response = await client.post("/v1/responses", json={"model": "gpt", "stream": True, "input": "hi"})
    text = await response.text()
    assert response.status == 200
    events = _decoded(text)
    assert KEY not in json.dumps(events, ensure_ascii=False) and ESCAPED_KEY not in text
    assert events[0]["response"]["id"] == "resp_***"
    assert events[1]["delta"] == "Your key is ***."
    assert events[-1]["type"] == "response.completed"
