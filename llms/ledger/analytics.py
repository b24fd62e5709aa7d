"""Pure: request records → summary, by model, by provider and zero-filled time buckets.

The browser runs the same rules in ui/static/js/aggregate.js; both pass tests/vectors/analytics.json.
The rules (docs/architecture.md, "Ledger"):
- A record counts when its instant is in [from, to) and it matches every filter given (provider, model, client);
  `model` matches the alias (`model`) or the provider's model id (`provider_model`), as `llms --report -m` does.
- `requests` counts every request; `errors` those with status "error", `aborted` those with "aborted".
- `cost_usd` adds every known cost (reported, computed, estimated); an unpriced request adds nothing and
  counts in `unpriced_requests`; `estimated_requests` counts estimated costs. Cost and time sums are exact
  (`ExactSum`, rounded once when read), so the same records give the same float in whatever order or
  grouping they are added: the index's cells (ledger/index.py) and a scan of the lines agree to the last bit.
  aggregate.js adds in record order; both pass the vectors, and may differ in the last digit elsewhere.
- p50_ms/p95_ms come from a histogram of response_ms with buckets floor(8 × log2(ms)) (0 under 1 ms): the
  nearest-rank bucket's midpoint 2^((b + 0.5) / 8), rounded to 0.1 ms; null when no request has a time.
  This is rollup.js's rule, so month pages built from day rollups show the same percentiles.
- Buckets start at local midnight (day), Monday's local midnight (week) or the local hour (hour) in the
  query's time zone, so a DST day has 23 or 25 hourly buckets and the fall-back hour appears twice, told
  apart by its offset. Every bucket from the one holding `from` to the last starting before `to` is listed.
- `from`/`to`: ISO 8601 with an offset, a local time without one (read in `tz`), or a date (its local
  midnight for `from`, the next local midnight for `to`, so `to=2026-11-30` includes that day).
  Without `from`/`to` the range is that of the matching records.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Query", "QueryError", "parse_query", "aggregate", "Aggregator", "GRANULARITIES", "MAX_BUCKETS",
    "NO_PROVIDER", "NO_ENDPOINT", "matches", "histogram_bucket", "percentile_from_histogram", "tokens_of", "ExactSum", "Totals",
    "SLOT_MS", "epoch_ms", "epoch_ms_of",
]

GRANULARITIES = ("hour", "day", "week")
MAX_BUCKETS = 10_000
NO_PROVIDER = "(none)"  # requests no provider answered, as in rollup.js
NO_ENDPOINT = "(none)"  # lines written before the endpoint was recorded
HISTOGRAM_STEPS_PER_DOUBLING = 8
_HOUR_MS = 3_600_000
SLOT_MS = 900_000  # every UTC offset and DST change falls on a 15-minute boundary
_LOCAL_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?)?$")
_TOKEN_FIELDS = ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens", "reasoning_tokens")


class QueryError(ValueError):
    """A query parameter is unusable; `param` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param


@dataclass(frozen=True)
class Query:
    start_ms: int | None
    end_ms: int | None
    granularity: str
    tz: tzinfo
    provider: str | None = None
    model: str | None = None
    client: str | None = None
    agent: str | None = None  # AgentLens's agentId: the named token or the client application


def parse_query(params: Mapping[str, str], *, default_tz: tzinfo | None = None) -> Query:
    """A Query from string parameters (from, to, granularity, tz, provider, model, client, agentId)."""
    tz = _zone(params["tz"]) if params.get("tz") else (default_tz or ZoneInfo("UTC"))
    granularity = params.get("granularity") or "day"
    if granularity not in GRANULARITIES:
        raise QueryError("granularity", f"expected one of {', '.join(GRANULARITIES)}, got {granularity!r}")
    start = _boundary("from", params.get("from"), tz, end=False)
    end = _boundary("to", params.get("to"), tz, end=True)
    if start is not None and end is not None and end < start:
        raise QueryError("to", f"{params['to']!r} is before from={params['from']!r}")
    query = Query(start, end, granularity, tz, params.get("provider") or None, params.get("model") or None,
                  params.get("client") or None, params.get("agentId") or None)
    if start is not None and end is not None:
        _check_bucket_count(query)
    return query


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise QueryError("tz", f"unknown time zone {name!r}; use an IANA name like Europe/Berlin") from None


def _boundary(param: str, text: str | None, tz: tzinfo, *, end: bool) -> int | None:
    if not text:
        return None
    match = _LOCAL_TIME.match(text)
    if not match:
        raise QueryError(param, f"expected an ISO 8601 time like 2026-11-01T09:00:00+01:00 or a date like "
                                f"2026-11-01, got {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        if hour is None:
            when = date(int(year), int(month), int(day))
            return local_midnight(when + timedelta(days=1) if end else when, tz)
        micro = int((fraction or "0").ljust(6, "0"))
        stamp = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except (ValueError, OverflowError) as exc:  # OverflowError: the day after 9999-12-31
        raise QueryError(param, f"{text!r} is not a real time: {exc}") from None
    if offset is None:
        return epoch_ms(stamp.replace(tzinfo=tz))
    return epoch_ms(datetime.fromisoformat(text.replace(" ", "T")))


def _check_bucket_count(query: Query) -> None:
    unit_ms = {"hour": _HOUR_MS, "day": 24 * _HOUR_MS, "week": 7 * 24 * _HOUR_MS}[query.granularity]
    if (query.end_ms - query.start_ms) / unit_ms > MAX_BUCKETS:
        raise QueryError("granularity", f"the range holds more than {MAX_BUCKETS:,} {query.granularity} "
                                        "buckets: choose a coarser granularity or a shorter range")


def epoch_ms_of(timestamp: str) -> int:
    """A ledger timestamp (ISO 8601 with its offset) as epoch milliseconds."""
    return epoch_ms(datetime.fromisoformat(timestamp))


def epoch_ms(moment: datetime) -> int:
    delta = moment - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


def local_midnight(day: date, tz: tzinfo) -> int:
    """The first instant (epoch ms) of a local day. PEP 495 fold=0: a midnight skipped by DST starts
    the day at the transition; a repeated one at its first occurrence."""
    return epoch_ms(datetime(day.year, day.month, day.day, tzinfo=tz))


def _local(epoch_ms: int, tz: tzinfo) -> datetime:
    return (_EPOCH + timedelta(milliseconds=epoch_ms)).astimezone(tz)


def bucket_start(epoch_ms: int, granularity: str, tz: tzinfo) -> int:
    local = _local(epoch_ms, tz)
    if granularity == "hour":
        return epoch_ms - (local.minute * 60_000 + local.second * 1000 + local.microsecond // 1000)
    day = local.date()
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    return local_midnight(day, tz)


def next_bucket(start_ms: int, granularity: str, tz: tzinfo) -> int:
    if granularity == "hour":
        return bucket_start(start_ms + _HOUR_MS, "hour", tz)
    days = 7 if granularity == "week" else 1
    return local_midnight(_local(start_ms, tz).date() + timedelta(days=days), tz)


def bucket_label(epoch_ms: int, tz: tzinfo) -> str:
    return _local(epoch_ms, tz).isoformat(timespec="seconds")


def histogram_bucket(response_ms: float) -> int:
    return math.floor(HISTOGRAM_STEPS_PER_DOUBLING * math.log2(response_ms)) if response_ms >= 1 else 0


def percentile_from_histogram(histogram: Mapping[int, int], q: float) -> float | None:
    """rollup.js's percentileFromHistogram: nearest rank, the bucket's midpoint."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return 2 ** ((bucket + 0.5) / HISTOGRAM_STEPS_PER_DOUBLING)
    return None


def _tenth(value: float | None) -> float | None:
    return None if value is None else math.floor(value * 10 + 0.5) / 10


def tokens_of(usage: dict | None) -> tuple[int, int, int, int, int]:
    """(input, output, cached, cache write, reasoning) tokens of a normalized usage, zeros when none."""
    if not usage:
        return 0, 0, 0, 0, 0
    prompt = usage.get("prompt_tokens_details") or {}
    completion = usage.get("completion_tokens_details") or {}
    return (usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0, prompt.get("cached_tokens") or 0,
            prompt.get("cache_write_tokens") or 0, completion.get("reasoning_tokens") or 0)


class ExactSum:
    """A sum of floats kept exact (Shewchuk's non-overlapping partials, as math.fsum), read correctly rounded:
    the value does not depend on the order the numbers came in or on how partial sums were grouped."""

    __slots__ = ("partials",)

    def __init__(self, partials=()):
        self.partials = list(partials)

    def add(self, x: float) -> None:
        partials, i = self.partials, 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                partials[i] = low
                i += 1
            x = high
        partials[i:] = [x]

    def merge(self, other: "ExactSum") -> None:
        for part in other.partials:
            self.add(part)

    @property
    def value(self) -> float:
        return math.fsum(self.partials)


class Totals:
    __slots__ = ("requests", "errors", "aborted", "tokens", "cost_usd", "unpriced", "estimated", "histogram",
                 "timed", "response_ms")

    def __init__(self):
        self.requests = self.errors = self.aborted = self.unpriced = self.estimated = self.timed = 0
        self.response_ms = ExactSum()  # over the `timed` requests, for the documented mean (avgLatencyMs)
        self.tokens = [0, 0, 0, 0, 0]
        self.cost_usd = ExactSum()
        self.histogram: dict[int, int] = {}

    def add(self, record: dict) -> None:
        self.requests += 1
        status = record.get("status")
        if status == "error":
            self.errors += 1
        elif status == "aborted":
            self.aborted += 1
        cost = record.get("cost_usd")
        if cost is not None:
            self.cost_usd.add(cost)
        provenance = record.get("cost_provenance")
        if provenance == "unpriced":
            self.unpriced += 1
        elif provenance == "estimated":
            self.estimated += 1
        usage = record.get("usage")
        if usage:
            tokens, used = self.tokens, tokens_of(usage)
            tokens[0] += used[0]
            tokens[1] += used[1]
            tokens[2] += used[2]
            tokens[3] += used[3]
            tokens[4] += used[4]
        response_ms = record.get("response_ms")
        if response_ms is not None:
            self.timed += 1
            self.response_ms.add(response_ms)
            bucket = histogram_bucket(response_ms)
            self.histogram[bucket] = self.histogram.get(bucket, 0) + 1

    def merge(self, other: "Totals") -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.aborted += other.aborted
        self.cost_usd.merge(other.cost_usd)
        self.unpriced += other.unpriced
        self.estimated += other.estimated
        self.timed += other.timed
        self.response_ms.merge(other.response_ms)
        self.tokens = [a + b for a, b in zip(self.tokens, other.tokens)]
        for bucket, count in other.histogram.items():
            self.histogram[bucket] = self.histogram.get(bucket, 0) + count

    def as_dict(self) -> dict:
        out = {"requests": self.requests, "errors": self.errors, "aborted": self.aborted}
        out.update(zip(_TOKEN_FIELDS, self.tokens))
        out.update(cost_usd=self.cost_usd.value, unpriced_requests=self.unpriced, estimated_requests=self.estimated,
                   p50_ms=_tenth(percentile_from_histogram(self.histogram, 0.5)),
                   p95_ms=_tenth(percentile_from_histogram(self.histogram, 0.95)))
        return out

    def documented(self) -> dict:
        """AgentLens's names (calls, costUsd, inputTokens, outputTokens, avgLatencyMs: the mean response_ms to
        0.1 ms, 0 without a timed call), then our figures in camelCase."""
        tokens = self.tokens
        return {"calls": self.requests, "costUsd": self.cost_usd.value, "inputTokens": tokens[0],
                "outputTokens": tokens[1], "avgLatencyMs": _tenth(self.response_ms.value / self.timed) if self.timed else 0,
                "errors": self.errors, "aborted": self.aborted, "cachedTokens": tokens[2],
                "cacheWriteTokens": tokens[3], "reasoningTokens": tokens[4], "unpricedCalls": self.unpriced,
                "estimatedCalls": self.estimated, "p50Ms": _tenth(percentile_from_histogram(self.histogram, 0.5)),
                "p95Ms": _tenth(percentile_from_histogram(self.histogram, 0.95))}


def documented_summary(totals: "Totals") -> dict:
    """AgentLens's summary: totalCalls, totalCostUsd, totalInputTokens, totalOutputTokens, avgLatencyMs,
    avgCostPerCall (0 without calls), then the extras of `Totals.documented`."""
    figures = totals.documented()
    calls, cost = figures.pop("calls"), figures["costUsd"]
    return {"totalCalls": calls, "totalCostUsd": figures.pop("costUsd"), "totalInputTokens": figures.pop("inputTokens"),
            "totalOutputTokens": figures.pop("outputTokens"), "avgLatencyMs": figures.pop("avgLatencyMs"),
            "avgCostPerCall": cost / calls if calls else 0, **figures}


def matches(record: dict, *, provider: str | None = None, model: str | None = None, client: str | None = None,
            agent: str | None = None) -> bool:
    """Whether a record passes the filters given (None: no filter); `model` is the alias or the provider model;
    `agent` is the named token or the client application (`client_app`)."""
    return ((provider is None or record.get("provider") == provider)
            and (model is None or model in (record.get("model"), record.get("provider_model")))
            and (client is None or record.get("client") == client)
            and (agent is None or agent in (record.get("token"), record.get("client_app"))))


class Aggregator:
    """Feed records one at a time (a million fit: only counters are kept), then `result()`.

    Each record is added to one cell (provider, model, endpoint, bucket); result() merges the cells in the order
    they were first seen. aggregate.js does the same, so float sums come out identical."""

    def __init__(self, query: Query):
        self.query = query
        self.cells: dict[tuple[str, str, str, int], Totals] = {}
        self._slots: dict[int, int] = {}  # 15-minute slot → bucket start: one zone lookup per slot
        self.first_ms: int | None = None
        self.last_ms: int | None = None

    def add(self, record: dict) -> bool:
        """Count a record when it matches the query; whether it did."""
        query = self.query
        if not matches(record, provider=query.provider, model=query.model, client=query.client, agent=query.agent):
            return False
        epoch_ms = epoch_ms_of(record["timestamp"])
        if query.start_ms is not None and epoch_ms < query.start_ms or query.end_ms is not None and epoch_ms >= query.end_ms:
            return False
        self._cell(record, epoch_ms, epoch_ms, epoch_ms).add(record)
        return True

    def add_totals(self, dims: dict, start_ms: int, totals: Totals, first_ms: int, last_ms: int) -> bool:
        """Add the totals of records that share `dims` (provider, model, provider_model, client, client_app,
        token), all inside the range and inside the bucket holding `start_ms`, the first 15-minute slot they
        cover; `first_ms`/`last_ms` are their earliest and latest instants. Whether they match the filters."""
        query = self.query
        if not matches(dims, provider=query.provider, model=query.model, client=query.client, agent=query.agent):
            return False
        self._cell(dims, start_ms, first_ms, last_ms).merge(totals)
        return True

    def _cell(self, dims: dict, epoch_ms: int, first_ms: int, last_ms: int) -> Totals:
        if self.first_ms is None:
            self.first_ms, self.last_ms = first_ms, last_ms
        else:
            self.first_ms, self.last_ms = min(self.first_ms, first_ms), max(self.last_ms, last_ms)
        slot = epoch_ms // SLOT_MS
        bucket_ms = self._slots.get(slot)
        if bucket_ms is None:
            bucket_ms = self._slots[slot] = bucket_start(epoch_ms, self.query.granularity, self.query.tz)
        key = (dims.get("provider") or NO_PROVIDER, dims.get("model"), dims.get("endpoint") or NO_ENDPOINT, bucket_ms)
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = Totals()
        return cell

    def _merged(self) -> tuple[Totals, dict, dict, dict, dict]:
        summary, by_model, by_provider, by_time, by_endpoint = Totals(), {}, {}, {}, {}
        for (provider, model, endpoint, bucket_ms), cell in self.cells.items():
            summary.merge(cell)
            _group(by_model, (provider, model)).merge(cell)
            _group(by_provider, provider).merge(cell)
            _group(by_time, bucket_ms).merge(cell)
            _group(by_endpoint, endpoint).merge(cell)
        return summary, by_model, by_provider, by_time, by_endpoint

    def result(self) -> dict:
        summary, by_model, by_provider, by_time, _ = self._merged()
        return {
            "summary": summary.as_dict(),
            "by_model": [{"provider": p, "model": m, **t.as_dict()} for (p, m), t in _ranked(by_model)],
            "by_provider": [{"provider": p, **t.as_dict()} for p, t in _ranked(by_provider)],
            "by_time": [{"bucket": label, **t.as_dict()} for label, t in self._series(by_time)],
        }

    def documented_result(self) -> dict:
        """The same figures under AgentLens's /api/analytics/llm names (summary, byModel, byTime), with
        byProvider, byEndpoint (the API each request came in by: /v1/chat/completions, /v1/messages,
        /v1/responses; nr-llm's "by service") and the extras in camelCase."""
        summary, by_model, by_provider, by_time, by_endpoint = self._merged()
        return {
            "summary": documented_summary(summary),
            "byModel": [{"provider": p, "model": m, **t.documented()} for (p, m), t in _ranked(by_model)],
            "byProvider": [{"provider": p, **t.documented()} for p, t in _ranked(by_provider)],
            "byEndpoint": [{"endpoint": e, **t.documented()} for e, t in _ranked(by_endpoint)],
            "byTime": [{"bucket": label, **t.documented()} for label, t in self._series(by_time)],
        }

    def _series(self, by_time: dict[int, Totals]) -> list[tuple[str, Totals]]:
        query = self.query
        start = query.start_ms if query.start_ms is not None else self.first_ms
        end = query.end_ms if query.end_ms is not None else (None if self.last_ms is None else self.last_ms + 1)
        if start is None or end is None or start >= end:
            return []
        series, cursor = [], bucket_start(start, query.granularity, query.tz)
        while cursor < end:
            totals = by_time.get(cursor) or Totals()
            series.append((bucket_label(cursor, query.tz), totals))
            cursor = next_bucket(cursor, query.granularity, query.tz)
        return series


def _group(groups: dict, key) -> Totals:
    totals = groups.get(key)
    if totals is None:
        totals = groups[key] = Totals()
    return totals


def _ranked(groups: dict) -> list:
    # Most expensive first, then most used, then by name: the order both languages produce.
    return sorted(groups.items(), key=lambda item: (-item[1].cost_usd.value, -item[1].requests, item[0]))


def aggregate(records: Iterable[dict], query: Query) -> dict:
    aggregator = Aggregator(query)
    for record in records:
        aggregator.add(record)
    return aggregator.result()
