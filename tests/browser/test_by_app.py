"""Costs › By app, read as a person sees it: the range's requests, tokens and cost by the application that sent
them (Claude Code, Codex, the SDKs, this chat), from imported records and from real /v1/messages and
/v1/responses traffic pulled in with "Include API traffic"."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import anthropic
import openai
import pytest
from playwright.sync_api import expect

from llms.pricing import format_usd
from tests.browser.test_analytics import TZ, import_bytes, open_page, record, requests_file, tab, table_rows  # noqa: F401
from tests.conftest import MOCK_KEY_ENV, PRICES, mock_config
from tests.mock_provider import DEFAULT_PROMPT_TOKENS, DEFAULT_TEXT
from tests.server_process import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory, mock_provider):
    """The real server on the mock config with the ledger on (the `tab` fixture opens its pages)."""
    folder = tmp_path_factory.mktemp("by-app")
    (folder / "llms.json").write_text(json.dumps(mock_config(mock_provider) | {
        "ledger": {"enabled": True, "path": "usage.jsonl"}}))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    yield process
    process.stop()


def recent(hours_ago: float) -> str:
    return (datetime.now(ZoneInfo(TZ)) - timedelta(hours=hours_ago)).isoformat(timespec="milliseconds")


def test_by_app_splits_the_range_by_the_application_most_expensive_first(tab):
    records = [
        record("a1", recent(3), "claude-sonnet-4-5", "anthropic", 2000, 500, 0.0135) | {"client": "api",
                                                                                        "client_app": "claude-code"},
        record("a2", recent(2), "claude-sonnet-4-5", "anthropic", 1000, 100, 0.0045) | {"client": "api",
                                                                                        "client_app": "claude-code"},
        record("a3", recent(1), "gpt-5", "openai", 3000, 300, 0.00675) | {"client": "api", "client_app": "codex"},
        record("a4", recent(0.5), "gpt-4o", "openai", 100, 10, 0.00035),  # this chat's own
    ]
    assert import_bytes(tab, requests_file(records)).startswith("Imported")
    open_page(tab, "/analytics/costs")
    section = tab.get_by_role("region", name="By app")
    expect(section).to_be_visible()
    # by hand: claude-code 2 requests, 3,000 in, 600 out, $0.0135 + $0.0045; codex 1; this chat 1
    assert table_rows(section.get_by_role("table")) == [
        ["claude-code", "2", "3,000", "600", format_usd(0.018, "computed")],
        ["codex", "1", "3,000", "300", format_usd(0.00675, "computed")],
        ["llms chat", "1", "100", "10", format_usd(0.00035, "computed")],
    ]


def test_messages_and_responses_traffic_shows_by_app_with_include_api_traffic(tab, server):
    anthropic.Anthropic(base_url=server.url, api_key="unused", max_retries=0).messages.create(
        model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
    openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0).responses.create(
        model="gpt-4o-mini", input="Hi")  # provider id openai: passed through to the mock's /responses
    open_page(tab, "/analytics/activity")
    tab.get_by_role("switch", name="Include API traffic").check()
    expect(tab.locator("#api-traffic-status")).to_have_text("API traffic: 2 new requests from the server's ledger.")
    open_page(tab, "/analytics/costs?range=7d")
    words = len(DEFAULT_TEXT.split())  # the mock's output tokens: one per word
    claude, gpt = PRICES["anthropic"]["claude-sonnet-4-5"], PRICES["openai"]["gpt-4o-mini"]
    claude_cost = (DEFAULT_PROMPT_TOKENS * claude["input"] + words * claude["output"]) / 1e6
    gpt_cost = (DEFAULT_PROMPT_TOKENS * gpt["input"] + words * gpt["output"]) / 1e6
    section = tab.get_by_role("region", name="By app")
    expect(section).to_be_visible()
    prompt, output = f"{DEFAULT_PROMPT_TOKENS:,}", f"{words:,}"
    assert table_rows(section.get_by_role("table")) == [
        ["anthropic-sdk-python", "1", prompt, output, format_usd(claude_cost, "computed")],
        ["openai-python", "1", prompt, output, format_usd(gpt_cost, "computed")],
    ]
