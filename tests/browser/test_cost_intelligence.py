"""Cost intelligence in Chromium against the real server (issue 18, items 1–3): the Costs page's cache savings and
what-if sections, the estimate under the composer and a thread's cache timeline. Every figure is read as a person
sees it and was worked out by hand from the records below (prices per 1M tokens)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from llms.pricing import format_usd
from llms.pricing.cost import cost_for
from tests.browser.conftest import ARTIFACTS
from tests.conftest import MOCK_KEY_ENV, PRICES, mock_config
from tests.server_process import ServerProcess

TZ = "Europe/Berlin"
SHOTS = ARTIFACTS / "cost_intelligence"  # the screenshots to look at after a run (not kept in git)
CLAUDE = PRICES["anthropic"]["claude-sonnet-4-5"]  # 3 in, 15 out, 0.3 cached, 3.75 5-minute and 6 1-hour writes
OLD_MINI = {"input": 0.3, "output": 1.2, "cached_input": 0.12}  # gpt-4o-mini's price when these were recorded
TIERED = {"input": 3, "output": 15, "cached_input": 0.3,
          "tiers": [{"above": 200000, "input": 6, "output": 22.5, "cached_input": 0.6}]}


def usage(prompt, completion, cached=0, written=0, written_1h=0):
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written,
                                      "cache_write_1h_tokens": written_1h},
            "completion_tokens_details": {"reasoning_tokens": 0}}


def record(rid, when, model, provider, used, cost, prices, thread_id=None):
    return {"id": rid, "timestamp": when.isoformat(timespec="milliseconds"), "thread_id": thread_id, "model": model,
            "provider": provider, "provider_model": model, "prompt_preview": "", "usage": used, "cost_usd": cost,
            "cost_provenance": "computed", "prices": prices, "response_ms": 1000.0, "ttft_ms": None,
            "tokens_per_s": None, "generation_tokens_per_s": None, "server_duration_ms": None, "server_ttft_ms": None,
            "status": "ok", "error": None, "finish_reason": "stop"}


def requests_file(records) -> bytes:
    return json.dumps({"source": "llms", "kind": "requests", "version": 1, "exported_at": "2026-05-01T10:00:00.000+02:00",
                       "count": len(records), "requests": records}).encode()


def costs_records(now: datetime) -> list[dict]:
    """Two Claude requests reading and writing its cache, two gpt-4o-mini ones recorded at its old, double price."""
    day = now - timedelta(days=2)
    return [
        # 100 fresh × 3 + 1000 read × 0.3 + 150 × 3.75 + 50 × 6 + 340 × 15 = 6562.5
        record("c1", day, "claude-sonnet-4-5", "anthropic", usage(1300, 340, 1000, 200, 50), 0.0065625, CLAUDE),
        # 200 × 3 + 2000 × 0.3 + 100 × 15 = 2700
        record("c2", day + timedelta(minutes=1), "claude-sonnet-4-5", "anthropic", usage(2200, 100, 2000), 0.0027, CLAUDE),
        # 500 × 0.3 + 1500 × 0.12 + 800 × 1.2 = 1290
        record("m1", day + timedelta(minutes=2), "gpt-4o-mini", "openai", usage(2000, 800, 1500), 0.00129, OLD_MINI),
        # 500 × 0.3 + 20 × 1.2 = 174
        record("m2", day + timedelta(minutes=3), "gpt-4o-mini", "openai", usage(500, 20), 0.000174, OLD_MINI),
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory, mock_provider):
    folder = tmp_path_factory.mktemp("cost_intelligence")
    config = mock_config(mock_provider)
    config["providers"]["anthropic"]["models"]["claude-long"] = "claude-sonnet-4-5"
    config["providers"]["anthropic"]["pricing"] = PRICES["anthropic"] | {"claude-long": TIERED}
    (folder / "llms.json").write_text(json.dumps(config))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    yield process
    process.stop()


@pytest.fixture(params=["light", "dark"])
def scheme(request):
    return request.param


@pytest.fixture
def open_tab(browser, server, page_errors):
    contexts = []

    def open_(width=1280, height=800, scheme="light"):
        context = browser.new_context(viewport={"width": width, "height": height}, timezone_id=TZ, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.base = server.url
        return page

    yield open_
    for context in contexts:
        context.close()
    assert page_errors == []


def import_bytes(page, payload: bytes, name="export.json") -> None:
    page.goto(page.base + "/")
    page.locator("#import-file").set_input_files(files=[{"name": name, "mimeType": "application/json", "buffer": payload}])
    expect(page.locator("#data-status")).to_have_text(re.compile("^Imported"), timeout=30_000)


def kpi(section, name):
    return section.locator(".kpi", has_text=name).locator("dd")


def rows(table) -> list[list[str]]:
    return [[c.strip() for c in r.locator("th, td").all_inner_texts()] for r in table.locator("tbody tr").all()]


def usd(amount: float) -> str:
    return format_usd(amount, "computed")


# ---- Costs: cache savings ----

def test_cache_savings_show_reads_saved_writes_extra_net_and_hit_rate_by_provider_and_model(open_tab):
    tab = open_tab()
    import_bytes(tab, requests_file(costs_records(datetime.now(ZoneInfo(TZ)))))
    tab.goto(tab.base + "/analytics/costs")
    section = tab.get_by_role("region", name="Cache savings")
    # Reads: Claude 1000 × (3 − 0.3) + 2000 × (3 − 0.3) = 8100; gpt-4o-mini at its recorded price 1500 × (0.3 − 0.12) = 270.
    expect(kpi(section, "Saved by cache reads").first).to_have_text(usd((8100 + 270) / 1e6))
    assert usd((8100 + 270) / 1e6) == "$0.0084"
    # Writes: 150 × (3.75 − 3) = 112.5 for 5 minutes, 50 × (6 − 3) = 150 for 1 hour.
    expect(kpi(section, "Cache writes cost")).to_have_text(["+$0.00026", "5-minute $0.00011 · 1-hour $0.00015"])
    expect(kpi(section, "Net saved").first).to_have_text(usd((8370 - 262.5) / 1e6))
    assert usd((8370 - 262.5) / 1e6) == "$0.0081"
    # 1000 + 2000 + 1500 cached of 1300 + 2200 + 2000 + 500 input.
    expect(kpi(section, "Cache hit rate")).to_have_text(["75.0\u00a0%", "4,500 of 6,000 input tokens"])
    by_provider = section.get_by_role("table", name="Cache by provider")
    assert rows(by_provider) == [
        ["anthropic", "85.7\u00a0%", "$0.0081", "+$0.00026", usd((8100 - 262.5) / 1e6)],
        ["openai", "60.0\u00a0%", "$0.00027", "+$0.00", "$0.00027"]]
    assert rows(section.get_by_role("table", name="Cache by model")) == [
        ["claude-sonnet-4-5", "85.7\u00a0%", "$0.0081", "+$0.00026", "$0.0078"],
        ["gpt-4o-mini", "60.0\u00a0%", "$0.00027", "+$0.00", "$0.00027"]]


def test_what_if_prices_the_range_on_another_model_and_at_todays_prices(open_tab):
    tab = open_tab()
    import_bytes(tab, requests_file(costs_records(datetime.now(ZoneInfo(TZ)))))
    tab.goto(tab.base + "/analytics/costs")
    section = tab.get_by_role("region", name="What would this range have cost on…")
    # Today gpt-4o-mini costs 0.15 in, 0.6 out, 0.075 cached (no write price: writes cost input):
    # c1 100 × 0.15 + 1000 × 0.075 + 200 × 0.15 + 340 × 0.6 = 324; c2 200 × 0.15 + 2000 × 0.075 + 100 × 0.6 = 240;
    # m1 500 × 0.15 + 1500 × 0.075 + 800 × 0.6 = 667.5; m2 500 × 0.15 + 20 × 0.6 = 87.
    expect(section.locator("#today-total")).to_have_text(
        f"4 requests: recorded {usd(0.0107265)} · at today's prices {usd(0.0092625 + 0.0007545)} (−7\u00a0%)")
    assert rows(section.get_by_role("table", name="At today's prices")) == [
        ["claude-sonnet-4-5", "$0.0093", "$0.0093", "0\u00a0%"],
        ["gpt-4o-mini", "$0.0015", "$0.00075", "−48\u00a0%"]]
    section.get_by_label("Model", exact=True).select_option(label="gpt-4o-mini (openai)")
    expect(section.locator("#what-if-total")).to_have_text(
        f"4 requests: recorded $0.01 · on gpt-4o-mini (openai) {usd((324 + 240 + 667.5 + 87) / 1e6)} (−88\u00a0%)")
    assert usd((324 + 240 + 667.5 + 87) / 1e6) == "$0.0013"
    assert rows(section.get_by_role("table", name="Recorded and what-if cost by model")) == [
        ["claude-sonnet-4-5", "$0.0093", "$0.00056", "−94\u00a0%"],
        ["gpt-4o-mini", "$0.0015", "$0.00075", "−48\u00a0%"]]
    expect(section).to_contain_text("different number of tokens on another model")


def test_without_cache_tokens_the_section_says_so_and_a_model_priced_nowhere_today_shows_a_dash(open_tab):
    tab = open_tab()
    day = datetime.now(ZoneInfo(TZ)) - timedelta(days=1)
    groq = {"input": 0.59, "output": 0.79}
    # 1000 × 0.59 + 100 × 0.79 = 669; this server has no groq provider, so no price today.
    import_bytes(tab, requests_file([record("g1", day, "llama-3.3-70b", "groq", usage(1000, 100), 0.000669, groq)]))
    tab.goto(tab.base + "/analytics/costs")
    section = tab.get_by_role("region", name="Cache savings")
    expect(section).to_contain_text("No request in this range read from or wrote to a prompt cache.")
    expect(section.locator("#cache-figures")).to_be_hidden()
    what_if = tab.get_by_role("region", name="What would this range have cost on…")
    expect(what_if.locator("#today-total")).to_have_text("1 request: recorded $0.00067 · at today's prices —")
    assert rows(what_if.get_by_role("table", name="At today's prices")) == [["llama-3.3-70b", "$0.00067", "—", ""]]


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_screenshots_of_the_costs_sections(open_tab, scheme, width, height):
    tab = open_tab(width, height, scheme)
    import_bytes(tab, requests_file(costs_records(datetime.now(ZoneInfo(TZ)))))
    tab.goto(tab.base + "/analytics/costs")
    section = tab.get_by_role("region", name="Cache savings")
    expect(kpi(section, "Cache hit rate").first).to_have_text("75.0\u00a0%")
    what_if = tab.get_by_role("region", name="What would this range have cost on…")
    what_if.get_by_label("Model", exact=True).select_option(label="gpt-4o-mini (openai)")
    expect(what_if.locator("#what-if-total")).to_contain_text("−88\u00a0%")
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / f"cache-savings-{width}-{scheme}.png"))
    what_if.screenshot(path=str(SHOTS / f"what-if-{width}-{scheme}.png"))


# ---- the chat: a thread's cache timeline, the estimate under the composer ----

def request_key(rec: dict) -> str:
    epoch_ms = int(datetime.fromisoformat(rec["timestamp"]).timestamp() * 1000)
    return f"req:{epoch_ms:013d}:{rec['id']}"


def thread(tid: str, title: str, turns: list[tuple[str, str, dict]]) -> dict:
    """A thread of (question, answer, record) turns, as our chat export writes it."""
    messages = []
    for question, answer, rec in turns:
        at = rec["timestamp"]
        messages.append({"id": f"{rec['id']}-q", "seq": len(messages), "role": "user", "content": question, "created_at": at})
        messages.append({"id": f"{rec['id']}-a", "seq": len(messages), "role": "assistant", "content": answer,
                         "created_at": at, "request_key": request_key(rec), "status": "ok"})
    last = turns[-1][2]["timestamp"]
    recs = [rec for _, _, rec in turns]
    details = [rec["usage"]["prompt_tokens_details"] for rec in recs]
    totals = {"requests": len(recs), "cost_usd": sum(rec["cost_usd"] for rec in recs),
              "prompt_tokens": sum(rec["usage"]["prompt_tokens"] for rec in recs),
              "completion_tokens": sum(rec["usage"]["completion_tokens"] for rec in recs),
              "cached_tokens": sum(d["cached_tokens"] for d in details),
              "cache_write_tokens": sum(d["cache_write_tokens"] for d in details),
              "response_ms": sum(rec["response_ms"] for rec in recs)}
    return {"id": tid, "title": title, "created_at": turns[0][2]["timestamp"], "updated_at": last,
            "model": "anthropic/claude-sonnet-4-5", "next_seq": len(messages), "totals": totals, "messages": messages}


def threads_file(threads) -> bytes:
    return json.dumps({"source": "llms", "kind": "threads", "version": 1, "exported_at": "2026-05-01T10:00:00.000+02:00",
                       "count": len(threads), "threads": threads}).encode()


def claude(rid, when, used, thread_id=None):
    return record(rid, when, "claude-sonnet-4-5", "anthropic", used, cost_for(used, CLAUDE)["cost_usd"], CLAUDE,
                  thread_id=thread_id)


def broken_thread(now: datetime) -> tuple[list[dict], dict]:
    """Turn 1 writes 1,000 tokens to the cache, turn 2 reads them a minute later, turn 3 comes 9 minutes after."""
    start = now - timedelta(minutes=30)
    recs = [claude("b1", start, usage(1100, 50, 0, 1000), "tb"),
            claude("b2", start + timedelta(minutes=1), usage(1300, 50, 1000, 200), "tb"),
            claude("b3", start + timedelta(minutes=10), usage(1500, 50, 0, 1400), "tb")]
    return recs, thread("tb", "Quarterly report", [("Summarize it", "Done.", recs[0]), ("Shorter", "Sure.", recs[1]),
                                                   ("And the risks?", "Three.", recs[2])])


def open_thread(tab, recs: list[dict], doc: dict) -> None:
    """Imports a thread's requests, then the thread, and opens it."""
    import_bytes(tab, requests_file(recs))
    import_bytes(tab, threads_file([doc]), name="chats.json")
    tab.goto(f"{tab.base}/#thread={doc['id']}")


def test_a_threads_cache_timeline_shows_each_turn_and_where_the_cache_broke_and_why(open_tab):
    tab = open_tab()
    open_thread(tab, *broken_thread(datetime.now(ZoneInfo(TZ))))
    timeline = tab.locator("details.cache-timeline")
    # 1,000 read of 1,100 + 1,300 + 1,500 = 3,900 input tokens.
    expect(timeline.locator("summary")).to_have_text(
        "Cache: 25.6\u00a0% of 3,900 input tokens read from cache over 3 turns · broke at turn 3")
    timeline.locator("summary").click()
    expect(timeline.get_by_role("note")).to_have_text(
        "Cache broke at turn 3: 9 minutes since the previous turn, longer than the cache's 5-minute lifetime")
    assert rows(timeline.get_by_role("table", name="Cache by turn")) == [
        ["1", "1,100", "0", "1,000", "0.0\u00a0%"],
        ["2", "1,300", "1,000", "200", "76.9\u00a0%"],
        ["3 ⚠", "1,500", "0", "1,400", "0.0\u00a0%"]]


def warm_thread(now: datetime) -> tuple[list[dict], dict]:
    """A thread whose last turn, a minute ago, read 1,000 and wrote 200 tokens; nine older Claude answers of
    200 … 1,000 output tokens besides its own 100."""
    older = [claude(f"o{n}", now - timedelta(days=1, minutes=n), usage(500, 100 * n)) for n in range(2, 11)]
    last = claude("w1", now - timedelta(minutes=1), usage(1300, 100, 1000, 200), "tw")
    return [*older, last], thread("tw", "Warm chat", [("a" * 4000, "b" * 796, last)])


def choose_model(page, alias: str) -> None:
    page.get_by_role("combobox", name="Model").select_option(f"anthropic/{alias}")


def test_the_estimate_under_the_composer_counts_history_cache_and_the_models_output_range(open_tab):
    tab = open_tab()
    open_thread(tab, *warm_thread(datetime.now(ZoneInfo(TZ))))
    choose_model(tab, "claude-sonnet-4-5")
    tab.get_by_role("textbox", name="Message").fill("c" * 399)
    estimate = tab.get_by_label("Estimate of the next message")
    # (4,000 + 1 + 796 + 1 + 399) code points / 4 → 1,300 tokens; 1,000 read + 200 written a minute ago → 1,200 cached.
    # Output p50 500, p90 900 of 100 … 1,000. Low: 100 × 3 + 1,200 × 0.3 + 500 × 15 = 8,160; high: … + 900 × 15 = 14,160.
    expect(estimate).to_have_text(
        f"Next message: ~1,300 tokens in (1,200 from cache) · 500–900 out · "
        f"{format_usd(8160 / 1e6, 'estimated')}–{format_usd(14160 / 1e6, 'computed')}")
    assert format_usd(8160 / 1e6, "estimated") == "~$0.0082"
    expect(tab.get_by_role("alert")).to_have_count(0)
    tab.get_by_role("textbox", name="Message").fill("")
    expect(estimate).to_be_hidden()


def test_a_prompt_past_200k_tokens_warns_with_the_tiers_extra_cost(open_tab):
    tab = open_tab()
    tab.goto(tab.base + "/")
    choose_model(tab, "claude-long")
    tab.get_by_role("textbox", name="Message").fill("y" * 1_120_000)
    estimate = tab.get_by_label("Estimate of the next message")
    # 280,000 tokens; no answer of this model yet: 500–1,500 out. At the tier 280,000 × 6 + 500 × 22.5 = 1,691,250;
    # below it 280,000 × 3 + 500 × 15 = 847,500: +843,750 → $0.84.
    expect(estimate.get_by_role("alert")).to_have_text(
        "this message crosses 200,000 tokens: the whole request is priced at the higher tier (+$0.84)")
    expect(estimate.locator(".estimate-line")).to_have_text(
        "Next message: ~280,000 tokens in · 500–1,500 out (no history yet) · ~$1.69–$1.71")


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_screenshots_of_the_estimate_and_the_timeline(open_tab, scheme, width, height):
    tab = open_tab(width, height, scheme)
    open_thread(tab, *broken_thread(datetime.now(ZoneInfo(TZ))))
    timeline = tab.locator("details.cache-timeline")
    timeline.locator("summary").click()
    expect(timeline.get_by_role("note")).to_contain_text("Cache broke at turn 3")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"cache-timeline-{width}-{scheme}.png"))
    choose_model(tab, "claude-long")
    tab.get_by_role("textbox", name="Message").fill("y" * 1_120_000)
    expect(tab.get_by_label("Estimate of the next message").get_by_role("alert")).to_contain_text("+$0.84")
    tab.screenshot(path=str(SHOTS / f"estimate-{width}-{scheme}.png"))
