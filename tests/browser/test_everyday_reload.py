"""Nothing a person paid for is lost on reload: a request in flight when its page goes away is recorded as aborted on
the next load, with what was known (model, provider, prompt and answer so far, estimated), in the thread and in Costs."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_chat import ANSWER_TIMEOUT_MS, answers, script, send  # noqa: F401 (script: a fixture)
from tests.browser.test_everyday import PHONE, long_answer, open_tab, sideways_overflow
from tests.mock_provider import Reply

# The pending entries in the page's store (store.js putPending), read as another script on the page would.
PENDING = """async () => {
  const asked = (request) => new Promise((done, failed) => { request.onsuccess = () => done(request.result); request.onerror = () => failed(request.error); });
  const db = await asked(indexedDB.open("llms"));
  try {
    return await asked(db.transaction("data").objectStore("data").getAll(IDBKeyRange.bound("pending:", "pending;")));
  } finally {
    db.close();
  }
}"""
NOTED_ANSWER = f"async () => (await ({PENDING})()).map((pending) => pending.text).join('')"


def answered_in_full(answer, last_word: str) -> None:
    expect(answer).to_contain_text(last_word, timeout=ANSWER_TIMEOUT_MS)
    expect(answer).not_to_have_attribute("aria-busy", "true", timeout=ANSWER_TIMEOUT_MS)


def recorded_once_as_ok(page, server, prompt: str) -> None:
    """Activity, opened in `page`, holds one request for `prompt`, and it is ok."""
    page.goto(server.url + "/analytics/activity")
    row = page.get_by_role("row").filter(has_text=prompt)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ok")


def test_a_reload_mid_stream_records_the_request_as_aborted_in_the_thread_and_in_the_analytics(
        browser, llms_server, script, page_errors, shot):
    page, _ = long_answer(browser, llms_server, script, page_errors, "Tell me a long story about the sea", words=400,
                          until="word12", viewport=PHONE)
    page.wait_for_function(f"async () => (await ({NOTED_ANSWER})()).includes('word3')")  # the answer so far is noted
    page.reload()

    expect(page.get_by_role("status").filter(has_text="recorded as stopped")).to_have_text(
        "A request left unfinished when the page closed was recorded as stopped.")
    answer = answers(page).first
    expect(answer.get_by_text("Stopped.")).to_be_visible()
    expect(answer).to_contain_text("word3")
    assert page.evaluate(PENDING) == []  # settled, not left for the next load
    totals = page.get_by_label("Thread totals")
    expect(totals).to_contain_text("1 request")
    expect(totals).to_contain_text("~$")  # estimated: the prompt and the answer so far
    assert sideways_overflow(page) == 0
    shot(page, "after-reload")

    page.goto(llms_server.url + "/analytics/activity")
    row = page.get_by_role("row").filter(has_text="Tell me a long story about the sea")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("aborted")
    expect(row).to_contain_text("mock-model")
    expect(row).to_contain_text("openai")
    expect(row.get_by_role("cell").nth(6)).to_have_text(re.compile(r"^~\$"))
    page.reload()  # settled once: a second load records nothing more
    expect(page.get_by_role("row").filter(has_text="Tell me a long story about the sea")).to_have_count(1)

    page.goto(llms_server.url + "/analytics/costs")  # and Costs counts it: a request and its estimated cost
    kpis = page.locator("#kpis")
    expect(kpis.locator(".kpi", has_text="Requests").locator("dd").first).to_have_text("1")
    expect(kpis.locator(".kpi", has_text="Total cost").locator("dd").first).to_have_text(re.compile(r"^~\$0\.0*[1-9]"))
    page.context.close()
    assert page_errors == []


def test_a_request_is_in_the_store_as_pending_while_it_streams_and_only_its_record_stays_once_it_ends(
        browser, llms_server, script, page_errors):
    page, answer = long_answer(browser, llms_server, script, page_errors, "Pending while it streams", words=300,
                               until="word5", chunk_delay_s=0.02)
    [pending] = page.evaluate(PENDING)
    assert {k: pending[k] for k in ("status", "model", "provider", "prompt")} == {
        "status": "pending", "model": "mock-model", "provider": "openai", "prompt": "Pending while it streams"}
    page.wait_for_function(f"async () => (await ({PENDING})())[0]?.text.includes('word20')")  # the answer so far, again
    answered_in_full(answer, "word299")
    page.wait_for_function(f"async () => (await ({PENDING})()).length === 0")
    recorded_once_as_ok(page, llms_server, "Pending while it streams")
    page.context.close()
    assert page_errors == []


def test_a_request_still_streaming_in_another_tab_is_not_recorded_as_aborted_by_a_new_tab(
        browser, llms_server, script, page_errors):
    first, answer = long_answer(browser, llms_server, script, page_errors, "A long one in the first tab", words=80,
                                until="word3")
    second = first.context.new_page()
    second.goto(llms_server.url + "/")
    expect(second.get_by_role("combobox", name="Model")).to_be_visible()
    answered_in_full(answer, "word79")
    expect(answer.get_by_text("Stopped.")).to_have_count(0)
    recorded_once_as_ok(second, llms_server, "A long one in the first tab")
    first.context.close()
    assert page_errors == []


def out_tokens(totals) -> int:
    return int(re.search(r"/ ([\d,]+) out", totals.inner_text()).group(1).replace(",", ""))


def test_the_thread_totals_in_the_footer_and_the_chat_list_move_while_the_answer_streams(
        browser, llms_server, script, page_errors, shot):
    page, answer = long_answer(browser, llms_server, script, page_errors, "Count slowly", words=300, until="word10",
                               chunk_delay_s=0.04)
    footer = page.get_by_label("Thread totals")
    item = page.get_by_role("navigation", name="Chats").get_by_role("listitem").filter(has_text="Count slowly")
    expect(footer).to_contain_text("1 request")
    expect(footer).to_contain_text("~$")  # estimated until the usage arrives
    expect(item).to_contain_text("1 request")
    early = out_tokens(footer)
    assert early > 0
    expect(answer).to_contain_text("word60", timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Stop")).to_be_visible()  # still streaming
    page.wait_for_function("n => Number(/\\/ ([\\d,]+) out/.exec(document.getElementById('thread-totals').innerText)[1].replace(/,/g, '')) > n", arg=early)
    assert out_tokens(item.get_by_label("Totals", exact=True)) > early  # the chat list's item moved too
    shot(page, "streaming-totals")
    page.keyboard.press("Escape")
    expect(answer.get_by_text("Stopped.")).to_be_visible()
    page.context.close()
    assert page_errors == []


def test_a_tab_closed_mid_stream_is_recorded_as_aborted_by_a_tab_that_stays_open(browser, llms_server, script, page_errors):
    closing, _ = long_answer(browser, llms_server, script, page_errors, "A long one in the tab that closes", words=400,
                             until="word5")
    closing.wait_for_function(f"async () => (await ({NOTED_ANSWER})()).includes('word3')")
    staying = closing.context.new_page()
    staying.on("pageerror", lambda error: page_errors.append(str(error)))
    staying.goto(llms_server.url + "/")
    expect(staying.get_by_role("combobox", name="Model")).to_be_visible()
    expect(staying.get_by_role("status").filter(has_text="recorded as stopped")).to_have_count(0)  # still streaming there
    closing.close()
    expect(staying.get_by_role("status").filter(has_text="recorded as stopped")).to_have_text(
        "A request left unfinished when the page closed was recorded as stopped.")
    item = staying.get_by_role("navigation", name="Chats").get_by_role("listitem").filter(has_text="the tab that closes")
    expect(item).to_contain_text("1 request")
    item.get_by_role("link").click()
    expect(answers(staying).first.get_by_text("Stopped.")).to_be_visible()
    staying.context.close()
    assert page_errors == []


def test_a_full_local_storage_never_stops_an_answer(browser, llms_server, script, page_errors):
    script(Reply(text=" ".join(f"word{i}" for i in range(800)), chunk_delay_s=0.001))
    page = open_tab(browser, llms_server.url + "/", page_errors)
    # All but the last kilobyte of the origin's localStorage: the note of a long answer cannot fit. The first filler
    # leaves less than its step free, so the second starts there (from 6 MB in steps of 500 it tried ~12,000 strings
    # of megabytes, past the test's timeout on a loaded machine).
    page.evaluate("""() => {
      for (const [name, from, step] of [["filler", 6_000_000, 50_000], ["filler2", 50_000, 500]]) {
        for (let n = from; n > 0; n -= step) {
          try { localStorage.setItem(name, "x".repeat(n)); break; } catch { /* too big: try a little less */ }
        }
      }
    }""")
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    send(page, "A long answer into a full storage")
    answer = answers(page).first
    expect(answer).to_contain_text("word799", timeout=ANSWER_TIMEOUT_MS)
    expect(answer).not_to_have_attribute("aria-busy", "true", timeout=ANSWER_TIMEOUT_MS)
    expect(answer.get_by_role("alert")).to_have_count(0)  # no "stream interrupted"
    expect(page.get_by_label("Thread totals")).to_contain_text("1 request")
    page.context.close()
    assert page_errors == []
