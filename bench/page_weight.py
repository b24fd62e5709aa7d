"""Page weight: the bytes of everything Chromium fetches on a first load of the app's page.

    python bench/page_weight.py [--with-llmspy] [--list]

Headless Chromium (/usr/bin/chromium when present, else Playwright's) opens `/` of each server in a
fresh profile and waits until the network is idle for 500 ms plus a second for late requests.
Counted is every finished response: its body as the page got it ("raw", decoded), that body gzipped at
level 6 ("gzip", what a server that compresses would send) and the body bytes that crossed the wire ("sent",
Chromium's responseBodySize: compressed when the server compressed it); `--list` prints each one. A request to
any host but 127.0.0.1 is refused and listed, so the figures never depend on the network.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import Server, Upstream, add_contender_flags, chosen_contenders, machine_line  # noqa: E402

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SETTLE_MS = 1000


def first_load(browser, url: str) -> tuple[list[tuple[str, int, int, int, int]], list[str], list[str]]:
    """[(url, status, raw bytes, gzip bytes, sent bytes)] of every finished response, the requests still open at the
    end (an event stream, a long poll: not counted), and the off-loopback requests refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    refused: list[str] = []
    finished, started = [], []

    def route(request_route):
        if urlsplit(request_route.request.url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: started.append(request))
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(SETTLE_MS)
    rows = []
    for request in finished:
        response = request.response()
        body = response.body() if response is not None and not 300 <= response.status < 400 else b""
        rows.append((request.url, response.status if response else 0, len(body),
                     len(gzip.compress(body, 6)) if body else 0, request.sizes()["responseBodySize"]))
    still_open = [request.url for request in started
                  if request not in finished and request.url not in refused and request.failure is None]
    context.close()
    return rows, still_open, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every response")
    add_contender_flags(parser)
    args = parser.parse_args()
    if args.with_litellm:
        print("LiteLLM serves no chat page of its own: skipped")
        args.with_litellm = False
    contenders = chosen_contenders(args)
    print(machine_line())
    print(f"{'server':<18}{'responses':>10}{'raw KiB':>10}{'gzip KiB':>10}{'sent KiB':>10}  refused off-loopback requests")
    with sync_playwright() as playwright, Upstream() as upstream:
        options = {"headless": True, "args": CHROMIUM_ARGS}
        if SYSTEM_CHROMIUM.exists():
            options["executable_path"] = str(SYSTEM_CHROMIUM)
        browser = playwright.chromium.launch(**options)
        try:
            for contender in contenders:
                with Server(contender, upstream.url) as server:
                    rows, still_open, refused = first_load(browser, server.url + "/")
                raw_kib = sum(row[2] for row in rows) / 1024
                gzip_kib = sum(row[3] for row in rows) / 1024
                sent_kib = sum(row[4] for row in rows) / 1024
                print(f"{contender.name:<18}{len(rows):>10}{raw_kib:>10.1f}{gzip_kib:>10.1f}{sent_kib:>10.1f}  "
                      f"{len(refused)}{': ' + ', '.join(refused) if refused else ''}")
                for url in still_open:
                    print(f"    still open at the end, not counted: {url.replace(server.url, '')}")
                if args.list:
                    for url, status, raw, gzipped, sent in sorted(rows, key=lambda row: -row[3]):
                        print(f"    {status} {raw:>9,} {gzipped:>8,} {sent:>8,}  {url.replace(server.url, '')}")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
