"""Import and clear reach every open view: the chat list of this page at once (no reload), other tabs through the
store's BroadcastChannel (another chat page, an analytics page)."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.test_analytics import IMPORT_TIMEOUT_MS, MARCH, TZ, import_bytes, requests_file
from tests.browser.test_everyday import PHONE, sideways_overflow

THREADS = {"exportedAt": "2026-03-10T10:00:00.000Z", "version": "1.0", "source": "llmspy", "threadCount": 2, "threads": [
    {"id": n, "title": title, "model": "kimi-k2", "systemPrompt": "", "createdAt": 1741600000000 + n,
     "updatedAt": 1741600100000 + n, "messages": [{"role": "user", "content": f"About {title}?"},
                                                  {"role": "assistant", "content": f"All about {title}."}]}
    for n, title in ((1, "Monads"), (2, "Functors"))]}


def new_tab(context, url: str, page_errors):
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.base = url.split("/", 3)[0] + "//" + url.split("/", 3)[2]
    page.goto(url)
    return page


def chat_list(page):
    return page.get_by_role("navigation", name="Chats").get_by_role("link")


def test_an_import_shows_in_this_pages_chat_list_and_in_other_tabs_and_a_clear_empties_them_all(
        browser, llms_server, page_errors, shot):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=TZ)
    here = new_tab(context, llms_server.url + "/", page_errors)
    other = new_tab(context, llms_server.url + "/", page_errors)
    activity = new_tab(context, llms_server.url + "/analytics/activity", page_errors)
    for page in (here, other):
        expect(page.get_by_text("No chats yet.")).to_be_visible()

    assert import_bytes(here, json.dumps(THREADS).encode()) == "Imported 2 of 2 chats from llms.py."
    expect(here.get_by_text("No chats yet.")).to_be_hidden()
    expect(chat_list(here)).to_have_count(2)  # without a reload
    expect(chat_list(other)).to_have_count(2)
    other.get_by_role("link", name="Monads").click()
    expect(other.get_by_role("article", name="Assistant")).to_contain_text("All about Monads.")

    assert import_bytes(here, requests_file(MARCH)) == f"Imported {len(MARCH)} of {len(MARCH)} requests."
    expect(activity.locator("#rows tr")).to_have_count(len(MARCH), timeout=IMPORT_TIMEOUT_MS)
    shot(here, "imported")

    here.get_by_role("button", name="Clear All Data").click()
    here.get_by_role("dialog").get_by_role("button", name="Clear All Data").click()
    expect(here.get_by_text("No chats yet.")).to_be_visible()
    expect(other.get_by_text("No chats yet.")).to_be_visible()
    expect(other.get_by_role("heading", name="New chat", level=1)).to_be_visible()  # the open thread is gone too
    expect(other.get_by_role("article", name="Assistant")).to_have_count(0)
    expect(activity.get_by_role("heading", name="No requests yet")).to_be_visible()
    context.close()
    assert page_errors == []


def test_on_a_phone_an_import_fills_the_drawers_chat_list_at_once(browser, llms_server, page_errors):
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    page = new_tab(context, llms_server.url + "/", page_errors)
    expect(page.get_by_role("combobox", name="Model")).to_be_visible()
    page.get_by_role("button", name="Chats").click()
    assert import_bytes(page, json.dumps(THREADS).encode()) == "Imported 2 of 2 chats from llms.py."
    expect(chat_list(page)).to_have_count(2)
    assert sideways_overflow(page) == 0
    context.close()
    assert page_errors == []
