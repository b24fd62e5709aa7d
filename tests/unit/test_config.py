import json
from pathlib import Path

import pytest

from llms.config import ConfigError, find_config_path, load_config, parse_config
from llms.paths import DEFAULT_CONFIG

GOOD = {
    "defaults": {"model": "small", "read_timeout_s": 30},
    "providers": {
        "acme": {
            "type": "openai-compatible",
            "base_url": "http://127.0.0.1:9/v1/",
            "api_key": "$ACME_KEY",
            "models": {"small": "acme-small-2"},
            "pricing": {"small": {"input": 0.5, "output": 1.5, "tiers": [{"above": 1000, "input": 1}]}},
        },
        "local": {"type": "ollama", "base_url": "http://127.0.0.1:11434", "models": {"small": "llama3.2"},
                  "default_pricing": {"input": 0, "output": 0}},
    },
}


def parse(raw, environ=None):
    text = json.dumps(raw, indent=2)
    return parse_config(text, Path("llms.json"), environ or {})


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("llms.json"), {})
    return str(caught.value)


def test_good_config_resolves_keys_from_the_environment_and_strips_the_trailing_slash():
    config = parse(GOOD, {"ACME_KEY": "sk-acme"})
    acme = config.provider("acme")
    assert acme.enabled and acme.api_key == "sk-acme"
    assert acme.base_url == "http://127.0.0.1:9/v1"
    assert acme.read_timeout_s == 30 and acme.connect_timeout_s == 10
    assert acme.pricing["small"]["tiers"] == [{"above": 1000, "input": 1}]


def test_provider_whose_key_variable_is_unset_is_disabled_with_that_reason():
    acme = parse(GOOD).provider("acme")
    assert not acme.enabled
    assert acme.disabled_reason == "ACME_KEY is not set"
    assert acme.api_key is None


def test_api_key_never_shows_in_repr():
    config = parse(GOOD, {"ACME_KEY": "sk-secret-123"})
    assert "sk-secret-123" not in repr(config)


def test_price_that_is_not_a_number_names_file_line_column_and_key_path():
    text = json.dumps(GOOD, indent=2).replace('"input": 0.5', '"input": "2.5$"')
    message = error_of(text)
    assert message == 'llms.json:16:20 providers.acme.pricing.small.input: expected a number, got "2.5$"'


def test_invalid_json_names_the_line_and_column():
    message = error_of('{\n  "providers": {,}\n}')
    assert message.startswith("llms.json:2:17: invalid JSON")


def test_unknown_key_is_refused_with_the_keys_that_would_be_valid():
    raw = json.loads(json.dumps(GOOD))
    raw["providers"]["acme"]["prcing"] = {}
    message = error_of(json.dumps(raw, indent=2))
    assert "providers.acme.prcing: unknown key (expected one of: enabled, type, base_url" in message


def test_wrong_provider_type_lists_the_types():
    raw = json.loads(json.dumps(GOOD))
    raw["providers"]["acme"]["type"] = "OpenAiProvider"
    message = error_of(json.dumps(raw, indent=2))
    assert 'providers.acme.type: expected one of openai-compatible, anthropic, google, ollama, got "OpenAiProvider"' \
        in message


def test_negative_price_is_refused_but_minus_one_means_variable():
    raw = json.loads(json.dumps(GOOD))
    raw["providers"]["acme"]["pricing"]["small"]["output"] = -1
    assert parse(raw).provider("acme").pricing["small"]["output"] == -1
    raw["providers"]["acme"]["pricing"]["small"]["output"] = -2
    assert "pricing.small.output: expected a number ≥ 0, got -2" in error_of(json.dumps(raw, indent=2))


def test_tier_without_above_is_refused():
    raw = json.loads(json.dumps(GOOD))
    raw["providers"]["acme"]["pricing"]["small"]["tiers"] = [{"input": 1}]
    assert 'pricing.small.tiers.0: a tier needs "above"' in error_of(json.dumps(raw, indent=2))


def test_service_tier_prices_are_partial_entries_with_their_own_tiers():
    raw = json.loads(json.dumps(GOOD))
    flex = {"input": 0.25, "tiers": [{"above": 1000, "input": 0.5}]}
    raw["providers"]["acme"]["pricing"]["small"]["service_tiers"] = {"flex": flex}
    assert parse(raw).provider("acme").pricing["small"]["service_tiers"] == {
        "flex": {"input": 0.25, "tiers": [{"input": 0.5, "above": 1000}]}}
    raw["providers"]["acme"]["pricing"]["small"]["service_tiers"] = {"flex": {"service_tiers": {}}}
    assert "pricing.small.service_tiers.flex.service_tiers: unknown key" in error_of(json.dumps(raw, indent=2))
    raw["providers"]["acme"]["pricing"]["small"]["service_tiers"] = {"flex": {"output": "cheap"}}
    assert 'pricing.small.service_tiers.flex.output: expected a number, got "cheap"' in error_of(
        json.dumps(raw, indent=2))


def test_default_model_must_exist():
    raw = json.loads(json.dumps(GOOD))
    raw["defaults"]["model"] = "huge"
    assert 'defaults.model: "huge" is not a model of any provider' in error_of(json.dumps(raw, indent=2))


def test_base_url_must_be_http():
    raw = json.loads(json.dumps(GOOD))
    raw["providers"]["acme"]["base_url"] = "ftp://x"
    assert 'providers.acme.base_url: expected an http:// or https:// URL, got "ftp://x"' in \
        error_of(json.dumps(raw, indent=2))


def test_budget_for_a_provider_not_in_the_file_is_refused():
    raw = json.loads(json.dumps(GOOD))
    raw["budget"] = {"monthly_usd": 50, "providers": {"nope": 5}}
    assert "budget.providers.nope: not a provider in this file" in error_of(json.dumps(raw, indent=2))


def test_packaged_default_config_is_valid_and_keyless_providers_are_disabled():
    config = load_config(DEFAULT_CONFIG, {})
    ids = [p.id for p in config.providers]
    assert ids == ["openai", "anthropic", "google", "groq", "openrouter", "mistral", "deepseek", "ollama"]
    assert config.provider("openai").disabled_reason == "OPENAI_API_KEY is not set"
    assert config.provider("ollama").enabled
    assert config.provider("anthropic").base_url == "https://api.anthropic.com/v1"


def test_search_order_is_flag_then_environment_then_home_then_packaged(tmp_path):
    home = tmp_path / "home"
    assert find_config_path("x.json", {"LLMS_CONFIG": "y.json", "HOME": str(home)}) == Path("x.json")
    assert find_config_path(None, {"LLMS_CONFIG": "y.json", "HOME": str(home)}) == Path("y.json")
    assert find_config_path(None, {"HOME": str(home)}) == DEFAULT_CONFIG
    (home / ".llms").mkdir(parents=True)
    (home / ".llms" / "llms.json").write_text("{}")
    assert find_config_path(None, {"HOME": str(home)}) == home / ".llms" / "llms.json"


def test_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match="no such file \\(run `llms --init`"):
        load_config(tmp_path / "none.json", {})
