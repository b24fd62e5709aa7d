import pytest

from llms.server.access import ServerSettings, parse_tokens, refusal, token_name, token_ok

LOCAL = ServerSettings("127.0.0.1", 8000)


def test_same_origin_and_originless_requests_are_served():
    assert refusal("127.0.0.1:8000", None, LOCAL) is None
    assert refusal("localhost:8000", "http://localhost:8000", LOCAL) is None
    assert refusal("[::1]:8000", "http://[::1]:8000", LOCAL) is None


def test_foreign_origin_is_refused():
    reason = refusal("127.0.0.1:8000", "https://evil.example", LOCAL)
    assert reason == "Origin 'https://evil.example' is not this server's own page (a foreign web page may not use it)"
    assert refusal("127.0.0.1:8000", "null", LOCAL) is not None
    assert refusal("127.0.0.1:8000", "http://127.0.0.1:9999", LOCAL) is not None


def test_foreign_host_is_refused_as_dns_rebinding():
    assert refusal("evil.example:8000", None, LOCAL) == \
        "Host 'evil.example:8000' is not this server (refused to guard against DNS rebinding)"
    assert refusal("127.0.0.1:8001", None, LOCAL) is not None
    assert refusal(None, None, LOCAL) is not None
    assert refusal("[::1", None, LOCAL) is not None
    assert refusal("127.0.0.1:80x", None, LOCAL) is not None


def test_wildcard_bind_accepts_any_host_name_on_its_port():
    settings = ServerSettings("0.0.0.0", 8000, tokens={"default": "t"})
    assert refusal("192.0.2.7:8000", None, settings) is None
    assert refusal("192.0.2.7:8001", None, settings) is not None


def test_token_from_bearer_header_or_cookie():
    settings = ServerSettings("0.0.0.0", 8000, tokens={"default": "s3cret"})
    assert token_ok(settings, "Bearer s3cret", None)
    assert token_ok(settings, None, "s3cret")
    assert not token_ok(settings, "Bearer nope", None)
    assert not token_ok(settings, None, None)
    assert token_ok(LOCAL, None, None)


def test_named_tokens_tell_which_one_a_request_offered():
    settings = ServerSettings("127.0.0.1", 8000, tokens=parse_tokens(["ci=abc123", "laptop=xyz789"]))
    assert token_name(settings, "Bearer abc123", None) == "ci"
    assert token_name(settings, None, "xyz789") == "laptop"
    assert token_name(settings, "Bearer nope", "xyz789") is None  # the header wins over the cookie
    assert parse_tokens(["s3cret"]) == {"default": "s3cret"}


@pytest.mark.parametrize("values, message", [
    (["ci="], "expected NAME=SECRET or SECRET"),
    (["=abc"], "expected NAME=SECRET or SECRET"),
    (["a=1", "a=2"], "the name 'a' is given twice"),
])
def test_bad_token_values_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        parse_tokens(values)
