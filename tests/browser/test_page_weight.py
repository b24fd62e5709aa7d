"""The chat page's first load (issue 16: under 90 KB gzipped) fetches only what its first paint needs: the Markdown
renderer (marked, DOMPurify) comes with the first answer on its way or on screen, highlight.js with the first code,
the budget rules only with a budget in llms.json. bench/page_weight.py prints the same figure with each response.
"""

from __future__ import annotations

import gzip
import json

import pytest
from playwright.sync_api import expect

from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.mock_provider import Reply
from tests.server_process import ServerProcess

FIRST_LOAD_LIMIT_BYTES = 90_000
RENDERER = ("/static/vendor/marked-", "/static/vendor/dompurify-")
NOT_AT_FIRST = RENDERER + ("/static/vendor/highlight.js-", "/static/js/rules/budget.js", "/static/js/rules/period.js", "/static/js/rules/aggregate.js",
                           "/static/css/analytics.css", "/static/css/budgets.css")


@pytest.fixture
def bold_answer(mock_provider):
    """mock-model answers with Markdown during the test, and is put back afterwards."""
    before = dict(mock_provider.models)
    mock_provider.set_model("mock-model", Reply(text="A **bold** word.\n\n## A heading\n"))
    yield
    mock_provider.models.clear()
    mock_provider.models.update(before)


def watch(page) -> list:
    """The responses `page` gets from now on, as they finish."""
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    return finished


def paths(requests, server) -> list[str]:
    return [request.url.replace(server.url, "") for request in requests]


def first_load_gzipped(finished) -> int:
    return sum(len(gzip.compress(request.response().body(), 6)) for request in finished if request.response().status == 200)


def test_first_load_fetches_neither_the_renderer_nor_the_budget_rules_and_weighs_under_90_kb(page, llms_server, page_errors):
    finished = watch(page)
    page.goto(llms_server.url + "/", wait_until="networkidle")
    expect(page.get_by_role("combobox", name="Model")).to_have_value("openai/gpt-4o-mini")
    expect(page.get_by_text("No chats yet.")).to_be_visible()
    fetched = paths(finished, llms_server)
    assert [path for path in fetched if path.startswith(NOT_AT_FIRST)] == []
    gzipped = first_load_gzipped(finished)
    assert gzipped < FIRST_LOAD_LIMIT_BYTES, f"{gzipped:,} bytes gzipped over {len(finished)} responses"
    assert page_errors == []


def test_with_a_budget_and_no_ledger_the_banner_s_rules_load_after_first_paint_and_the_page_stays_under_90_kb(
        context, tmp_path, mock_provider, page_errors):
    """The heaviest first load: the banner sums this browser's month itself (no ledger to ask), so its rules come too."""
    config = mock_config(mock_provider) | {"budget": {"monthly_usd": 5}}
    config.pop("ledger", None)
    (tmp_path / "llms.json").write_text(json.dumps(config))
    server = ServerProcess(tmp_path / "llms.json", env=MOCK_KEY_ENV)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        finished = watch(page)
        with page.expect_response(lambda response: response.url.endswith("/static/js/rules/budget.js")):
            page.goto(server.url + "/")
        expect(page.get_by_text("No chats yet.")).to_be_visible()
        page.wait_for_load_state("networkidle")
        fetched = paths(finished, server)
        assert "/static/js/rules/budget.js" in fetched  # the banner's rules did come
        assert [path for path in fetched if path.startswith(RENDERER + ("/static/js/chat/estimate_view.js",))] == []
        gzipped = first_load_gzipped(finished)
        assert gzipped < FIRST_LOAD_LIMIT_BYTES, f"{gzipped:,} bytes gzipped over {len(finished)} responses"
        assert page_errors == []
    finally:
        server.stop()


def test_the_estimate_comes_with_the_first_draft(page, llms_server, page_errors):
    finished = watch(page)
    page.goto(llms_server.url + "/", wait_until="networkidle")
    assert "/static/js/chat/estimate_view.js" not in paths(finished, llms_server)
    page.get_by_role("textbox", name="Message").fill("How much will this cost?")
    expect(page.get_by_role("group", name="Estimate of the next message")).to_contain_text("Next message: ~")
    assert "/static/js/chat/estimate_view.js" in paths(finished, llms_server)
    assert page_errors == []


def test_the_renderer_comes_with_the_first_answer_and_with_a_thread_that_has_answers(page, llms_server, bold_answer, page_errors):
    finished = watch(page)
    page.goto(llms_server.url + "/", wait_until="networkidle")
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    assert [path for path in paths(finished, llms_server) if path.startswith(RENDERER)] == []
    box = page.get_by_role("textbox", name="Message")
    box.fill("Say something bold")
    box.press("Enter")
    answer = page.get_by_role("article", name="Assistant")
    expect(answer.locator("strong")).to_have_text("bold")
    expect(answer.get_by_role("heading", name="A heading")).to_be_visible()
    expect(answer.locator("dl.metrics")).to_be_visible()
    assert len([path for path in paths(finished, llms_server) if path.startswith(RENDERER)]) == 2

    finished.clear()
    page.reload(wait_until="networkidle")
    expect(answer.locator("strong")).to_have_text("bold")
    expect(answer.get_by_role("heading", name="A heading")).to_be_visible()
    assert len([path for path in paths(finished, llms_server) if path.startswith(RENDERER)]) == 2
    assert page_errors == []
