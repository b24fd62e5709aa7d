"""Errors the chat records are counted under the provider that answered them, as their ledger lines are, not under
"(none)" (issue 15, "Also found while using it"): a 429 and a 500 through the real server, read on Costs."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_analytics import table_rows
from tests.browser.test_hardening import answers


def test_errors_the_chat_records_count_under_the_provider_that_answered_them(page, llms_server, page_errors):
    page.goto(llms_server.url + "/")
    model = page.get_by_role("combobox", name="Model")
    box = page.get_by_role("textbox", name="Message")
    for index, fault in enumerate(("fault-429", "fault-500")):
        model.select_option(f"openai/{fault}")
        box.fill(f"ask {fault}")
        box.press("Enter")
        expect(answers(page).nth(index)).to_contain_text("Error")
        expect(answers(page).nth(index)).not_to_have_attribute("aria-busy", "true")
    page.goto(llms_server.url + "/analytics/costs")
    page.wait_for_selector("body[data-ready]")
    by_provider = page.locator("#by-provider")
    expect(by_provider.locator("tbody tr")).to_have_count(1)
    [row] = table_rows(by_provider)
    assert row[:2] == ["openai", "2"]
    expect(page.locator(".kpi", has_text="Errors")).to_contain_text("2")
    assert page_errors == []
