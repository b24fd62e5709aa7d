"""A long answer as a person sees it while it streams (issue 15, item 17): rendered whole and right across the parts
chat/answer_body.js keeps its finished blocks in, followed down while the person is at the bottom and left alone once
they scrolled up (chat/follow.js), and stopped mid-stream. How long the page is blocked is bench/long_answer.py's.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_hardening import long_answer, open_chat, script  # noqa: F401 (script is a fixture)
from tests.mock_provider import Reply

# ~16 sections of 5 blocks (heading, paragraph, list, code, table): 80 blocks, so three parts of 32, and ~900 words
# that the mock sends one at a time, slowly enough to act while the answer streams.
SLOW = Reply(text=long_answer(5_000), chunk_delay_s=0.01)
SLOW_PARTS = SLOW.text.count("## Part ")

HOSTILE_BLOCK = ('<img src="https://example.com/x.png" onerror="window.__pwned = 1" alt="tracker">\n'
                 '<script>window.__pwned = 2</script>\n\n[click](javascript:window.__pwned=3)\n\n')


def send(page, text: str):
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    return page.get_by_role("article", name="Assistant").last


def streaming(page, server, script, part: int):
    """The answer to SLOW, once its heading `Part {part}` is shown (the answer goes on streaming)."""
    script(SLOW)
    open_chat(page, server.url + "/")
    answer = send(page, "write at length")
    expect(answer.get_by_role("heading", name=f"Part {part}", exact=True)).to_have_count(1, timeout=30_000)
    return answer


NEAR_TOP_PX = 80  # chat/follow.js's NEAR_PX: less than that is still where the person took the view


def settled_scroll_top(page, wait_s: float = 10.0) -> float:
    """The conversation's scrollTop once the wheel's scroll has ended: the same across 300 ms (a bounded wait)."""
    return page.locator("#conversation").evaluate("""(c, waitMs) => new Promise((done) => {
      const end = performance.now() + waitMs;
      let last = c.scrollTop, since = performance.now();
      const look = () => {
        if (c.scrollTop !== last) { last = c.scrollTop; since = performance.now(); }
        if (performance.now() - since >= 300 || performance.now() > end) done(c.scrollTop);
        else requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    })""", wait_s * 1000)


def scroll_gap(page) -> float:
    """How far the conversation is from its bottom, in pixels."""
    return page.locator("#conversation").evaluate("(c) => c.scrollHeight - c.scrollTop - c.clientHeight")


def test_a_long_answer_renders_every_block_once_and_sanitized_across_its_parts(page, llms_server, script, page_errors):
    # Past the first part of 32 blocks: a fenced block with a blank line inside, a loose list, a quote, hostile HTML.
    later = ("```js\nlet a = 1;\n\nlet b = 2;\n```\n\n- one\n\n- two\n\n> quoted\n> still quoted\n\n" + HOSTILE_BLOCK
             + "The end.")
    text = long_answer(4_000).removesuffix("The end.") + later
    parts = text.count("## Part ")
    assert parts * 5 > 32
    script(Reply(text=text))
    open_chat(page, llms_server.url + "/")
    answer = send(page, "write at length")
    expect(answer.locator("dl.metrics")).to_be_visible(timeout=30_000)
    for n in (1, parts // 2, parts):
        expect(answer.get_by_role("heading", name=f"Part {n}", exact=True)).to_have_count(1)
    expect(answer.locator("h2")).to_have_count(parts)
    expect(answer.locator("table")).to_have_count(parts)
    expect(answer.locator("pre")).to_have_count(parts + 1)
    expect(answer.locator("pre code.hljs")).to_have_count(parts + 1)
    expect(answer.locator("pre", has_text="let a = 1;")).to_contain_text("let b = 2;")
    expect(answer.locator("ul", has_text="one")).to_have_count(1)
    expect(answer.locator("ul", has_text="one").locator("li")).to_have_count(2)
    expect(answer.locator("blockquote")).to_have_count(1)
    expect(answer.get_by_text("remote image not loaded: tracker")).to_be_visible()
    expect(answer.locator("script, img, a[href^='javascript']")).to_have_count(0)
    expect(answer.get_by_text("The end.", exact=True)).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    assert page_errors == []


def test_the_view_follows_a_streaming_answer_down_while_the_person_is_at_the_bottom(page, llms_server, script, page_errors):
    answer = streaming(page, llms_server, script, 6)
    assert scroll_gap(page) < 80
    expect(answer.get_by_role("heading", name="Part 11", exact=True)).to_have_count(1, timeout=30_000)
    assert scroll_gap(page) < 80
    expect(answer.locator("dl.metrics")).to_be_visible(timeout=30_000)
    expect(answer.get_by_role("heading", name=f"Part {SLOW_PARTS}", exact=True)).to_be_in_viewport()
    assert page_errors == []


def test_the_view_stays_where_the_person_scrolled_up_to_while_the_answer_streams_on(page, llms_server, script, page_errors):
    answer = streaming(page, llms_server, script, 5)
    page.locator("#conversation").hover()
    page.mouse.wheel(0, -100_000)
    expect(answer.get_by_role("heading", name="Part 1", exact=True)).to_be_in_viewport()
    # Where the wheel left the view. The top, or within a frame's growth of it: on a loaded machine the compositor
    # can start the wheel's scroll before the page hears of it, and a frame's follow-down in between moves the
    # scroll's end by that frame's growth. From then on the stream must not move it.
    settled = settled_scroll_top(page)
    assert settled < NEAR_TOP_PX
    expect(answer.locator("dl.metrics")).to_be_visible(timeout=30_000)
    expect(answer.get_by_role("heading", name="Part 1", exact=True)).to_be_in_viewport()
    expect(answer.get_by_role("heading", name=f"Part {SLOW_PARTS}", exact=True)).not_to_be_in_viewport()
    assert page.locator("#conversation").evaluate("(c) => c.scrollTop") == settled
    assert page_errors == []


def test_stop_mid_stream_keeps_what_was_rendered_and_renders_no_more(page, llms_server, script, page_errors):
    answer = streaming(page, llms_server, script, 3)
    page.get_by_role("button", name="Stop").click()
    expect(answer.get_by_text("Stopped.")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    shown = answer.locator("h2").count()
    assert 3 <= shown < SLOW_PARTS
    expect(answer.locator("dl.metrics")).to_be_visible()  # recorded: the stream is over, nothing more comes
    expect(answer.locator("h2")).to_have_count(shown)
    expect(answer.get_by_text("The end.", exact=True)).to_have_count(0)
    assert page_errors == []
