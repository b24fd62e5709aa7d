import json
from pathlib import Path

import pytest

from llms.config import parse_config
from llms.server.installed_models import FREE, Installed, live_prices, parse_tags, tags_url, with_installed

RAW = {
    "defaults": {"model": "llama3.2"},
    "providers": {
        "openai": {"type": "openai-compatible", "base_url": "https://api.openai.com/v1", "api_key": "sk-x",
                   "models": {"gpt-4o-mini": "gpt-4o-mini"}},
        "ollama": {"type": "ollama", "base_url": "http://127.0.0.1:11434",
                   "models": {"llama3.2": "llama3.2", "gemma3": "gemma3"}},
    },
}


def config(raw=RAW):
    return parse_config(json.dumps(raw), Path("llms.json"), {})


def test_tags_are_the_model_names_in_ollamas_order_and_a_wrong_shape_is_refused():
    body = {"models": [{"name": "qwen3:8b", "size": 1}, {"name": "llama3.2:latest"}]}
    assert parse_tags(body) == ("qwen3:8b", "llama3.2:latest")
    assert parse_tags({"models": []}) == ()
    for wrong in ([], {"models": {}}, {"models": [{"model": "x"}]}, {"models": [{"name": 3}]}):
        with pytest.raises(ValueError, match="expected"):
            parse_tags(wrong)


def test_the_tags_url_is_under_ollamas_root_with_or_without_v1():
    ollama = config().provider("ollama")
    assert tags_url(ollama) == "http://127.0.0.1:11434/api/tags"
    with_v1 = config(RAW | {"providers": RAW["providers"] | {"ollama": RAW["providers"]["ollama"] | {
        "base_url": "http://127.0.0.1:11434/v1"}}})
    assert tags_url(with_v1.provider("ollama")) == "http://127.0.0.1:11434/api/tags"


def test_installed_models_are_offered_as_they_are_and_an_installed_alias_keeps_its_name():
    live = with_installed(config(), {"ollama": Installed(("llama3.2:latest", "qwen2.5-coder:7b"))})
    ollama = live.provider("ollama")
    assert ollama.enabled
    # gemma3 is not installed: not offered; llama3.2 is, as :latest, under its alias.
    assert ollama.models == {"llama3.2": "llama3.2:latest", "qwen2.5-coder:7b": "qwen2.5-coder:7b"}
    assert live.provider("openai") == config().provider("openai")


def test_an_ollama_that_does_not_answer_is_off_with_its_url_and_one_with_nothing_installed_says_what_to_run():
    off = with_installed(config(), {"ollama": Installed(None, "ClientConnectorError: refused")}).provider("ollama")
    assert (off.enabled, off.models) == (False, {})
    assert off.disabled_reason == "Ollama is not answering at http://127.0.0.1:11434 (ClientConnectorError: refused)"
    empty = with_installed(config(), {"ollama": Installed(())}).provider("ollama")
    assert not empty.enabled
    assert empty.disabled_reason == "Ollama at http://127.0.0.1:11434 has no model installed (ollama pull llama3.2)"


def test_installed_models_are_free_unless_llms_json_prices_them():
    installed = {"ollama": Installed(("llama3.2:latest", "qwen3:8b"))}
    live = with_installed(config(), installed)
    table = {"openai": {"gpt-4o-mini": {"input": 0.15, "output": 0.6}},
             "ollama": {"llama3.2": {"input": 0.01, "output": 0.02}, "gemma3": None}}
    prices = live_prices(table, live, installed)
    assert prices["openai"] == table["openai"]
    assert prices["ollama"] == {"llama3.2": {"input": 0.01, "output": 0.02}, "qwen3:8b": FREE}


def test_served_prices_price_an_installed_model_as_last_listed_and_the_rest_from_the_file():
    from llms.server.installed_models import InstalledModels, ServedPrices

    class Table:
        def price_for(self, provider_id, alias):
            return {"openai": {"gpt-4o-mini": {"input": 0.15, "output": 0.6}}}.get(provider_id, {}).get(alias)

    installed = InstalledModels(config())
    served = ServedPrices(installed, Table())
    assert served.price_for("ollama", "qwen3:8b") is None  # Ollama not asked yet: the file's table
    installed.last_prices = {"ollama": {"qwen3:8b": FREE}}
    assert served.price_for("ollama", "qwen3:8b") == FREE
    assert served.price_for("openai", "gpt-4o-mini") == {"input": 0.15, "output": 0.6}
