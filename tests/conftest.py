"""Shared fixtures: the mock provider (all three wire formats) and the real `llms --serve` against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mock_provider import KEYS, MockProvider, Reply
from tests.server_process import ServerProcess

MOCK_KEY_ENV = {"MOCK_OPENAI_KEY": KEYS["openai"], "MOCK_ANTHROPIC_KEY": KEYS["anthropic"],
                "MOCK_GOOGLE_KEY": KEYS["google"]}

# Prices of the mock config, USD per 1M tokens; tests compute expected costs from these.
PRICES = {
    "openai": {"gpt-4o-mini": {"input": 0.15, "output": 0.6, "cached_input": 0.075},
               "mock-model": {"input": 2.5, "output": 10, "cached_input": 1.25},
               "shape-openai": {"input": 1.25, "output": 10, "cached_input": 0.125}},
    "anthropic": {"claude-sonnet-4-5": {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75,
                                        "cache_write_1h": 6},
                  "shape-anthropic": {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75,
                                      "cache_write_1h": 6}},
    "google": {"gemini-2.5-flash": {"input": 0.3, "output": 2.5, "cached_input": 0.03},
               "shape-google": {"input": 1.25, "output": 10, "cached_input": 0.125,
                                "tiers": [{"above": 200000, "input": 2.5, "output": 15, "cached_input": 0.25}]}},
    "backup": {"failover": {"input": 1, "output": 2}},
}
FAULT_MODELS = ("fault-401", "fault-404", "fault-429", "fault-500", "fault-malformed", "fault-bad-shape",
                "fault-cut", "fault-truncate", "fault-slow", "fault-slow-stream")


def mock_config(mock: MockProvider, read_timeout_s: float = 1.5) -> dict:
    """An llms.json pointing every wire format at the mock; `failover` fails on openai, answers on backup."""
    openai_models = {"gpt-4o-mini": "gpt-4o-mini", "mock-model": "mock-model", "failover": "fault-500",
                     "shape-openai": "shape-openai"} | {name: name for name in FAULT_MODELS}
    return {
        "defaults": {"model": "gpt-4o-mini", "connect_timeout_s": 2, "read_timeout_s": read_timeout_s},
        "providers": {
            "openai": {"type": "openai-compatible", "base_url": mock.url("openai"), "api_key": "$MOCK_OPENAI_KEY",
                       "models": openai_models, "pricing": PRICES["openai"]},
            "anthropic": {"type": "anthropic", "base_url": mock.url("anthropic"), "api_key": "$MOCK_ANTHROPIC_KEY",
                          "models": {"claude-sonnet-4-5": "claude-sonnet-4-5", "claude-401": "fault-401",
                                     "shape-anthropic": "shape-anthropic"},
                          "pricing": PRICES["anthropic"]},
            "google": {"type": "google", "base_url": mock.url("google"), "api_key": "$MOCK_GOOGLE_KEY",
                       "models": {"gemini-2.5-flash": "gemini-2.5-flash", "gemini-cut": "fault-cut",
                                  "shape-google": "shape-google"},
                       "pricing": PRICES["google"]},
            "backup": {"type": "openai-compatible", "base_url": mock.url("openai"), "api_key": "$MOCK_OPENAI_KEY",
                       "models": {"failover": "mock-model"}, "pricing": PRICES["backup"]},
            "selfhosted": {"type": "openai-compatible", "base_url": mock.url("openai"), "api_key": "$MOCK_OPENAI_KEY",
                           "models": {"unpriced-model": "mock-model"}},
            "nokey": {"type": "openai-compatible", "base_url": mock.url("openai"), "api_key": "$MOCK_UNSET_KEY",
                      "models": {"keyless": "mock-model"}},
        },
    }


# Each provider's own usage shape, as the mock sends it for the `shape-*` models.
SHAPE_USAGE = {
    "openai": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
               "prompt_tokens_details": {"cached_tokens": 1000}, "completion_tokens_details": {"reasoning_tokens": 120}},
    "anthropic": {"input_tokens": 100, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200,
                  "cache_creation": {"ephemeral_5m_input_tokens": 150, "ephemeral_1h_input_tokens": 50},
                  "output_tokens": 340},
    "google": {"promptTokenCount": 1200, "cachedContentTokenCount": 1000, "candidatesTokenCount": 220,
               "thoughtsTokenCount": 120, "totalTokenCount": 1540},
}


@pytest.fixture(scope="session")
def mock_provider():
    mock = MockProvider.start_in_thread()
    for fmt, usage in SHAPE_USAGE.items():
        mock.set_model(f"shape-{fmt}", Reply(text="Shaped answer here.", usage={fmt: usage}))
    yield mock
    mock.stop()


@pytest.fixture(scope="session")
def mock_config_path(tmp_path_factory, mock_provider) -> Path:
    path = tmp_path_factory.mktemp("config") / "llms.json"
    path.write_text(json.dumps(mock_config(mock_provider), indent=2))
    return path


@pytest.fixture(scope="session")
def llms_server(mock_config_path):
    """The real server (a subprocess) against the mock; `.url` is its base URL."""
    server = ServerProcess(mock_config_path, env=MOCK_KEY_ENV)
    yield server
    server.stop()
