import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from tests.mock_provider import DEFAULT_PROMPT_TOKENS, KEYS, SLOW_DELAY_S, MockProvider, Reply

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"openai": {"Authorization": f"Bearer {KEYS['openai']}"},
        "anthropic": {"x-api-key": KEYS["anthropic"], "anthropic-version": "2023-06-01"},
        "google": {"x-goog-api-key": KEYS["google"]}}
OPENAI_USAGE = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540, "cost": 0.0042,
                "prompt_tokens_details": {"cached_tokens": 1000},
                "completion_tokens_details": {"reasoning_tokens": 120}}
ANTHROPIC_USAGE = {"input_tokens": 100, "output_tokens": 340, "cache_read_input_tokens": 1000,
                   "cache_creation_input_tokens": 100,
                   "cache_creation": {"ephemeral_5m_input_tokens": 60, "ephemeral_1h_input_tokens": 40}}
GOOGLE_USAGE = {"promptTokenCount": 1200, "cachedContentTokenCount": 1000, "candidatesTokenCount": 220,
                "thoughtsTokenCount": 120, "totalTokenCount": 1540}
MODELS = {"m": Reply(text="One two three", reasoning="Hmm",
                     usage={"openai": OPENAI_USAGE, "anthropic": ANTHROPIC_USAGE, "google": GOOGLE_USAGE})}


@pytest.fixture
async def mock():
    async with MockProvider(MODELS) as running:
        yield running


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def call(mock, fmt, model="m", stream=False, headers=None, **extra):
    """(url, json body, headers) of a chat call in a format's own shape."""
    messages = [{"role": "user", "content": "Hi"}]
    if fmt == "openai":
        body = {"model": model, "messages": messages, "stream": stream, **extra}
        return mock.url("openai") + "/chat/completions", body, headers or AUTH["openai"]
    if fmt == "anthropic":
        body = {"model": model, "messages": messages, "max_tokens": 64, "stream": stream, **extra}
        return mock.url("anthropic") + "/messages", body, headers or AUTH["anthropic"]
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], **extra}
    return f"{mock.url('google')}/models/{model}:{method}", body, headers or AUTH["google"]


async def post(http, mock, fmt, **kwargs):
    url, body, headers = call(mock, fmt, **kwargs)
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.text()


def sse_events(text):
    """[(event name, data)] of an SSE body."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines.get("event", ""), lines["data"]))
    return events


def test_urls_follow_each_providers_base_url_layout():
    mock = MockProvider(port=1234)
    assert mock.url("openai") == "http://127.0.0.1:1234/openai/v1"
    assert mock.url("anthropic") == "http://127.0.0.1:1234/anthropic/v1"
    assert mock.url("google") == "http://127.0.0.1:1234/google/v1beta"


async def test_openai_completion_carries_the_configured_text_reasoning_and_usage(mock, http):
    status, text = await post(http, mock, "openai")
    data = json.loads(text)
    assert status == 200
    assert data["choices"][0]["message"] == {"role": "assistant", "content": "One two three",
                                             "reasoning_content": "Hmm"}
    assert data["usage"] == OPENAI_USAGE


async def test_openai_stream_sends_usage_only_when_asked(mock, http):
    _, asked = await post(http, mock, "openai", stream=True, stream_options={"include_usage": True})
    events = [data for _, data in sse_events(asked)]
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2]) | {"id": "", "created": 0} == {
        "id": "", "object": "chat.completion.chunk", "created": 0, "model": "m-2025-01-01",
        "system_fingerprint": "fp_mock", "choices": [], "usage": OPENAI_USAGE}
    text = "".join(json.loads(e)["choices"][0]["delta"].get("content") or "" for e in events[:-2])
    assert text == "One two three"
    _, unasked = await post(http, mock, "openai", stream=True)
    assert all("usage" not in json.loads(data) for _, data in sse_events(unasked)[:-1])


async def test_anthropic_message_and_stream_events(mock, http):
    status, text = await post(http, mock, "anthropic")
    data = json.loads(text)
    assert status == 200 and data["usage"] == ANTHROPIC_USAGE
    assert [block["type"] for block in data["content"]] == ["thinking", "text"]
    _, streamed = await post(http, mock, "anthropic", stream=True)
    events = sse_events(streamed)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert all(json.loads(data)["type"] == name for name, data in events)
    start_usage = json.loads(events[0][1])["message"]["usage"]
    assert start_usage["input_tokens"] == 100 and start_usage["output_tokens"] == 1
    assert json.loads(events[-2][1])["usage"] == {"output_tokens": 340}


async def test_google_generate_and_stream_with_cumulative_usage(mock, http):
    status, text = await post(http, mock, "google")
    data = json.loads(text)
    assert status == 200 and data["usageMetadata"] == GOOGLE_USAGE
    assert data["candidates"][0]["content"]["parts"] == [{"text": "Hmm", "thought": True}, {"text": "One two three"}]
    _, streamed = await post(http, mock, "google", stream=True)
    assert "\r\n\r\n" in streamed
    chunks = [json.loads(data) for _, data in sse_events(streamed)]
    assert [c["usageMetadata"]["candidatesTokenCount"] for c in chunks] == [1, 2, 3, 220]
    assert chunks[-1]["usageMetadata"] == GOOGLE_USAGE
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert all("finishReason" not in c["candidates"][0] for c in chunks[:-1])


async def test_default_usage_counts_one_token_per_word(mock, http):
    _, text = await post(http, mock, "openai", model="mock-model")
    assert json.loads(text)["usage"] == {"prompt_tokens": DEFAULT_PROMPT_TOKENS, "completion_tokens": 5,
                                         "total_tokens": DEFAULT_PROMPT_TOKENS + 5}


@pytest.mark.parametrize("fmt, bad_headers, shape", [
    ("openai", {"Authorization": "Bearer wrong"}, lambda d: d["error"]["code"] == "invalid_api_key"),
    ("openai", {}, lambda d: d["error"]["code"] == "invalid_api_key"),
    ("anthropic", {"x-api-key": "wrong", "anthropic-version": "2023-06-01"},
     lambda d: d["type"] == "error" and d["error"]["type"] == "authentication_error"),
    ("google", {"x-goog-api-key": "wrong"}, lambda d: d["error"]["status"] == "UNAUTHENTICATED"),
])
async def test_wrong_or_missing_key_is_401_in_the_providers_shape(mock, http, fmt, bad_headers, shape):
    status, text = await post(http, mock, fmt, headers=bad_headers or {"X-Nothing": "1"})
    assert status == 401 and shape(json.loads(text))


async def test_google_key_may_also_come_as_query_parameter(mock, http):
    url, body, _ = call(mock, "google")
    async with http.post(url + f"?key={KEYS['google']}", json=body) as response:
        assert response.status == 200


async def test_anthropic_requires_version_header_and_max_tokens(mock, http):
    status, _ = await post(http, mock, "anthropic", headers={"x-api-key": KEYS["anthropic"]})
    assert status == 400
    url, body, headers = call(mock, "anthropic")
    del body["max_tokens"]
    async with http.post(url, json=body, headers=headers) as response:
        assert response.status == 400
        assert (await response.json())["error"]["message"] == "max_tokens: Field required"


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "google"])
async def test_unknown_model_is_404_in_the_providers_shape(mock, http, fmt):
    status, text = await post(http, mock, fmt, model="no-such-model")
    data = json.loads(text)
    assert status == 404
    assert {"openai": lambda: data["error"]["code"] == "model_not_found",
            "anthropic": lambda: data["error"]["type"] == "not_found_error",
            "google": lambda: data["error"]["status"] == "NOT_FOUND"}[fmt]()


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "google"])
@pytest.mark.parametrize("fault, status", [("401", 401), ("404", 404), ("429", 429), ("500", 500)])
async def test_status_faults_by_model_name(mock, http, fmt, fault, status):
    for stream in (False, True):
        assert (await post(http, mock, fmt, model=f"fault-{fault}", stream=stream))[0] == status


async def test_fault_times_fails_then_recovers(mock, http):
    mock.set_model("flaky", fault="500", fault_times=2)
    statuses = [(await post(http, mock, "openai", model="flaky"))[0] for _ in range(3)]
    assert statuses == [500, 500, 200]


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "google"])
async def test_malformed_fault_sends_invalid_json(mock, http, fmt):
    status, text = await post(http, mock, fmt, model="fault-malformed")
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(text)
    _, streamed = await post(http, mock, fmt, model="fault-malformed", stream=True)
    with pytest.raises(ValueError):
        json.loads(sse_events(streamed)[-1][1])


async def test_bad_shape_fault_sends_json_without_the_reply_fields(mock, http):
    _, text = await post(http, mock, "anthropic", model="fault-bad-shape")
    assert "content" not in json.loads(text)


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "google"])
async def test_cut_fault_drops_the_connection_mid_stream(mock, http, fmt):
    mock.set_model("cut", text="a b c d e", fault="cut", cut_after=3)
    url, body, headers = call(mock, fmt, model="cut", stream=True, **({"stream_options": {"include_usage": True}}
                                                                        if fmt == "openai" else {}))
    received = []
    with pytest.raises(aiohttp.ClientPayloadError):
        async with http.post(url, json=body, headers=headers) as response:
            async for line in response.content:
                received.append(line)
    data = [line for line in received if line.startswith(b"data:")]
    assert len(data) == 3
    assert not any(b"[DONE]" in line or b"message_stop" in line or b"finishReason" in line for line in data)


async def test_cut_fault_drops_the_connection_mid_body(mock, http):
    url, body, headers = call(mock, "openai", model="fault-cut")
    with pytest.raises(aiohttp.ClientPayloadError):
        async with http.post(url, json=body, headers=headers) as response:
            await response.read()


async def test_truncate_fault_ends_the_stream_cleanly_before_its_end(mock, http):
    mock.set_model("short", fault="truncate", cut_after=2)
    _, streamed = await post(http, mock, "openai", model="short", stream=True,
                             stream_options={"include_usage": True})
    events = sse_events(streamed)
    assert len(events) == 2 and "[DONE]" not in streamed and '"usage": {' not in streamed


async def test_slow_model_delays_its_answer_past_a_read_timeout(mock, http):
    url, body, headers = call(mock, "google", model="fault-slow")
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        async with http.post(url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(sock_read=0.3)):
            pass
    assert time.monotonic() - started < SLOW_DELAY_S


async def test_chunk_delay_spaces_stream_events(mock, http):
    mock.set_model("paced", text="a b", chunk_delay_s=0.1)
    started = time.monotonic()
    await post(http, mock, "anthropic", model="paced", stream=True)
    assert time.monotonic() - started >= 0.1 * 6  # 8 events, 7 gaps (allow for timer slack)


async def test_requests_are_recorded_with_path_headers_and_json(mock, http):
    await post(http, mock, "google", stream=True, generationConfig={"temperature": 0.1})
    recorded = mock.requests[-1]
    assert (recorded.format, recorded.method, recorded.model) == ("google", "POST", "m")
    assert recorded.path == "/google/v1beta/models/m:streamGenerateContent"
    assert recorded.query == {"alt": "sse"}
    assert recorded.headers["x-goog-api-key"] == KEYS["google"]
    assert recorded.json["generationConfig"] == {"temperature": 0.1}


async def test_control_endpoints_configure_models_and_list_requests(mock, http):
    base = mock.url("openai").removesuffix("/openai/v1")
    async with http.post(base + "/_mock/models/configured", json={"text": "Set over HTTP", "fault": None}) as r:
        assert r.status == 200
    async with http.post(base + "/_mock/models/x", json={"colour": "red"}) as r:
        assert r.status == 400 and "colour" in (await r.json())["error"]
    _, text = await post(http, mock, "openai", model="configured")
    assert json.loads(text)["choices"][0]["message"]["content"] == "Set over HTTP"
    async with http.get(base + "/_mock/requests") as r:
        assert [entry["model"] for entry in await r.json()] == ["configured"]
    async with http.delete(base + "/_mock/requests") as r:
        assert r.status == 200
    assert mock.requests == []


def test_unknown_fault_is_refused():
    with pytest.raises(ValueError, match="unknown fault 'explode'"):
        Reply(fault="explode")


def test_start_in_thread_serves_sync_clients():
    mock = MockProvider.start_in_thread({"m": Reply(text="sync")})
    try:
        url, body, headers = call(mock, "openai")
        request = urllib.request.Request(url, json.dumps(body).encode(), headers | {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.load(response)["choices"][0]["message"]["content"] == "sync"
        assert mock.requests[-1].headers["Authorization"] == f"Bearer {KEYS['openai']}"
    finally:
        mock.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=1)


def test_runs_standalone_from_the_command_line():
    process = subprocess.Popen([sys.executable, "-m", "tests.mock_provider", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("openai") and "http://127.0.0.1:" in first, first + process.stdout.read()
        url = first.split()[1]
        request = urllib.request.Request(url + "/chat/completions",
                                         json.dumps({"model": "mock-model", "messages": []}).encode(),
                                         AUTH["openai"] | {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(10)
