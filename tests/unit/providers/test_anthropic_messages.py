import json

import pytest

from llms.providers.anthropic_messages import (COUNT_TOKENS_PATH, MessagesPassThrough, RelayedStream, error_body,
                                               error_type)
from llms.providers.base import ProviderError, Target

TARGET = Target("anthropic", "https://api.anthropic.com/v1", "sk-ant-ours", "claude-sonnet-4-5-20250929",
                {"X-Extra": "1"})
BODY = {"model": "sonnet", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}],
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}


def test_the_body_goes_upstream_unchanged_but_the_model_with_the_clients_version_and_betas():
    client_headers = {"anthropic-version": "2023-06-01", "anthropic-beta": "context-1m-2025-08-07",
                      "x-api-key": "the-clients-token", "Authorization": "Bearer the-clients-token"}
    request = MessagesPassThrough(client_headers).build_request(TARGET, BODY, stream=False)
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.json == {**BODY, "model": "claude-sonnet-4-5-20250929"}
    assert request.headers == {"X-Extra": "1", "anthropic-version": "2023-06-01",
                               "anthropic-beta": "context-1m-2025-08-07", "x-api-key": "sk-ant-ours",
                               "content-type": "application/json"}


def test_without_a_version_header_anthropics_default_is_sent_and_count_tokens_has_its_own_path():
    request = MessagesPassThrough({}, COUNT_TOKENS_PATH).build_request(TARGET, BODY, stream=False)
    assert request.url.endswith("/v1/messages/count_tokens")
    assert request.headers["anthropic-version"] == "2023-06-01" and "anthropic-beta" not in request.headers


def test_a_reply_comes_back_as_sent_with_what_it_means_for_the_record():
    reply = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
             "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn",
             "usage": {"input_tokens": 5, "cache_read_input_tokens": 10, "output_tokens": 2}}
    parsed = MessagesPassThrough({}).parse_completion(reply, "sonnet")
    assert parsed["body"] is reply
    assert parsed["completion"]["choices"][0]["finish_reason"] == "stop"
    assert parsed["completion"]["usage"]["prompt_tokens"] == 15
    assert MessagesPassThrough({}, COUNT_TOKENS_PATH).parse_completion({"input_tokens": 7}, "sonnet") == \
        {"body": {"input_tokens": 7}, "completion": None}


def events(*pairs):
    return [(name, json.dumps(data)) for name, data in pairs]


def test_a_stream_is_relayed_event_by_event_and_ends_with_the_cumulative_usage():
    stream = RelayedStream("sonnet")
    sent = events(("message_start", {"type": "message_start", "message": {
                       "id": "msg_1", "usage": {"input_tokens": 5, "cache_creation_input_tokens": 20,
                                                "output_tokens": 1}}}),
                  ("ping", {"type": "ping"}),
                  ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                           "delta": {"type": "text_delta", "text": "Hi"}}),
                  ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                     "usage": {"output_tokens": 9}}),
                  ("message_stop", {"type": "message_stop"}))
    relayed = [item for name, data in sent for item in stream.feed(name, data)]
    assert [(item["event"], item["data"]) for item in relayed] == sent
    assert relayed[2]["chunks"][0]["choices"][0]["delta"] == {"content": "Hi"}
    usage = stream.finish()["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (25, 9)
    assert usage["prompt_tokens_details"]["cache_write_tokens"] == 20


def test_an_error_event_is_relayed_and_then_ends_the_stream_with_its_status():
    stream = RelayedStream("sonnet")
    error = json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    assert [item["event"] for item in stream.feed("error", error)] == ["error"]
    with pytest.raises(ProviderError) as raised:
        stream.finish()
    assert raised.value.status == 529


@pytest.mark.parametrize("status, kind", [(400, "invalid_request_error"), (401, "authentication_error"),
                                          (404, "not_found_error"), (429, "rate_limit_error"),
                                          (529, "overloaded_error"), (502, "api_error"), (422, "invalid_request_error")])
def test_errors_carry_anthropics_type_for_their_status(status, kind):
    assert error_type(status) == kind
    assert error_body(status, "why") == {"type": "error", "error": {"type": kind, "message": "why"}}
