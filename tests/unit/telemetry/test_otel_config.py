"""config.py's "otel" key: on with the key or the standard OTLP endpoint variables, checked with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from llms.config import ConfigError, parse_config


def otel_of(text: str, environ: dict | None = None):
    return parse_config(text, Path("llms.json"), environ or {}).otel


def test_off_without_the_key_or_the_variables():
    assert otel_of("{}") is None


def test_the_key_sets_endpoint_headers_and_service_name():
    assert otel_of('{"otel": {"endpoint": "http://127.0.0.1:4318/", "headers": {"x-honeycomb-team": "k"}, '
                   '"service_name": "laptop"}}') == {
        "endpoint": "http://127.0.0.1:4318", "headers": {"x-honeycomb-team": "k"}, "service_name": "laptop"}


def test_the_standard_variables_turn_it_on_and_are_left_to_the_sdk():
    on = otel_of("{}", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SERVICE_NAME": "ci"})
    assert on == {"endpoint": None, "headers": None, "service_name": "ci"}
    assert otel_of('{"otel": {}}') == {"endpoint": None, "headers": None, "service_name": "llms"}
    assert otel_of('{"otel": {}}', {"OTEL_SDK_DISABLED": "true"}) is None


@pytest.mark.parametrize("text, message", [
    ('{"otel": []}', 'llms.json:1:10 otel: expected an object like {"endpoint": "http://127.0.0.1:4318"}, got a list'),
    ('{"otel": {"endpoint": "127.0.0.1:4318"}}',
     'llms.json:1:23 otel.endpoint: expected an http:// or https:// URL, got "127.0.0.1:4318"'),
    ('{"otel": {"headers": {"a": 1}}}', "llms.json:1:28 otel.headers.a: expected a header value (text), got 1"),
    ('{"otel": {"service_name": " "}}', "llms.json:1:27 otel.service_name: expected a service name, got an empty text"),
    ('{"otel": {"protocol": "grpc"}}',
     "llms.json:1:23 otel.protocol: unknown key (expected one of: endpoint, headers, service_name)"),
])
def test_a_wrong_value_names_its_place_and_key_path(text, message):
    with pytest.raises(ConfigError) as error:
        otel_of(text)
    assert str(error.value) == message
