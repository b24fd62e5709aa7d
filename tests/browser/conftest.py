"""Chromium for the browser tests: Debian's /usr/bin/chromium when present, else Playwright's own.

Each test gets a fresh browser context, i.e. a new profile with an empty IndexedDB. The server and the
mock provider come from tests/conftest.py (`llms_server`, `mock_provider`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


# Module scope: sync Playwright keeps an event loop running in this thread while it is open, which
# async tests (pytest-asyncio) of later modules cannot share; it is closed at the end of each module.
@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        options = {"headless": True, "args": CHROMIUM_ARGS}
        if SYSTEM_CHROMIUM.exists():
            options["executable_path"] = str(SYSTEM_CHROMIUM)
        browser = playwright.chromium.launch(**options)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    yield context
    context.close()


@pytest.fixture
def page_errors():
    """Uncaught exceptions of every page the test opened; a test that expects none asserts it is empty."""
    return []


@pytest.fixture
def page(context, page_errors):
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page


@pytest.fixture
def shot(request):
    """shot(page, name): a PNG in test-artifacts/browser/ to look at after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
