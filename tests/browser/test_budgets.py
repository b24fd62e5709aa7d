"""Budgets, energy and the Price check in Chromium against the real server (issue 18 items 4–6, issue 14's
per-user view): the chat page's budget banner and its opt-in notification, an energy-priced answer's "⚡" cost, the
Costs page's Users section and Price check. Every figure is read as a person sees it and was worked out by hand
from the ledger lines below."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from llms.ledger.schema import ledger_line, recorder_record
from llms.pricing import format_usd
from tests.browser.conftest import ARTIFACTS
from tests.mock_provider import KEYS, Reply
from tests.server_process import ServerProcess

SHOTS = ARTIFACTS / "budgets"  # the screenshots to look at after a run (not kept in git)
PRICE = {"input": 10, "output": 30}  # USD per 1M tokens
ENERGY = {"watts": 65, "usd_per_kwh": 0.30}
ALICE, BOB = "alice-secret-0123", "bob-secret-4567"
ANSWER_TIMEOUT_MS = 15_000


def line(rid: str, cost_usd: float, *, token=None, provider="openai", model="cap-model", reported=None,
         tokens=(100, 20)) -> dict:
    """A ledger line of this month, built through the one definition of a line. `reported`: what the provider billed
    (then cost_usd is ours, kept as computed_cost_usd)."""
    record = recorder_record(
        request_id=rid, timestamp=datetime.now().astimezone().isoformat(timespec="milliseconds"), client="api",
        client_app=None, token=token, ip_address="127.0.0.1", provider=provider, model=model, alias=model,
        provider_model=model, endpoint="/v1/chat/completions", is_streaming=False, status="ok", http_status=200,
        error=None, finish_reason="stop", usage=None, response_ms=900.0, ttft_ms=None, messages=None,
        output_text=None, reasoning_text=None)
    usage = {"prompt_tokens": tokens[0], "completion_tokens": tokens[1], "total_tokens": sum(tokens)}
    if reported is None:
        return ledger_line(record, {"cost_usd": cost_usd, "provenance": "computed", "prices": PRICE}, usage, model,
                           prompts=False, price_version="genai-prices 0.2.3+llms.json.0123456789ab")
    return ledger_line(record, {"cost_usd": reported, "provenance": "reported", "prices": PRICE},
                       usage | {"cost": reported}, model, prompts=False, computed_cost_usd=cost_usd,
                       price_version="genai-prices 0.2.3+llms.json.0123456789ab")


# This month: $0.79 without a token, alice $0.004 (40 % of her $0.01), bob $0.0509, and two OpenRouter requests that
# reported their cost: claude billed $0.0031 where our prices make $0.0032 (+3.2 %), llama $0.002 as ours (0.0 %).
# All providers: 0.79 + 0.004 + 0.0509 + 0.0031 + 0.002 = $0.85 of the $1 cap (85 %: a warning).
LINES = [
    line("seed-local", 0.79, tokens=(70_000, 3000)),
    line("seed-alice", 0.004, token="alice", tokens=(100, 100)),
    line("seed-bob", 0.0509, token="bob", tokens=(2000, 1000)),
    line("seed-claude", 0.0032, token="bob", provider="openrouter", model="claude", reported=0.0031, tokens=(20, 100)),
    line("seed-llama", 0.002, token="bob", provider="openrouter", model="llama", reported=0.002, tokens=(200, 0)),
]


@pytest.fixture
def server(tmp_path, mock_provider):
    mock_provider.set_model("local-upstream", Reply(text="A local answer.", delay_s=0.3, usage={
        "openai": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}}))
    ledger = tmp_path / "usage.jsonl"
    ledger.write_text("".join(json.dumps(entry) + "\n" for entry in LINES))
    config = {"providers": {
        "openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                   "models": {"cap-model": "mock-model"}, "pricing": {"cap-model": PRICE}},
        "openrouter": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                       "models": {"claude": "mock-model", "llama": "mock-model"},
                       "pricing": {"claude": PRICE, "llama": PRICE}},
        "ollama": {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"],
                   "models": {"llama-local": "local-upstream"}, "default_pricing": {"input": 0, "output": 0},
                   "energy": ENERGY}},
        "defaults": {"model": "llama-local"},
        "budget": {"monthly_usd": {"usd": 1, "hard": True}, "tokens": {"alice": 0.01}},
        "ledger": {"enabled": True, "path": str(ledger)}}
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config))
    process = ServerProcess(path, "--token", f"alice={ALICE}", "--token", f"bob={BOB}")
    yield process
    process.stop()


# A stand-in for the browser's Notification: Chromium headless shows none; the page's calls are what a person gets.
NOTIFICATIONS = """
window.__notified = [];
window.Notification = class {
  static permission = localStorage.getItem("test.permission") ?? "default";
  static async requestPermission() { localStorage.setItem("test.permission", "granted"); Notification.permission = "granted"; return "granted"; }
  constructor(title, options) {
    window.__notified.push({ title, body: options.body });
    document.documentElement.dataset.notified = String(window.__notified.length);
  }
};
"""


@pytest.fixture
def open_tab(browser, server, page_errors):
    contexts = []

    def open_(width=1280, height=800, scheme="light", secret=ALICE):
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        context.add_init_script(NOTIFICATIONS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(f"{server.url}/?token={secret}")  # the HttpOnly cookie authorises what follows
        page.base = server.url
        return page

    yield open_
    for context in contexts:
        context.close()
    assert page_errors == []


def choose_local(tab) -> None:
    picker = tab.get_by_role("combobox", name="Model")
    picker.select_option(picker.locator("option", has_text="llama-local").get_attribute("value"))


def rows(table) -> list[list[str]]:
    return [[c.strip() for c in r.locator("th, td").all_inner_texts()] for r in table.locator("tbody tr").all()]


WARNING = "All providers: 85 % of this month's budget used ($0.85 of $1.00)"


def test_the_banner_says_how_much_of_the_month_is_spent_and_notifies_once_when_asked(open_tab):
    tab = open_tab()
    banner = tab.get_by_role("status").filter(has_text="this month's budget")
    expect(banner).to_have_text(re.compile(re.escape(WARNING)))
    expect(tab.locator("#budget-banner")).to_have_attribute("data-level", "warning")
    # No notification before the person asks for them; then one, for the 80 % just crossed, and not again.
    assert tab.evaluate("window.__notified") == []
    tab.get_by_role("button", name="Notify me").click()
    expect(tab.get_by_role("button", name="Notify me")).to_be_hidden()
    tab.reload()
    expect(banner).to_have_text(re.compile(re.escape(WARNING)))
    expect(tab.locator("#budget-banner")).to_have_attribute("data-level", "warning")
    assert tab.evaluate("window.__notified") == []  # already seen on the first visit: never told twice


def test_a_notification_is_given_for_a_threshold_crossed_after_opting_in(open_tab):
    tab = open_tab()
    # The first load's banner notes the thresholds it has seen (80 %) once it has read the month: waited for, so that
    # note is not written over the one set below (which says only 50 % was seen) and the 80 % stays due.
    expect(tab.get_by_role("status").filter(has_text="this month's budget")).to_have_text(re.compile(re.escape(WARNING)))
    tab.evaluate("localStorage.setItem('llms.budget.notify', 'on'); localStorage.setItem('test.permission', 'granted');"
                 "localStorage.setItem('llms.budget.notified', JSON.stringify({[new Date().toISOString().slice(0, 7) + ' monthly_usd']: 50}))")
    tab.reload()
    # The banner reads the month's spend after the page loads: waited for as long as a loaded machine may take.
    expect(tab.locator("html[data-notified='1']")).to_have_count(1, timeout=20_000)
    assert tab.evaluate("window.__notified") == [{"title": "llms budget", "body": WARNING}]


def test_an_energy_priced_answer_shows_its_electricity_cost(open_tab):
    tab = open_tab()
    choose_local(tab)
    tab.get_by_role("textbox", name="Message").fill("hello")
    tab.get_by_role("textbox", name="Message").press("Enter")
    answer = tab.get_by_role("article", name="Assistant").first
    expect(answer).not_to_have_attribute("aria-busy", "true", timeout=ANSWER_TIMEOUT_MS)
    cost = answer.locator("dl.metrics dd", has_text="⚡")
    expect(cost).to_be_visible()
    record = tab.evaluate("""async () => {
      const store = await import('/static/js/store/store.js');
      const { ALL_REQUESTS } = await import('/static/js/rules/keys.js');
      return (await store.readRequestPage(ALL_REQUESTS, { limit: 1 }))[0].value;
    }""")
    # The browser's own response time × 65 W ÷ 3,600,000 × $0.30 per kWh, e.g. 0.31 s → $0.0000017.
    assert record["cost_usd"] == record["response_ms"] / 1000 * 65 / 3_600_000 * 0.30
    assert record["energy"] == ENERGY and record["cost_provenance"] == "estimated"
    expect(cost).to_have_text("⚡ " + format_usd(record["cost_usd"], "estimated"))
    assert re.fullmatch(r"⚡ ~\$0\.0000\d+", cost.inner_text())
    expect(cost).to_have_attribute("title", re.compile(r"^Energy cost \(estimated\): .* × 65 W at \$0\.30 per kWh$"))


def test_users_list_each_token_and_local_with_this_month_against_their_budget(open_tab):
    tab = open_tab()
    tab.goto(tab.base + "/analytics/costs?range=month")
    users = tab.get_by_role("table", name="Users")
    # Tokens are input + output (bob: 3,000 + 120 + 200); costs from a cent up in cents (bob: 0.0509 + 0.0031 + 0.002
    # = $0.056 → $0.06); alice has $0.01 a month (40 % used), bob none; local is the no-token row.
    expect(users.locator("tbody tr")).to_have_count(3)
    assert rows(users) == [
        ["bob", "3", "3,320", "$0.06", "$0.06 · no budget"],
        ["alice", "1", "200", "$0.004", "$0.004 of $0.01 (40 %)"],
        ["local (no token)", "1", "73,000", "$0.79", "$0.79 · no budget"],
    ]
    meter = users.get_by_role("meter", name="alice budget used this month")
    expect(meter).to_have_attribute("value", "0.4")


def test_the_price_check_names_stale_prices(open_tab):
    tab = open_tab()
    tab.goto(tab.base + "/analytics/costs?range=month")
    check = tab.get_by_role("table", name="Price check")
    expect(check.locator("tbody tr")).to_have_count(2)
    # (0.0032 − 0.0031) ÷ 0.0031 = +3.2 %: past 1 %; llama reported what we computed.
    assert rows(check) == [
        ["claude", "openrouter", "1", "$0.0031", "$0.0032", "+3.2 %", "prices look stale: run llms --update-pricing"],
        ["llama", "openrouter", "1", "$0.002", "$0.002", "0.0 %", "prices match"],
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_screenshots_of_the_banner_the_energy_label_users_and_price_check(open_tab, scheme, width, height):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = open_tab(width, height, scheme)
    expect(tab.locator("#budget-banner")).to_have_text(re.compile(re.escape(WARNING)))
    choose_local(tab)
    tab.get_by_role("textbox", name="Message").fill("hello")
    tab.get_by_role("textbox", name="Message").press("Enter")
    answer = tab.get_by_role("article", name="Assistant").first
    expect(answer.locator("dl.metrics dd", has_text="⚡")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    tab.screenshot(path=str(SHOTS / f"budget-banner-energy-{width}-{scheme}.png"))
    tab.goto(tab.base + "/analytics/costs?range=month")
    users = tab.get_by_role("region", name="Users")
    check = tab.get_by_role("region", name="Price check")
    expect(users.locator("tbody tr")).to_have_count(3)
    expect(check.locator("tbody tr")).to_have_count(2)
    users.scroll_into_view_if_needed()
    users.screenshot(path=str(SHOTS / f"users-{width}-{scheme}.png"))
    check.scroll_into_view_if_needed()
    check.screenshot(path=str(SHOTS / f"price-check-{width}-{scheme}.png"))


def test_without_the_ledger_the_banner_counts_this_browser_s_month_and_follows_each_answer(browser, tmp_path,
                                                                                          mock_provider, page_errors):
    # Soft $0.005 a month, no ledger; each answer costs (20 × 10 + 100 × 30) / 1M = $0.0032: 64 %, then 128 %.
    mock_provider.set_model("browser-spend", Reply(text="Counted.", usage={
        "openai": {"prompt_tokens": 20, "completion_tokens": 100, "total_tokens": 120}}))
    config = {"providers": {"openai": {"type": "openai-compatible", "base_url": mock_provider.url("openai"),
                                       "api_key": KEYS["openai"], "models": {"cap-model": "browser-spend"},
                                       "pricing": {"cap-model": PRICE}}},
              "budget": {"monthly_usd": 0.005}}
    (tmp_path / "llms.json").write_text(json.dumps(config))
    process = ServerProcess(tmp_path / "llms.json")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        tab = context.new_page()
        tab.on("pageerror", lambda error: page_errors.append(str(error)))
        tab.goto(process.url + "/")
        expect(tab.get_by_role("combobox", name="Model")).to_be_visible()
        expect(tab.locator("#budget-banner")).to_be_hidden()
        for expected in ("All providers: 64 % of this month's budget used ($0.0032 of $0.005)",
                         "All providers: this month's budget is used up ($0.0064 of $0.005)"):
            tab.get_by_role("textbox", name="Message").fill("hello")
            tab.get_by_role("textbox", name="Message").press("Enter")
            expect(tab.locator("#budget-banner")).to_have_text(re.compile(re.escape(expected)))
        expect(tab.locator("#budget-banner")).to_have_attribute("data-level", "reached")
    finally:
        context.close()
        process.stop()
    assert page_errors == []
