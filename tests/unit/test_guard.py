from llms.server.guard import ServerSettings, refusal, token_ok

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
    settings = ServerSettings("0.0.0.0", 8000, token="t")
    assert refusal("192.0.2.7:8000", None, settings) is None
    assert refusal("192.0.2.7:8001", None, settings) is not None


def test_token_from_bearer_header_or_cookie():
    settings = ServerSettings("0.0.0.0", 8000, token="s3cret")
    assert token_ok(settings, "Bearer s3cret", None)
    assert token_ok(settings, None, "s3cret")
    assert not token_ok(settings, "Bearer nope", None)
    assert not token_ok(settings, None, None)
    assert token_ok(LOCAL, None, None)
