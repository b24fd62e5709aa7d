import json

import pytest

from llms.providers.base import ProviderError, Target
from llms.providers.openai import WIRE

TARGET = Target("openai", "https://api.openai.com/v1/", "sk-secret", "gpt-4o-2024-08-06", {"HTTP-Referer": "llms"})


def body(**extra):
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}], **extra}


def feed(stream, *payloads):
    chunks = []
    for payload in payloads:
        chunks += stream.feed("", payload if isinstance(payload, str) else json.dumps(payload))
    return chunks


def content_chunk(text=None, finish_reason=None, **extra):
    delta = {"content": text} if text is not None else {}
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}], "usage": None, **extra}


USAGE = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
         "prompt_tokens_details": {"cached_tokens": 1000}, "completion_tokens_details": {"reasoning_tokens": 120}}
NORMALIZED = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
              "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
              "completion_tokens_details": {"reasoning_tokens": 120}}


def test_request_goes_to_chat_completions_with_bearer_key_and_provider_model():
    request = WIRE.build_request(TARGET, body(temperature=0.2), stream=False)
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-secret"
    assert request.headers["HTTP-Referer"] == "llms"
    assert request.json == {"model": "gpt-4o-2024-08-06", "messages": [{"role": "user", "content": "Hi"}],
                            "temperature": 0.2}


def test_request_without_key_has_no_authorization_header():
    request = WIRE.build_request(Target("ollama", "http://127.0.0.1:11434/v1", None, "llama3"), body(), stream=False)
    assert "Authorization" not in request.headers


def test_request_drops_fields_that_could_redirect_the_call_or_swap_keys():
    dangerous = {"base_url": "https://evil", "api_base": "https://evil", "api_key": "sk-other",
                 "headers": {"Authorization": "Bearer x"}, "extra_headers": {"a": "b"}, "extra_body": {"x": 1},
                 "provider": {"order": ["x"]}, "models": ["other"], "route": "fallback", "organization": "org"}
    request = WIRE.build_request(TARGET, body(**dangerous), stream=False)
    assert not set(dangerous) & set(request.json)
    assert request.headers["Authorization"] == "Bearer sk-secret"


def test_request_forwards_every_other_field_as_sent_so_nothing_is_dropped():
    extras = {"transforms": ["middle-out"], "guided_json": {"type": "object"}, "logit_bias": {"50256": -100},
              "user": "u1", "stream": False}
    sent = WIRE.build_request(TARGET, body(**extras), stream=False).json
    expected = {**body(**extras), "model": "gpt-4o-2024-08-06"}
    del expected["stream"]  # ours to set: a non-stream call sends none
    assert sent == expected


def test_a_stream_asks_for_usage_and_keeps_the_clients_other_stream_options():
    request = WIRE.build_request(TARGET, body(stream=True, stream_options={"include_obfuscation": False}), stream=True)
    assert request.json["stream_options"] == {"include_obfuscation": False, "include_usage": True}


def test_request_keeps_sampling_and_tool_fields():
    fields = {"top_p": 0.9, "n": 2, "stop": ["x"], "max_tokens": 10, "max_completion_tokens": 20, "seed": 3,
              "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "auto",
              "response_format": {"type": "json_object"}, "reasoning_effort": "low"}
    assert WIRE.build_request(TARGET, body(**fields), stream=False).json.items() >= fields.items()


def test_request_keeps_store_tier_cache_key_safety_and_legacy_function_fields():
    fields = {"store": True, "metadata": {"run": "7"}, "service_tier": "flex", "prompt_cache_key": "k1",
              "safety_identifier": "u-hash", "functions": [{"name": "f", "parameters": {"type": "object"}}],
              "function_call": "auto"}
    assert WIRE.build_request(TARGET, body(**fields), stream=False).json.items() >= fields.items()


def test_streaming_request_always_asks_for_usage():
    request = WIRE.build_request(TARGET, body(stream=True, stream_options={"include_usage": False}), stream=True)
    assert request.json["stream"] is True
    assert request.json["stream_options"] == {"include_usage": True}


def test_non_streaming_request_sends_no_stream_options():
    request = WIRE.build_request(TARGET, body(stream_options={"include_usage": True}), stream=False)
    assert "stream" not in request.json and "stream_options" not in request.json


def test_completion_is_renamed_to_the_asked_model_with_normalized_usage():
    data = {"id": "chatcmpl-1", "object": "chat.completion", "created": 7, "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello",
                                                 "reasoning_content": "hm"}, "finish_reason": "stop"}],
            "usage": USAGE}
    result = WIRE.parse_completion(data, "gpt-4o")
    assert result["model"] == "gpt-4o"
    assert result["choices"] == data["choices"]
    assert result["usage"] == NORMALIZED


def test_completion_keeps_openrouter_cost():
    data = {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "cost": 0.0012}}
    assert WIRE.parse_completion(data, "m")["usage"]["cost"] == 0.0012


def test_completion_without_choices_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.parse_completion({"id": "x"}, "gpt-4o")
    assert (caught.value.kind, caught.value.status) == ("malformed", 502)
    assert "malformed completion" in caught.value.message


def test_completion_with_non_numeric_usage_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.parse_completion({"choices": [], "usage": {"prompt_tokens": "many"}}, "gpt-4o")
    assert caught.value.kind == "malformed"
    assert "'many'" in caught.value.message


def test_completion_that_is_an_error_object_raises_the_providers_message():
    with pytest.raises(ProviderError) as caught:
        WIRE.parse_completion({"error": {"message": "No endpoints found", "code": 404}}, "m")
    assert (caught.value.kind, caught.value.status, caught.value.message) == ("http", 404, "No endpoints found")


def test_stream_passes_content_through_and_keeps_usage_for_finish():
    stream = WIRE.new_stream("gpt-4o")
    chunks = feed(stream, content_chunk("Hel"), content_chunk("lo"), content_chunk(finish_reason="stop"),
                  {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "x",
                   "choices": [], "usage": USAGE}, "[DONE]")
    assert [c["choices"][0]["delta"] for c in chunks] == [{"content": "Hel"}, {"content": "lo"}, {}]
    assert all(c["model"] == "gpt-4o" and "usage" not in c for c in chunks)
    final = stream.finish()
    assert final["choices"] == [] and final["model"] == "gpt-4o" and final["id"] == "chatcmpl-1"
    assert final["usage"] == NORMALIZED


def test_stream_keeps_reasoning_deltas():
    stream = WIRE.new_stream("m")
    reasoning = content_chunk()
    reasoning["choices"][0]["delta"] = {"reasoning_content": "think", "reasoning": "think"}
    assert feed(stream, reasoning)[0]["choices"][0]["delta"] == {"reasoning_content": "think", "reasoning": "think"}


def test_stream_with_usage_on_the_finish_chunk_and_no_done_is_complete():
    # Some compatible servers put usage on the chunk with finish_reason and never send [DONE].
    stream = WIRE.new_stream("m")
    chunks = feed(stream, content_chunk("Hi"), content_chunk(finish_reason="stop") | {"usage": USAGE})
    assert "usage" not in chunks[-1]
    assert stream.finish()["usage"] == NORMALIZED


def test_stream_done_without_usage_is_complete_with_no_usage():
    stream = WIRE.new_stream("m")
    feed(stream, content_chunk("Hi"), content_chunk(finish_reason="stop"), "[DONE]")
    assert stream.finish()["usage"] is None


def test_stream_cut_before_usage_and_done_raises_cut():
    stream = WIRE.new_stream("m")
    feed(stream, content_chunk("Hi"), content_chunk(finish_reason="stop"))
    with pytest.raises(ProviderError) as caught:
        stream.finish()
    assert (caught.value.kind, caught.value.status) == ("cut", 502)


def test_stream_cut_mid_content_raises_cut():
    stream = WIRE.new_stream("m")
    feed(stream, content_chunk("Hi"))
    with pytest.raises(ProviderError, match="before \\[DONE\\]"):
        stream.finish()


def test_stream_chunk_that_is_not_json_is_malformed():
    with pytest.raises(ProviderError) as caught:
        WIRE.new_stream("m").feed("", '{"choices": [')
    assert caught.value.kind == "malformed"
    assert caught.value.message.startswith("openai-compatible provider sent a malformed stream chunk")


def test_stream_chunk_without_choices_is_malformed():
    with pytest.raises(ProviderError, match="no 'choices'"):
        WIRE.new_stream("m").feed("", '{"id": "x"}')


def test_stream_usage_with_bad_counts_is_malformed():
    with pytest.raises(ProviderError, match="malformed usage"):
        feed(WIRE.new_stream("m"), {"choices": [], "usage": {"prompt_tokens": [1]}})


def test_stream_error_chunk_raises_the_providers_error():
    with pytest.raises(ProviderError) as caught:
        feed(WIRE.new_stream("m"), {"error": {"message": "upstream overloaded", "code": 502}, "choices": []})
    assert (caught.value.kind, caught.value.status, caught.value.message) == ("http", 502, "upstream overloaded")


@pytest.mark.parametrize("data, message", [
    ({"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}},
     "Incorrect API key provided."),
    ({"error": "model 'llama9' not found"}, "model 'llama9' not found"),
    ({"object": "error", "message": "Unauthorized"}, "Unauthorized"),
    ([{"error": {"message": "in a list"}}], "in a list"),
    ("<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
    ("", "HTTP 502"),
    ({"unexpected": 1}, '{"unexpected": 1}'),
])
def test_error_message_is_the_providers_own(data, message):
    assert WIRE.error_message(502, data) == message
