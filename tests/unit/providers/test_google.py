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


@pytest.mark.parametrize("field, value", [("base_url", "https://evil"), ("api_key", "other"), ("user", "u1"),
                                          ("logit_bias", {"1": 5})])
def test_request_refuses_fields_it_cannot_carry_with_a_400_naming_them(field, value):
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(**{field: value}), stream=False)
    # "unsupported": failover tries the next candidate, whose wire format may carry the field.
    assert (caught.value.kind, caught.value.status, caught.value.param) == ("unsupported", 400, field)
    assert f"'{field}'" in caught.value.message and "google" in caught.value.message


WEATHER_TOOL = {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}


@pytest.mark.parametrize("choice", [None, "auto", "required", {"type": "function", "function": {"name": "weather"}}])
def test_one_tool_call_at_a_time_is_refused_where_gemini_could_call_several(choice):
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(tools=[WEATHER_TOOL], tool_choice=choice, parallel_tool_calls=False),
                           stream=False)
    assert (caught.value.kind, caught.value.status, caught.value.param) == ("unsupported", 400, "parallel_tool_calls")
    assert "FunctionCallingConfig" in caught.value.message and "google" in caught.value.message


def test_one_tool_call_at_a_time_passes_where_nothing_can_be_called():
    assert "tools" not in WIRE.build_request(TARGET, body(parallel_tool_calls=False), stream=False).json
    request = WIRE.build_request(TARGET, body(tools=[WEATHER_TOOL], tool_choice="none", parallel_tool_calls=False),
                                 stream=False).json
    assert request["toolConfig"] == {"functionCallingConfig": {"mode": "NONE"}}
    assert "parallel_tool_calls" not in json.dumps(request)


def test_neutral_values_pass_and_the_key_stays_ours():
    request = WIRE.build_request(TARGET, body(store=False, parallel_tool_calls=True), stream=False)
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


WEATHER = {"type": "function", "function": {"name": "weather", "description": "Weather in a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


@pytest.mark.parametrize("choice, config", [
    ("auto", {"mode": "AUTO"}), ("none", {"mode": "NONE"}), ("required", {"mode": "ANY"}),
    ({"type": "function", "function": {"name": "weather"}}, {"mode": "ANY", "allowedFunctionNames": ["weather"]})])
def test_tools_become_function_declarations_and_tool_choice_a_calling_config(choice, config):
    request = WIRE.build_request(TARGET, body(tools=[WEATHER], tool_choice=choice), stream=False)
    assert request.json["tools"] == [{"functionDeclarations": [{
        "name": "weather", "description": "Weather in a city",
        "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}}}]}]
    assert request.json["toolConfig"] == {"functionCallingConfig": config}


def test_tool_history_carries_signatures_and_names_function_responses_by_call_id():
    messages = [{"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                     "extra_content": {"google": {"thought_signature": "sig-1"}}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": '{"sky": "sunny"}'},
                {"role": "tool", "tool_call_id": "call_1", "content": "plain text"}]
    request = WIRE.build_request(TARGET, body(messages), stream=False)
    assert request.json["contents"][1:] == [
        {"role": "model", "parts": [{"functionCall": {"id": "call_1", "name": "weather", "args": {"city": "Paris"}},
                                     "thoughtSignature": "sig-1"}]},
        {"role": "user", "parts": [
            {"functionResponse": {"id": "call_1", "name": "weather", "response": {"sky": "sunny"}}},
            {"functionResponse": {"id": "call_1", "name": "weather", "response": {"result": "plain text"}}}]}]
    with pytest.raises(ProviderError, match="answers no tool call"):
        WIRE.build_request(TARGET, body([{"role": "tool", "tool_call_id": "x", "content": "1"}]), stream=False)


def test_structured_output_thinking_and_logprobs_go_into_generation_config():
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    request = WIRE.build_request(TARGET, body(response_format={"type": "json_schema", "json_schema": {
        "name": "P", "schema": schema}}, reasoning_effort="low", logprobs=True, top_logprobs=2), stream=False)
    assert request.json["generationConfig"] == {
        "responseMimeType": "application/json", "responseJsonSchema": schema,
        "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}, "responseLogprobs": True, "logprobs": 2}
    request = WIRE.build_request(TARGET, body(reasoning_effort="none"), stream=False)
    assert request.json["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 0}}


def test_pdf_and_audio_parts_become_inline_data():
    content = [{"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}},
               {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]
    request = WIRE.build_request(TARGET, body([{"role": "user", "content": content}]), stream=False)
    assert request.json["contents"][0]["parts"] == [
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}}]


def test_completion_function_calls_become_tool_calls_with_stable_ids_and_signatures():
    data = {"responseId": "r1", "candidates": [candidate(
        {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "sig-1"},
        finish="STOP")], "usageMetadata": USAGE}
    first = WIRE.parse_completion(data, "gemini")["choices"][0]
    assert first["finish_reason"] == "tool_calls"
    assert first["message"]["tool_calls"] == [{"index": 0, "id": "call_r1_0_0", "type": "function",
                                               "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                                               "extra_content": {"google": {"thought_signature": "sig-1"}}}]
    assert WIRE.parse_completion(data, "gemini")["choices"][0]["message"]["tool_calls"] == first["message"]["tool_calls"]


def test_completion_logprobs_are_translated():
    result = {"chosenCandidates": [{"token": "Hi", "logProbability": -0.1}],
              "topCandidates": [{"candidates": [{"token": "Hi", "logProbability": -0.1},
                                                {"token": "Yo", "logProbability": -2.5}]}]}
    data = {"candidates": [{**candidate({"text": "Hi"}, finish="STOP"), "logprobsResult": result}],
            "usageMetadata": USAGE}
    assert WIRE.parse_completion(data, "gemini")["choices"][0]["logprobs"] == {"content": [
        {"token": "Hi", "logprob": -0.1, "bytes": None, "top_logprobs": [
            {"token": "Hi", "logprob": -0.1, "bytes": None}, {"token": "Yo", "logprob": -2.5, "bytes": None}]}]}


def test_stream_function_calls_become_tool_call_deltas_and_finish_with_tool_calls():
    stream = WIRE.new_stream("gemini")
    chunks = feed(stream,
                  {"responseId": "r1", "candidates": [candidate({"text": "Checking."})]},
                  {"responseId": "r1", "candidates": [candidate(
                      {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "s"},
                      {"functionCall": {"name": "weather", "args": {"city": "Rome"}}}, finish="STOP")],
                   "usageMetadata": USAGE})
    delta = chunks[1]["choices"][0]["delta"]
    assert [call["id"] for call in delta["tool_calls"]] == ["call_r1_0_0", "call_r1_0_1"]
    assert delta["tool_calls"][1]["function"] == {"name": "weather", "arguments": '{"city": "Rome"}'}
    assert delta["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": "s"}}
    assert chunks[1]["choices"][0]["finish_reason"] == "tool_calls"
    assert stream.finish()["usage"] == NORMALIZED


@pytest.mark.parametrize("choice, mode", [(None, "VALIDATED"), ("auto", "VALIDATED"), ("required", "ANY"),
                                          ("none", "NONE")])
def test_a_strict_tool_asks_gemini_for_schema_adherence(choice, mode):
    strict = {"type": "function", "function": {**WEATHER["function"], "strict": True}}
    extra = {} if choice is None else {"tool_choice": choice}
    request = WIRE.build_request(TARGET, body(tools=[strict], **extra), stream=False)
    assert request.json["toolConfig"]["functionCallingConfig"]["mode"] == mode


def test_a_tool_result_with_an_image_is_unsupported_rather_than_flattened():
    messages = [{"role": "user", "content": "Look"},
                {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                      "function": {"name": "shot", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": [
                    {"type": "text", "text": "here"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]}]
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(messages), stream=False)
    assert (caught.value.kind, caught.value.param) == ("unsupported", "messages")


@pytest.mark.parametrize("asked, sent", [("flex", "flex"), ("priority", "priority"), ("default", "standard"),
                                         ("auto", None)])
def test_service_tier_is_geminis_service_tier(asked, sent):
    request = WIRE.build_request(TARGET, body(service_tier=asked), stream=False).json
    assert request.get("serviceTier") == sent


def test_a_service_tier_gemini_lacks_is_unsupported():
    with pytest.raises(ProviderError) as caught:
        WIRE.build_request(TARGET, body(service_tier="scale"), stream=False)
    assert (caught.value.kind, caught.value.param) == ("unsupported", "service_tier")


def test_the_tier_that_served_comes_back_as_service_tier_stream_or_not():
    served = {**USAGE, "serviceTier": "FLEX"}
    data = {"candidates": [candidate({"text": "Hi"}, finish="STOP")], "usageMetadata": served, "responseId": "r"}
    assert WIRE.parse_completion(data, "g")["service_tier"] == "flex"
    assert "service_tier" not in WIRE.parse_completion({**data, "usageMetadata": USAGE}, "g")
    stream = WIRE.new_stream("g")
    chunks = feed(stream, {"candidates": [candidate({"text": "Hel"})], "responseId": "r"},
                  {"candidates": [candidate({"text": "lo"}, finish="STOP")],
                   "usageMetadata": {**USAGE, "serviceTier": "SERVICE_TIER_PRIORITY"}})
    assert [chunk.get("service_tier") for chunk in chunks] == [None, "priority"]
    assert stream.finish()["service_tier"] == "priority"
