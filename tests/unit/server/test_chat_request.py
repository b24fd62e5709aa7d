import json

import pytest

from llms.server.chat_request import BadRequest, parse_chat_body, wants_usage_chunk


def bad(body) -> BadRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(BadRequest) as caught:
        parse_chat_body(raw)
    return caught.value


def test_valid_body_passes_through():
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    assert parse_chat_body(json.dumps(body).encode()) == body


@pytest.mark.parametrize("field", ["base_url", "api_base", "api_key", "headers", "extra_headers"])
def test_fields_that_would_redirect_a_call_are_refused(field):
    error = bad({"model": "m", "messages": [{"role": "user", "content": "x"}], field: "http://evil"})
    assert error.param == field
    assert "may not be set in a request" in error.message


def test_malformed_bodies_name_the_field():
    assert bad(b"{not json").message.startswith("request body is not valid JSON")
    assert bad([1]).message == "request body must be a JSON object"
    assert bad({"messages": [{"role": "user"}]}).param == "model"
    assert bad({"model": "m", "messages": []}).param == "messages"
    assert bad({"model": "m", "messages": [{"content": "x"}]}).param == "messages[0].role"
    assert bad({"model": "m", "messages": [{"role": "user", "content": 5}]}).param == "messages[0].content"
    assert bad({"model": "m", "messages": [{"role": "user"}], "stream": "yes"}).param == "stream"


def test_usage_chunk_is_sent_when_asked_or_to_the_app():
    assert wants_usage_chunk({"stream_options": {"include_usage": True}}, None)
    assert wants_usage_chunk({}, "app")
    assert not wants_usage_chunk({}, None)
    assert not wants_usage_chunk({"stream_options": {"include_usage": False}}, "sdk")


def test_stop_must_be_a_string_or_a_list_of_strings():
    assert bad({"model": "m", "messages": [{"role": "user"}], "stop": 5}).param == "stop"
    assert bad({"model": "m", "messages": [{"role": "user"}], "stop": ["a", 1]}).param == "stop"
    ok = {"model": "m", "messages": [{"role": "user"}], "stop": ["a", "b"]}
    assert parse_chat_body(json.dumps(ok).encode()) == ok


@pytest.mark.parametrize("raw, message", [
    (b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": NaN}',
     "request body has NaN, which is not a JSON number (use null or a finite number)"),
    (b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], "top_p": -Infinity}',
     "request body has -Infinity, which is not a JSON number (use null or a finite number)"),
    (b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], "seed": 1e999}',
     "request body has inf, which is not a JSON number (use null or a finite number)"),
    (b'{"model": "m", "messages": [], "x": ' + b"[" * 970 + b"]" * 970 + b"}",
     "request body is nested deeper than 100 levels"),
    (b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "request body is nested deeper than 100 levels"),
])
def test_non_finite_numbers_and_deep_nesting_are_refused_naming_them(raw, message):
    assert bad(raw).message == message
