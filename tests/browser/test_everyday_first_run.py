"""First run and everyday use in Chromium against the real server and the mock provider: the Providers view's Check
button, the start-up fallbacks the page shows, and what the empty chat offers when no provider is ready."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_everyday import PHONE, open_tab, sideways_overflow

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
