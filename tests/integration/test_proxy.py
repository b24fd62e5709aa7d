"""The official openai SDK talks to the real `llms --serve`, which talks to the mock provider in all three
wire formats: exact normalized usage, failover, OpenAI-shaped errors, and the server keeps serving."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import openai
import pytest

from tests.conftest import MOCK_KEY_ENV

# What each provider's usage shape (tests/conftest.py SHAPE_USAGE) means in OpenAI's terms.
NORMALIZED = {
    "shape-openai": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
                     "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
                     "completion_tokens_details": {"reasoning_tokens": 120}},
    "shape-anthropic": {"prompt_tokens": 1300, "completion_tokens": 340, "total_tokens": 1640,
                        "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 200,
                                                  "cache_write_1h_tokens": 50},
                        "completion_tokens_details": {"reasoning_tokens": 0}},
    "shape-google": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
                     "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
                     "completion_tokens_details": {"reasoning_tokens": 120}},
}
PROVIDER_OF = {"shape-openai": "openai", "shape-anthropic": "anthropic", "shape-google": "google"}
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]


@pytest.fixture
def client(llms_server):
    return openai.OpenAI(base_url=llms_server.url + "/v1", api_key="unused", max_retries=0, timeout=20)


def usage_dict(usage) -> dict:
    return usage.model_dump(exclude_none=True)


@pytest.mark.parametrize("model", list(NORMALIZED))
def test_non_streaming_answer_has_exact_normalized_usage_and_says_who_answered(client, model):
    raw = client.chat.completions.with_raw_response.create(model=model, messages=MESSAGES)
    completion = raw.parse()
    assert completion.choices[0].message.content == "Shaped answer here."
    assert completion.model == model
    assert usage_dict(completion.usage) == NORMALIZED[model]
    assert raw.headers["X-LLMS-Provider"] == PROVIDER_OF[model]
    assert raw.headers["X-LLMS-Provider-Model"] == model
    assert float(raw.headers["X-LLMS-Duration-Ms"]) > 0
    meta = completion.model_extra["llms"]
    assert meta["provider"] == PROVIDER_OF[model] and meta["failed_over"] == []
    assert len(meta["request_id"]) == 32


@pytest.mark.parametrize("model", list(NORMALIZED))
def test_streamed_answer_ends_with_the_exact_usage_chunk_when_asked(client, model):
    chunks = list(client.chat.completions.create(model=model, messages=MESSAGES, stream=True,
                                                 stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Shaped answer here."
    usage_chunks = [c for c in chunks if c.usage is not None]
    assert len(usage_chunks) == 1 and chunks[-1] is usage_chunks[0]
    assert usage_dict(usage_chunks[0].usage) == NORMALIZED[model]
    assert chunks[-1].model_extra["llms"]["provider"] == PROVIDER_OF[model]
    assert chunks[-1].model_extra["llms"]["ttft_ms"] > 0
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == ["stop"]


def test_stream_without_include_usage_sends_no_usage_chunk(client):
    chunks = list(client.chat.completions.create(model="shape-anthropic", messages=MESSAGES, stream=True))
    assert all(c.usage is None for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Shaped answer here."


def test_async_client_streams_and_completes(llms_server):
    async def talk():
        client = openai.AsyncOpenAI(base_url=llms_server.url + "/v1", api_key="unused", max_retries=0)
        completion = await client.chat.completions.create(model="shape-google", messages=MESSAGES)
        stream = await client.chat.completions.create(model="shape-openai", messages=MESSAGES, stream=True,
                                                      stream_options={"include_usage": True})
        chunks = [chunk async for chunk in stream]
        await client.close()
        return completion, chunks

    completion, chunks = asyncio.run(talk())
    assert usage_dict(completion.usage) == NORMALIZED["shape-google"]
    assert usage_dict(chunks[-1].usage) == NORMALIZED["shape-openai"]


def test_a_500_fails_over_to_the_next_provider_serving_the_model(client, mock_provider):
    raw = client.chat.completions.with_raw_response.create(model="failover", messages=MESSAGES)
    completion = raw.parse()
    assert raw.headers["X-LLMS-Provider"] == "backup"
    assert completion.model_extra["llms"]["failed_over"][0]["provider"] == "openai"
    assert "500" in completion.model_extra["llms"]["failed_over"][0]["error"] or \
        "internal server error" in completion.model_extra["llms"]["failed_over"][0]["error"]


def test_streaming_fails_over_before_the_first_byte(client):
    chunks = list(client.chat.completions.create(model="failover", messages=MESSAGES, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[-1].model_extra["llms"]["provider"] == "backup"


def test_pinning_a_provider_with_a_prefix(client):
    completion = client.chat.completions.create(model="backup/failover", messages=MESSAGES)
    assert completion.model_extra["llms"]["provider"] == "backup"
    assert completion.model_extra["llms"]["failed_over"] == []


@pytest.mark.parametrize("model, error_class, status", [
    ("fault-401", openai.AuthenticationError, 401),
    ("claude-401", openai.AuthenticationError, 401),
    ("fault-404", openai.NotFoundError, 404),
    ("fault-429", openai.RateLimitError, 429),
    ("fault-500", openai.InternalServerError, 500),
    ("fault-malformed", openai.APIStatusError, 502),
    ("fault-bad-shape", openai.APIStatusError, 502),
    ("fault-slow", openai.APIStatusError, 504),
])
def test_provider_faults_come_back_as_openai_shaped_errors(client, model, error_class, status):
    with pytest.raises(error_class) as caught:
        client.chat.completions.create(model=model, messages=MESSAGES)
    assert caught.value.status_code == status
    assert len(caught.value.response.headers["X-LLMS-Request-Id"]) == 32
    body = caught.value.body
    assert body["message"] and body["provider"] in ("openai", "anthropic")


def test_unknown_model_is_404_naming_the_known_models(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="no-such-model", messages=MESSAGES)
    assert "unknown model 'no-such-model'; known models:" in caught.value.body["message"]
    assert "gpt-4o-mini" in caught.value.body["message"]


def test_disabled_provider_says_why(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="keyless", messages=MESSAGES)
    assert "MOCK_UNSET_KEY is not set" in caught.value.body["message"]


def post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"} | (headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_malformed_bodies_get_400_naming_the_field_and_nothing_is_forwarded(llms_server, mock_provider):
    before = len(mock_provider.requests)
    url = llms_server.url + "/v1/chat/completions"
    status, _, body = post(url, b"{oops")
    assert status == 400 and body["error"]["message"].startswith("request body is not valid JSON")
    status, _, body = post(url, json.dumps({"model": "gpt-4o-mini"}).encode())
    assert status == 400 and body["error"]["param"] == "messages"
    status, _, body = post(url, json.dumps({"model": "gpt-4o-mini", "messages": MESSAGES,
                                            "base_url": "http://127.0.0.1:1/steal"}).encode())
    assert status == 400 and body["error"]["param"] == "base_url"
    assert len(mock_provider.requests) == before


def test_stream_cut_midway_ends_with_an_error_event(llms_server):
    request = urllib.request.Request(
        llms_server.url + "/v1/chat/completions",
        data=json.dumps({"model": "gemini-cut", "messages": MESSAGES, "stream": True}).encode(),
        headers={"Content-Type": "application/json", "X-LLMS-Client": "app"})
    with urllib.request.urlopen(request, timeout=20) as response:
        lines = [line for line in response.read().decode().split("\n\n") if line]
    assert lines[-1] == "data: [DONE]"
    error = json.loads(lines[-2].removeprefix("data: "))["error"]
    assert error["code"] == "cut" and error["provider"] == "google"


def test_foreign_origin_and_foreign_host_are_refused(llms_server):
    url = llms_server.url + "/v1/chat/completions"
    body = json.dumps({"model": "gpt-4o-mini", "messages": MESSAGES}).encode()
    status, _, answer = post(url, body, {"Origin": "https://evil.example"})
    assert status == 403 and "Origin 'https://evil.example'" in answer["error"]["message"]
    status, _, answer = post(url, body, {"Host": f"evil.example:{llms_server.port}"})
    assert status == 403 and "DNS rebinding" in answer["error"]["message"]
    status, _, _ = post(url, body, {"Origin": llms_server.url})
    assert status == 200


def test_no_api_key_appears_in_any_response_or_the_log(llms_server, client):
    seen = []
    for path in ("/api/config", "/v1/models", "/health", "/"):
        with urllib.request.urlopen(llms_server.url + path, timeout=20) as response:
            seen.append(response.read().decode())
    for model in ("fault-401", "claude-401", "fault-500"):
        try:
            client.chat.completions.create(model=model, messages=MESSAGES)
        except openai.APIStatusError as error:
            seen.append(error.response.text)
    seen.append(client.chat.completions.with_raw_response.create(model="shape-openai", messages=MESSAGES).text)
    seen.append(llms_server.output())
    for key in MOCK_KEY_ENV.values():
        assert all(key not in text for text in seen)


def test_api_config_lists_providers_with_reasons_and_prices(llms_server):
    with urllib.request.urlopen(llms_server.url + "/api/config", timeout=20) as response:
        config = json.loads(response.read())
    providers = {p["id"]: p for p in config["providers"]}
    assert providers["nokey"]["enabled"] is False
    assert providers["nokey"]["disabled_reason"] == "MOCK_UNSET_KEY is not set"
    assert config["pricing"]["openai"]["gpt-4o-mini"]["input"] == 0.15
    assert config["pricing"]["selfhosted"]["unpriced-model"] is None
    assert config["defaults"]["model"] == "gpt-4o-mini"
    assert {p["id"]: p["usage_format"] for p in config["providers"] if p["id"] in ("openai", "anthropic", "google")} == {
        "openai": "openai", "anthropic": "anthropic", "google": "gemini"}


def test_server_keeps_serving_after_every_fault(llms_server):
    with urllib.request.urlopen(llms_server.url + "/health", timeout=5) as response:
        assert json.loads(response.read())["status"] == "healthy"
    assert llms_server.process.poll() is None
