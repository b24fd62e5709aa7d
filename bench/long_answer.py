"""Issue 15 item 17: how long the page's main thread is blocked while a long answer streams.

Starts the mock provider and the real server, opens the chat in Chromium, streams a Markdown answer of SIZE
characters (the browser test's long_answer: headings, lists, code, tables) and prints the long tasks (> 50 ms,
PerformanceObserver "longtask") seen from Enter to the answer's end: how many, how many over 100 ms, the longest,
their total, and the wall time. A figure, not a test: it depends on the machine and its load, so a before → after
is measured in one run: --baseline DIR serves a checkout of the earlier commit (its server and its UI) beside this
one, and each size streams into both in turn (`git archive <commit> | tar -x -C DIR` makes one).

    python bench/long_answer.py [--baseline DIR] [--chunk-delay-ms MS] [SIZE ...]        # default 500000

--chunk-delay-ms paces the stream (the mock waits that long before each chunk, a word): the issue's slow case, 120 KB
over ~49 s, is `--chunk-delay-ms 2 120000`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM  # noqa: E402
from tests.browser.test_hardening import long_answer  # noqa: E402
from tests.conftest import MOCK_KEY_ENV, mock_config  # noqa: E402
from tests import server_process  # noqa: E402
from tests.mock_provider import MockProvider, Reply  # noqa: E402

OBSERVE = """window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
  .observe({ type: "longtask", buffered: true });"""
# The answer's own body: a finished reasoning disclosure holds a .markdown of its own, first in the article.
DONE = """() => document.querySelector("article.assistant:not([aria-busy]) > .markdown")?.lastElementChild?.textContent
  === "The end." """


def measure(page, url: str, size: int) -> dict:
    page.goto(url)
    page.get_by_role("combobox", name="Model").select_option("openai/mock-model")
    box = page.get_by_role("textbox", name="Message")
    box.fill("write at length")
    started = page.evaluate("performance.now()")
    wall = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(DONE, polling=1000, timeout=300_000)
    wall = time.perf_counter() - wall
    tasks = [d for start, d in page.evaluate("window.__longTasks") if start >= started]
    return {"size": size, "wall_s": round(wall, 1), "long_tasks": len(tasks), "over_100ms": sum(d > 100 for d in tasks),
            "longest_ms": round(max(tasks, default=0)), "blocked_s": round(sum(tasks) / 1000, 1)}


def serve(config_path: Path, root: Path) -> server_process.ServerProcess:
    """The real server run from the checkout at `root`: its Python and the UI it serves (ServerProcess runs ROOT's)."""
    this_checkout, server_process.ROOT = server_process.ROOT, root
    try:
        return server_process.ServerProcess(config_path, env=MOCK_KEY_ENV)
    finally:
        server_process.ROOT = this_checkout


def main(sizes: list[int], baseline: Path | None, chunk_delay_ms: float) -> None:
    mock = MockProvider.start_in_thread()
    folder = Path(tempfile.mkdtemp(prefix="llms-long-answer-"))
    (folder / "llms.json").write_text(json.dumps(mock_config(mock, read_timeout_s=60)))
    roots = {"baseline": baseline} if baseline else {}
    roots["this"] = server_process.ROOT
    servers = {}
    try:
        for name, root in roots.items():
            servers[name] = serve(folder / "llms.json", root)
        with sync_playwright() as playwright:
            options = {"headless": True, "args": CHROMIUM_ARGS}
            if SYSTEM_CHROMIUM.exists():
                options["executable_path"] = str(SYSTEM_CHROMIUM)
            browser = playwright.chromium.launch(**options)
            for size in sizes:
                mock.set_model("mock-model", Reply(text=long_answer(size), chunk_delay_s=chunk_delay_ms / 1000))
                for name, server in servers.items():
                    context = browser.new_context(viewport={"width": 1280, "height": 860})
                    context.add_init_script(OBSERVE)
                    print(json.dumps({"checkout": name} | measure(context.new_page(), server.url + "/", size)), flush=True)
                    context.close()
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
        mock.stop()
    print(json.dumps({"load_average": [round(x, 1) for x in os.getloadavg()], "cpus": os.cpu_count()}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0, help="a pause before each chunk (default none)")
    parser.add_argument("sizes", type=int, nargs="*", default=[500_000])
    arguments = parser.parse_args()
    main(arguments.sizes, arguments.baseline, arguments.chunk_delay_ms)
