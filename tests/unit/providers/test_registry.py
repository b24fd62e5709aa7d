"""The wire-format registry: every type, normalizer and price-data id comes from what a wire module declares."""

import json
from pathlib import Path

import pytest

from llms.config import PROVIDER_TYPES
from llms.pricing.table import GENAI_PROVIDER_IDS
from llms.providers import anthropic, google, openai
from llms.providers.registry import normalizers, price_data_ids, provider_types, usage_format_for, wire_for

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
