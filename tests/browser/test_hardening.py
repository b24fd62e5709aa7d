"""Hostile input and faults the browser app survives (issue 15): what a person sees in Chromium against the real
server and the mock provider. Items: 3 (DOM clobbering from model output), 7 (a ledger line the server serves but
the browser cannot store), 15 (X-LLMS-Client spoof), 16 (token out of the address bar), 17 (a 500 KB answer streams
block by block and renders whole), 19 (a malformed #thread= hash).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.ledger_file import written_lines
from tests.mock_provider import Reply
from tests.server_process import ServerProcess

ANSWER_TIMEOUT_MS = 15_000
TOKEN = "t0ken-for-the-browser"


@pytest.fixture
def script(mock_provider):
    """script(reply): what mock-model answers during this test."""
    before = dict(mock_provider.models)
    yield lambda reply: mock_provider.set_model("mock-model", reply)
    mock_provider.models.clear()
    mock_provider.models.update(before)


def open_chat(page, url: str):
    page.goto(url)
    expect(page.get_by_role("combobox", name="Model")).to_be_visible()
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    return page


def answers(page):
    return page.get_by_role("article", name="Assistant")


def send_with_enter(page, text: str, index: int, timeout_ms: int = ANSWER_TIMEOUT_MS):
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    answer = answers(page).nth(index)
    expect(answer.locator("dl.metrics")).to_be_visible(timeout=timeout_ms)
    return answer


# ---- 3: DOM clobbering ----

HOSTILE = ('Here: <span id="composer">span</span> <form name="composer"><input name="message"></form> '
           '<img name="getElementById" src="data:image/png;base64,AA=="> '
           '<dialog id="confirm-dialog" open>Fake dialog: click Delete</dialog> '
           '<p id="confirm-text">fake text</p> <span id="thread-list">fake list</span>')


def test_an_answer_with_ids_names_and_a_dialog_cannot_shadow_the_page(page, llms_server, script, page_errors):
    script(Reply(text=HOSTILE))
    open_chat(page, llms_server.url + "/")
    first = send_with_enter(page, "be hostile", 0)
    expect(first).to_contain_text("Here: span")
    expect(page.get_by_role("dialog")).to_have_count(0)  # no dialog is painted; its text is plain text
    assert first.locator("[id], [name], dialog").count() == 0
    script(Reply(text="Second answer."))
    expect(send_with_enter(page, "still works?", 1)).to_contain_text("Second answer.")

    # The thread re-opened (reload on its #thread= address) renders the stored answer the same way.
    page.reload()
    expect(answers(page).first).to_contain_text("Here: span")
    expect(page.get_by_role("dialog")).to_have_count(0)  # no dialog is painted; its text is plain text
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    expect(send_with_enter(page, "and after a reload?", 2)).to_contain_text("Second answer.")

    item = page.locator(".thread-item", has_text="be hostile")
    item.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete “be hostile”? Its messages are removed")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator(".thread-item")).to_have_count(0)
    expect(page.locator("#threads-empty")).to_be_visible()
    assert page_errors == []


# ---- 19: a malformed #thread= hash ----

def test_a_malformed_thread_hash_is_ignored_and_the_thread_list_loads(page, llms_server, script, page_errors):
    script(Reply(text="Kept answer."))
    open_chat(page, llms_server.url + "/")
    send_with_enter(page, "a thread to list", 0)
    page.goto(llms_server.url + "/#thread=%E0%A4%A")
    page.reload()
    expect(page.locator(".thread-item", has_text="a thread to list")).to_be_visible()
    expect(page.get_by_role("heading", name="New chat")).to_be_visible()
    expect(page.locator("#notice")).to_have_text("")
    assert page_errors == []


# ---- 16: the token leaves the address bar ----

@pytest.fixture(scope="module")
def guarded(mock_config_path):
    server = ServerProcess(mock_config_path, "--token", TOKEN, env=MOCK_KEY_ENV)
    yield server
    server.stop()


def test_the_token_is_taken_out_of_the_address_and_requests_stay_authorised(page, guarded, script, page_errors):
    script(Reply(text="Authorised answer."))
    open_chat(page, guarded.url + f"/?token={TOKEN}")
    expect(page).to_have_url(guarded.url + "/")
    assert "token" not in page.evaluate("location.href + JSON.stringify(history.state)")
    expect(send_with_enter(page, "with the token", 0)).to_contain_text("Authorised answer.")
    page.reload()
    expect(page.get_by_role("combobox", name="Model")).to_be_visible()
    expect(page.locator(".thread-item", has_text="with the token")).to_be_visible()
    assert page_errors == []


# ---- 17: a 500 KB answer streams block by block (chat/blocks.js) and renders whole ----

def long_answer(size: int) -> str:
    """Markdown as models write it (headings, paragraphs, lists, code, tables), repeated to `size` characters."""
    section = ("## Part {n}\n\nThis part explains step {n} in plain words, with `inline code` and a "
               "[link](https://example.com/{n}). It goes on for a while so the paragraph wraps over lines.\n\n"
               "- first point of {n}\n- second point of {n}\n\n```python\ndef step_{n}(x):\n    total = x * {n}\n\n"
               "    return total + 1\n```\n\n| step | value |\n|------|-------|\n| {n} | {n}0 |\n\n")
    parts, n = [], 0
    while sum(map(len, parts)) < size:
        n += 1
        parts.append(section.format(n=n))
    return "".join(parts) + "The end."


@pytest.fixture(scope="module")
def patient(tmp_path_factory, mock_provider):
    """The real server with a read timeout that a busy machine cannot reach while the mock writes 500 KB."""
    path = tmp_path_factory.mktemp("patient") / "llms.json"
    path.write_text(json.dumps(mock_config(mock_provider, read_timeout_s=30)))
    process = ServerProcess(path, env=MOCK_KEY_ENV)
    yield process
    process.stop()


def test_a_500_kb_answer_streams_block_by_block_and_renders_whole(page, patient, script, page_errors):
    # How long the main thread is blocked meanwhile is a figure for a benchmark on a quiet machine, not an assertion.
    text = long_answer(500_000)
    parts = text.count("## Part ")
    script(Reply(text=text))
    open_chat(page, patient.url + "/")
    box = page.get_by_role("textbox", name="Message")
    box.fill("write at length")
    box.press("Enter")
    # Waiting with a cheap check once a second: Playwright's own locator polling walks the whole page (roles and
    # names of every element) in one task, a long task of its own once the answer is large.
    page.wait_for_function("""() => document.querySelector("article.assistant:not([aria-busy]) > .markdown")
      ?.lastElementChild?.textContent === "The end." """, polling=1000, timeout=120_000)
    answer = page.get_by_role("article", name="Assistant").first
    expect(answer.locator("dl.metrics")).to_be_visible()
    expect(answer.locator("h2")).to_have_count(parts)
    expect(answer.locator("pre code.hljs")).to_have_count(parts)
    expect(answer.locator("table")).to_have_count(parts)
    answer.get_by_role("heading", name=f"Part {parts}", exact=True).scroll_into_view_if_needed()
    expect(answer.get_by_role("heading", name=f"Part {parts}", exact=True)).to_be_visible()
    assert page_errors == []


# ---- 7 and 15: Include API traffic ----

@pytest.fixture(scope="module")
def ledgered(tmp_path_factory, mock_provider):
    folder = tmp_path_factory.mktemp("hardening-ledger")
    (folder / "llms.json").write_text(json.dumps(mock_config(mock_provider) | {"ledger": {"enabled": True, "path": "usage.jsonl"}}))
    process = ServerProcess(folder / "llms.json", env=MOCK_KEY_ENV)
    process.ledger = folder / "usage.jsonl"
    yield process
    process.stop()


def ledger_lines(server) -> list[dict]:
    return written_lines(server.ledger)


def post_chat(server, content: str, headers: dict | None = None) -> dict:
    """A chat request as a script sends it; returns its ledger line once the server wrote it."""
    count = len(ledger_lines(server))
    body = json.dumps({"model": "mock-model", "messages": [{"role": "user", "content": content}]}).encode()
    request = urllib.request.Request(server.url + "/v1/chat/completions", data=body,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10):
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = ledger_lines(server)
        if len(lines) > count:
            return lines[-1]
        time.sleep(0.05)
    raise AssertionError(f"{server.ledger} got no line for {content!r}")


def activity_total(page) -> str:
    expect(page.locator("#result-count")).not_to_have_text(re.compile("^(Loading|Searching)…$"))
    return page.locator("#result-count").inner_text()


def include_api_traffic(page, server):
    page.goto(server.url + "/analytics/activity")
    page.wait_for_selector("body[data-ready]")
    page.get_by_role("switch", name="Include API traffic").check()
    return page.locator("#api-traffic-status")


def test_a_script_claiming_to_be_the_app_still_counts_and_the_apps_own_request_counts_once(page, ledgered, script, page_errors):
    script(Reply(text="Counted once."))
    open_chat(page, ledgered.url + "/")
    send_with_enter(page, "from the app", 0)
    spoofed = post_chat(ledgered, "from a script", {"X-LLMS-Client": "app"})
    assert spoofed["client"] == "app"
    status = include_api_traffic(page, ledgered)
    expect(status).to_have_text("API traffic: 1 new requests from the server's ledger.")
    assert activity_total(page) == "2 requests"
    page.reload()
    page.wait_for_selector("body[data-ready]")
    assert activity_total(page) == "2 requests"
    assert page_errors == []


def test_a_line_the_server_serves_but_the_browser_cannot_key_is_skipped_by_name_and_the_position_moves_on(page, ledgered, page_errors):
    template = post_chat(ledgered, "template")
    # Valid for the server (a real time with its offset, year 1970), but before 1970-01-01T00:00Z, the earliest
    # time the browser's store can key: storing it threw, and every pull after stopped there.
    early = "early-" + "1" * 26
    with ledgered.ledger.open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(template | {"request_id": early, "timestamp": "1970-01-01T00:30:00.000+01:00"}) + "\n")
    after = post_chat(ledgered, "after the bad lines")
    page_json = json.load(urllib.request.urlopen(ledgered.url + "/api/ledger?limit=5000", timeout=10))
    served = {line["request_id"] for line in page_json["records"]}
    assert {early, after["request_id"]} <= served, "the server serves the line"
    storable = [rid for rid in served if rid != early]

    status = include_api_traffic(page, ledgered)
    expect(status).to_contain_text(f"API traffic: {len(storable)} new requests from the server's ledger.")
    text = status.inner_text()
    assert f"request {early} (timestamp: 1970-01-01T00:30:00.000+01:00 is outside the times this browser stores, 1970-01-01T00:00:00.000Z to 2286-11-20T17:46:39.999Z)" in text, text
    assert activity_total(page) == f"{len(storable)} requests"

    post_chat(ledgered, "later")
    page.reload()
    page.wait_for_selector("body[data-ready]")
    expect(status).to_contain_text("API traffic: 1 new requests from the server's ledger.")
    assert "cannot store" not in status.inner_text(), "the skipped lines are behind the position, never read again"
    assert activity_total(page) == f"{len(storable) + 1} requests"
    assert page_errors == []
