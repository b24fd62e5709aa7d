"""An answer carries the provider's rate-limit state back to the client, stream or not: OpenAI's x-ratelimit-* and
Anthropic's anthropic-ratelimit-* headers as the provider sent them, read through the official openai SDK."""

from __future__ import annotations

import anthropic
import openai
import pytest

from tests.mock_provider import answer_headers


@pytest.fixture()
def client(llms_server):
    return openai.OpenAI(base_url=llms_server.url + "/v1", api_key="unused", max_retries=0, timeout=20)


@pytest.mark.parametrize("model, fmt", [("mock-model", "openai"), ("claude-sonnet-4-5", "anthropic")])
@pytest.mark.parametrize("stream", [False, True])
def test_an_answer_forwards_the_providers_rate_limit_headers(client, model, fmt, stream):
    messages = [{"role": "user", "content": "Hi"}]
    if stream:
        with client.chat.completions.with_streaming_response.create(model=model, messages=messages,
                                                                    stream=True) as response:
            headers = response.headers
            assert [chunk for chunk in response.parse() if chunk.choices]
    else:
        raw = client.chat.completions.with_raw_response.create(model=model, messages=messages)
        headers = raw.headers
        assert raw.parse().choices[0].message.content
    sent = answer_headers(fmt)
    assert sent and {name: headers.get(name) for name in sent} == sent
    assert headers["X-LLMS-Request-Id"]


def test_gemini_sends_no_rate_limit_headers_and_none_are_made_up(client):
    raw = client.chat.completions.with_raw_response.create(model="gemini-2.5-flash",
                                                           messages=[{"role": "user", "content": "Hi"}])
    assert not [name for name in raw.headers if name.lower().startswith(("x-ratelimit-", "anthropic-ratelimit-"))]


@pytest.mark.parametrize("stream", [False, True])
def test_a_messages_request_passed_through_to_anthropic_forwards_its_rate_limit_headers(llms_server, stream):
    client = anthropic.Anthropic(base_url=llms_server.url, api_key="unused", max_retries=0, timeout=20)
    ask = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}
    if stream:
        with client.messages.with_streaming_response.create(**ask, stream=True) as response:
            headers = response.headers
            assert [event for event in response.parse() if event.type == "message_stop"]
    else:
        raw = client.messages.with_raw_response.create(**ask)
        headers = raw.headers
        assert raw.parse().content[0].text
    sent = answer_headers("anthropic")
    assert {name: headers.get(name) for name in sent} == sent
