from pathlib import Path

import pytest

from llms.config import parse_config
from llms.providers.routing import UnknownModel, candidates_for, known_models

CONFIG = parse_config("""{
  "providers": {
    "groq": {"type": "openai-compatible", "base_url": "http://127.0.0.1:1/v1", "api_key": "k",
             "models": {"gpt-oss": "openai/gpt-oss-120b", "llama": "llama-3.3-70b-versatile"}},
    "router": {"type": "openai-compatible", "base_url": "http://127.0.0.1:2/v1", "api_key": "k",
               "models": {"gpt-oss": "openai/gpt-oss-120b"}},
    "off": {"type": "anthropic", "base_url": "http://127.0.0.1:3/v1", "api_key": "$UNSET",
            "models": {"claude": "claude-x"}}
  }
}""", Path("llms.json"), {})


def ids(candidates):
    return [(c.provider.id, c.provider_model) for c in candidates]


def test_alias_served_by_two_providers_is_tried_in_config_order():
    assert ids(candidates_for(CONFIG, "gpt-oss")) == [("groq", "openai/gpt-oss-120b"), ("router", "openai/gpt-oss-120b")]


def test_provider_prefix_pins_that_provider_first():
    assert ids(candidates_for(CONFIG, "router/gpt-oss")) == [("router", "openai/gpt-oss-120b"),
                                                             ("groq", "openai/gpt-oss-120b")]


def test_provider_model_id_is_accepted_and_maps_back_to_its_alias():
    [candidate] = candidates_for(CONFIG, "llama-3.3-70b-versatile")
    assert candidate.alias == "llama"


def test_openrouter_style_ids_with_slashes_are_not_mistaken_for_a_pin():
    assert ids(candidates_for(CONFIG, "openai/gpt-oss-120b"))[0] == ("groq", "openai/gpt-oss-120b")


def test_unknown_model_lists_the_known_ones_and_disabled_ones_say_why():
    with pytest.raises(UnknownModel, match="unknown model 'nope'; known models: gpt-oss, llama"):
        candidates_for(CONFIG, "nope")
    with pytest.raises(UnknownModel, match=r"only served by disabled providers \(off: UNSET is not set\)"):
        candidates_for(CONFIG, "claude")
    assert known_models(CONFIG) == ["gpt-oss", "llama"]
