"""Two checkouts of llms side by side in one run: the browser store's fill and streamed import, records/s.

    git archive <commit> | tar -x -C /tmp/llms-before
    python bench/store_side_by_side.py /tmp/llms-before [--records 10000] [--rounds 2]

Serves the other checkout and this one, each from its own `llms --serve`, and in one headless Chromium alternates
them round by round (a fresh context each time): fills `--records` records through the page's own
`store.addRequests` (bench/store_scale.py's filler), then exports them as JSON Lines and imports that file into an
empty database through `transfer.importFile`. Prints the load average with each figure: compare within a round.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from store_scale import CHROMIUM, FILL_JS, IMPORT_JS, RARE_WORD, start_server

ROOT = Path(__file__).resolve().parent.parent


def run(browser, url: str, records: int) -> tuple[float, float]:
    """(fill records/s, JSON Lines import records/s) in a fresh context of `browser` against `url`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/analytics/costs")
    page.wait_for_selector("body[data-ready]")
    fill_ms = page.evaluate(FILL_JS, {"start": 0, "count": records, "days": 365, "batch": 5000, "rareWord": RARE_WORD})
    imported = page.evaluate(IMPORT_JS, ["jsonl"])
    context.close()
    return records / fill_ms * 1000, imported["records"] / imported["jsonl"]["ms"] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the other checkout (a git archive of a commit)")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    roots = {"before": args.before.resolve(), "this": ROOT}
    with tempfile.TemporaryDirectory(prefix="llms-side-") as folder, sync_playwright() as playwright:
        servers = {}
        for name, root in roots.items():
            (Path(folder) / name).mkdir()
            servers[name] = start_server(Path(folder) / name, root)
        options = {"headless": True, "args": ["--no-sandbox", "--disable-gpu"]}
        if CHROMIUM.exists():
            options["executable_path"] = str(CHROMIUM)
        browser = playwright.chromium.launch(**options)
        try:
            for round_no in range(args.rounds):
                for name in (["before", "this"] if round_no % 2 == 0 else ["this", "before"]):
                    fill, imported = run(browser, servers[name][1], args.records)
                    print(f"round {round_no} {name:6} load {os.getloadavg()[0]:4.1f}: fill {fill:7,.0f} records/s, "
                          f"import JSON Lines {imported:7,.0f} records/s", flush=True)
        finally:
            browser.close()
            for process, _ in servers.values():
                process.terminate()


if __name__ == "__main__":
    main()
