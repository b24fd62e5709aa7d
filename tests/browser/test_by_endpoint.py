"""Costs › By endpoint, read as a person sees it: the range's requests, tokens and cost by the API they came in by
(chat completions, messages, responses), beside By provider and By model (issue 14)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from llms.pricing import format_usd
from tests.browser.test_analytics import TZ, import_bytes, open_page, record, requests_file, server, tab, table_rows  # noqa: F401


def recent(hours_ago: float) -> str:
    return (datetime.now(ZoneInfo(TZ)) - timedelta(hours=hours_ago)).isoformat(timespec="milliseconds")


def test_by_endpoint_splits_the_range_by_the_api_each_request_came_in_by(tab, shot):
    records = [
        record("e1", recent(3), "claude-sonnet-4-5", "anthropic", 2000, 500, 0.0135) | {"client": "api", "endpoint": "/v1/messages"},
        record("e2", recent(2), "claude-sonnet-4-5", "anthropic", 1000, 100, 0.0045) | {"client": "api", "endpoint": "/v1/messages"},
        record("e3", recent(1), "gpt-5", "openai", 3000, 300, 0.00675) | {"client": "api", "endpoint": "/v1/responses"},
        record("e4", recent(0.5), "gpt-4o", "openai", 100, 10, 0.00035),  # this chat's own: chat completions
    ]
    assert import_bytes(tab, requests_file(records)).startswith("Imported")
    open_page(tab, "/analytics/costs")
    section = tab.get_by_role("region", name="By endpoint")
    expect(section).to_be_visible()
    section.scroll_into_view_if_needed()
    shot(tab, "costs")
    # by hand: messages 2 requests, 3,000 in, 600 out, $0.0135 + $0.0045; responses 1; chat completions 1
    assert table_rows(section.get_by_role("table")) == [
        ["Messages", "2", "3,000", "600", format_usd(0.018, "computed")],
        ["Responses", "1", "3,000", "300", format_usd(0.00675, "computed")],
        ["Chat completions", "1", "100", "10", format_usd(0.00035, "computed")],
    ]
