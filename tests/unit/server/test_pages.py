"""The app shell and the model-selector fragment, rendered from a config and a price table."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from llms.config import parse_config
from llms.server import pages
from llms.server.html import Templates
from llms.server.installed_models import InstalledModels
from llms.server.keys import CONFIG, INSTALLED, PRICES, TEMPLATES

CONFIG_TEXT = json.dumps({
    "defaults": {"model": "gpt-oss-120b"},
    "providers": {
        "groq": {"type": "openai-compatible", "base_url": "http://127.0.0.1:9/v1", "api_key": "k",
                 "models": {"llama-3.3-70b": "llama-3.3-70b-versatile", "gpt-oss-120b": "openai/gpt-oss-120b"}},
        "openrouter": {"type": "openai-compatible", "base_url": "http://127.0.0.1:9/v1", "api_key": "k",
                       "models": {"gpt-oss-120b": "openai/gpt-oss-120b", "auto": "openrouter/auto"}},
        "anthropic": {"type": "anthropic", "base_url": "http://127.0.0.1:9/v1", "api_key": "$NOT_SET",
                      "models": {"claude-haiku-4-5": "claude-haiku-4-5"}},
    },
})
PRICES_TABLE = {
    "groq": {"llama-3.3-70b": {"input": 0.59, "output": 0.79}, "gpt-oss-120b": {"input": 0, "output": 0}},
    "openrouter": {"gpt-oss-120b": {"input": 0.15, "output": 0.6}, "auto": {"input": -1, "output": -1}},
    "anthropic": {"claude-haiku-4-5": {"input": 1, "output": 5}},
}


def config():
    return parse_config(CONFIG_TEXT, Path("llms.json"), {})


class _Options(HTMLParser):
    """(optgroup label, option value, option text, selected) for each option, as a person sees the list."""

    def __init__(self):
        super().__init__()
        self.group, self.current, self.options = None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "optgroup":
            self.group = attrs["label"]
        if tag == "option":
            self.current = [self.group, attrs["value"], "", "selected" in attrs]

    def handle_data(self, data):
        if self.current:
            self.current[2] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self.options.append(tuple(self.current))
            self.current = None


def test_models_are_grouped_by_enabled_provider_with_prices_per_million():
    groups = pages.model_groups(config(), PRICES_TABLE)
    assert [g["provider"] for g in groups] == ["groq", "openrouter"]  # anthropic has no key: disabled
    assert [(m["value"], m["input"], m["output"]) for g in groups for m in g["models"]] == [
        ("groq/llama-3.3-70b", "$0.59", "$0.79"),
        ("groq/gpt-oss-120b", "$0.00", "$0.00"),
        ("openrouter/gpt-oss-120b", "$0.15", "$0.60"),
        ("openrouter/auto", "—", "—"),
    ]


def test_the_default_model_is_selected_once_at_its_first_provider():
    selected = [m["value"] for g in pages.model_groups(config(), PRICES_TABLE) for m in g["models"] if m["selected"]]
    assert selected == ["groq/gpt-oss-120b"]


def test_a_model_missing_from_the_price_table_shows_a_dash():
    groups = pages.model_groups(config(), {"groq": {}})
    assert {m["input"] for g in groups for m in g["models"]} == {"—"}


async def _client(app_config, prices) -> TestClient:
    app = web.Application()
    app[CONFIG] = app_config
    app[PRICES] = prices
    app[INSTALLED] = InstalledModels(app_config)
    app[TEMPLATES] = Templates()
    pages.add_routes(app)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_models_fragment_lists_options_people_can_read():
    client = await _client(config(), PRICES_TABLE)
    try:
        response = await client.get("/fragments/models")
        assert response.status == 200
        parser = _Options()
        parser.feed(await response.text())
    finally:
        await client.close()
    assert parser.options == [
        ("groq", "groq/llama-3.3-70b", "llama-3.3-70b · $0.59 in · $0.79 out per 1M", False),
        ("groq", "groq/gpt-oss-120b", "gpt-oss-120b · $0.00 in · $0.00 out per 1M", True),
        ("openrouter", "openrouter/gpt-oss-120b", "gpt-oss-120b · $0.15 in · $0.60 out per 1M", False),
        ("openrouter", "openrouter/auto", "auto · — in · — out per 1M", False),
    ]


async def test_models_fragment_without_any_enabled_provider_says_what_to_do():
    only_disabled = parse_config(json.dumps({"providers": {"anthropic": json.loads(CONFIG_TEXT)["providers"]["anthropic"]}}),
                                 Path("llms.json"), {})
    client = await _client(only_disabled, {})
    try:
        text = await (await client.get("/fragments/models")).text()
    finally:
        await client.close()
    assert "No model is available: enable a provider in llms.json and set its API key" in text
    assert "anthropic: " in text and "NOT_SET" in text


async def test_app_shell_carries_a_policy_that_blocks_inline_script_and_foreign_hosts():
    client = await _client(config(), PRICES_TABLE)
    try:
        response = await client.get("/")
        html = await response.text()
    finally:
        await client.close()
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "img-src 'self' data: blob:" in policy and "connect-src 'self'" in policy
    assert "unsafe" not in policy
    assert 'aria-label="Message"' in html and ">Send<" in html and ">Stop<" in html and ">New chat<" in html
    assert "<script>" not in html  # no inline script: the policy would block it


async def test_a_model_priced_by_electricity_shows_its_rates_not_zero_token_prices():
    raw = json.loads(CONFIG_TEXT)
    raw["providers"]["groq"]["energy"] = {"watts": 65, "usd_per_kwh": 0.3}
    client = await _client(parse_config(json.dumps(raw), Path("llms.json"), {}), PRICES_TABLE)
    try:
        parser = _Options()
        parser.feed(await (await client.get("/fragments/models")).text())
    finally:
        await client.close()
    assert [label for provider, _, label, _ in parser.options if provider == "groq"] == [
        "llama-3.3-70b · ⚡ 65 W at $0.30/kWh", "gpt-oss-120b · ⚡ 65 W at $0.30/kWh"]
