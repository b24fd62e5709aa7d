"""The browser store at scale: 10k, 100k and 1M request records in IndexedDB, in Chromium.

    python bench/store_scale.py [--sizes 10000,100000,1000000] [--days 365] [--imports jsonl,json]

Starts `llms --serve`, opens the analytics pages in headless Chromium (Playwright) and fills the store through
the app's own `store.addRequests` (bulk transactions of 10k records that also write the day rollups and the
packed search chunks). At each size it measures, on a freshly opened page:

- month paint: "Previous month" on Costs, from the click's render start to the next painted frame (the page's
  own `analytics-render` performance measure), and the data part alone (the day rollups read and summed);
  also the page opened from navigation to ready, which adds loading the scripts;
- Activity first page: the first render of /analytics/activity (50 rows, newest first), and "Next";
- Activity sorted by each number column (a header click, largest first) over every record: its first page;
- full-text search: a word in ~0.1 % of the prompts, searched from Activity, until its rows are painted;
- import of our own export (JSON Lines and JSON) of every record into an empty database, streamed: records/s;
- the page's memory: its JS heap (CDP Performance.getMetrics);

and the same questions answered the way llms.py does: `getAll` of every raw record, then a month's daily
totals and a text search by filtering them in memory. Prints one table per size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
BATCH = 10_000
RARE_WORD = "zanzibar"
# Activity's number columns, each sorted (largest first) over every record from its column header.
SORTED = ["Cost", "Input tokens", "Output tokens", "Response time", "Speed"]

# Runs in the page: writes `count` records spread over `days` days ending now, in batches, through store.js.
FILL_JS = """
async ({ start, count, days, batch, rareWord }) => {
  const store = await import("/static/js/store/store.js");
  const models = [["gpt-4o", "openai", 2.5, 10], ["gpt-4o-mini", "openai", 0.15, 0.6], ["claude-sonnet-4-5", "anthropic", 3, 15],
    ["claude-haiku-4-5", "anthropic", 1, 5], ["gemini-2.5-flash", "google", 0.3, 2.5], ["llama-3.3-70b", "groq", 0.59, 0.79]];
  const words = "summarize explain refactor translate draft compare plan write fix outline review test design query parse".split(" ");
  const topics = "closures pagination invoices kubernetes recipes poetry migrations regex caching tokens budgets".split(" ");
  const end = Date.now();
  const span = days * 86_400_000;
  const total = start + count;
  let seed = 12345 + start;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  const iso = (d) => {
    const off = -d.getTimezoneOffset();
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${off >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  };
  const t0 = performance.now();
  for (let first = start; first < total; first += batch) {
    const items = [];
    for (let n = first; n < Math.min(total, first + batch); n += 1) {
      // Each call spreads its records over the whole span, a batch being one slice of it, oldest first.
      const epoch = Math.floor(end - span + ((n - start) / count) * span) - (start % 1000);
      const [model, provider, input, output] = models[Math.floor(rand() * models.length)];
      const prompt = 200 + Math.floor(rand() * 3000);
      const completion = 20 + Math.floor(rand() * 900);
      const status = rand() < 0.02 ? "error" : "ok";
      const text = `${words[Math.floor(rand() * words.length)]} the ${topics[Math.floor(rand() * topics.length)]} module #${n}`
        + (rand() < 0.001 ? ` near ${rareWord}` : "");
      items.push({ epoch_ms: epoch, record: {
        id: `bench-${n}`, timestamp: iso(new Date(epoch)), thread_id: null, model, provider, provider_model: model,
        prompt_preview: text,
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        cost_usd: (prompt * input + completion * output) / 1e6, cost_provenance: "computed", prices: { input, output },
        response_ms: 300 + rand() * 8000, ttft_ms: 200 + rand() * 500, tokens_per_s: 50 + rand() * 100,
        generation_tokens_per_s: null, server_duration_ms: null, server_ttft_ms: null,
        status, error: status === "error" ? { message: "rate limited", type: null, code: null, status: 429 } : null,
        finish_reason: status === "ok" ? "stop" : null,
      } });
    }
    items.sort((a, b) => a.epoch_ms - b.epoch_ms);
    await store.addRequests(items);
  }
  return performance.now() - t0;
}
"""

# Runs in the page: our own export of every record (JSON, and JSON Lines) imported into an empty second database
# through the app's streamed import (transfer.importFile), timed from the file to the last batch stored.
IMPORT_JS = """
async (layouts) => {
  const store = await import("/static/js/store/store.js");
  const transfer = await import("/static/js/store/transfer.js");
  const { requestsFileParts, requestsJsonlParts } = await import("/static/js/rules/files/export.js");
  const records = await transfer.allRecords();
  const out = {};
  for (const [layout, parts] of [["jsonl", requestsJsonlParts], ["json", requestsFileParts]]) {
    if (!layouts.includes(layout)) continue;
    const file = new File(parts(records), `export.${layout}`);
    store.openStore(`llms-import-bench-${layout}`);
    const t0 = performance.now();
    let progress = 0;
    const said = await transfer.importFile(file, () => { progress += 1; });
    out[layout] = { ms: performance.now() - t0, mb: file.size / 1024 / 1024, said, progress };
    await store.clearAll();
    store.openStore();
  }
  return { records: records.length, ...out };
}
"""

# Runs in the page: the month's data read alone (rollups → figures), as period_view.js does.
MONTH_DATA_JS = """
async (month) => {
  const [{ readRange }, { dayKey }, { monthDates, summarize }] = await Promise.all([
    import("/static/js/store/store.js"), import("/static/js/rules/keys.js"), import("/static/js/rules/period.js")]);
  const t0 = performance.now();
  const dates = monthDates(month);
  const rollups = await readRange([dayKey(dates[0]), dayKey(dates.at(-1))]);
  const figures = summarize(rollups);
  return { ms: performance.now() - t0, requests: figures.summary.requests };
}
"""

# Runs in the page: what llms.py does, every raw record in memory, then a month's days and a text search.
PLAIN_SCAN_JS = """
async ({ month, word }) => {
  const { createStore, promisifyRequest } = await import("/static/vendor/idb-keyval-6.3.0.js");
  const db = createStore("llms", "data");
  const t0 = performance.now();
  const records = await db("readonly", (store) => promisifyRequest(store.getAll(IDBKeyRange.bound("req:", "req;"))));
  const loaded = performance.now();
  const days = new Map();
  for (const r of records) {
    if (!r.timestamp.startsWith(month)) continue;
    const day = r.timestamp.slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + (r.cost_usd ?? 0));
  }
  const monthDone = performance.now();
  const hits = records.filter((r) => (r.prompt_preview ?? "").toLowerCase().includes(word)
    || r.model.includes(word) || (r.provider ?? "").includes(word)).length;
  const searchDone = performance.now();
  window.__keep = records; // held, as a page that shows them holds them, until the heap is measured
  return { load_ms: loaded - t0, month_ms: monthDone - t0, search_ms: searchDone - loaded + (loaded - t0), hits, records: records.length };
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """`llms --serve` of the checkout `root` on a free port, with a config in `folder`; → (process, url)."""
    config = {"providers": {"local": {"type": "openai-compatible", "base_url": "http://127.0.0.1:9/v1", "api_key": "unused",
                                      "models": {"gpt-4o": "gpt-4o"}}}}
    (folder / "llms.json").write_text(json.dumps(config))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMS_")} | {"HOME": str(folder), "PYTHONPATH": str(root)}
    process = subprocess.Popen([sys.executable, "-m", "llms", "--serve", str(port), "--config", str(folder / "llms.json")],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"llms --serve from {root} did not answer /health within 15 s")


def heap_mb(page) -> float:
    session = page.context.new_cdp_session(page)
    session.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    session.detach()
    return metrics.get("JSHeapUsedSize", 0) / 1024 / 1024


RENDERS_JS = "() => performance.getEntriesByName('analytics-render').map((e) => e.duration)"


def renders(page) -> list[float]:
    """Durations of the page's renders so far (ui/static/js/pages/shell.js measureRender): data read to painted frame."""
    return page.evaluate(RENDERS_JS)


def after_render(page, action) -> float:
    """Does `action`, waits for the render it starts, and returns that render's duration (ms)."""
    before = len(renders(page))
    action()
    page.wait_for_function(f"() => performance.getEntriesByName('analytics-render').length > {before}", timeout=600_000)
    return renders(page)[before]


def timed_open(context, url: str) -> tuple[object, float, float]:
    """A new page at `url`: (page, ms from navigation to ready, ms of its first render)."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-ready]", timeout=600_000)
    ready_ms = page.evaluate("() => performance.now()")
    page.wait_for_function("() => performance.getEntriesByName('analytics-render').length > 0")
    return page, ready_ms, renders(page)[0]


def measure(context, url: str, month: str, previous_month: str, imports: list[str]) -> dict:
    out = {}
    page, out["costs_load_ms"], out["month_first_render_ms"] = timed_open(context, f"{url}/analytics/costs?month={month}")
    out["month_switch_ms"] = after_render(page, lambda: page.get_by_role("button", name="Previous month").click())
    data = page.evaluate(MONTH_DATA_JS, previous_month)
    out["month_data_ms"], out["month_requests"] = data["ms"], data["requests"]
    out["costs_heap_mb"] = heap_mb(page)
    page.close()
    page, out["activity_load_ms"], out["activity_first_page_ms"] = timed_open(context, f"{url}/analytics/activity")
    out["activity_next_page_ms"] = after_render(page, lambda: page.get_by_role("button", name="Next").click())
    for column in SORTED:
        out[f"sort_{column}_ms"] = after_render(page, lambda: page.get_by_role("button", name=column).click())
        print(f"  Activity sorted by {column}, first page: {out[f'sort_{column}_ms']:.0f} ms", flush=True)
    out["activity_heap_mb"] = heap_mb(page)
    page.goto(f"{url}/analytics/activity")
    page.wait_for_selector("body[data-ready]")
    page.get_by_label("Search").fill(RARE_WORD)
    out["search_ms"] = after_render(page, lambda: page.get_by_role("button", name="Apply").click())
    out["search_hits"] = page.inner_text("#result-count")
    out["search_heap_mb"] = heap_mb(page)
    page.close()
    page = context.new_page()
    page.goto(f"{url}/analytics/activity")
    page.wait_for_selector("body[data-ready]")
    scan = page.evaluate(PLAIN_SCAN_JS, {"month": month, "word": RARE_WORD})
    out["plain"] = scan | {"heap_mb": heap_mb(page)}
    page.close()
    page = context.new_page()
    page.goto(f"{url}/analytics/activity")
    page.wait_for_selector("body[data-ready]")
    out["import"] = page.evaluate(IMPORT_JS, imports) | {"heap_mb": heap_mb(page)}
    page.close()
    return out


def report(size: int, fill_s: float, m: dict) -> None:
    p = m["plain"]
    print(f"\n{size:,} records (filled in {fill_s:.1f} s; the measured month holds {m['month_requests']:,} requests)")
    print("| question | our store (rollups, cursors, search chunks) | plain scan of raw records (llms.py) |")
    print("|---|---|---|")
    print(f"| month of Costs painted (Previous month click) | {m['month_switch_ms']:.0f} ms (rollups read and summed: {m['month_data_ms']:.1f} ms) | {p['month_ms']:.0f} ms |")
    print(f"| Costs page opened, navigation to ready | {m['costs_load_ms']:.0f} ms (its render {m['month_first_render_ms']:.0f} ms) | — |")
    print(f"| Activity first page (render) | {m['activity_first_page_ms']:.0f} ms (navigation to ready {m['activity_load_ms']:.0f} ms; Next page {m['activity_next_page_ms']:.0f} ms) | {p['load_ms']:.0f} ms (getAll) |")
    sorts = ", ".join(f"{c} {m[f'sort_{c}_ms']:.0f} ms" for c in SORTED)
    print(f"| Activity sorted over everything, first page (render) | {sorts} | {p['load_ms']:.0f} ms (getAll) + a sort |")
    print(f"| full-text search ({m['search_hits']}) | {m['search_ms']:.0f} ms | {p['search_ms']:.0f} ms ({p['hits']} hits) |")
    for layout in ("jsonl", "json"):
        if layout not in m["import"]:
            continue
        i = m["import"][layout]
        print(f"| import of our own {layout.upper()} export ({i['mb']:.0f} MB, streamed) | {m['import']['records'] / i['ms'] * 1000:,.0f} records/s"
              f" ({i['ms'] / 1000:.1f} s, {i['progress']} progress updates: {i['said']}) | — |")
    print(f"| page JS heap | {max(m['costs_heap_mb'], m['activity_heap_mb'], m['search_heap_mb']):.0f} MB | {p['heap_mb']:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--imports", default="jsonl,json", help="which exports to import back: jsonl, json or both")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="llms-bench-") as folder:
        process, url = start_server(Path(folder))
        try:
            with sync_playwright() as playwright:
                options = {"headless": True, "args": ["--no-sandbox", "--disable-gpu"]}
                if CHROMIUM.exists():
                    options["executable_path"] = str(CHROMIUM)
                # A profile on disk, as a person's browser has: an incognito context keeps IndexedDB in memory
                # under a quota that 1M records with their rollups, search chunks and order entries exceed.
                context = playwright.chromium.launch_persistent_context(
                    str(Path(folder) / "chromium-profile"), viewport={"width": 1280, "height": 900}, **options)
                print(f"Chromium {context.browser.version if context.browser else ''}, profile on disk", flush=True)
                filler = context.new_page()
                filler.goto(f"{url}/analytics/costs")
                filler.wait_for_selector("body[data-ready]")
                month = time.strftime("%Y-%m", time.localtime(time.time() - 45 * 86400))
                previous_month = time.strftime("%Y-%m", time.localtime(time.time() - 76 * 86400))
                have = 0
                fill_total_s = 0.0
                for size in sizes:
                    fill_total_s += filler.evaluate(FILL_JS, {"start": have, "count": size - have, "days": args.days,
                                                              "batch": BATCH, "rareWord": RARE_WORD}) / 1000
                    have = size
                    print(f"filled {size:,} records: {fill_total_s:.1f} s", flush=True)
                    report(size, fill_total_s, measure(context, url, month, previous_month, args.imports.split(",")))
                context.close()
        finally:
            process.terminate()


if __name__ == "__main__":
    main()
