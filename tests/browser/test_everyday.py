"""Everyday use in Chromium against the real server and the mock provider: a phone and a narrow window, dark mode,
one busy chat beside another, and the small things of the analytics pages. What a person sees, at the sizes they use.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.test_analytics import IMPORT_TIMEOUT_MS, TZ, import_bytes, open_page, record, requests_file
from tests.browser.test_chat import ANSWER_TIMEOUT_MS, answers, script, send, wait_answer  # noqa: F401 (script: a fixture)
from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.mock_provider import Reply
from tests.server_process import ServerProcess

PHONE = {"width": 390, "height": 844}
LONG_TITLES = [f"Chat {n}: please compare the quarterly electricity bills of our three offices and explain every single difference"
               for n in range(1, 7)]
BUDGET = {"monthly_usd": 1, "providers": {"openai": 0}}


def open_tab(browser, url: str, page_errors, *, viewport=None, dark=False):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                  color_scheme="dark" if dark else "light")
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(url)
    expect(page.get_by_role("combobox", name="Model")).to_be_visible()
    return page


def sideways_overflow(page) -> int:
    """How many CSS pixels the page scrolls sideways (0: none)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["x"] >= 0 and box["y"] >= 0 \
        and box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"]


def six_long_chats(page) -> None:
    for index, title in enumerate(LONG_TITLES):
        if index:
            page.get_by_role("button", name="New chat").click()
            expect(page.get_by_role("heading", name="Start a conversation")).to_be_visible()
        send(page, title)
        wait_answer(page, 0)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_phone_with_six_long_chats_never_scrolls_sideways_and_keeps_new_chat_and_send_in_reach(
        browser, llms_server, page_errors, shot, dark):
    page = open_tab(browser, llms_server.url + "/", page_errors, viewport=PHONE, dark=dark)
    six_long_chats(page)
    assert sideways_overflow(page) == 0
    for name in ("New chat", "Send"):
        button = page.get_by_role("button", name=name)
        expect(button).to_be_visible()
        assert in_view(page, button), f"{name} is off-screen"
    picker = page.get_by_role("combobox", name="Model")
    assert in_view(page, picker)
    title = page.get_by_role("heading", level=1)
    assert title.evaluate("h => h.scrollWidth > h.clientWidth")  # ellipsized, not wrapped nor overflowing
    assert in_view(page, title)
    shot(page, "chat")

    chats = page.get_by_role("button", name="Chats")
    expect(chats).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Chats")).to_be_hidden()
    chats.click()
    expect(chats).to_have_attribute("aria-expanded", "true")
    threads = page.get_by_role("navigation", name="Chats").get_by_role("link")
    expect(threads).to_have_count(6)
    assert sideways_overflow(page) == 0
    first = threads.first
    assert in_view(page, first)
    assert first.locator(".thread-name").evaluate("n => n.scrollWidth > n.clientWidth")  # the title ellipsizes
    shot(page, "drawer")
    threads.nth(5).click()  # the oldest chat: the drawer closes on the chat it opened
    expect(page.get_by_role("navigation", name="Chats")).to_be_hidden()
    expect(page.get_by_role("article", name="You")).to_have_text(LONG_TITLES[0])
    page.get_by_role("button", name="Chats").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("navigation", name="Chats")).to_be_hidden()
    page.get_by_role("button", name="Send").click()  # reachable: nothing typed, so nothing is sent
    assert sideways_overflow(page) == 0
    page.context.close()
    assert page_errors == []


@pytest.mark.parametrize("width", [360, 430])
def test_narrow_phones_do_not_scroll_sideways_either(browser, llms_server, page_errors, width):
    page = open_tab(browser, llms_server.url + "/", page_errors, viewport={"width": width, "height": 800})
    send(page, LONG_TITLES[0])
    wait_answer(page, 0)
    assert sideways_overflow(page) == 0
    assert in_view(page, page.get_by_role("button", name="Send"))
    assert in_view(page, page.get_by_role("button", name="New chat"))
    page.context.close()
    assert page_errors == []


def test_a_long_title_on_a_desktop_leaves_the_model_picker_in_the_header(browser, llms_server, page_errors, shot):
    page = open_tab(browser, llms_server.url + "/", page_errors, dark=True)
    send(page, "x" * 58 + " and then a good deal more words to make the title as long as titles get in the sidebar")
    wait_answer(page, 0)
    header = page.locator(".chat-head").bounding_box()
    picker = page.get_by_role("combobox", name="Model").bounding_box()
    assert picker["x"] + picker["width"] <= header["x"] + header["width"]
    assert picker["y"] < header["y"] + header["height"]
    expect(page.get_by_role("button", name="Chats")).to_be_hidden()  # the sidebar is always shown on a desktop
    shot(page, "desktop-dark")
    page.context.close()
    assert page_errors == []


# ---- the analytics pages ----

@pytest.fixture(scope="module")
def analytics_server(tmp_path_factory, mock_provider):
    """The real server with a $0 budget for openai beside a $1 monthly one."""
    folder = tmp_path_factory.mktemp("everyday")
    (folder / "llms.json").write_text(json.dumps(mock_config(mock_provider) | {"budget": BUDGET}))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    yield process
    process.stop()


def analytics_tab(browser, server, page_errors, *, viewport=None, dark=False):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, timezone_id=TZ,
                                  color_scheme="dark" if dark else "light")
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.base = server.url
    return page


def minutes_ago(minutes: int) -> str:
    return (datetime.now(ZoneInfo(TZ)) - timedelta(minutes=minutes)).isoformat(timespec="milliseconds")


def badged_records() -> list[dict]:
    """The newest rows carry the API badge, a long model name, and an error; older ones are plain."""
    rows = []
    for n in range(6):
        r = record(f"api-{n}", minutes_ago(n + 1), "claude-sonnet-4-5-20250929", "anthropic", 12_345, 6_789, 0.1404,
                   status="error" if n == 0 else "ok", preview="Summarize the attached quarterly report in five bullets")
        rows.append(r | {"client": "api"})
    rows.append(record("plain", minutes_ago(30), "gpt-4o", "openai", 1000, 200, 0.0045, preview="Explain closures"))
    return rows


def with_demo(page, *, phone: bool = False) -> None:
    import_bytes(page, requests_file(badged_records()))
    if phone:
        page.get_by_role("button", name="Chats").click()  # the data buttons are in the drawer
    page.get_by_role("button", name="Load demo data").click()
    expect(page.locator("#data-status")).to_contain_text("Loaded", timeout=IMPORT_TIMEOUT_MS)


def scrolls_inside(locator) -> bool:
    return locator.evaluate("n => n.scrollWidth > n.clientWidth")


def test_activity_on_a_desktop_shows_every_column_with_api_and_demo_badges(browser, analytics_server, page_errors, shot):
    page = analytics_tab(browser, analytics_server, page_errors)
    with_demo(page)
    open_page(page, "/analytics/activity")
    # The newest API row, not the first row: demo records run up to this second, so one can be newer.
    newest_api = page.locator("#rows tr", has_text="API").first
    expect(newest_api).to_be_visible()
    expect(page.locator("#rows .tag", has_text="demo").first).to_be_visible()
    assert not scrolls_inside(page.locator(".table-scroll"))  # nothing clipped, nothing to scroll to
    status = page.get_by_role("columnheader", name="Status")
    card = page.locator(".table-scroll").bounding_box()
    box = status.bounding_box()
    assert box["x"] + box["width"] <= card["x"] + card["width"]
    expect(newest_api.locator(".status")).to_have_text("error")
    assert sideways_overflow(page) == 0
    shot(page, "activity")
    page.context.close()
    assert page_errors == []


def test_activity_on_a_phone_scrolls_inside_its_card_with_the_date_column_kept(browser, analytics_server, page_errors, shot):
    page = analytics_tab(browser, analytics_server, page_errors, viewport=PHONE)
    with_demo(page, phone=True)
    open_page(page, "/analytics/activity")
    newest_api = page.locator("#rows tr", has_text="API").first  # demo rows may be newer (see above)
    expect(newest_api).to_be_visible()
    assert sideways_overflow(page) == 0
    scroller = page.locator(".table-scroll")
    assert scrolls_inside(scroller)
    first_cell = newest_api.locator("td").first
    before = first_cell.bounding_box()["x"]
    scroller.evaluate("n => { n.scrollLeft = n.scrollWidth; }")
    expect(newest_api.locator(".status")).to_be_in_viewport()
    assert first_cell.bounding_box()["x"] == before  # the date stays while the other columns scroll under it
    assert sideways_overflow(page) == 0
    shot(page, "activity-phone")
    page.context.close()
    assert page_errors == []


# ---- one busy chat beside another ----

def test_while_one_chat_streams_another_and_a_new_one_can_send_and_both_answers_arrive(
        browser, llms_server, script, page_errors, shot):
    script(Reply(text=" ".join(f"slow{i}" for i in range(60)), chunk_delay_s=0.05), model="mock-model")
    script(Reply(text="Quick answer from the other chat."), model="shape-openai")
    page = open_tab(browser, llms_server.url + "/", page_errors)
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    send(page, "Thread A: the slow one")
    expect(answers(page).first).to_contain_text("slow2", timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Stop")).to_be_visible()

    page.get_by_role("button", name="New chat").click()  # a new chat is not busy: Send, not A's Stop
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    page.get_by_role("combobox", name="Model").select_option("openai/shape-openai")
    send(page, "Thread B: the quick one")
    wait_answer(page, 0)
    expect(answers(page).first).to_contain_text("Quick answer from the other chat.")
    shot(page, "b-answered")
    a_item = page.get_by_role("listitem").filter(has_text="Thread A")
    assert "slow59" not in page.inner_text("#messages")  # A's answer is not painted into B

    a_item.get_by_role("link").click()
    answer = answers(page).first
    expect(answer).to_contain_text("slow59", timeout=ANSWER_TIMEOUT_MS)
    expect(answer).not_to_have_attribute("aria-busy", "true", timeout=ANSWER_TIMEOUT_MS)
    expect(answer.locator("dl.metrics")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    page.get_by_role("listitem").filter(has_text="Thread B").get_by_role("link").click()
    expect(page.get_by_role("article", name="Assistant")).to_have_count(1)
    expect(answers(page).first).to_contain_text("Quick answer from the other chat.")
    page.reload()  # both are stored, each in its own thread
    expect(answers(page).first).to_contain_text("Quick answer from the other chat.")
    page.context.close()
    assert page_errors == []


def long_answer(browser, server, script, page_errors, prompt: str, *, words: int, until: str, chunk_delay_s=0.05,
                viewport=None):
    """A tab streaming a long answer of `words` words from mock-model, once it shows `until`: (page, answer)."""
    script(Reply(text=" ".join(f"word{i}" for i in range(words)), chunk_delay_s=chunk_delay_s))
    page = open_tab(browser, server.url + "/", page_errors, viewport=viewport)
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    send(page, prompt)
    answer = answers(page).first
    expect(answer).to_contain_text(until, timeout=ANSWER_TIMEOUT_MS)
    return page, answer


def test_escape_stops_the_answer_streaming_in_this_chat(browser, llms_server, script, page_errors):
    page, answer = long_answer(browser, llms_server, script, page_errors, "Tell me a long story", words=200, until="word3")
    page.keyboard.press("Escape")
    expect(answer.get_by_text("Stopped.")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    assert "word199" not in answer.inner_text()
    page.context.close()
    assert page_errors == []


def test_costs_tiles_budget_months_and_range_links_read_plainly(browser, analytics_server, page_errors, shot):
    page = analytics_tab(browser, analytics_server, page_errors)
    unpriced = record("unpriced", minutes_ago(2), "unpriced-model", "selfhosted", 1000, 500, None) | {"cost_provenance": "unpriced"}
    priced = record("priced", minutes_ago(3), "gpt-4o", "openai", 1000, 200, 0.0045)
    import_bytes(page, requests_file([unpriced, priced]))
    open_page(page, "/analytics/costs?range=bogus")
    tile = page.locator("#kpis .kpi", has_text="Total cost")
    # The amount, its unpriced note, and its change against the previous 30 days ("—": that period was empty).
    expect(tile.locator("dd")).to_have_text(["$0.0045", "+1 unpriced", "—"])
    amount = tile.locator("dd").first.bounding_box()["height"]
    assert amount == page.locator("#kpis .kpi", has_text="Requests").locator("dd").first.bounding_box()["height"]  # one line

    openai = page.locator("#budget .budget-row", has_text="openai")
    expect(openai.locator(".budget-text")).to_have_text("$0.0045 of $0.00")  # no "(100 %)" of nothing
    expect(openai.get_by_role("alert")).to_have_text("Over budget by $0.0045")
    expect(page.locator("#budget .budget-row", has_text="All providers").locator(".budget-text")).to_have_text("$0.0045 of $1.00 (0 %)")

    ranges = page.get_by_role("navigation", name="Range")
    expect(ranges.get_by_role("link", name="30d")).to_have_attribute("aria-current", "page")  # unknown → 30d
    shot(page, "costs")
    ranges.get_by_role("link", name="7d").click()
    expect(page).to_have_url(page.base + "/analytics/costs?range=7d")
    expect(ranges.get_by_role("link", name="7d")).to_have_attribute("aria-current", "page")
    expect(ranges.get_by_role("link", name="This month")).to_have_attribute("href", "/analytics/costs?range=month")

    this_month = datetime.now(ZoneInfo(TZ)).strftime("%B %Y")
    expect(page.get_by_role("heading", name=this_month)).to_be_visible()
    expect(page.get_by_role("button", name="Next month")).to_be_disabled()  # no month after this one
    open_page(page, "/analytics/costs?month=2099-01")
    expect(page.get_by_role("heading", name=this_month)).to_be_visible()
    page.get_by_role("button", name="Previous month").click()
    expect(page.get_by_role("button", name="Next month")).to_be_enabled()
    page.context.close()
    assert page_errors == []


# ---- providers ----

def test_the_providers_view_is_reached_from_the_sidebar_and_says_which_are_ready_and_why_not(
        browser, llms_server, page_errors, shot):
    page = open_tab(browser, llms_server.url + "/", page_errors)
    page.get_by_role("link", name="Providers").click()
    expect(page.get_by_role("heading", name="Providers", level=1)).to_be_visible()
    expect(page.get_by_text("5 of 6 providers are ready.")).to_be_visible()
    openai = page.get_by_role("region", name="openai", exact=True)
    expect(openai.get_by_text("ready", exact=True)).to_be_visible()
    row = openai.get_by_role("row", name="mock-model")
    expect(row.get_by_role("cell")).to_have_text(["mock-model", "$2.50", "$10.00", ""])  # the last: Check's
    nokey = page.get_by_role("region", name="nokey", exact=True)
    expect(nokey).to_contain_text("off:")
    expect(nokey).to_contain_text("MOCK_UNSET_KEY")  # the variable to set
    expect(page.get_by_role("region", name="selfhosted", exact=True).get_by_role("row", name="unpriced-model").get_by_role("cell")).to_have_text(
        ["mock-model", "—", "—", ""])
    shot(page, "providers")
    page.context.close()
    assert page_errors == []


def test_with_no_key_set_the_chat_says_no_provider_is_ready_and_the_providers_view_says_which_variable_to_set(
        browser, mock_config_path, page_errors, shot, tmp_path):
    server = ServerProcess(mock_config_path, env={})
    try:
        context = browser.new_context(viewport=PHONE, color_scheme="dark")
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(server.url + "/")
        alert = page.locator("#model-picker").get_by_role("alert")
        expect(alert).to_contain_text("No model is available")
        expect(alert).to_contain_text("MOCK_OPENAI_KEY")
        expect(page.get_by_role("heading", name="No provider is ready")).to_be_visible()  # not "Start a conversation"
        expect(page.get_by_role("heading", name="Start a conversation")).to_be_hidden()
        expect(page.locator("#empty-state").get_by_role("button", name="Load demo data")).to_be_visible()
        assert sideways_overflow(page) == 0
        shot(page, "first-run")
        alert.get_by_role("link", name="See the providers").click()
        expect(page.get_by_role("alert")).to_contain_text("No provider is ready")
        expect(page.get_by_text("0 of 6 providers are ready.")).to_be_visible()
        expect(page.get_by_role("region", name="anthropic", exact=True)).to_contain_text("MOCK_ANTHROPIC_KEY")
        assert sideways_overflow(page) == 0
        shot(page, "providers-none")
        context.close()
    finally:
        server.stop()
    assert page_errors == []
