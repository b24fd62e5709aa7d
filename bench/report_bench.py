"""Ledger figures: `llms --report`, /api/analytics/llm and /health's 24 h stats over a generated ledger, before
(every line scanned and parsed with the standard library's json and checked, as before the index; a CSV row built
cell by cell by the exact rule, numbers through Decimal; format_usd through Decimal and each local time converted
on its own; one process) and after (the index's cells; CSV and detailed still read every line, parsed with orjson,
unchecked where the index checked them, rows by the fast paths, in two worker processes past
ledger/parallel.MIN_PARALLEL_BYTES), side by side. The "one process" rows are CSV and detailed with the workers
left out, to show what the second process gives.

    python bench/report_bench.py [--lines N] [--ledger PATH] [--reindex] [--only TEXT …]

The ledger (90 days, 6 models, a few errors and unpriced rows; default 1,000,000 lines) is generated once into
PATH (default /tmp/llms-report-bench/usage.jsonl) and reused while it has N lines; its index is built on the
first run (that time is printed) or again with --reindex. Prints the load average: on a shared machine, read
the ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llms.commands import report as report_module  # noqa: E402
from llms.config import parse_config  # noqa: E402
from llms.ledger import export as export_module  # noqa: E402
from llms.ledger import parallel as parallel_module  # noqa: E402
from llms.ledger import reader as reader_module  # noqa: E402
from llms.ledger.analytics import parse_query  # noqa: E402
from llms.ledger.export import csv_line, csv_values  # noqa: E402
from llms.ledger.index import index_path, reindex, scan_ledger  # noqa: E402
from llms.ledger.local_time import local_time  # noqa: E402
from llms.ledger.schema import _exact_number_text  # noqa: E402
from llms.ledger.writer import LedgerWriter  # noqa: E402
from llms.pricing import cost as cost_module  # noqa: E402
from llms.server import analytics_api, ledger_recorder  # noqa: E402

MODELS = [("openai", "gpt-5-mini", 0.25, 2.0), ("openai", "gpt-4o", 2.5, 10.0),
          ("anthropic", "claude-sonnet-4-5", 3.0, 15.0), ("google", "gemini-2.5-flash", 0.3, 2.5),
          ("groq", "kimi-k2", None, None), ("ollama", "llama3.2", 0.0, 0.0)]
END = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
TZ = ZoneInfo("Europe/Berlin")


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


def generate(path: Path, lines: int) -> None:
    """The ledger as LedgerWriter writes it (compact JSON lines), written in one pass."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in (path, index_path(path), *path.parent.glob(index_path(path).name + "-*")):
        old.unlink(missing_ok=True)
    rng, step = random.Random(7), timedelta(days=90) / lines
    with path.open("w", encoding="utf-8") as file:
        for i in range(lines):
            record = line(i, (END - (lines - i) * step).astimezone(TZ), rng)
            file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    path.with_name("lines.txt").write_text(str(lines))


def append_us(count: int = 2000) -> float:
    """µs per LedgerWriter.append (json, one os.write, the index updated in the same step), on a fresh ledger."""
    folder = Path(tempfile.mkdtemp(prefix="llms-append-bench-"))
    writer = LedgerWriter(folder / "usage.jsonl", max_bytes=10**12)
    rng = random.Random(1)
    records = [line(i, END + timedelta(seconds=i), rng) for i in range(count)]
    writer.append(records[0])
    started = time.perf_counter()
    for record in records[1:]:
        writer.append(record)
    seconds = time.perf_counter() - started
    writer.close()
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()
    return seconds / (count - 1) * 1e6


class _StdlibJson:
    """reader.py's parser swapped for the standard library's, as before orjson."""
    loads = staticmethod(json.loads)
    JSONDecodeError = json.JSONDecodeError


def _csv_by_the_rule(lines):
    """csv_rows as it was before its fast path: each row csv_line(csv_values(line))."""
    return "".join(csv_line(csv_values(line)) for line in lines)


class _EachLocalTime:
    """LocalTimes as before it remembered minutes: every stamp converted."""

    def __init__(self, tz):
        self.tz = tz

    def text(self, stamp):
        return local_time(stamp, self.tz)


@contextmanager
def one_process():
    """CSV and detailed read in this process, whatever the ledger's size."""
    with mock.patch.object(parallel_module, "MIN_PARALLEL_BYTES", float("inf")):
        yield


@contextmanager
def before():
    """The code path of main before the index: aggregates scan every line, every line parsed by json and checked;
    CSV rows by the exact rule, cell by cell."""
    def scanned(ledger, query, warn, *, with_savings=False, progress=None):
        return scan_ledger(ledger, query, warn, with_savings=with_savings)

    with mock.patch.object(report_module, "aggregate_ledger", scanned), \
            mock.patch.object(analytics_api, "aggregate_ledger", scanned), \
            mock.patch.object(ledger_recorder, "aggregate_ledger", scanned), \
            mock.patch.object(report_module, "checked_lines", lambda ledger: {}), \
            mock.patch.object(reader_module, "orjson", _StdlibJson), \
            mock.patch.object(report_module, "csv_rows", _csv_by_the_rule), \
            mock.patch.object(export_module, "number_text", _exact_number_text), \
            mock.patch.object(cost_module, "_quick_usd", lambda amount: None), \
            mock.patch.object(report_module, "LocalTimes", _EachLocalTime), one_process():
        yield


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=Path, default=Path("/tmp/llms-report-bench/usage.jsonl"))
    parser.add_argument("--reindex", action="store_true", help="rebuild the index even when it is there")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="only the rows whose label holds TEXT (e.g. --only csv --only detailed)")
    args = parser.parse_args()
    path, counted = args.ledger, args.ledger.with_name("lines.txt")
    if not path.exists() or not counted.exists() or counted.read_text() != str(args.lines):
        print(f"generating {args.lines:,} lines into {path} …", flush=True)
        generate(path, args.lines)
    print(f"ledger: {args.lines:,} lines, {path.stat().st_size / 1e6:,.0f} MB ({sys.version.split()[0]}); "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.reindex or not index_path(path).exists():
        seconds = timed(lambda: reindex(path, lambda message: None))
        print(f"{'llms --reindex (build the index from every line)':<52} {seconds:9.2f} s")
    print(f"{'append one line (json, os.write, index update)':<52} {append_us():9.1f} µs")

    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": str(path)}}),
                          path.parent / "llms.json", {})
    now = END + timedelta(minutes=1)
    sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
    query = parse_query({"from": (now - timedelta(days=7)).isoformat(), "to": now.isoformat(),
                         "granularity": "hour", "tz": "Europe/Berlin"})
    def report(fmt, since=None):
        return report_module.run_report(config, fmt, since, None, None, sink, io.StringIO(), now=now.astimezone(TZ),
                                        tz=TZ)

    rows = [(f"llms --report {fmt}" + (f" --since {since}" if since else ""), partial(report, fmt, since))
            for fmt, since in (("summary", None), ("summary", "7d"), ("hourly", None), ("csv", None),
                               ("detailed", None))]
    for fmt in ("csv", "detailed"):
        rows.append((f"llms --report {fmt}, one process", partial(_in_one_process, report, fmt)))
    rows.append(("/api/analytics/llm, last 7 days by hour", lambda: analytics_api.analytics_from_ledger(config, query)))
    # Before, /health counted a 24 h window kept in memory, filled by this scan at start-up.
    rows.append(("/health cost_stats_24h", lambda: ledger_recorder.stats_24h(path, now.timestamp())))
    print(f"{'':<52} {'before':>9}   {'after':>9}   ratio")
    for label, action in rows:
        if args.only and not any(text in label for text in args.only):
            continue
        if "csv" not in label and "detailed" not in label:
            action()  # warm: the index caught up (the page cache is warm from the row before)
        with before():
            old = timed(action)
        new = timed(action)
        print(f"{label:<52} {_shown(old)}   {_shown(new)}   {old / new:6.1f}×  "
              f"(load {os.getloadavg()[0]:.2f})", flush=True)


def _in_one_process(report, fmt: str) -> None:
    with one_process():
        report(fmt)


def _shown(seconds: float) -> str:
    return f"{seconds:7.2f} s" if seconds >= 1 else f"{seconds * 1000:6.1f} ms"


if __name__ == "__main__":
    main()
