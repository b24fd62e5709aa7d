"""Costs and Tokens in Chromium, the range against the one before it: the KPI tiles' changes against the previous
period of the same length, read from the tiles as a person reads them."""

from __future__ import annotations

from calendar import monthrange
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
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
    expect(tile(tab, "Total cost").locator(".kpi-change")).to_have_text("▲ 50 %")
    expect(tile(tab, "Requests").locator(".kpi-change")).to_have_text("▲ 100 %")
    first, last = (now - timedelta(days=13)).date(), (now - timedelta(days=7)).date()
    expect(tab.locator("#kpi-compare")).to_have_text(
        f"▲ ▼ against the previous 7 days, {first:%b} {first.day} – {last:%b} {last.day}.")
    open_page(tab, "/analytics/costs?range=90d")  # the 90 days before held nothing: no base, no percentage
    expect(tile(tab, "Total cost").locator(".kpi-change")).to_have_text("—")
    expect(tile(tab, "Requests").locator(".kpi-change")).to_have_text("—")
    open_page(tab, "/analytics/tokens?range=7d")
    expect(tile(tab, "Requests").locator(".kpi-change")).to_have_text("▲ 100 %")


def cells(table, model: str) -> list[str]:
    return [c.strip() for c in table.locator(f"tr[data-model='{model}']").locator("th, td").all_inner_texts()]


def timed(rid, when, model, response_ms, ttft_ms):
    return record(rid, stamp(when), model, "openai", 100, 10, 0.01, response_ms=response_ms) | {"ttft_ms": ttft_ms}


def test_latency_shows_p50_and_p95_response_time_and_ttft_per_model_for_the_range(tab):  # noqa: F811
    now = datetime.now(ZoneInfo(TZ))
    recent = now - timedelta(minutes=5)
    import_bytes(tab, requests_file([
        timed("l1", recent, "gpt-4o", 1000.0, 200.0), timed("l2", recent, "gpt-4o", 2000.0, None),
        timed("l3", recent, "gpt-4o", 4000.0, 400.0), timed("l4", recent, "gpt-4o-mini", 500.0, None),
        timed("l5", now - timedelta(days=20), "claude-haiku-4-5", 3000.0, 300.0),
    ]))
    open_page(tab, "/analytics/costs?range=7d")
    latency = tab.locator("#latency-table")
    # Read by hand from the buckets (counters.js: floor(8·log2 ms), shown at the bucket's middle): 1000 → 981 ms,
    # 2000 → 1.96 s, 4000 → 3.92 s, 200 → 206 ms, 400 → 412 ms, 500 → 490 ms.
    expect(latency.locator("tbody tr")).to_have_count(2)
    assert cells(latency, "gpt-4o") == ["gpt-4o", "3", "1.96 s", "3.92 s", "2", "206 ms", "412 ms"]
    assert cells(latency, "gpt-4o-mini") == ["gpt-4o-mini", "1", "490 ms", "490 ms", "0", "—", "—"]
    open_page(tab, "/analytics/tokens?range=30d")  # the older request joins in a longer range, on Tokens too
    expect(tab.locator("#latency-table tbody tr")).to_have_count(3)
    # 3000 → 3.02 s, 300 → 292 ms
    assert cells(tab.locator("#latency-table"), "claude-haiku-4-5") == ["claude-haiku-4-5", "1", "3.02 s", "3.02 s", "1", "292 ms", "292 ms"]


@pytest.mark.parametrize(("width", "height", "scheme"), [(1280, 800, "light"), (1280, 800, "dark"), (390, 844, "light"), (390, 844, "dark")])
def test_tiles_and_latency_fit_the_window_light_and_dark(browser, server, page_errors, shot, width, height, scheme):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height}, timezone_id=TZ, color_scheme=scheme)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.base = server.url
    now = datetime.now(ZoneInfo(TZ))
    import_bytes(page, requests_file([
        timed("s1", now - timedelta(minutes=5), "claude-sonnet-4-5-20250929", 2400.0, 610.0),
        timed("s2", now - timedelta(hours=3), "gpt-4o-mini", 800.0, 150.0),
        timed("s3", now - timedelta(days=9), "gpt-4o-mini", 900.0, 160.0),
    ]))
    open_page(page, "/analytics/costs?range=7d")
    expect(page.locator("#latency-table tbody tr")).to_have_count(2)
    expect(tile(page, "Requests").locator(".kpi-change")).to_have_text("▲ 100 %")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing scrolls sideways
    page.locator("#kpis").scroll_into_view_if_needed()
    shot(page, "tiles")
    page.locator("#latency").scroll_into_view_if_needed()
    shot(page, "latency")
    context.close()
    assert page_errors == []


def test_a_custom_range_from_the_form_shows_its_days_and_bad_values_fall_back_with_a_note(tab):  # noqa: F811
    now = datetime.now(ZoneInfo(TZ))
    import_bytes(tab, requests_file([
        record("c1", stamp(now - timedelta(days=40)), "gpt-4o", "openai", 100, 10, 0.5),
        record("c2", stamp(now - timedelta(days=45)), "gpt-4o", "openai", 100, 10, 0.25),
        record("c3", stamp(now - timedelta(minutes=5)), "gpt-4o", "openai", 100, 10, 2.0),
    ]))
    open_page(tab, "/analytics/costs")
    first, last = (now - timedelta(days=46)).date(), (now - timedelta(days=39)).date()
    tab.get_by_label("From", exact=True).fill(first.isoformat())
    tab.get_by_label("To", exact=True).fill(last.isoformat())
    tab.get_by_role("button", name="Show range").click()
    tab.wait_for_selector("body[data-ready]")
    expect(tab).to_have_url(tab.base + f"/analytics/costs?from={first}&to={last}")
    expect(tile(tab, "Total cost").locator("dd").first).to_have_text("$0.75")
    expect(tab.locator("#range-links a[aria-current='page']")).to_have_text(f"{first:%b} {first.day} – {last:%b} {last.day}")
    expect(tab.locator("#kpi-compare")).to_contain_text("against the previous 8 days")
    expect(tab.locator("#range-note")).to_be_hidden()
    # The sections that read the range's records follow it: two requests of the custom range, none of today's.
    assert cells(tab.locator("#latency-table"), "gpt-4o")[:2] == ["gpt-4o", "2"]
    tab.get_by_role("link", name="7d").click()  # a preset leaves the custom range
    expect(tab).to_have_url(tab.base + "/analytics/costs?range=7d")
    expect(tile(tab, "Total cost").locator("dd").first).to_have_text("$2.00")
    open_page(tab, "/analytics/costs?from=2026-02-30&to=2026-03-02")
    expect(tab.locator("#range-note")).to_have_text(
        'Custom range not shown: from="2026-02-30" is not a date (YYYY-MM-DD). Showing 30d.')
    expect(tab.locator("#range-links a[aria-current='page']")).to_have_text("30d")
    expect(tile(tab, "Total cost").locator("dd").first).to_have_text("$2.00")


def test_clicking_a_bar_of_the_month_opens_its_day_below_the_fold_and_scrolls_to_it(tab):  # noqa: F811
    # A late day of last month: its row is far below the chart, out of sight even once the chart is scrolled to.
    when = (datetime.now(ZoneInfo(TZ)).replace(day=1) - timedelta(days=1)).replace(day=28, hour=12, minute=0)
    import_bytes(tab, requests_file([record("b1", stamp(when), "gpt-4o", "openai", 100, 10, 0.5)]))
    open_page(tab, f"/analytics/costs?range=7d&month={when:%Y-%m}")
    date = when.date().isoformat()
    row = tab.locator(f"#days tr.day-row[data-date='{date}']")
    expect(row).not_to_be_in_viewport()
    chart = tab.locator("#month-chart .u-over")
    box = chart.bounding_box()
    days = monthrange(when.year, when.month)[1]
    # The x scale runs from -0.6 to days - 0.4 (pages/charts.js): bar i sits at (i + 0.6) / days of the width.
    chart.click(position={"x": box["width"] * (when.day - 1 + 0.6) / days, "y": box["height"] - 4})
    expect(row.get_by_role("button")).to_have_attribute("aria-expanded", "true")
    expect(tab.get_by_role("table", name=f"Per model on {date}")).to_be_in_viewport()
    expect(row).to_be_in_viewport()
    expect(row.get_by_role("button")).to_be_focused()
