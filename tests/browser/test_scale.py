"""The store at scale, functionally: a JSON Lines export imports with its progress and count, and Activity sorted by a
number over every request (its ordered keys) lists them in the right order, both ways. No timings: bench/store_scale.py
measures those."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.test_analytics import IMPORT_TIMEOUT_MS, MARCH, TZ, import_bytes

# What the page's status said while importing, in order (the progress comes and goes within the import).
WATCH_STATUS_JS = """() => {
  window.__statuses = [];
  new MutationObserver(() => window.__statuses.push(document.getElementById("data-status").textContent))
    .observe(document.getElementById("data-status"), { childList: true, characterData: true, subtree: true });
}"""


def jsonl(records) -> bytes:
    header = {"source": "llms", "kind": "requests", "version": 1, "exported_at": "2026-05-01T10:00:00.000+02:00",
              "count": len(records)}
    return "".join(json.dumps(line) + "\n" for line in [header, *records]).encode()


def prompts(page) -> list[str]:
    return [t.strip() for t in page.locator("#rows tr td.prompt").all_inner_texts()]


def by(field, records, reverse):
    # sortValue's order: a missing number sorts as -1; ties by the request key (time, then id).
    value = {"cost": lambda r: r["cost_usd"] if r["cost_usd"] is not None else -1,
             "input": lambda r: r["usage"]["prompt_tokens"] if r["usage"] else -1,
             "response": lambda r: r["response_ms"]}[field]
    ordered = sorted(records, key=lambda r: (value(r), r["timestamp"]), reverse=reverse)
    return [r["prompt_preview"] for r in ordered]


def test_a_jsonl_import_shows_progress_and_count_and_activity_sorts_every_request_by_a_number(
        browser, llms_server, page_errors, shot):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=TZ)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.base = llms_server.url
    page.goto(llms_server.url + "/")
    page.evaluate(WATCH_STATUS_JS)
    assert import_bytes(page, jsonl(MARCH), name="export.jsonl") == f"Imported {len(MARCH)} of {len(MARCH)} requests."
    statuses = page.evaluate("() => window.__statuses")
    assert f"Importing… {len(MARCH)} of {len(MARCH)}" in statuses, statuses
    expect(page.locator("#data-progress")).to_be_hidden()
    assert import_bytes(page, jsonl(MARCH), name="export.jsonl") == \
        f"Imported 0 of {len(MARCH)} requests ({len(MARCH)} already here)."

    page.goto(llms_server.url + "/analytics/activity")
    expect(page.locator("#rows tr.request-row")).to_have_count(len(MARCH), timeout=IMPORT_TIMEOUT_MS)
    for label, field in (("Cost", "cost"), ("Input tokens", "input"), ("Response time", "response")):
        page.get_by_role("button", name=label).click()  # a number column sorts largest first
        expect(page.get_by_role("columnheader", name=label)).to_have_attribute("aria-sort", "descending")
        expect(page.locator("#rows tr td.prompt")).to_have_text(by(field, MARCH, True))
        page.get_by_role("button", name=label).click()
        expect(page.get_by_role("columnheader", name=label)).to_have_attribute("aria-sort", "ascending")
        expect(page.locator("#rows tr td.prompt")).to_have_text(by(field, MARCH, False))
    expect(page.locator("#result-count")).to_have_text(f"{len(MARCH)} requests")
    shot(page, "sorted_by_response_time")
    context.close()
    assert page_errors == []
