"""The chat page's first load (issue 16: under 90 KB gzipped) fetches only what its first paint needs: the Markdown
renderer (marked, DOMPurify) comes with the first answer on its way or on screen, highlight.js with the first code,
the budget rules only with a budget in llms.json. bench/page_weight.py prints the same figure with each response.
"""

from __future__ import annotations

import gzip

import pytest
from playwright.sync_api import expect

from tests.mock_provider import Reply

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


def test_first_load_fetches_neither_the_renderer_nor_the_budget_rules_and_weighs_under_90_kb(page, llms_server, page_errors):
    finished = watch(page)
    page.goto(llms_server.url + "/", wait_until="networkidle")
    expect(page.get_by_role("combobox", name="Model")).to_have_value("openai/gpt-4o-mini")
    expect(page.get_by_text("No chats yet.")).to_be_visible()
    fetched = paths(finished, llms_server)
    assert [path for path in fetched if path.startswith(NOT_AT_FIRST)] == []
    bodies = [request.response().body() for request in finished if request.response().status == 200]
    gzipped = sum(len(gzip.compress(body, 6)) for body in bodies)
    assert gzipped < FIRST_LOAD_LIMIT_BYTES, f"{gzipped:,} bytes gzipped over {len(bodies)} responses"
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
