import socket

import pytest

from llms.server.access import ServerSettings, bind_refusal, parse_tokens, refusal, token_name, token_ok

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


def test_a_host_port_with_non_ascii_digits_is_refused_not_an_error():
    assert refusal("127.0.0.1:²", None, LOCAL) == "Host '127.0.0.1:²' is not this server (refused to guard against DNS rebinding)"
    assert refusal("127.0.0.1:８０００", None, LOCAL) is not None


def test_a_token_that_is_not_utf8_is_simply_wrong():
    settings = ServerSettings("127.0.0.1", 8000, {"default": "s3cret"})
    undecodable = b"\xff\xfe".decode("utf-8", "surrogateescape")  # how aiohttp hands over bytes that are not UTF-8
    assert token_name(settings, f"Bearer {undecodable}", None) is None
    assert token_name(settings, None, undecodable) is None


def _resolver(answers: dict[str, list[str]]):
    """A getaddrinfo stand-in: name → addresses, or gaierror for a name it does not know."""
    def resolve(host, port, type=0):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, type, 6, "", (a, 0)) for a in answers[host]]
    return resolve


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1"])
def test_loopback_hosts_are_served_without_a_token_as_they_resolve(host):
    assert bind_refusal(host, False) is None  # the real resolver: these resolve offline


def test_a_name_that_looks_loopback_but_resolves_to_a_lan_address_needs_a_token():
    resolve = _resolver({"127.lan.example": ["192.168.1.20"], "mixed.example": ["127.0.0.1", "10.0.0.5"]})
    assert bind_refusal("127.lan.example", False, resolve) == \
        "--host 127.lan.example (192.168.1.20) is reachable from other machines: set --token or LLMS_TOKEN"
    assert bind_refusal("mixed.example", False, resolve) is not None  # every address must be loopback
    assert bind_refusal("127.lan.example", True, resolve) is None
    assert bind_refusal("0.0.0.0", False, resolve) is not None and bind_refusal("::", True, resolve) is None


def test_a_name_that_resolves_to_nothing_is_refused_even_with_a_token():
    assert bind_refusal("no-such-host.invalid", True, _resolver({})) == \
        "--host no-such-host.invalid does not resolve to an address ([Errno -2] Name or service not known)"
    assert bind_refusal("empty.example", True, _resolver({"empty.example": []})) == \
        "--host empty.example does not resolve to an address"
