"""The official anthropic SDK through the real server's /v1/messages to the Anthropic-type mock: passed through
(the mock gets the client's body but for the model, and its version/beta headers), streamed and not, tokens
counted, errors as the SDK's own classes, and each request once in the ledger at the exact cost."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import anthropic
import pytest

from tests.ledger_file import line_of
from tests.mock_provider import KEYS, RETRY_AFTER_S, Reply, stream_events
from tests.server_process import ServerProcess

PROVIDER_MODEL = "claude-sonnet-4-5-20250929"  # what Claude Code sends; llms.json serves it as "sonnet"
PRICE = {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75, "cache_write_1h": 6}
USAGE = {"input_tokens": 100, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200,
         "cache_creation": {"ephemeral_5m_input_tokens": 150, "ephemeral_1h_input_tokens": 50}, "output_tokens": 340}
# By hand from USAGE and PRICE: fresh input, cache reads, 5-minute writes, 1-hour writes, output.
COST = (100 * 3 + 1000 * 0.3 + 150 * 3.75 + 50 * 6 + 340 * 15) / 1e6
TEXT = "Passed through intact."
TOKEN = "messages-test-token"
BODY = {"max_tokens": 256, "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hello"}]}],
        "stop_sequences": ["END"], "metadata": {"user_id": "u-1"}}


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_provider):
    mock_provider.set_model(PROVIDER_MODEL, Reply(text=TEXT, reasoning="Thinking it over.", usage={"anthropic": USAGE}))
    folder = tmp_path_factory.mktemp("messages")
    config = {"providers": {
        "anthropic": {"type": "anthropic", "base_url": mock_provider.url("anthropic"), "api_key": KEYS["anthropic"],
                      "models": {"sonnet": PROVIDER_MODEL, "claude-429": "fault-429", "claude-529": "fault-529",
                                 "claude-failover": "fault-500"},
                      "pricing": {"sonnet": PRICE}},
        "backup": {"type": "anthropic", "base_url": mock_provider.url("anthropic"), "api_key": KEYS["anthropic"],
                   "models": {"claude-failover": PROVIDER_MODEL}, "pricing": {"claude-failover": PRICE}},
        "openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                   "models": {"gpt-only": "mock-model"}}}}
    server = serve(folder, config, TOKEN)
    yield server, folder / "usage.jsonl", mock_provider
    server.stop()


def serve(folder: Path, config: dict, token: str) -> ServerProcess:
    """The real server on `config` in token mode, with its ledger on at folder/usage.jsonl."""
    path = folder / "llms.json"
    path.write_text(json.dumps(config | {"ledger": {"enabled": True, "path": str(folder / "usage.jsonl")}}))
    return ServerProcess(path, "--token", token)


def client(server, **options) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key=TOKEN, max_retries=0, timeout=20, **options)


def test_create_passes_the_body_through_and_is_priced_exactly(served):
    server, ledger, mock = served
    raw = client(server, default_headers={"anthropic-beta": "prompt-caching-2024-07-31"}) \
        .messages.with_raw_response.create(model=PROVIDER_MODEL, **BODY)
    message = raw.parse()
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert message.content[1].text == TEXT
    assert message.usage.cache_read_input_tokens == 1000 and message.usage.output_tokens == 340
    upstream = mock.requests[-1]
    assert upstream.json == {**BODY, "model": PROVIDER_MODEL}
    assert upstream.headers["anthropic-beta"] == "prompt-caching-2024-07-31"
    assert upstream.headers["anthropic-version"] == raw.http_request.headers["anthropic-version"]
    assert upstream.headers["x-api-key"] == KEYS["anthropic"]  # ours from llms.json, never the client's token
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert (line["endpoint"], line["client_app"], line["model"], line["provider"]) == \
        ("/v1/messages", "anthropic-sdk-python", "sonnet", "anthropic")
    assert line["usage"]["prompt_tokens_details"] == {"cached_tokens": 1000, "cache_write_tokens": 200,
                                                      "cache_write_1h_tokens": 50}
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12) and line["cost_provenance"] == "computed"
    assert line["finish_reason"] == "stop" and line["is_streaming"] is False


def test_stream_relays_anthropics_events_and_records_the_cumulative_usage(served):
    server, ledger, mock = served
    with client(server).messages.stream(model="sonnet", **BODY) as stream:
        events = [event.type for event in stream]
        final = stream.get_final_message()
        request_id = stream.response.headers["X-LLMS-Request-Id"]
    assert events[0] == "message_start" and events[-1] == "message_stop"
    assert "".join(block.text for block in final.content if block.type == "text") == TEXT
    assert final.usage.output_tokens == 340 and final.usage.cache_creation_input_tokens == 200
    assert mock.requests[-1].json == {**BODY, "model": PROVIDER_MODEL, "stream": True}
    line = line_of(ledger, request_id)
    assert line["is_streaming"] is True and line["status"] == "ok" and line["endpoint"] == "/v1/messages"
    assert line["usage"]["completion_tokens"] == 340 and line["usage"]["prompt_tokens"] == 1300
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12)
    assert line["ttft_ms"] > 0


def test_stream_events_arrive_as_the_provider_sent_them_ping_included(served):
    server, _, mock = served
    request = urllib.request.Request(server.url + "/v1/messages", data=json.dumps(
        {"model": "sonnet", "stream": True, **BODY}).encode(), headers={"x-api-key": TOKEN,
                                                                        "anthropic-version": "2023-06-01"})
    with urllib.request.urlopen(request, timeout=10) as response:
        names = [line[len("event: "):] for line in response.read().decode().splitlines() if line.startswith("event:")]
    sent = b"".join(stream_events("anthropic", PROVIDER_MODEL, mock.models[PROVIDER_MODEL], True)).decode()
    assert "ping" in names
    assert names == [line[len("event: "):] for line in sent.splitlines() if line.startswith("event:")]


def test_count_tokens_passes_through_to_anthropic(served):
    server, _, mock = served
    counted = client(server).messages.count_tokens(model="sonnet", messages=BODY["messages"])
    assert counted.input_tokens == len(json.dumps(BODY["messages"]).split())
    assert mock.requests[-1].path.endswith("/messages/count_tokens")
    assert mock.requests[-1].json == {"model": PROVIDER_MODEL, "messages": BODY["messages"]}


def test_count_tokens_for_another_provider_type_is_an_estimate_that_says_so(served):
    server, _, _ = served
    counted = client(server).messages.count_tokens(model="gpt-only", messages=[{"role": "user", "content": "abcdefgh"}])
    assert counted.input_tokens == 2 and counted.model_extra == {"estimated": True}


@pytest.mark.parametrize("model, error_class, status, kind", [
    ("claude-429", anthropic.RateLimitError, 429, "rate_limit_error"),
    ("claude-529", anthropic.OverloadedError, 529, "overloaded_error")])
def test_upstream_errors_arrive_as_the_sdks_own_classes_and_are_recorded(served, model, error_class, status, kind):
    server, ledger, _ = served
    with pytest.raises(error_class) as raised:
        client(server).messages.create(model=model, **BODY)
    assert raised.value.status_code == status
    assert raised.value.body["type"] == "error" and raised.value.body["error"]["type"] == kind
    if status == 429:  # Anthropic's Retry-After reaches the client, which waits by it
        assert raised.value.response.headers["retry-after"] == RETRY_AFTER_S
    line = line_of(ledger, raised.value.response.headers["X-LLMS-Request-Id"])
    assert line["status"] == "error" and line["error"]["status"] == status and line["endpoint"] == "/v1/messages"


def test_a_5xx_fails_over_to_the_next_anthropic_provider_serving_the_alias(served):
    server, ledger, mock = served
    raw = client(server).messages.with_raw_response.create(model="claude-failover", **BODY)
    assert raw.parse().content[-1].text == TEXT and raw.headers["X-LLMS-Provider"] == "backup"
    assert [r.json["model"] for r in mock.requests[-2:]] == ["fault-500", PROVIDER_MODEL]
    line = line_of(ledger, raw.headers["X-LLMS-Request-Id"])
    assert (line["provider"], line["status"]) == ("backup", "ok")
    assert line["cost_usd"] == pytest.approx(COST, abs=1e-12)


def test_a_model_only_other_types_serve_is_translated_for_them(served):
    server, _, mock = served
    message = client(server).messages.create(model="gpt-only", **BODY)
    assert message.content[-1].text == "Hello from the mock provider." and message.stop_reason == "end_turn"
    assert mock.requests[-1].path == "/openai/v1/chat/completions"
    assert mock.requests[-1].json["stop"] == ["END"] and mock.requests[-1].json["user"] == "u-1"


def test_a_wrong_x_api_key_is_refused_in_token_mode(served):
    server, _, _ = served
    request = urllib.request.Request(server.url + "/v1/messages", data=json.dumps({"model": "sonnet", **BODY}).encode(),
                                     headers={"x-api-key": "wrong", "content-type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 401
