"""api.reasons: which served models /api/config marks as reasoning (the browser's reasoning-effort choice)."""

from __future__ import annotations

import pytest

from llms.server.api import reasons


@pytest.mark.parametrize(("provider_type", "model"), [
    ("openai-compatible", "o3"), ("openai-compatible", "o4-mini"), ("openai-compatible", "o1"),
    ("openai-compatible", "gpt-5"), ("openai-compatible", "gpt-5-mini"), ("openai-compatible", "openai/o3-mini"),
    ("anthropic", "claude-sonnet-4-5"), ("anthropic", "claude-opus-4-1-20250805"), ("anthropic", "claude-haiku-4-5"),
    ("anthropic", "claude-3-7-sonnet-latest"), ("anthropic", "claude-sonnet-4-20250514"),
    ("google", "gemini-2.5-flash"), ("google", "gemini-2.5-pro"), ("google", "gemini-3-pro-preview"),
])
def test_a_model_that_takes_reasoning_effort_is_marked_reasoning(provider_type, model):
    assert reasons(provider_type, model) is True


@pytest.mark.parametrize(("provider_type", "model"), [
    ("openai-compatible", "gpt-4o"), ("openai-compatible", "gpt-4o-mini"), ("openai-compatible", "omni-moderation"),
    ("openai-compatible", "mock-model"), ("anthropic", "claude-3-5-haiku-latest"), ("google", "gemini-2.0-flash"),
    ("ollama", "llama3.2:latest"), ("ollama", "o3"),
])
def test_a_model_without_reasoning_is_not_marked(provider_type, model):
    assert reasons(provider_type, model) is False
