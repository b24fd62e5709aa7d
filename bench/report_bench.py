"""Ledger figures: append cost per line, and `llms --report` / the analytics API over a generated ledger.

    python bench/report_bench.py [LINES]      (default 1,000,000)

Writes a realistic ledger (90 days, 6 models, a few errors and unpriced rows) into a temporary folder,
then prints the time of each report format and of one /api/analytics/llm query over the last 7 days.
"""

from __future__ import annotations

import io
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llms.ledger.analytics import parse_query  # noqa: E402
from llms.config import parse_config  # noqa: E402
from llms.ledger.writer import LedgerWriter  # noqa: E402
from llms.commands.report import run_report  # noqa: E402
from llms.server.analytics_api import analytics_from_ledger  # noqa: E402

MODELS = [("openai", "gpt-5-mini", 0.25, 2.0), ("openai", "gpt-4o", 2.5, 10.0),
          ("anthropic", "claude-sonnet-4-5", 3.0, 15.0), ("google", "gemini-2.5-flash", 0.3, 2.5),
          ("groq", "kimi-k2", None, None), ("ollama", "llama3.2", 0.0, 0.0)]


def line(i: int, when: datetime, rng: random.Random) -> dict:
    provider, model, price_in, price_out = MODELS[i % len(MODELS)]
    prompt, completion = rng.randint(50, 20_000), rng.randint(10, 2_000)
    priced = price_in is not None
    status = "error" if i % 97 == 0 else "ok"
    return {
        "timestamp": when.isoformat(timespec="milliseconds"), "request_id": f"{i:032x}", "client": "api",
        "provider": provider, "model": model, "provider_model": model, "endpoint": "/v1/chat/completions",
        "is_streaming": bool(i % 2), "status": status, "error": None, "finish_reason": "stop",
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                  "prompt_tokens_details": {"cached_tokens": prompt // 3, "cache_write_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0}},
        "cost_usd": (prompt * price_in + completion * price_out) / 1e6 if priced else None,
        "cost_provenance": "computed" if priced else "unpriced",
        "prices": {"input": price_in, "output": price_out} if priced else None,
        "response_ms": round(rng.lognormvariate(7, 0.8), 1), "ttft_ms": round(rng.lognormvariate(5.5, 0.5), 1),
    }


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<48} {seconds:8.2f} s")
    return seconds


def main(lines: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="llms-ledger-bench-"))
    path = folder / "usage.jsonl"
    writer = LedgerWriter(path, max_bytes=10**12)
    rng = random.Random(7)
    end = datetime(2026, 11, 23, 12, tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Berlin"))
    step = timedelta(days=90) / lines
    appending = 0.0
    for i in range(lines):
        record = line(i, end - (lines - i) * step, rng)
        started = time.perf_counter()
        writer.append(record)
        appending += time.perf_counter() - started
    writer.close()
    per_line_us = appending / lines * 1e6
    size_mb = path.stat().st_size / 1e6
    print(f"ledger: {lines:,} lines, {size_mb:,.0f} MB ({sys.version.split()[0]})")
    print(f"{'append one line (json + os.write, no fsync)':<48} {per_line_us:8.1f} µs")

    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": str(path)}}),
                          folder / "llms.json", {})
    tz = ZoneInfo("Europe/Berlin")
    now = end + timedelta(minutes=1)
    for fmt, since in (("summary", None), ("summary", "7d"), ("hourly", None), ("csv", None), ("detailed", None)):
        label = f"llms --report {fmt}" + (f" --since {since}" if since else "")
        timed(label, lambda: run_report(config, fmt, since, None, None, io.StringIO(), sys.stderr, now=now, tz=tz))
    query = parse_query({"from": (now - timedelta(days=7)).isoformat(), "to": now.isoformat(),
                         "granularity": "hour", "tz": "Europe/Berlin"})
    timed("/api/analytics/llm, last 7 days by hour", lambda: analytics_from_ledger(config, query))
    path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
