"""`llms --report`: the ledger as terminal tables or CSV. Summary and hourly read the index's cells
(ledger/index.py); CSV and detailed stream every line in range (a million lines never sit in memory)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from llms.files import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from llms.ledger.analytics import Query, Totals, epoch_ms, local_midnight, matches, tokens_of
from llms.ledger.export import CSV_COLUMNS, csv_line, csv_rows
from llms.ledger.grouped import totals_by
from llms.ledger.index import IndexUnusable, aggregate_ledger, checked_lines, index_path, reindex
from llms.ledger.local_time import LocalTimes
from llms.ledger.location import ledger_files, ledger_path
from llms.ledger.parallel import SpanFailed, rendered

__all__ = ["FORMATS", "run_report", "run_reindex", "parse_since", "local_zone"]

FORMATS = ("summary", "detailed", "csv", "hourly")
HOURLY_DEFAULT = timedelta(hours=24)
_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ReportError(ValueError):
    """A report option is unusable; the message says which and what to write instead."""


def local_zone() -> tzinfo:
    """This machine's IANA zone ($TZ, then /etc/localtime), so days and hours follow its DST rules."""
    for name in (os.environ.get("TZ", "").lstrip(":"), _etc_localtime_name()):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue  # not an IANA name (e.g. TZ=EST5EDT-style rules): try the next source
    return datetime.now().astimezone().tzinfo


def _etc_localtime_name() -> str | None:
    target = os.path.realpath("/etc/localtime")
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else None


def parse_since(text: str | None, now: datetime, tz: tzinfo) -> datetime | None:
    """`7d`, `24h`, `30m`, `2w`; a bare number of hours (`168`, as the cost-tracking guide's analyze_costs.py);
    a date (its local midnight); or an ISO 8601 time."""
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return now - timedelta(hours=int(text))
    match = _RELATIVE.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError(f"--since {text!r}: expected 7d, 24h, 30m, 2w, hours like 168, a date like 2026-11-01 "
                          "or a time like 2026-11-01T09:00") from None
    if len(text) == 10:
        return datetime.fromtimestamp(local_midnight(when.date(), tz) / 1000, tz)
    return when if when.tzinfo else when.replace(tzinfo=tz)


def run_report(config, fmt: str, since_text: str | None, model: str | None, provider: str | None,
               out: TextIO = sys.stdout, err: TextIO = sys.stderr, *, now: datetime | None = None,
               tz: tzinfo | None = None, by: str | None = None) -> int:
    tz = tz or local_zone()
    now = now or datetime.now(tz)
    try:
        since = parse_since(since_text, now, tz)
    except ReportError as exc:
        print(f"llms: {exc}", file=err)
        return EXIT_USAGE
    if fmt == "hourly" and since is None:
        since = now - HOURLY_DEFAULT
    path = ledger_path(config)
    files = ledger_files(path, modified_since=None if since is None else since.timestamp())
    if not config.ledger["enabled"]:
        print(f"llms: the ledger is off in {config.path}; "
              f'set "ledger": {{"enabled": true}} to record requests' + (f" (reading the old {path})" if files else ""),
              file=err)
    elif not path.exists() and not files:
        print(f"llms: {path} does not exist yet: no request has been recorded", file=err)

    def warn(message: str) -> None:
        print(f"llms: warning: {message}", file=err)

    if fmt in ("csv", "detailed"):  # every line in range, read from the ledger; those the index checked, unchecked
        checked = checked_lines(path) if files else {}
        if fmt == "csv":
            out.write(csv_line(CSV_COLUMNS))
            render = partial(_csv_rows, model, provider)
        else:
            _write_detailed_header(out)
            render = partial(_detailed_rows, tz, model, provider)
        texts = rendered(files, render, warn, since=since, checked=checked)
        try:
            with closing(texts):  # a closed pipe (`| head`) or an error ends the workers here, not at exit
                for text in texts:
                    out.write(text)
        except SpanFailed as exc:
            print(f"llms: the report stopped: {exc}", file=err)
            return EXIT_FAIL
        return EXIT_OK
    # The first instant at or after `since` in whole ms: lines carry ms, so this keeps exactly the lines at or after it.
    start_ms = None if since is None else epoch_ms(since) + (1 if since.microsecond % 1000 else 0)
    end_ms = epoch_ms(now) + 1 if fmt == "hourly" else None
    # The summary shows no time series: weekly buckets let whole UTC days come from the index's day cells.
    query = Query(start_ms, end_ms, "hour" if fmt == "hourly" else "week", tz, provider, model)
    aggregator, cache = aggregate_ledger(path, query, warn, with_savings=fmt == "summary",
                                         progress=lambda message: print(f"llms: {message}", file=err))
    result = aggregator.result()
    if fmt == "hourly":
        _write_hourly(result, path, since, out)
    else:
        _write_guide_summary(result, since, now, out)
        _write_summary(result, path, since, out)
        if by == "app" and result["summary"]["requests"]:
            # The same range and filters from the index's client_app cells; the pass above gave the warnings.
            _write_by_app(totals_by(path, query, app_of, lambda message: None), out)
        _write_cache_line(cache.result()["summary"], out)
    return EXIT_OK


def run_reindex(config, err: TextIO = sys.stderr) -> int:
    """`llms --reindex`: rebuild the ledger's index from its JSONL files (after a crash, an upgrade, a hand edit)."""
    path = ledger_path(config)
    if not ledger_files(path):
        print(f"llms: {path} does not exist yet: nothing to index", file=err)
        return EXIT_OK
    try:
        lines = reindex(path, lambda message: print(f"llms: {message}", file=err))
    except IndexUnusable as exc:
        print(f"llms: the ledger index cannot be written: {exc}", file=err)
        return EXIT_USAGE
    print(f"llms: indexed {lines:,} ledger lines into {index_path(path)}", file=err)
    return EXIT_OK


def _matching(records: Iterator[dict], model: str | None, provider: str | None) -> Iterator[dict]:
    if model is None and provider is None:
        return records  # no filter: no step per line
    return (record for record in records if matches(record, provider=provider, model=model))


def _cost_text(totals: dict) -> str:
    from llms.pricing.cost import format_usd  # imported on first use, like the rest of pricing

    if totals["requests"] and totals["unpriced_requests"] == totals["requests"]:
        return format_usd(None, "unpriced")
    text = format_usd(totals["cost_usd"], "estimated" if totals["estimated_requests"] else "computed")
    return text + (f" (+{totals['unpriced_requests']} unpriced)" if totals["unpriced_requests"] else "")


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def _table(headers: tuple[str, ...], rows: list[tuple], out: TextIO, right: set[int]) -> None:
    cells = [tuple(str(c) for c in row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values) -> str:
        return "  ".join(v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    print(line(headers), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells:
        print(line(row), file=out)


def _group_rows(groups: list[dict], names: tuple[str, ...]) -> list[tuple]:
    return [(*(g[n] for n in names), f"{g['requests']:,}", f"{g['errors']:,}", f"{g['input_tokens']:,}",
             f"{g['output_tokens']:,}", _cost_text(g), _ms(g["p50_ms"]), _ms(g["p95_ms"])) for g in groups]


_GROUP_HEADERS = ("requests", "errors", "input", "output", "cost", "p50", "p95")


def _write_summary(result: dict, path: Path, since: datetime | None, out: TextIO) -> None:
    s = result["summary"]
    period = f"since {since.isoformat(timespec='minutes')}" if since else "all time"
    print(f"Ledger {path} — {period}", file=out)
    print(f"Requests {s['requests']:,} ({s['errors']:,} errors, {s['aborted']:,} aborted) · "
          f"tokens {s['input_tokens']:,} in ({s['cached_tokens']:,} cached) / {s['output_tokens']:,} out "
          f"({s['reasoning_tokens']:,} reasoning) · cost {_cost_text(s)} · p50 {_ms(s['p50_ms'])} · p95 {_ms(s['p95_ms'])}",
          file=out)
    if not s["requests"]:
        return
    print("\nBy provider", file=out)
    _table(("provider", *_GROUP_HEADERS), _group_rows(result["by_provider"], ("provider",)), out, set(range(1, 8)))
    print("\nBy model", file=out)
    _table(("provider", "model", *_GROUP_HEADERS), _group_rows(result["by_model"], ("provider", "model")), out,
           set(range(2, 9)))


def app_of(record: dict) -> str:
    """The application a request came from: its `client_app` (named from its User-Agent), else this chat's own
    requests ("llms chat"), else "unknown" (the browser's twin: ui/static/js/pages/by_app.js)."""
    return record.get("client_app") or ("llms chat" if record.get("client") == "app" else "unknown")


def _write_by_app(apps: dict[str, Totals], out: TextIO) -> None:
    """`--by app`: the summary's requests by application (Claude Code, Codex, the SDKs, this chat)."""
    # Most expensive first, then most used, then by name: the order of the other tables (analytics.py).
    ranked = sorted(apps.items(), key=lambda item: (-item[1].cost_usd.value, -item[1].requests, item[0]))
    print("\nBy app", file=out)
    _table(("app", *_GROUP_HEADERS), _group_rows([{"app": app, **t.as_dict()} for app, t in ranked], ("app",)), out,
           set(range(1, 8)))


def _write_cache_line(cache: dict, out: TextIO) -> None:
    """What caching saved in the range (pricing/savings.py): hit rate, reads saved, writes' extra, net."""
    from llms.pricing.cost import format_usd

    if not cache["cached_tokens"] + cache["cache_write_tokens"]:
        return  # no request read or wrote a cache: nothing to say
    rate = "—" if cache["hit_rate"] is None else f"{cache['hit_rate'] * 100:.1f} %"
    unpriced = f" (+{cache['unpriced_requests']:,} unpriced)" if cache["unpriced_requests"] else ""
    print(f"\nCache {cache['cached_tokens']:,} of {cache['input_tokens']:,} input tokens read from cache ({rate}) · "
          f"reads saved {format_usd(cache['read_saved_usd'], 'computed')} · writes cost "
          f"{format_usd(cache['write_extra_5m_usd'] + cache['write_extra_1h_usd'], 'computed')} more (5-minute "
          f"{format_usd(cache['write_extra_5m_usd'], 'computed')}, 1-hour {format_usd(cache['write_extra_1h_usd'], 'computed')})"
          f" · {_net_text(cache['net_saved_usd'])}{unpriced}", file=out)


def _net_text(net_usd: float) -> str:
    from llms.pricing.cost import format_usd

    # Writes can cost more than the reads they paid for (a prefix written and never read again).
    return f"net saved {format_usd(net_usd, 'computed')}" if net_usd >= 0 else f"net cost {format_usd(-net_usd, 'computed')} more"


def _write_guide_summary(result: dict, since: datetime | None, now: datetime, out: TextIO) -> None:
    """The cost-tracking guide's summary (analyze_costs.py's example output), known costs only."""
    s = result["summary"]
    tokens, cost, requests = s["input_tokens"] + s["output_tokens"], s["cost_usd"], s["requests"]
    start = since.isoformat(timespec="seconds") if since else "the first request"
    print("=" * 60, "LLMS COST ANALYSIS SUMMARY", "=" * 60, sep="\n", file=out)
    print(f"Time Period: {start} to {now.isoformat(timespec='seconds')}", file=out)
    print(f"Total Cost: ${cost:.6f}", file=out)
    print(f"Total Requests: {requests:,}", file=out)
    print(f"Total Tokens: {tokens:,}", file=out)
    print(f"Average Cost per Request: ${cost / requests if requests else 0:.6f}", file=out)
    print(f"Average Cost per 1K Tokens: ${cost / tokens * 1000 if tokens else 0:.6f}", file=out)
    print("\nCOST BY PROVIDER:", "-" * 40, sep="\n", file=out)
    for group in result["by_provider"]:
        print(_guide_row(group["provider"], 12, group), file=out)
    print("\nTOP MODELS BY COST:", "-" * 50, sep="\n", file=out)
    for group in result["by_model"]:
        print(_guide_row(f"{group['provider']}/{group['model']}", 24, group), file=out)
    print(file=out)


def _guide_row(name: str, width: int, group: dict) -> str:
    tokens = group["input_tokens"] + group["output_tokens"]
    unpriced = f" | {group['unpriced_requests']:,} unpriced (not counted)" if group["unpriced_requests"] else ""
    return f"{name:<{width}} | ${group['cost_usd']:.6f} | {group['requests']:>5,} req | {tokens:>8,} tokens{unpriced}"


def _write_hourly(result: dict, path: Path, since: datetime | None, out: TextIO) -> None:
    print(f"Ledger {path} — hourly since {since.isoformat(timespec='minutes')}", file=out)
    rows = [(b["bucket"][:16].replace("T", " ") + b["bucket"][19:], f"{b['requests']:,}", f"{b['errors']:,}",
             f"{b['input_tokens']:,}", f"{b['output_tokens']:,}", _cost_text(b) if b["requests"] else "$0.00",
             "#" * min(40, b["requests"])) for b in result["by_time"]]
    _table(("hour", "requests", "errors", "input", "output", "cost", ""), rows, out, {1, 2, 3, 4, 5})


def _write_detailed_header(out: TextIO) -> None:
    header = (f"{'time':<19}  {'provider':<12}  {'model':<28}  {'app':<20}  {'input':>9}  {'cached':>9}  {'written':>9}  "
              f"{'output':>8}  {'cost':>11}  {'time ms':>9}  status")
    print(header, file=out)
    print("-" * len(header), file=out)


def _detailed_rows(tz: tzinfo, model: str | None, provider: str | None, records: Iterator[dict]) -> str:
    """The detailed rows of the records that match, as one text (a span of the ledger: ledger/parallel.py)."""
    from llms.pricing.cost import format_usd  # imported on first use, like the rest of pricing

    local_time = LocalTimes(tz).text
    return "".join([_detailed_row(record, local_time, format_usd) for record in _matching(records, model, provider)])


def _detailed_row(record: dict, local_time: Callable[[str], str],
                  format_usd: Callable[[float | None, str | None], str]) -> str:
    when = local_time(record["timestamp"])
    tokens = tokens_of(record.get("usage"))
    ms = record.get("response_ms")
    return (f"{when:<19}  {(record.get('provider') or '—')[:12]:<12}  {str(record.get('model'))[:28]:<28}  "
            f"{app_of(record)[:20]:<20}  {tokens[0]:>9,}  {tokens[2]:>9,}  {tokens[3]:>9,}  {tokens[1]:>8,}  "
            f"{format_usd(record.get('cost_usd'), record.get('cost_provenance')):>11}  "
            f"{'—' if ms is None else f'{ms:,.0f}':>9}  {record.get('status')}\n")


def _csv_rows(model: str | None, provider: str | None, records: Iterator[dict]) -> str:
    return csv_rows(_matching(records, model, provider))
