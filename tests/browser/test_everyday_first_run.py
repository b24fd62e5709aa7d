"""First run and everyday use in Chromium against the real server and the mock provider: the Providers view's Check
button, the start-up fallbacks the page shows, and what the empty chat offers when no provider is ready."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_analytics import IMPORT_TIMEOUT_MS
from tests.browser.test_chat import answers, send, wait_answer
from tests.browser.test_everyday import PHONE, open_tab, sideways_overflow
from tests.integration.test_first_run import ollama_config
from tests.server_process import ServerProcess

CHECK_TIMEOUT_MS = 15_000


@pytest.mark.parametrize("viewport,dark", [({"width": 1280, "height": 800}, False), (PHONE, True)], ids=["desktop", "phone-dark"])
def test_the_check_button_shows_each_models_latency_or_its_plain_reason(browser, llms_server, page_errors, shot,
                                                                       viewport, dark):
    page = open_tab(browser, llms_server.url + "/", page_errors, viewport=viewport, dark=dark)
    page.goto(llms_server.url + "/providers")
    anthropic = page.get_by_role("region", name="anthropic", exact=True)
    anthropic.get_by_role("button", name="Check anthropic").click()
    expect(anthropic.get_by_role("status")).to_have_text("2 of 3 models answered.", timeout=CHECK_TIMEOUT_MS)
    ok = anthropic.get_by_role("row", name="claude-sonnet-4-5").get_by_role("cell").last
    expect(ok).to_have_text(re.compile(r"^✓ \d[\d,]* ms · \d+\.\d tok/s$"))
    failed = anthropic.get_by_role("row", name="claude-401").get_by_role("cell").last
    expect(failed).to_contain_text("✗ 401 bad key: ")
    expect(anthropic.get_by_role("button", name="Check anthropic")).to_be_enabled()
    # A provider that is off has no Check button: its reason is what to act on.
    expect(page.get_by_role("region", name="nokey", exact=True).get_by_role("button")).to_have_count(0)
    assert sideways_overflow(page) == 0
    anthropic.scroll_into_view_if_needed()
    shot(page, "checked")
    page.context.close()
    assert page_errors == []


@pytest.mark.parametrize("viewport,dark", [({"width": 1280, "height": 800}, False), (PHONE, True)], ids=["desktop", "phone-dark"])
def test_with_no_provider_ready_load_demo_data_in_the_empty_chat_fills_the_analytics_and_opens_them(
        browser, mock_config_path, page_errors, shot, viewport, dark):
    server = ServerProcess(mock_config_path, env={})  # no key set: nothing is ready
    try:
        context = browser.new_context(viewport=viewport, color_scheme="dark" if dark else "light")
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(server.url + "/")
        empty = page.locator("#empty-state")
        expect(empty.get_by_role("heading", name="No provider is ready")).to_be_visible()
        demo = empty.get_by_role("button", name="Load demo data")
        expect(demo).to_be_visible()
        assert sideways_overflow(page) == 0
        shot(page, "no-provider")
        demo.click()
        expect(page).to_have_url(server.url + "/analytics/costs", timeout=IMPORT_TIMEOUT_MS)
        expect(page.get_by_role("note")).to_contain_text("Showing demo data")
        shot(page, "demo-costs")
        context.close()
    finally:
        server.stop()
    assert page_errors == []


@pytest.mark.parametrize("viewport,dark", [({"width": 1280, "height": 800}, False), (PHONE, True)], ids=["desktop", "phone-dark"])
def test_an_answering_ollama_is_offered_free_as_installed_and_the_default_says_why_it_is_not_defaults_model(
        browser, mock_provider, page_errors, shot, tmp_path, viewport, dark):
    server = ServerProcess(ollama_config(mock_provider, tmp_path, mock_provider.ollama_url()))
    try:
        page = open_tab(browser, server.url + "/", page_errors, viewport=viewport, dark=dark)
        picker = page.get_by_role("combobox", name="Model")
        expect(picker.locator("option")).to_have_text(["llama3.2 · $0.00 in · $0.00 out per 1M",
                                                       "qwen2.5-coder:7b · $0.00 in · $0.00 out per 1M"])
        expect(picker).to_have_value("ollama/llama3.2")
        note = page.locator("#model-picker").get_by_role("status")
        expect(note).to_have_attribute("title", "defaults.model gpt-4o-mini is not ready (openai: MOCK_UNSET_KEY is not set): "
                                                "using llama3.2 (ollama)")
        expect(note).to_be_visible()
        assert sideways_overflow(page) == 0
        picker.select_option("ollama/qwen2.5-coder:7b")
        send(page, "Hello local model")
        wait_answer(page, 0)
        expect(answers(page).nth(0)).to_contain_text("Hello from qwen2.5-coder:7b on the mock Ollama.")
        expect(answers(page).nth(0).get_by_label("Metrics")).to_contain_text("$0.00")
        shot(page, "ollama")
        page.context.close()
    finally:
        server.stop()
    assert page_errors == []
