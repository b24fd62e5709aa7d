"""shapes: an upstream error's type, code and param, read from each provider's error shape."""

import pytest

from llms.providers.shapes import (MAX_ERROR_FIELD_CHARS, error_fields, refuse_untranslatable, retry_after_of,
                                   unsupported)


@pytest.mark.parametrize("body, fields", [
    # OpenAI https://platform.openai.com/docs/guides/error-codes
    ({"error": {"message": "m", "type": "invalid_request_error", "param": "messages", "code": "invalid_value"}},
     {"error_type": "invalid_request_error", "code": "invalid_value", "param": "messages"}),
    # Mistral: the same fields at the top level
    ({"object": "error", "message": "m", "type": "invalid_model", "param": None, "code": "1500"},
     {"error_type": "invalid_model", "code": "1500"}),
    # Anthropic https://docs.anthropic.com/en/api/errors
    ({"type": "error", "error": {"type": "rate_limit_error", "message": "m"}}, {"error_type": "rate_limit_error"}),
    # Gemini, as a list of one when streaming: `status` is the code, the numeric code is the HTTP status
    ([{"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED"}}], {"code": "RESOURCE_EXHAUSTED"}),
    # Ollama's {"error": "text"}, a page of text, nothing
    ({"error": "model 'x' not found"}, {}), ("<html>Bad Gateway</html>", {}), (None, {}),
])
def test_error_fields_read_each_providers_error_shape(body, fields):
    assert error_fields(body) == fields


def test_error_fields_are_cut_to_a_short_name():
    assert error_fields({"error": {"type": "x" * 5000}}) == {"error_type": "x" * MAX_ERROR_FIELD_CHARS}


def test_a_field_a_wire_cannot_carry_is_unsupported_with_the_field_as_param():
    with pytest.raises(type(unsupported("w", "n", "d"))) as caught:
        refuse_untranslatable("acme", {"model": "m", "n": 2}, ("model",), {"n": 1}, "Acme API", "https://acme.test")
    fault = caught.value
    assert (fault.kind, fault.status, fault.param, fault.retryable) == ("unsupported", 400, "n", True)
    assert fault.message.startswith("acme cannot take this request: 'n' (2) has no equivalent in Acme API")


@pytest.mark.parametrize("delay, header", [("7s", {"retry-after": "7"}), ("0.2s", {"retry-after": "1"}),
                                           ("30.000001s", {"retry-after": "31"}), ("soon", {}), ("-1s", {})])
def test_geminis_retry_info_becomes_a_retry_after_in_whole_seconds(delay, header):
    body = [{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure"},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]}}]
    assert retry_after_of(body) == header
    assert retry_after_of({"error": {"message": "no details"}}) == retry_after_of("text") == {}
