"""transport against a tiny real upstream on 127.0.0.1: faults become ProviderError, keys never come back."""

from __future__ import annotations

import json
import socket

import pytest
from aiohttp import web

from llms.providers import transport
from llms.providers.anthropic_messages import relayed_event
from llms.providers.base import ProviderError, Target
from llms.providers.masking import call_secrets, masked, url_shown
from llms.providers.openai import WIRE

KEY = "sk-very-secret-key-123456"
BIG_EVENT_CHARS = 700_000  # past aiohttp's default line limit of 2 × 256 KiB


def chunk(delta) -> str:
    return "data: " + json.dumps({"id": "c1", "created": 1, "choices": [{"index": 0, "delta": delta}]}) + "\n\n"


async def upstream_handler(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    model = body["model"]
    if model == "echo-key":  # a misconfigured server that echoes the credential it got
        return web.json_response({"error": {"message": f"Incorrect API key provided: {request.headers['Authorization']}"}},
                                 status=401)
    if model == "rate-limited":  # a 429 as OpenAI sends it, with one header echoing the key
        return web.json_response({"error": {"message": "Rate limit reached", "type": "requests", "param": None,
                                            "code": "rate_limit_exceeded"}}, status=429,
                                 headers={"Retry-After": "7", "x-ratelimit-remaining-requests": "0",
                                          "X-RateLimit-Reset-Tokens": "6m0s", "x-request-id": "req_1",
                                          "x-ratelimit-note": request.headers["Authorization"]})
    if model == "long-rate-note":  # a rate-limit header whose echoed key straddles the 200-character cut
        return web.json_response({"error": {"message": "Rate limit reached"}}, status=429,
                                 headers={"x-ratelimit-note": "x" * 185 + request.headers["Authorization"]})
    if model == "bad-choices":
        return web.json_response({"id": "x", "choices": ["not an object"]})
    if model == "bad-usage":
        return web.json_response({"id": "x", "choices": [{"index": 0, "message": {"content": "hi"}}],
                                  "usage": {"prompt_tokens": 5, "completion_tokens": 1,
                                            "prompt_tokens_details": {"cached_tokens": 10}}})
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    if model == "big-event":
        await response.write(chunk({"content": "x" * BIG_EVENT_CHARS}).encode())
    else:
        await response.write(chunk("a string delta").encode())
    await response.write(b"data: [DONE]\n\n")
    return response


@pytest.fixture
async def upstream():
    app = web.Application()
    app.router.add_post("/v1/chat/completions", upstream_handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/v1"
    await runner.cleanup()


def target(base_url: str, model: str) -> Target:
    return Target("acme", base_url, KEY, model)


def upstream_call(base_url: str, model: str, body: dict) -> transport.UpstreamCall:
    return transport.UpstreamCall(WIRE, target(base_url, model), body, model, 5, 5)


async def call(base_url: str, model: str, stream: bool = False):
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    async with transport.new_session() as session:
        if not stream:
            return await upstream_call(base_url, model, body).complete(session)
        upstream = await upstream_call(base_url, model, body).open_stream(session)
        return [c async for c in upstream.chunks()], upstream.final


async def test_a_key_echoed_in_a_provider_error_is_masked(upstream):
    with pytest.raises(ProviderError) as caught:
        await call(upstream, "echo-key")
    assert caught.value.status == 401
    assert KEY not in caught.value.message
    assert caught.value.message == "acme: Incorrect API key provided: Bearer ***"


async def test_an_upstream_429_keeps_its_type_code_and_rate_limit_headers_masked(upstream):
    for stream in (False, True):
        with pytest.raises(ProviderError) as caught:
            await call(upstream, "rate-limited", stream=stream)
        fault = caught.value
        assert (fault.status, fault.error_type, fault.code, fault.param) == (429, "requests", "rate_limit_exceeded",
                                                                             None)
        assert fault.retryable
        # Retry-After and the x-ratelimit-* family travel (names lower-case); other headers and the key do not.
        assert fault.headers == {"retry-after": "7", "x-ratelimit-remaining-requests": "0",
                                 "x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-note": "Bearer ***"}


async def test_a_key_straddling_the_header_cut_is_masked_whole_not_cut_to_a_prefix(upstream):
    with pytest.raises(ProviderError) as caught:
        await call(upstream, "long-rate-note")
    assert caught.value.headers == {"x-ratelimit-note": "x" * 185 + "Bearer ***"}
    assert transport.rate_limit_headers({"X-RateLimit-Note": "x" * 185 + KEY}, (KEY,)) == {
        "x-ratelimit-note": "x" * 185 + "***"}


@pytest.fixture
def full_listen_queue():
    """A loopback port whose listen queue (backlog 0: one connection) is full and never accepted from, so a
    further connect gets no SYN-ACK: what an upstream too busy to accept looks like."""
    with socket.socket() as listener, socket.socket() as queued:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        queued.connect(listener.getsockname())
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


@pytest.mark.parametrize("stream", [False, True])
async def test_a_connect_timeout_is_called_a_connect_timeout_not_a_read_timeout(full_listen_queue, stream):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    call_ = transport.UpstreamCall(WIRE, target(full_listen_queue, "m"), body, "m", connect_s=0.2, read_s=30)
    async with transport.new_session() as session:
        with pytest.raises(ProviderError) as caught:
            await (call_.open_stream(session) if stream else call_.complete(session))
    assert (caught.value.kind, caught.value.status) == ("timeout", 504)
    assert caught.value.message == "acme did not accept a connection within 0.2s"


async def test_choices_that_are_not_objects_are_a_malformed_reply(upstream):
    with pytest.raises(ProviderError) as caught:
        await call(upstream, "bad-choices")
    assert caught.value.kind == "malformed" and "choices[0]" in caught.value.message
    with pytest.raises(ProviderError) as caught:
        await call(upstream, "bad-delta", stream=True)
    assert caught.value.kind == "malformed" and "'delta'" in caught.value.message


async def test_usage_whose_parts_exceed_the_whole_is_a_malformed_reply(upstream):
    with pytest.raises(ProviderError) as caught:
        await call(upstream, "bad-usage")
    assert caught.value.kind == "malformed" and "usage does not add up" in caught.value.message


async def test_an_event_line_of_700_kb_streams_through(upstream):
    chunks, final = await call(upstream, "big-event", stream=True)
    assert len(chunks[0]["choices"][0]["delta"]["content"]) == BIG_EVENT_CHARS
    assert final["usage"] is None


def test_masking_hides_keys_and_header_values_but_not_short_plain_header_values():
    secrets = call_secrets("sk-abcdefgh", {"X-Title": "my-app-title-1", "X-Mode": "fast"}, {}, ("http://x",))
    assert masked("key sk-abcdefgh and my-app-title-1, fast", secrets) == "key *** and ***, fast"
    assert masked("hello", call_secrets("abc", {}, {}, ("http://x",))) == "hello"


def test_masking_hides_a_short_key_the_credential_headers_sent_and_secrets_in_the_url():
    secrets = call_secrets("k1", {"X-Api-Token": "tk-7"}, {"Authorization": "Bearer k1", "Content-Type": "application/json"},
                           ("https://user:pw-123@proxy.example/v1?key=q-9",))
    text = "k1 / Bearer k1 / tk-7 / pw-123 / q-9 / user / application/json"
    assert masked({"a": [text], "k1": 1}, secrets) == {
        "a": ["*** / Bearer *** / *** / *** / *** / user / application/json"], "k1": 1}
    assert call_secrets(None, {}, {}, ("https://tok-55@proxy.example/v1",)) == ("tok-55",)
    assert url_shown("https://user:pw-123@proxy.example/v1?key=q-9&x=") == "https://***@proxy.example/v1?key=***&x=***"


def test_targets_and_upstream_requests_never_show_the_key_in_repr():
    t = Target("acme", "http://x", KEY, "m", {"Authorization": KEY})
    assert KEY not in repr(t)
    assert KEY not in repr(WIRE.build_request(t, {"model": "m", "messages": []}, stream=False))


def test_usage_normalizers_refuse_parts_larger_than_the_whole_and_negative_reported_costs():
    from llms.providers.anthropic import normalize_usage as normalize_anthropic
    from llms.providers.google import normalize_usage as normalize_gemini
    from llms.providers.openai import normalize_usage as normalize_openai

    with pytest.raises(ValueError, match="does not add up"):
        normalize_openai({"prompt_tokens": 5, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 6}})
    with pytest.raises(ValueError, match="does not add up"):
        normalize_gemini({"promptTokenCount": 5, "candidatesTokenCount": 0, "thoughtsTokenCount": 0,
                          "cachedContentTokenCount": 9})
    with pytest.raises(ValueError, match="does not add up"):
        normalize_anthropic({"input_tokens": 1, "output_tokens": 1, "cache_creation_input_tokens": 2,
                             "cache_creation": {"ephemeral_1h_input_tokens": 3}})
    with pytest.raises(ValueError, match="≥ 0"):
        normalize_openai({"prompt_tokens": 5, "completion_tokens": 1, "cost": -0.5})


def test_usage_normalizers_refuse_token_counts_the_ledger_would_refuse_so_every_request_is_recorded():
    from llms.ledger.schema import MAX_TOKENS, line_problem
    from llms.providers.anthropic import normalize_usage as normalize_anthropic
    from llms.providers.google import normalize_usage as normalize_gemini
    from llms.providers.openai import normalize_usage as normalize_openai

    at_most = normalize_openai({"prompt_tokens": MAX_TOKENS, "completion_tokens": MAX_TOKENS,
                                "completion_tokens_details": {"reasoning_tokens": MAX_TOKENS}})
    assert at_most["total_tokens"] == 2 * MAX_TOKENS
    assert line_problem({"timestamp": "2026-11-23T10:00:00Z", "request_id": "r", "status": "ok", "model": "m",
                         "usage": at_most, "total_tokens": at_most["total_tokens"]}) is None
    with pytest.raises(ValueError,
                       match=r"^usage out of range: prompt_tokens 1000000000001, expected 0 to 1000000000000$"):
        normalize_openai({"prompt_tokens": MAX_TOKENS + 1, "completion_tokens": 1})
    with pytest.raises(ValueError, match=r"completion_tokens 1\.00e\+400, expected 0 to 1000000000000$"):
        normalize_openai({"prompt_tokens": 5, "completion_tokens": 10 ** 400})
    with pytest.raises(ValueError, match="completion_tokens -1, expected"):
        normalize_openai({"prompt_tokens": 5, "completion_tokens": -1})
    with pytest.raises(ValueError, match="prompt_tokens 2000000000000, expected"):  # parts within, their sum past it
        normalize_anthropic({"input_tokens": MAX_TOKENS, "cache_read_input_tokens": MAX_TOKENS, "output_tokens": 1})
    with pytest.raises(ValueError, match="completion_tokens 1000000000001, expected"):
        normalize_gemini({"promptTokenCount": 1, "candidatesTokenCount": MAX_TOKENS, "thoughtsTokenCount": 1})


def test_a_relayed_event_hiding_the_key_in_any_json_escape_is_rewritten_masked():
    quoted_key = 'k"ey-with-a-quote-1'  # hidden by a short escape (\") rather than \u
    secrets = (KEY, quoted_key)
    looked_for = transport._looked_for(secrets)
    escaped_key = KEY.replace("-", "\\u002d")
    for data, shown in (('{"t":"a\\nb"}', '{"t":"a\\nb"}'),  # escapes, no secret: as it came
                        ('{"t":"k\\"ey-with-a-quote-1"}', '{"t":"***"}'),
                        ('{"t":"\\ud800 ' + escaped_key + '"}', '{"t":"\\ud800 ***"}')):  # orjson refuses it
        item, text = transport._carried(relayed_event("e", data, []), "acme", secrets, looked_for)
        item, text = transport._relayed_shown(item, text, "acme", secrets, looked_for)
        assert item["data"] == shown
        assert json.loads(text)["data"] == shown
