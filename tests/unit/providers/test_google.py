import json

import pytest

from llms.providers.base import ProviderError, Target
from llms.providers.google import WIRE

TARGET = Target("google", "https://generativelanguage.googleapis.com/v1beta", "g-secret", "gemini-2.5-flash")
PNG = "iVBORw0KGgo="


def body(messages=None, **extra):
    return {"model": "gemini", "messages": messages or [{"role": "user", "content": "Hi"}], **extra}


def feed(stream, *responses):
    chunks = []
    for response in responses:
        chunks += stream.feed("", json.dumps(response))
    return chunks


def candidate(*parts, finish=None, index=0):
    result = {"content": {"role": "model", "parts": list(parts)}, "index": index}
    if finish:
        result["finishReason"] = finish
    return result


def test_request_urls_and_key_header():
    request = WIRE.build_request(TARGET, body(), stream=False)
    assert request.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    assert request.headers == {"x-goog-api-key": "g-secret", "Content-Type": "application/json"}
    streaming = WIRE.build_request(TARGET, body(), stream=True)
    assert streaming.url == ("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
                             ":streamGenerateContent?alt=sse")
    assert request.json == streaming.json == {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}


def test_request_maps_roles_system_and_generation_config():
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Again"}]
    request = WIRE.build_request(TARGET, body(messages, temperature=0.3, top_p=0.8, max_tokens=99,
                                              stop=["END"], n=2), stream=False)
    assert request.json == {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}, {"role": "model", "parts": [{"text": "Hello"}]},
                     {"role": "user", "parts": [{"text": "Again"}]}],
        "generationConfig": {"temperature": 0.3, "topP": 0.8, "maxOutputTokens": 99, "stopSequences": ["END"],
                             "candidateCount": 2}}


def test_request_turns_data_urls_into_inline_data_and_merges_same_role_messages():
    messages = [{"role": "user", "content": "Look"},
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]}]
    request = WIRE.build_request(TARGET, body(messages), stream=False)
    assert request.json["contents"] == [{"role": "user", "parts": [
        {"text": "Look"}, {"inlineData": {"mimeType": "image/png", "data": PNG}}]}]


def test_request_drops_fields_that_could_redirect_the_call_or_swap_keys():
    request = WIRE.build_request(TARGET, body(base_url="https://evil", api_key="other", headers={"a": "b"}),
                                 stream=False)
    assert set(request.json) == {"contents"}
    assert request.headers["x-goog-api-key"] == "g-secret"


USAGE = {"promptTokenCount": 1200, "cachedContentTokenCount": 1000, "candidatesTokenCount": 220,
         "thoughtsTokenCount": 120, "totalTokenCount": 1540}
NORMALIZED = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
              "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
              "completion_tokens_details": {"reasoning_tokens": 120}}


def test_completion_separates_thoughts_and_normalizes_usage():
    data = {"candidates": [candidate({"text": "Thinking...", "thought": True}, {"text": "Hello "}, {"text": "there"},
                                     finish="STOP")],
            "usageMetadata": USAGE, "modelVersion": "gemini-2.5-flash", "responseId": "r1"}
    result = WIRE.parse_completion(data, "gemini")
    assert result["object"] == "chat.completion" and result["model"] == "gemini"
    assert result["choices"] == [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "Hello there", "reasoning_content": "Thinking..."}}]
    assert result["usage"] == NORMALIZED


@pytest.mark.parametrize("reason, finish_reason", [
    ("STOP", "stop"), ("MAX_TOKENS", "length"), ("SAFETY", "content_filter"), ("RECITATION", "content_filter"),
    ("PROHIBITED_CONTENT", "content_filter"), ("OTHER", "stop")])
def test_finish_reason_maps(reason, finish_reason):
    data = {"candidates": [candidate({"text": "x"}, finish=reason)]}
    assert WIRE.parse_completion(data, "g")["choices"][0]["finish_reason"] == finish_reason


def test_blocked_prompt_is_a_content_filter_choice():
    data = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}}
    assert WIRE.parse_completion(data, "g")["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "content_filter"}]


def test_completion_without_candidates_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.parse_completion({"modelVersion": "x"}, "g")
    assert (caught.value.kind, caught.value.status) == ("malformed", 502)
    assert caught.value.message.startswith("google sent a malformed response")


def test_completion_with_non_numeric_usage_is_malformed():
    with pytest.raises(ProviderError, match="malformed usage"):
        WIRE.parse_completion({"candidates": [], "usageMetadata": {"promptTokenCount": "5"}}, "g")


def test_stream_translates_parts_and_keeps_the_last_cumulative_usage():
    stream = WIRE.new_stream("gemini")
    chunks = feed(
        stream,
        {"candidates": [candidate({"text": "Hm", "thought": True})], "responseId": "r1",
         "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 0, "thoughtsTokenCount": 120}},
        {"candidates": [candidate({"text": "Hello "})],
         "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 100, "thoughtsTokenCount": 120}},
        {"candidates": [candidate({"text": "there"}, finish="STOP")], "usageMetadata": USAGE})
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "reasoning_content": "Hm"}, {"content": "Hello "}, {"content": "there"}]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, "stop"]
    assert all(c["model"] == "gemini" and c["id"] == "chatcmpl-r1" for c in chunks)
    final = stream.finish()
    assert final["choices"] == [] and final["model"] == "gemini"
    assert final["usage"] == NORMALIZED  # the last usageMetadata, not the sum of three


def test_stream_with_two_candidates_is_done_when_both_finished():
    stream = WIRE.new_stream("g")
    chunks = feed(stream, {"candidates": [candidate({"text": "a"}), candidate({"text": "b"}, index=1)]},
                  {"candidates": [candidate({"text": "."}, finish="STOP")]})
    assert [choice["index"] for choice in chunks[0]["choices"]] == [0, 1]
    with pytest.raises(ProviderError):
        stream.finish()
    feed(stream, {"candidates": [candidate({"text": "!"}, finish="MAX_TOKENS", index=1)]})
    assert stream.finish()["usage"] is None


def test_stream_without_finish_reason_is_cut():
    stream = WIRE.new_stream("g")
    feed(stream, {"candidates": [candidate({"text": "Hel"})], "usageMetadata": {"promptTokenCount": 3}})
    with pytest.raises(ProviderError) as caught:
        stream.finish()
    assert (caught.value.kind, caught.value.status) == ("cut", 502)


def test_stream_of_nothing_is_cut():
    with pytest.raises(ProviderError, match="before a finishReason"):
        WIRE.new_stream("g").finish()


def test_stream_blocked_prompt_finishes_with_content_filter():
    stream = WIRE.new_stream("g")
    chunks = feed(stream, {"promptFeedback": {"blockReason": "OTHER"}, "usageMetadata": {"promptTokenCount": 4}})
    assert chunks[0]["choices"][0]["finish_reason"] == "content_filter"
    assert stream.finish()["usage"]["prompt_tokens"] == 4


def test_stream_chunk_that_is_not_json_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.new_stream("g").feed("", "{nope")
    assert caught.value.kind == "malformed"


def test_stream_error_chunk_raises_the_providers_error():
    with pytest.raises(ProviderError) as caught:
        feed(WIRE.new_stream("g"), {"error": {"code": 503, "message": "The model is overloaded.",
                                              "status": "UNAVAILABLE"}})
    assert (caught.value.kind, caught.value.status) == ("http", 503)
    assert caught.value.message == "The model is overloaded. (UNAVAILABLE)"


@pytest.mark.parametrize("data, message", [
    ({"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT"}},
     "API key not valid. (INVALID_ARGUMENT)"),
    ([{"error": {"code": 404, "message": "models/x is not found", "status": "NOT_FOUND"}}],
     "models/x is not found (NOT_FOUND)"),
    ("Service Unavailable", "Service Unavailable"),
])
def test_error_message_is_the_providers_own(data, message):
    assert WIRE.error_message(400, data) == message
