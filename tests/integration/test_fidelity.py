"""What a client sends is carried, routed or refused by name, never dropped: upstream errors keep their type,
code, param and Retry-After; a field one wire format cannot carry goes to the next candidate that can, or is
one 400 naming it and the providers; sampling hints dropped on purpose are listed. The official openai SDK
through the real server to the mock provider."""

from __future__ import annotations

import json

import openai
import pytest

from tests.conftest import MOCK_KEY_ENV
from tests.mock_provider import RETRY_AFTER_S
from tests.server_process import ServerProcess

ASK = [{"role": "user", "content": "Hi"}]


def fidelity_config(mock) -> dict:
    """`both`: Anthropic first, then OpenAI-compatible; `nowhere`: Anthropic and Gemini only; a 429 and a 400
    on each wire."""
    return {
        "defaults": {"model": "both", "connect_timeout_s": 2, "read_timeout_s": 5},
        "providers": {
            "claude": {"type": "anthropic", "base_url": mock.url("anthropic"), "api_key": "$MOCK_ANTHROPIC_KEY",
                       "models": {"both": "claude-sonnet-4-5", "nowhere": "claude-sonnet-4-5",
                                  "mixed": "claude-sonnet-4-5",
                                  "limited-anthropic": "fault-429", "refused-anthropic": "fault-400"}},
            "gemini": {"type": "google", "base_url": mock.url("google"), "api_key": "$MOCK_GOOGLE_KEY",
                       "models": {"nowhere": "gemini-2.5-flash", "limited-google": "fault-429"}},
            "gpt": {"type": "openai-compatible", "base_url": mock.url("openai"), "api_key": "$MOCK_OPENAI_KEY",
                    "models": {"both": "gpt-4o-mini", "limited-openai": "fault-429", "refused-openai": "fault-400",
                               "mixed": "fault-429"}},
        },
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory, mock_provider):
    path = tmp_path_factory.mktemp("fidelity") / "llms.json"
    path.write_text(json.dumps(fidelity_config(mock_provider)))
    process = ServerProcess(path, env=MOCK_KEY_ENV)
    yield process
    process.stop()


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)


def sent_to(mock, fmt: str) -> dict:
    return [r for r in mock.requests if r.format == fmt][-1].json


# ---- upstream errors ---------------------------------------------------------------------------------------

# What each provider's 429 says (tests/mock_provider.py sends them as the providers document them).
RATE_LIMITS = {
    "openai": ("requests", "rate_limit_exceeded", {"x-ratelimit-remaining-requests": "0",
                                                   "x-ratelimit-reset-requests": "7s"}),
    "anthropic": ("rate_limit_error", None, {"anthropic-ratelimit-requests-remaining": "0"}),
    "google": ("rate_limit_error", "RESOURCE_EXHAUSTED", {}),  # Gemini has no type: ours for a 429; no headers
}


@pytest.mark.parametrize("fmt", list(RATE_LIMITS))
@pytest.mark.parametrize("stream", [False, True])
def test_a_429_reaches_the_sdk_as_rate_limit_error_with_the_upstreams_code_and_retry_after(client, fmt, stream):
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model=f"limited-{fmt}", messages=ASK, stream=stream)
    error = caught.value
    kind, code, limits = RATE_LIMITS[fmt]
    assert (error.status_code, error.type, error.code, error.param) == (429, kind, code, None)
    assert error.body["provider"] == {"openai": "gpt", "anthropic": "claude", "google": "gemini"}[fmt]
    headers = error.response.headers
    assert headers.get("retry-after") == RETRY_AFTER_S  # Gemini's from the RetryInfo in its body
    assert {name: headers.get(name) for name in limits} == limits


@pytest.mark.parametrize("fmt, kind, code, param", [("openai", "invalid_request_error", "invalid_value", "messages"),
                                                   ("anthropic", "invalid_request_error", None, None)])
def test_an_upstream_400_keeps_its_type_code_and_param(client, fmt, kind, code, param):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=f"refused-{fmt}", messages=ASK)
    assert (caught.value.type, caught.value.code, caught.value.param) == (kind, code, param)
    assert "mock: invalid request" in caught.value.message


# ---- routing by capability ---------------------------------------------------------------------------------

def test_a_request_every_wire_carries_goes_to_the_first_candidate(client):
    raw = client.chat.completions.with_raw_response.create(model="both", messages=ASK)
    assert raw.headers["X-LLMS-Provider"] == "claude"
    assert raw.parse().model_extra["llms"]["failed_over"] == []


@pytest.mark.parametrize("field, value", [("n", 2), ("logit_bias", {"50256": -100}), ("service_tier", "flex")])
def test_a_field_anthropic_cannot_carry_goes_to_the_next_candidate_that_can(client, mock_provider, field, value):
    raw = client.chat.completions.with_raw_response.create(model="both", messages=ASK, **{field: value})
    assert raw.headers["X-LLMS-Provider"] == "gpt"
    [skipped] = raw.parse().model_extra["llms"]["failed_over"]
    assert skipped["provider"] == "claude" and f"'{field}'" in skipped["error"]
    assert sent_to(mock_provider, "openai")[field] == value


def test_a_streamed_request_is_routed_by_capability_too(client, mock_provider):
    chunks = list(client.chat.completions.create(model="both", messages=ASK, n=2, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[-1].model_extra["llms"]["provider"] == "gpt"
    assert sent_to(mock_provider, "openai")["n"] == 2


@pytest.mark.parametrize("stream", [False, True])
def test_a_field_no_candidate_can_carry_is_one_400_naming_it_and_every_provider(client, stream):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="nowhere", messages=ASK, logit_bias={"50256": -100}, stream=stream)
    error = caught.value
    assert (error.code, error.param, error.type) == ("unsupported_parameter", "logit_bias", "invalid_request_error")
    message = error.body["message"]
    assert message.startswith("no provider serving 'nowhere' can carry this request (claude, gemini): ")
    assert "anthropic cannot take this request: 'logit_bias'" in message
    assert "google cannot take this request: 'logit_bias'" in message


def test_when_the_one_that_could_carry_it_fails_its_fault_is_the_answer(client):
    # `mixed`: Anthropic cannot carry n=2, the OpenAI-compatible provider could but is rate-limited.
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="mixed", messages=ASK, n=2)
    message = caught.value.body["message"]
    assert caught.value.code == "rate_limit_exceeded" and message.startswith("gpt: mock: rate limit reached")
    assert "(also failed: anthropic cannot take this request: 'n' (2)" in message


# ---- dropped on purpose ------------------------------------------------------------------------------------

def test_sampling_hints_anthropic_has_no_equivalent_for_are_listed_as_dropped(client, mock_provider):
    raw = client.chat.completions.with_raw_response.create(model="both", messages=ASK, seed=7, presence_penalty=0.5,
                                                           frequency_penalty=0, temperature=0.2)
    assert raw.headers["X-LLMS-Provider"] == "claude"
    assert raw.headers["X-LLMS-Dropped-Params"] == "seed,presence_penalty"  # a penalty of 0 is no penalty
    assert raw.parse().model_extra["llms"]["dropped_params"] == ["seed", "presence_penalty"]
    sent = sent_to(mock_provider, "anthropic")
    assert "seed" not in sent and "presence_penalty" not in sent and sent["temperature"] == 0.2


def test_a_stream_lists_the_dropped_hints_in_its_header_and_usage_chunk(client):
    raw = client.chat.completions.with_raw_response.create(model="both", messages=ASK, seed=7, stream=True,
                                                           stream_options={"include_usage": True})
    assert raw.headers["X-LLMS-Dropped-Params"] == "seed"
    assert list(raw.parse())[-1].model_extra["llms"]["dropped_params"] == ["seed"]


def test_nothing_is_listed_when_nothing_was_dropped(client):
    raw = client.chat.completions.with_raw_response.create(model="both", messages=ASK, seed=7, n=2)
    assert raw.headers["X-LLMS-Provider"] == "gpt"  # n: routed to OpenAI, which takes the seed as well
    assert "X-LLMS-Dropped-Params" not in raw.headers
    assert "dropped_params" not in raw.parse().model_extra["llms"]
