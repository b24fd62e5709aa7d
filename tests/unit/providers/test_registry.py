"""The wire-format registry: every type, normalizer and price-data id comes from what a wire module declares."""

import json
from pathlib import Path

import pytest

from llms.config import PROVIDER_TYPES
from llms.pricing.table import GENAI_PROVIDER_IDS
from llms.providers import anthropic, google, openai
from llms.providers.base import Target
from llms.providers.registry import (dropped_params, normalizers, price_data_ids, provider_types, usage_format_for,
                                     wire_for)

VECTORS = Path(__file__).parents[2] / "vectors" / "pricing.json"


def test_the_usage_formats_are_exactly_those_the_shared_pricing_vectors_use():
    formats = {case["format"] for case in json.loads(VECTORS.read_text())["cases"] if "format" in case}
    assert set(normalizers()) == formats == {"openai", "anthropic", "gemini"}


def test_config_types_wire_formats_and_usage_formats_come_from_the_wire_modules():
    assert PROVIDER_TYPES == provider_types() == ("openai-compatible", "anthropic", "google", "ollama")
    assert wire_for("ollama") is wire_for("openai-compatible") is openai.WIRE
    assert (wire_for("anthropic"), wire_for("google")) == (anthropic.WIRE, google.WIRE)
    assert [usage_format_for(kind) for kind in PROVIDER_TYPES] == ["openai", "anthropic", "gemini", "openai"]
    assert normalizers()["gemini"] is google.normalize_usage


def test_price_data_ids_are_the_union_of_what_each_wire_module_declares():
    assert GENAI_PROVIDER_IDS == price_data_ids() == {"gemini": "google", "xai": "x-ai", "bedrock": "aws",
                                                     "moonshot": "moonshotai"}


def test_a_type_no_wire_module_declares_is_refused_by_name():
    with pytest.raises(ValueError, match="no wire format for provider type 'soap'"):
        wire_for("soap")


def test_dropped_params_lists_only_hints_a_wire_drops_and_only_when_they_would_do_something():
    body = {"model": "m", "seed": 7, "presence_penalty": 0, "frequency_penalty": 0.5, "temperature": 1, "top_k": None}
    assert dropped_params("anthropic", body) == ["seed", "frequency_penalty"]  # a penalty of 0 is no penalty
    assert dropped_params("anthropic", {"model": "m", "seed": None}) == []
    assert dropped_params("openai-compatible", body) == dropped_params("google", body) == []


def test_dropped_params_lists_the_hints_inside_messages_a_wire_has_no_field_for():
    rules = {"type": "text", "text": "Rules.", "cache_control": {"type": "ephemeral"}}
    messages = [{"role": "system", "content": [rules]},
                {"role": "user", "name": "ada", "content": [
                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}}]}]
    body = {"model": "m", "messages": messages, "seed": 1}
    assert dropped_params("anthropic", body) == ["seed", "messages[].name", "image_url.detail"]  # caching is carried
    assert dropped_params("google", body) == ["messages[].name", "image_url.detail", "cache_control"]
    assert dropped_params("openai-compatible", body) == []
    plain = {"model": "m", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "auto"}}]}]}
    assert dropped_params("anthropic", plain) == dropped_params("google", plain) == []


def test_prompt_cache_key_is_dropped_and_listed_where_caching_needs_no_key():
    # Codex sends prompt_cache_key with every request: a model served by Anthropic or Gemini must still answer it.
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "prompt_cache_key": "codex-session-1"}
    assert dropped_params("anthropic", body) == dropped_params("google", body) == ["prompt_cache_key"]
    assert dropped_params("openai-compatible", body) == []
    for wire, kind in ((anthropic.AnthropicWire(), "anthropic"), (google.GoogleWire(), "google")):
        target = Target(kind, "https://provider.test/v1", "key", "model-1")
        sent = wire.build_request(target, dict(body), stream=False).json
        assert "prompt_cache_key" not in json.dumps(sent)
