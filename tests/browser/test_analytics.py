"""Costs, Tokens and Activity in Chromium against the real server: exact sums, month navigation, the Activity
log's search/filter/sort/pages, exports, imports (ours and llms.py's), bad files, Clear All Data, demo data,
real requests through the mock provider, and API traffic pulled from the ledger.

Pages run in Europe/Berlin, so day splits (and the DST change of 2026-03-29) are fixed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from llms.pricing import format_usd
from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.ledger_file import written_lines
from tests.mock_provider import Reply
from tests.server_process import ServerProcess

TZ = "Europe/Berlin"
IMPORT_TIMEOUT_MS = 30_000
BUDGET = {"monthly_usd": 1, "providers": {"openai": 0.005}}


def record(rid, timestamp, model, provider, prompt, completion, cost, *, status="ok", preview="", response_ms=1000.0):
    usage = None if prompt is None else {"prompt_tokens": prompt, "completion_tokens": completion,
                                         "total_tokens": prompt + completion}
    return {"id": rid, "timestamp": timestamp, "thread_id": None, "model": model, "provider": provider,
            "provider_model": model if provider else None, "prompt_preview": preview, "usage": usage,
            "cost_usd": cost, "cost_provenance": None if cost is None else "computed", "prices": None,
            "response_ms": response_ms, "ttft_ms": None, "tokens_per_s": None, "generation_tokens_per_s": None,
            "server_duration_ms": None, "server_ttft_ms": None, "status": status,
            "error": {"message": "boom", "type": None, "code": None, "status": 500} if status == "error" else None,
            "finish_reason": "stop" if status == "ok" else None}


MARCH = [
    record("r1", "2026-03-05T10:00:00.000+01:00", "gpt-4o", "openai", 1000, 200, 0.0045, preview="Explain closures"),
    record("r2", "2026-03-05T15:30:00.000+01:00", "claude-sonnet-4-5", "anthropic", 2000, 500, 0.0135,
           preview="Plan a trip to Kyoto", response_ms=2000.0),
    record("r3", "2026-03-05T23:59:59.999+01:00", "gpt-4o-mini", "openai", 300, 50, 0.000075, preview="Name a cat"),
    record("r4", "2026-03-06T00:00:00.000+01:00", "gemini-2.5-flash", "google", 400, 80, 0.00032, preview="Haiku"),
    record("r5", "2026-03-29T01:30:00.000+01:00", "gpt-4o", "openai", 100, 10, 0.00035, preview="before DST"),
    record("r6", "2026-03-29T03:30:00.000+02:00", "gpt-4o", "openai", 200, 20, 0.0007, preview="Kyoto temples"),
    record("r7", "2026-03-31T23:30:00.000+02:00", "gpt-4o", None, None, None, None, status="error", preview="fails"),
    record("r8", "2026-04-01T00:10:00.000+02:00", "gpt-4o-mini", "openai", 50, 5, 0.00001, preview="April"),
]


def requests_file(records, **extra) -> bytes:
    doc = {"source": "llms", "kind": "requests", "version": 1, "exported_at": "2026-05-01T10:00:00.000+02:00",
           "count": len(records), "requests": records} | extra
    return json.dumps(doc).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory, mock_provider):
    """The real server with a budget and the ledger on."""
    folder = tmp_path_factory.mktemp("analytics")
    config = mock_config(mock_provider) | {"budget": BUDGET, "ledger": {"enabled": True, "path": "usage.jsonl"}}
    (folder / "llms.json").write_text(json.dumps(config))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    process.ledger = folder / "usage.jsonl"  # the file the server reads /api/ledger from
    yield process
    process.stop()


@pytest.fixture
def tab(browser, server, page_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=TZ, accept_downloads=True)
    page = context.new_page()
    # The page's address and the stack: an error of a page being left names which page and which call.
    page.on("pageerror", lambda error: page_errors.append(f"{page.url}: {error.stack or error}"))
    page.base = server.url
    yield page
    context.close()
    assert page_errors == []


def open_page(page, path: str):
    page.goto(page.base + path)
    page.wait_for_selector("body[data-ready]")
    return page


def import_bytes(page, payload: bytes, name="export.json") -> str:
    if not page.url.endswith("/"):
        page.goto(page.base + "/")
    status = page.locator("#data-status")
    page.locator("#import-file").set_input_files(files=[{"name": name, "mimeType": "application/json", "buffer": payload}])
    expect(status).to_have_text(re.compile("^(Imported|Nothing was imported|Failed)"), timeout=IMPORT_TIMEOUT_MS)
    return status.inner_text()


def day_row(page, date_text: str):
    return page.locator("#days tr.day-row", has_text=date_text)


def cells(row) -> list[str]:
    return [c.strip() for c in row.locator("th, td").all_inner_texts()]


def table_rows(table) -> list[list[str]]:
    return [cells(r) for r in table.locator("tbody tr").all()]


def activity_total(page) -> str:
    expect(page.locator("#result-count")).not_to_have_text(re.compile("^(Loading|Searching)…$"))
    return page.locator("#result-count").inner_text()


# ---- Costs and Tokens ----

def test_month_shows_every_day_zero_filled_with_totals_equal_to_the_records(tab):
    assert import_bytes(tab, requests_file(MARCH)) == "Imported 8 of 8 requests."
    open_page(tab, "/analytics/costs?month=2026-03")
    expect(tab.get_by_role("heading", name="March 2026")).to_be_visible()
    march_cost = sum(r["cost_usd"] or 0 for r in MARCH[:7])
    expect(tab.locator("#month-total")).to_have_text(format_usd(march_cost, "computed"))
    assert tab.locator("#days tr.day-row").count() == 31
    assert cells(day_row(tab, "Wed, Mar 4"))[1:] == ["0", "$0.00"]
    assert cells(day_row(tab, "Thu, Mar 5"))[1:] == ["3", format_usd(0.0045 + 0.0135 + 0.000075, "computed")]
    assert cells(day_row(tab, "Fri, Mar 6"))[1:] == ["1", "$0.00032"]
    # The DST day holds both of its requests; the last evening of March stays in March.
    assert cells(day_row(tab, "Sun, Mar 29"))[1:] == ["2", format_usd(0.00035 + 0.0007, "computed")]
    assert cells(day_row(tab, "Tue, Mar 31"))[1:] == ["1", "$0.00"]
    expect(tab.locator("#month-chart canvas").first).to_be_visible()


def test_day_expand_shows_cost_per_model_and_provider_summing_the_records(tab):
    import_bytes(tab, requests_file(MARCH))
    open_page(tab, "/analytics/costs?month=2026-03")
    day_row(tab, "Thu, Mar 5").click()
    expect(tab).to_have_url(tab.base + "/analytics/costs?month=2026-03&day=2026-03-05")
    detail = tab.locator("tr.day-detail")
    expect(detail.locator(".day-summary")).to_have_text(f"3 requests, {format_usd(0.018075, 'computed')}")
    assert table_rows(detail.get_by_role("table", name="Per model on 2026-03-05")) == [
        ["claude-sonnet-4-5", "1", "$0.01"], ["gpt-4o", "1", "$0.0045"], ["gpt-4o-mini", "1", "$0.000075"]]
    assert table_rows(detail.get_by_role("table", name="Per provider on 2026-03-05")) == [
        ["anthropic", "1", "$0.01"], ["openai", "2", format_usd(0.004575, "computed")]]
    tab.reload()
    tab.wait_for_selector("body[data-ready]")
    expect(tab.locator("tr.day-detail .day-summary")).to_contain_text("3 requests")
    day_row(tab, "Thu, Mar 5").click()
    expect(tab.locator("tr.day-detail")).to_have_count(0)


def test_month_navigation_keeps_its_place_in_the_url_through_back_and_reload(tab):
    import_bytes(tab, requests_file(MARCH))
    open_page(tab, "/analytics/costs?month=2026-03")
    tab.get_by_role("button", name="Previous month").click()
    expect(tab.get_by_role("heading", name="February 2026")).to_be_visible()
    expect(tab).to_have_url(tab.base + "/analytics/costs?month=2026-02")
    assert tab.locator("#days tr.day-row").count() == 28
    expect(tab.locator("#month-total")).to_have_text("$0.00")
    tab.go_back()
    expect(tab.get_by_role("heading", name="March 2026")).to_be_visible()
    tab.get_by_role("button", name="Next month").click()
    expect(tab.get_by_role("heading", name="April 2026")).to_be_visible()
    expect(tab.locator("#month-total")).to_have_text("$0.00001")
    tab.reload()
    expect(tab.get_by_role("heading", name="April 2026")).to_be_visible()


def test_tokens_month_splits_input_and_output(tab):
    import_bytes(tab, requests_file(MARCH))
    open_page(tab, "/analytics/tokens?month=2026-03")
    assert cells(day_row(tab, "Thu, Mar 5"))[1:] == ["3", "3,300", "750", "4,050"]
    expect(tab.locator("#month-total")).to_have_text("4,860 tokens (4,000 in / 860 out)")
    day_row(tab, "Thu, Mar 5").click()
    per_provider = tab.get_by_role("table", name="Per provider on 2026-03-05")
    expect(per_provider.locator("tbody tr")).to_have_count(2)  # the day's breakdown is drawn after the click
    assert table_rows(per_provider) == [
        ["anthropic", "1", "2,000", "500", "2,500"], ["openai", "2", "1,300", "250", "1,550"]]


def test_range_switcher_granularity_and_kpis_come_from_the_same_days(tab):
    now = datetime.now(ZoneInfo(TZ))
    stamp = lambda t: t.isoformat(timespec="milliseconds")  # noqa: E731
    recent = [record("k1", stamp(now - timedelta(minutes=5)), "gpt-4o", "openai", 100, 10, 0.5, response_ms=100.0),
              record("k2", stamp(now - timedelta(days=10)), "claude-haiku-4-5", "anthropic", 100, 10, 0.25, response_ms=1000.0),
              record("k3", stamp(now - timedelta(days=40)), "gpt-4o", "openai", 100, 10, 2.0, status="error")]
    import_bytes(tab, requests_file(recent))
    open_page(tab, "/analytics/costs?range=7d")
    kpis = tab.locator("#kpis")
    expect(kpis.locator(".kpi", has_text="Total cost").locator("dd").first).to_have_text("$0.50")
    tab.get_by_role("link", name="30d").click()
    expect(tab).to_have_url(tab.base + "/analytics/costs")  # 30d is the default: the URL stays short
    expect(kpis.locator(".kpi", has_text="Total cost").locator("dd").first).to_have_text("$0.75")
    expect(kpis.locator(".kpi", has_text="Providers").locator("dd")).to_have_text("2")
    tab.get_by_role("link", name="90d").click()
    expect(kpis.locator(".kpi", has_text="Errors").locator("dd").first).to_have_text("1")
    expect(kpis.locator(".kpi", has_text="Total cost").locator("dd").first).to_have_text("$2.75")
    tab.get_by_role("button", name="Week").click()
    expect(tab).to_have_url(tab.base + "/analytics/costs?range=90d&granularity=week")
    expect(tab.locator("#trend-title")).to_have_text("Trend by week")
    expect(tab.locator("#budget .budget-row", has_text="All providers")).to_contain_text("of $1.00")


def test_a_page_whose_store_cannot_be_read_says_so_and_is_ready(tab, page_errors):
    import_bytes(tab, requests_file(MARCH))
    # As Chromium fails a read of a damaged store: every cursor the page opens throws.
    tab.add_init_script("IDBObjectStore.prototype.openCursor = function () {"
                        " throw new DOMException('Internal error reading from the store', 'UnknownError'); };")
    for path in ("/analytics/costs?month=2026-03", "/analytics/activity"):
        open_page(tab, path)
        expect(tab.get_by_role("alert")).to_have_text(
            "This page could not be shown: Internal error reading from the store. Reload to try again.")
    # Thrown on as well, so it is in the console too; the fixture checks no other error came.
    assert [error.split(": ", 1)[1] for error in page_errors] == ["Internal error reading from the store"] * 2
    page_errors.clear()


def test_a_page_whose_code_cannot_be_loaded_says_so_and_is_ready(tab):
    import_bytes(tab, requests_file(MARCH))
    tab.route("**/static/js/pages/charts.js", lambda route: route.abort("failed"))  # imported by the Costs page
    open_page(tab, "/analytics/costs?month=2026-03")
    expect(tab.get_by_role("alert")).to_have_text(
        "This page's code could not be loaded (/static/js/pages/costs.js or a file it imports). Reload to try again.")


# ---- Activity ----

def test_activity_search_filters_sort_and_pages(tab):
    extra = [record(f"p{i:02d}", f"2026-02-10T09:{i:02d}:00.000+01:00", "gpt-4o-mini", "openai", 10, i, 0.000001 * i,
                    preview=f"page test {i}") for i in range(60)]
    import_bytes(tab, requests_file(MARCH + extra))
    open_page(tab, "/analytics/activity")
    assert activity_total(tab) == "68 requests"
    first = cells(tab.locator("#rows tr").first)
    assert first[:3] == ["2026-04-01 00:10:00", "gpt-4o-mini", "openai"]

    tab.get_by_label("Search").fill("KYOTO")
    tab.get_by_role("button", name="Apply").click()
    assert activity_total(tab) == "2 requests match"
    assert [cells(r)[3] for r in tab.locator("#rows tr").all()] == ["Kyoto temples", "Plan a trip to Kyoto"]
    expect(tab).to_have_url(tab.base + "/analytics/activity?q=KYOTO")

    tab.get_by_role("button", name="Reset").click()
    tab.get_by_label("Model").select_option("gpt-4o")
    assert activity_total(tab) == "4 requests match"
    tab.get_by_label("Status").select_option("error")
    assert activity_total(tab) == "1 request match"
    assert cells(tab.locator("#rows tr").first)[1:3] == ["gpt-4o", "—"]
    tab.get_by_role("button", name="Reset").click()
    tab.get_by_label("From").fill("2026-03-29")
    tab.get_by_label("To").fill("2026-03-31")
    tab.get_by_role("button", name="Apply").click()
    assert activity_total(tab) == "3 requests match"

    tab.get_by_role("button", name="Reset").click()
    tab.get_by_role("button", name="Cost").click()
    expect(tab.locator("th[aria-sort='descending']")).to_have_text("Cost ▼")
    expect(tab.locator("#rows tr").first.locator("td").nth(6)).to_have_text("$0.01")
    tab.get_by_role("button", name="Cost ▼").click()
    expect(tab.locator("th[aria-sort='ascending']")).to_have_text("Cost ▲")
    expect(tab.locator("#rows tr").first.locator("td").nth(6)).to_have_text("—")

    tab.get_by_role("button", name="Reset").click()
    tab.get_by_label("Rows per page").select_option("25")
    expect(tab.locator("#page-info")).to_have_text("Page 1 of 3 · rows 1–25")
    tab.get_by_role("button", name="Next").click()
    expect(tab.locator("#page-info")).to_have_text("Page 2 of 3 · rows 26–50")
    assert tab.locator("#rows tr").count() == 25
    tab.reload()
    expect(tab.locator("#page-info")).to_have_text("Page 2 of 3 · rows 26–50")
    tab.get_by_role("button", name="Next").click()
    expect(tab.locator("#page-info")).to_have_text("Page 3 of 3 · rows 51–68")
    expect(tab.get_by_role("button", name="Next")).to_be_disabled()
    tab.go_back()
    expect(tab.locator("#page-info")).to_have_text("Page 2 of 3 · rows 26–50")


def test_activity_exports_the_filtered_rows_as_csv_and_json(tab):
    import_bytes(tab, requests_file(MARCH))
    open_page(tab, "/analytics/activity?model=gpt-4o")
    assert activity_total(tab) == "4 requests match"
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [r["request_id"] for r in rows] == ["r7", "r6", "r5", "r1"]
    assert (rows[3]["timestamp"], rows[3]["input_tokens"], rows[3]["output_tokens"], rows[3]["cost_usd"], rows[3]["status"]) == \
        ("2026-03-05T10:00:00.000+01:00", "1000", "200", "0.0045", "ok")
    assert rows[0]["error"] == "boom"
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Export JSON").click()
    doc = json.loads(download.value.path().read_text())
    assert (doc["source"], doc["kind"], doc["version"], doc["count"]) == ("llms", "requests", 1, 4)
    assert doc["requests"][3] == MARCH[0]


# ---- Export, Import, Clear ----

def page_texts(tab) -> dict:
    open_page(tab, "/analytics/costs?month=2026-03&day=2026-03-05")
    costs = tab.locator("#period").inner_text()
    open_page(tab, "/analytics/tokens?month=2026-03")
    tokens = tab.locator("#days").inner_text() + tab.locator("#month-total").inner_text()
    open_page(tab, "/analytics/activity")
    activity_total(tab)
    return {"costs": costs, "tokens": tokens, "activity": tab.locator("#activity").inner_text()}


def test_alt_export_then_clear_then_import_gives_identical_pages(tab):
    import_bytes(tab, requests_file(MARCH))
    before = page_texts(tab)
    tab.goto(tab.base + "/")
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Export").click(modifiers=["Alt"])
    exported = download.value.path().read_bytes()
    doc = json.loads(exported)
    assert (doc["source"], doc["kind"], doc["count"]) == ("llms", "requests", 8)
    assert doc["exported_at"][-6] in "+-"

    tab.get_by_role("button", name="Clear All Data").click()
    tab.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    open_page(tab, "/analytics/activity")
    assert activity_total(tab) == "8 requests"
    tab.goto(tab.base + "/")
    tab.get_by_role("button", name="Clear All Data").click()
    with tab.expect_navigation():
        tab.get_by_role("dialog").get_by_role("button", name="Clear All Data").click()
    for page in ("costs", "tokens", "activity"):
        open_page(tab, f"/analytics/{page}")
        expect(tab.get_by_role("heading", name="No requests yet")).to_be_visible()

    tab.goto(tab.base + "/")
    assert import_bytes(tab, exported) == "Imported 8 of 8 requests."
    assert page_texts(tab) == before


def test_importing_the_same_file_twice_adds_nothing(tab):
    assert import_bytes(tab, requests_file(MARCH)) == "Imported 8 of 8 requests."
    assert import_bytes(tab, requests_file(MARCH)) == "Imported 0 of 8 requests (8 already here)."
    open_page(tab, "/analytics/costs?month=2026-03")
    assert cells(day_row(tab, "Thu, Mar 5"))[1] == "3"
    open_page(tab, "/analytics/activity")
    assert activity_total(tab) == "8 requests"


BAD_FILES = [
    (b'{"source": "llms", "version": 1, "count": 1, "requests": [{"id": "x"', "not valid JSON (the file looks cut short): "),
    (b"", "the file is empty"),
    (b"[1, 2]", 'not an llms or llms.py export: expected a JSON object with "requests" or "threads"'),
    (json.dumps({"source": "evil", "requests": []}).encode(), 'source: expected "llms" (this app) or "llmspy" (llms.py), got "evil"'),
    (requests_file([MARCH[0], MARCH[1] | {"timestamp": "2026-03-05 15:30"}]),
     'requests[1].timestamp: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got "2026-03-05 15:30"'),
    (requests_file([MARCH[0]], count=2), "count says 2 requests but the file holds 1: it is incomplete or was edited"),
    (requests_file([MARCH[0] | {"cost_usd": "free"}]), 'requests[0].cost_usd: expected a number ≥ 0 or null, got "free"'),
    (requests_file([MARCH[0] | {"id": "<script>"}]), 'requests[0].id: expected an id of letters, digits and _.:@- (at most 128), got "<script>"'),
]


def test_bad_files_are_refused_with_their_message_and_change_nothing(tab):
    import_bytes(tab, requests_file(MARCH[:2]))
    for payload, message in BAD_FILES:
        status = import_bytes(tab, payload, name="bad.json")
        assert status.startswith(f"Nothing was imported: {message}"), status
    expect(tab.get_by_role("alert")).to_contain_text("Nothing was imported")
    open_page(tab, "/analytics/activity")
    assert activity_total(tab) == "2 requests"
    open_page(tab, "/analytics/costs?month=2026-03")
    assert cells(day_row(tab, "Thu, Mar 5"))[1:] == ["2", format_usd(0.018, "computed")]


def test_an_llmspy_request_export_imports_with_its_costs(tab):
    doc = {"exportedAt": "2026-03-10T10:00:00.000Z", "version": "1.0", "source": "llmspy", "requestsCount": 2, "requests": [
        {"id": 1741600000001, "threadId": 9, "model": "kimi-k2", "provider": "groq", "providerModel": "moonshotai/kimi-k2-instruct",
         "title": "Explain monads", "inputTokens": 1200, "outputTokens": 300, "inputCachedTokens": 0, "totalTokens": 1500,
         "inputPrice": "0.000001", "outputPrice": "0.000003", "cost": 0.0021, "duration": 1500, "created": 1741600000,
         "finishReason": "stop", "usage": {}},
        {"id": 1741600000002, "threadId": 9, "model": "kimi-k2", "provider": "groq", "providerModel": "moonshotai/kimi-k2-instruct",
         "title": "More monads", "inputTokens": 100, "outputTokens": 50, "inputCachedTokens": 0, "totalTokens": 150,
         "inputPrice": "0.000001", "outputPrice": "0.000003", "cost": "0.00025", "duration": 500, "created": 1741600100,
         "finishReason": "stop", "usage": {}}]}
    assert import_bytes(tab, json.dumps(doc).encode()) == "Imported 2 of 2 requests from llms.py."
    open_page(tab, "/analytics/activity")
    assert cells(tab.locator("#rows tr").last)[:9] == [
        "2025-03-10 10:46:40", "kimi-k2", "groq", "Explain monads", "1,200", "300", "$0.0021", "1.50 s", "200 tok/s"]
    open_page(tab, "/analytics/costs?month=2025-03")
    assert cells(day_row(tab, "Mon, Mar 10"))[1:] == ["2", format_usd(0.00235, "computed")]


def test_an_llmspy_thread_export_imports_into_the_chat_list_and_exports_as_ours(tab):
    doc = {"exportedAt": "2026-03-10T10:00:00.000Z", "version": "1.0", "source": "llmspy", "threadCount": 1, "threads": [
        {"id": 77, "title": "Monads", "model": "kimi-k2", "systemPrompt": "", "createdAt": 1741600000000,
         "updatedAt": 1741600100000, "messages": [{"role": "user", "content": "What is a monad?"},
                                                  {"role": "assistant", "content": "A monoid in the category of endofunctors."}]}]}
    assert import_bytes(tab, json.dumps(doc).encode()) == "Imported 1 of 1 chats from llms.py."
    tab.goto(tab.base + "/")
    tab.get_by_role("link", name="Monads").click()
    expect(tab.get_by_role("article", name="Assistant")).to_contain_text("A monoid in the category of endofunctors.")
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Export").click()
    exported = json.loads(download.value.path().read_text())
    assert (exported["source"], exported["kind"], exported["count"]) == ("llms", "threads", 1)
    assert [m["content"] for m in exported["threads"][0]["messages"]] == [
        "What is a monad?", "A monoid in the category of endofunctors."]
    assert import_bytes(tab, json.dumps(exported).encode()) == "Imported 0 of 1 chats (1 already here)."


# ---- demo data ----

def test_demo_data_fills_every_page_and_is_removed_alone(tab):
    now = datetime.now(ZoneInfo(TZ))
    mine = record("mine", (now - timedelta(minutes=1)).isoformat(timespec="milliseconds"), "gpt-4o", "openai", 10, 10, 1.25)
    import_bytes(tab, requests_file([mine]))
    tab.get_by_role("button", name="Load demo data").click()
    expect(tab.locator("#data-status")).to_contain_text("Loaded", timeout=IMPORT_TIMEOUT_MS)
    open_page(tab, "/analytics/costs?range=90d")
    expect(tab.get_by_role("note")).to_contain_text("Showing demo data")
    for chart in ("#trend-chart", "#month-chart"):
        expect(tab.locator(f"{chart} canvas").first).to_be_visible()
    assert int(tab.locator("#kpis .kpi", has_text="Requests").locator("dd").first.inner_text().replace(",", "")) > 1500
    open_page(tab, "/analytics/tokens")
    expect(tab.locator("#month-chart canvas").first).to_be_visible()
    open_page(tab, "/analytics/activity")
    assert int(activity_total(tab).split()[0].replace(",", "")) > 1500
    tab.get_by_role("button", name="Remove demo data").click()
    expect(tab.locator("#demo-banner")).to_be_hidden(timeout=IMPORT_TIMEOUT_MS)  # every demo record and its keys go
    assert activity_total(tab) == "1 request"
    open_page(tab, "/analytics/costs?range=90d")
    expect(tab.locator("#kpis .kpi", has_text="Total cost").locator("dd").first).to_have_text("$1.25")
    expect(tab.locator("#kpis .kpi", has_text="Requests").locator("dd").first).to_have_text("1")


# ---- real requests ----

def post_chat(server, model: str, content: str) -> dict:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": content}]}).encode()
    request = urllib.request.Request(server.url + "/v1/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_real_requests_show_with_exact_sums_and_api_traffic_counts_once(tab, server, mock_provider):
    before = dict(mock_provider.models)
    mock_provider.set_model("mock-model", Reply(text="Fine answer.", usage={"openai": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}}))
    try:
        tab.goto(tab.base + "/")
        tab.get_by_role("combobox", name="Model").select_option("openai/mock-model")
        tab.get_by_role("textbox", name="Message").fill("Count my tokens")
        tab.get_by_role("textbox", name="Message").press("Enter")
        expect(tab.get_by_role("article", name="Assistant").locator("dl.metrics")).to_be_visible(timeout=15_000)
        post_chat(server, "mock-model", "from a script")
    finally:
        mock_provider.models.clear()
        mock_provider.models.update(before)
    cost = (1000 * 2.5 + 500 * 10) / 1e6
    open_page(tab, "/analytics/costs?range=7d")
    expect(tab.locator("#kpis .kpi", has_text="Total cost").locator("dd").first).to_have_text(format_usd(cost, "computed"))
    expect(tab.locator("#budget .budget-row", has_text="openai").get_by_role("alert")).to_have_text(
        f"Over budget by {format_usd(cost - 0.005, 'computed')}")
    open_page(tab, "/analytics/tokens?range=7d")
    expect(tab.locator("#kpis .kpi", has_text="Tokens").locator("dd").first).to_have_text("1,500")

    open_page(tab, "/analytics/activity")
    assert activity_total(tab) == "1 request"
    tab.get_by_role("switch", name="Include API traffic").check()
    expect(tab.locator("#api-traffic-status")).to_have_text("API traffic: 1 new requests from the server's ledger.")
    assert activity_total(tab) == "2 requests"
    row = cells(tab.locator("#rows tr").first)
    # The ledger keeps no prompt text unless "prompts" is on.
    assert row[1:7] == ["mock-model API", "openai", "—", "1,000", "500", format_usd(cost, "computed")]
    tab.reload()
    tab.wait_for_selector("body[data-ready]")
    expect(tab.get_by_role("switch", name="Include API traffic")).to_be_checked()
    assert activity_total(tab) == "2 requests"
    open_page(tab, "/analytics/costs?range=7d")
    expect(tab.locator("#kpis .kpi", has_text="Total cost").locator("dd").first).to_have_text(format_usd(2 * cost, "computed"))


def ledger_lines(server) -> list[dict]:
    return written_lines(server.ledger)


def chat_ledger_line(server, content: str, wait_s: float = 10.0) -> dict:
    """Sends a chat request and returns the ledger line the server appends for it once the answer is sent."""
    count = len(ledger_lines(server))
    post_chat(server, "mock-model", content)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        lines = ledger_lines(server)
        if len(lines) > count:
            return lines[-1]
        time.sleep(0.05)
    raise AssertionError(f"{server.ledger} got no line for {content!r} in {wait_s} s")


def test_ledger_lines_the_browser_cannot_store_are_skipped_by_name_and_never_block_the_rest(tab, server):
    template = chat_ledger_line(server, "template")
    bad = {
        "space-" + "1" * 26: {"timestamp": template["timestamp"].replace("T", " ")},
        "finish-" + "2" * 25: {"finish_reason": "x" * 200},
        "error-" + "3" * 26: {"status": "error", "error": {"message": "e" * 20_000, "type": "server_error", "code": None, "status": 500}},
    }
    good = ["after-" + "4" * 26]
    with server.ledger.open("a", encoding="utf-8") as ledger:
        for rid, change in bad.items():
            ledger.write(json.dumps(template | {"request_id": rid} | change) + "\n")
        ledger.write(json.dumps(template | {"request_id": good[0]}) + "\n")
    lines = ledger_lines(server)
    # Every line this browser did not record itself counts, whatever its client (this tab recorded none).
    storable = [line for line in lines if line["request_id"] not in bad]

    open_page(tab, "/analytics/activity")
    tab.get_by_role("switch", name="Include API traffic").check()
    status = tab.locator("#api-traffic-status")
    expect(status).to_contain_text(f"API traffic: {len(storable)} new requests from the server's ledger.")
    text = status.inner_text()
    for rid, change in bad.items():
        # Named by the browser (request id) or, when the server refuses the line itself, by its ledger line.
        number = next(i for i, line in enumerate(lines, 1) if line["request_id"] == rid)
        assert rid in text or f"usage.jsonl:{number}" in text, (rid, text)
    assert f"request {'space-' + '1' * 26} (timestamp: expected an ISO 8601 time" in text or "usage.jsonl" in text
    assert good[0] in {line["request_id"] for line in storable}, "the line after the skipped ones is among those stored"
    assert activity_total(tab) == f"{len(storable)} requests"

    # The position moved on past the skipped lines: once later lines came, pulls never read them again (lines
    # at the very end time of the last pull are read once more and deduplicated by id, as the server's `since` says).
    for n, content in enumerate(["later", "later still"], 1):
        chat_ledger_line(server, content)
        tab.reload()
        tab.wait_for_selector("body[data-ready]")
        expect(status).to_contain_text("API traffic: 1 new requests from the server's ledger.")
        assert activity_total(tab) == f"{len(storable) + n} requests"
    assert "this browser cannot store" not in status.inner_text(), "a skipped line is behind the position, never read again"
