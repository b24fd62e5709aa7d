"""Costs and Tokens in Chromium, the range against the one before it: the KPI tiles' changes against the previous
period of the same length, read from the tiles as a person reads them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.test_analytics import TZ, import_bytes, open_page, record, requests_file, server, tab  # noqa: F401

stamp = lambda t: t.isoformat(timespec="milliseconds")  # noqa: E731


def tile(page, name: str):
    return page.locator("#kpis .kpi", has_text=name)


def test_kpi_tiles_show_the_change_against_the_previous_period_of_the_same_length(tab):  # noqa: F811
    now = datetime.now(ZoneInfo(TZ))
    import_bytes(tab, requests_file([
        record("d1", stamp(now - timedelta(minutes=5)), "gpt-4o", "openai", 100, 10, 0.5),
        record("d2", stamp(now - timedelta(days=2)), "gpt-4o", "openai", 100, 10, 0.25),
        record("d3", stamp(now - timedelta(days=9)), "gpt-4o", "openai", 100, 10, 0.5),
    ]))
    open_page(tab, "/analytics/costs?range=7d")
    expect(tile(tab, "Total cost").locator(".kpi-change")).to_have_text("▲ 50 % vs previous 7 days")
    expect(tile(tab, "Requests").locator(".kpi-change")).to_have_text("▲ 100 % vs previous 7 days")
    open_page(tab, "/analytics/costs?range=90d")  # the 90 days before held nothing: no base, no percentage
    expect(tile(tab, "Total cost").locator(".kpi-change")).to_have_text("— vs previous 90 days")
    expect(tile(tab, "Requests").locator(".kpi-change")).to_have_text("— vs previous 90 days")
    open_page(tab, "/analytics/tokens?range=7d")
    expect(tile(tab, "Requests").locator(".kpi-change")).to_have_text("▲ 100 % vs previous 7 days")
