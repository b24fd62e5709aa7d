"""Activity's rows open their whole record: by click or from the keyboard, with the full error, the tokens split,
the prices used and where the cost comes from; at 1280 px and on a phone."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_analytics import open_page, record, requests_file
from tests.browser.test_everyday import PHONE, analytics_server, analytics_tab, minutes_ago, sideways_overflow  # noqa: F401
from tests.browser.test_analytics import import_bytes

LONG_ERROR = ("anthropic: Overloaded: the service is temporarily overloaded, please try again in a few seconds; "
              "also failed: backup: 503 upstream connect error or disconnect/reset before headers")
PRICES = {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75, "cache_write_1h": 6}


def detailed_records() -> list[dict]:
    cached = record("req-cached", minutes_ago(2), "claude-sonnet-4-5", "anthropic", 1300, 340, 0.0084705,
                    preview="Summarize the attached quarterly report")
    cached |= {"usage": {"prompt_tokens": 1300, "completion_tokens": 340, "total_tokens": 1640,
                         "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 200, "cache_write_1h_tokens": 50},
                         "completion_tokens_details": {"reasoning_tokens": 120}},
               "prices": PRICES, "ttft_ms": 420.0, "response_ms": 2500.0, "tokens_per_s": 136.0,
               "provider_model": "claude-sonnet-4-5-20250929"}
    failed = record("req-failed", minutes_ago(1), "claude-sonnet-4-5", "anthropic", None, None, None, status="error",
                    preview="Plan a trip to Kyoto")
    failed |= {"error": {"message": LONG_ERROR, "type": "api_error", "code": "overloaded", "status": 529}}
    return [cached, failed]


def detail_of(dialog) -> dict[str, str]:
    terms = dialog.locator("dt").all_inner_texts()
    return dict(zip(terms, dialog.locator("dd").all_inner_texts()))


@pytest.mark.parametrize("viewport,dark", [({"width": 1280, "height": 800}, False), (PHONE, True)], ids=["desktop", "phone-dark"])
def test_an_activity_row_opens_its_record_with_the_full_error_tokens_prices_and_provenance(
        browser, analytics_server, page_errors, shot, viewport, dark):
    page = analytics_tab(browser, analytics_server, page_errors, viewport=viewport, dark=dark)
    import_bytes(page, requests_file(detailed_records()))
    open_page(page, "/analytics/activity")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(2)

    rows.first.click()  # the newest: the error
    dialog = page.get_by_role("dialog", name="claude-sonnet-4-5 · error")
    expect(dialog).to_be_visible()
    detail = detail_of(dialog)
    assert detail["Error"] == f"529 (api_error, overloaded) {LONG_ERROR}"  # all of it, not a tooltip
    assert detail["Request id"] == "req-failed"
    assert detail["Cost"] == "—" and detail["Tokens"] == "— (no usage recorded)"
    assert sideways_overflow(page) == 0
    shot(page, "error-detail")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(rows.first).to_be_focused()  # back where it was opened from

    page.keyboard.press("Tab")  # the next row, from the keyboard
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="claude-sonnet-4-5 · ok")
    expect(dialog).to_be_visible()
    detail = detail_of(dialog)
    assert {k: detail[k] for k in ("Provider", "Provider model", "Status", "Prompt")} == {
        "Provider": "anthropic", "Provider model": "claude-sonnet-4-5-20250929", "Status": "ok (finish reason: stop)",
        "Prompt": "Summarize the attached quarterly report"}
    assert [detail[k] for k in ("Input tokens", "Cached input", "Cache write (5 min)", "Cache write (1 h)",
                                "Output tokens", "Reasoning (in output)")] == ["1,300", "1,000", "150", "50", "340", "120"]
    assert detail["Cost"] == "$0.0085: computed from the tokens and the prices below"
    assert [detail[k] for k in ("Input price", "Cached input price", "Cache write (5 min) price", "Cache write (1 h) price",
                                "Output price")] == ["$3.00 per 1M", "$0.30 per 1M", "$3.75 per 1M", "$6.00 per 1M", "$15.00 per 1M"]
    assert [detail[k] for k in ("Response time", "Time to first token", "Speed")] == ["2.50 s", "420 ms", "136 tok/s"]
    shot(page, "ok-detail")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.context.close()
    assert page_errors == []
