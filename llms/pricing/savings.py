"""Pure: what prompt caching saved and what cache writes cost on top, per request and per group of requests.

The rules (docs/architecture.md, "Cache savings"); ui/static/js/rules/savings.js keeps the same ones and both
pass tests/vectors/savings.json:

- Every figure is a difference of two prices from the one cost rule (cost.cost_for), never a second formula:
  read savings = price(usage with its cached tokens billed as plain input) − price(usage as recorded);
  1-hour write extra = price(as recorded) − price(1-hour writes billed as plain input);
  5-minute write extra = price(1-hour writes as plain input) − price(every write as plain input).
  The prompt's size is the same in each, so each is priced in the tier the request was priced in.
- A request is priced at the entry it was recorded with (its `prices`): costs are captured at call time and
  history is never rewritten. A provider-reported cost (usage.cost) is left aside: the rates tell the split.
- A difference within float noise (12 significant digits of the prices) is 0, never a tiny negative amount.
- Net saved = read savings − write extras. Hit rate = cached ÷ input tokens (input counts cache reads and
  writes, normalized usage), None without input.
- A request with cache tokens but no usable price (none recorded, or a variable one) counts in
  unpriced_requests and adds nothing to the amounts; its tokens still count in the hit rate.

What-if (`Repricing`; ui/static/js/rules/whatif.js keeps the same rule, both pass tests/vectors/whatif.json): each
record's usage as recorded (token counts, cache split, reasoning; a reported usage.cost left aside) priced again by
cost_for at another entry (a chosen model's, or today's for its own provider and alias), beside its recorded cost.
Records are never rewritten: costs are captured at call time.
"""

from __future__ import annotations

from llms.pricing.cost import cost_for

__all__ = ["request_savings", "CacheSavings", "NO_PROVIDER", "documented", "Repricing", "documented_repricing"]

NO_PROVIDER = "(none)"  # requests no provider answered, as in ledger/analytics.py
# Two prices of the same request may differ in their last bits only ((a + b) × rate vs a × rate + b × rate): a
# difference below 12 significant digits of the prices is that noise, not a saving (format_usd drops it there too).
NOISE = 1e-12
_AMOUNTS = ("read_saved_usd", "write_extra_5m_usd", "write_extra_1h_usd")
_TOKENS = ("input_tokens", "cached_tokens", "cache_write_tokens", "cache_write_1h_tokens")


def _split(usage: dict) -> tuple[int, int, int]:
    details = usage.get("prompt_tokens_details") or {}
    return (details.get("cached_tokens") or 0, details.get("cache_write_tokens") or 0,
            details.get("cache_write_1h_tokens") or 0)


def _with_cache(usage: dict, cached: int, cache_write: int, cache_write_1h: int) -> dict:
    """The same request with another cache split (the rest billed as plain input), without a reported cost."""
    return {"prompt_tokens": usage["prompt_tokens"], "completion_tokens": usage["completion_tokens"],
            "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write,
                                      "cache_write_1h_tokens": cache_write_1h}}


def request_savings(usage: dict | None, price: dict | None) -> dict | None:
    """{"read_saved_usd", "write_extra_5m_usd", "write_extra_1h_usd"} of one request, None when it cannot be
    priced (no usage, no price, a variable price)."""
    if not usage or price is None:
        return None
    cached, cache_write, cache_write_1h = _split(usage)
    recorded = cost_for(_with_cache(usage, cached, cache_write, cache_write_1h), price)["cost_usd"]
    if recorded is None:
        return None
    reads_plain = cost_for(_with_cache(usage, 0, cache_write, cache_write_1h), price)["cost_usd"]
    hour_plain = cost_for(_with_cache(usage, cached, cache_write - cache_write_1h, 0), price)["cost_usd"]
    writes_plain = cost_for(_with_cache(usage, cached, 0, 0), price)["cost_usd"]
    return {"read_saved_usd": _difference(reads_plain, recorded),
            "write_extra_5m_usd": _difference(hour_plain, writes_plain),
            "write_extra_1h_usd": _difference(recorded, hour_plain)}


def _difference(more: float, less: float) -> float:
    difference = more - less
    return 0.0 if abs(difference) <= NOISE * max(abs(more), abs(less)) else difference


class _Group:
    __slots__ = ("requests", "unpriced", "tokens", "amounts")

    def __init__(self):
        self.requests = self.unpriced = 0
        self.tokens = [0, 0, 0, 0]
        self.amounts = [0.0, 0.0, 0.0]

    def add(self, requests: int, unpriced: int, tokens, amounts) -> None:
        self.requests += requests
        self.unpriced += unpriced
        self.tokens = [a + b for a, b in zip(self.tokens, tokens)]
        self.amounts = [a + b for a, b in zip(self.amounts, amounts)]

    def as_dict(self) -> dict:
        out = {"requests": self.requests, **dict(zip(_TOKENS, self.tokens)), **dict(zip(_AMOUNTS, self.amounts))}
        read, write_5m, write_1h = self.amounts
        out["net_saved_usd"] = read - write_5m - write_1h
        out["hit_rate"] = self.tokens[1] / self.tokens[0] if self.tokens[0] else None
        out["unpriced_requests"] = self.unpriced
        return out


class CacheSavings:
    """Feed request records (ledger lines or stored records: usage, prices, provider, model) one at a time,
    then `result()`: {"summary", "by_provider", "by_model"}, groups with the most saved first."""

    def __init__(self):
        self.summary = _Group()
        self.by_provider: dict[str, _Group] = {}
        self.by_model: dict[tuple[str, str], _Group] = {}

    def add(self, record: dict) -> None:
        usage = record.get("usage")
        if not usage:
            return  # nothing was read or written: no request to count
        cached, cache_write, cache_write_1h = _split(usage)
        saved = request_savings(usage, record.get("prices"))
        self.add_sums(record.get("provider"), record.get("model"), requests=1,
                      unpriced=int(saved is None and cached + cache_write > 0),
                      tokens=(usage["prompt_tokens"], cached, cache_write, cache_write_1h),
                      amounts=(0.0, 0.0, 0.0) if saved is None else tuple(saved[name] for name in _AMOUNTS))

    def add_sums(self, provider: str | None, model: str, *, requests: int, unpriced: int, tokens, amounts) -> None:
        """The sums of several requests of one provider and model (an index cell: ledger/index.py), counted as `add`
        counts each: `tokens` (input, cached, cache write, 1-hour write), `amounts` (read saved, 5-minute and 1-hour
        write extras, from request_savings), `unpriced` those with cache tokens but no usable price."""
        provider = provider or NO_PROVIDER
        for group in (self.summary, _group(self.by_provider, provider), _group(self.by_model, (provider, model))):
            group.add(requests, unpriced, tokens, amounts)

    def result(self) -> dict:
        return {"summary": self.summary.as_dict(),
                "by_provider": [{"provider": p, **g} for p, g in _ranked(self.by_provider)],
                "by_model": [{"provider": p, "model": m, **g} for (p, m), g in _ranked(self.by_model)]}


def _group(groups: dict, key) -> _Group:
    group = groups.get(key)
    if group is None:
        group = groups[key] = _Group()
    return group


def _ranked(groups: dict) -> list[tuple]:
    # Most saved first, then most input, then by name: the order both languages produce.
    rows = [(key, group.as_dict()) for key, group in groups.items()]
    return sorted(rows, key=lambda row: (-row[1]["net_saved_usd"], -row[1]["input_tokens"], row[0]))


_DOCUMENTED = {"requests": "calls", "input_tokens": "inputTokens", "cached_tokens": "cachedTokens",
               "cache_write_tokens": "cacheWriteTokens", "cache_write_1h_tokens": "cacheWrite1hTokens",
               "read_saved_usd": "readSavedUsd", "write_extra_5m_usd": "writeExtra5mUsd",
               "write_extra_1h_usd": "writeExtra1hUsd", "net_saved_usd": "netSavedUsd", "hit_rate": "hitRate",
               "unpriced_requests": "unpricedCalls"}


def documented(result: dict) -> dict:
    """A `CacheSavings.result()` under /api/analytics/llm's camelCase names (summary, byProvider, byModel)."""
    def names(row: dict) -> dict:
        return {_DOCUMENTED.get(key, key): value for key, value in row.items()}
    return {"summary": names(result["summary"]), "byProvider": [names(r) for r in result["by_provider"]],
            "byModel": [names(r) for r in result["by_model"]]}


def _repriced_row() -> dict:
    return {"requests": 0, "recorded_usd": 0.0, "recorded_unpriced": 0, "repriced_usd": 0.0, "repriced_unpriced": 0}


def _add_repriced(row: dict, recorded: float | None, repriced: float | None) -> None:
    row["requests"] += 1
    if recorded is None:
        row["recorded_unpriced"] += 1
    else:
        row["recorded_usd"] += recorded
    if repriced is None:
        row["repriced_unpriced"] += 1
    else:
        row["repriced_usd"] += repriced


class Repricing:
    """`price_for(record)` → the entry to charge each record at (None: none). Feed records with `add`, then
    `result()`: {"summary", "by_model": [{provider, model, requests, recorded_usd, recorded_unpriced, repriced_usd,
    repriced_unpriced}]}, most recorded cost first. A record without usage (nothing answered) is left out."""

    def __init__(self, price_for):
        self.price_for = price_for
        self.summary = _repriced_row()
        self.by_model: dict[tuple[str, str], dict] = {}

    def add(self, record: dict) -> None:
        usage = record.get("usage")
        if not usage:
            return
        counts = {name: value for name, value in usage.items() if name != "cost"}  # the rates decide, not the bill
        repriced = cost_for(counts, self.price_for(record), service_tier=record.get("service_tier"))["cost_usd"]
        provider = record.get("provider") or NO_PROVIDER
        row = self.by_model.get((provider, record.get("model")))
        if row is None:
            row = self.by_model[(provider, record.get("model"))] = _repriced_row()
        for totals in (self.summary, row):
            _add_repriced(totals, record.get("cost_usd"), repriced)

    def result(self) -> dict:
        rows = sorted(self.by_model.items(), key=lambda item: (-item[1]["recorded_usd"], -item[1]["requests"], item[0]))
        return {"summary": dict(self.summary),
                "by_model": [{"provider": provider, "model": model, **row} for (provider, model), row in rows]}


_DOCUMENTED_REPRICING = {"requests": "calls", "recorded_usd": "recordedUsd", "recorded_unpriced": "recordedUnpricedCalls",
                         "repriced_usd": "repricedUsd", "repriced_unpriced": "repricedUnpricedCalls"}


def documented_repricing(result: dict) -> dict:
    """A `Repricing.result()` under /api/analytics/llm's camelCase names (summary, byModel)."""
    def names(row: dict) -> dict:
        return {_DOCUMENTED_REPRICING.get(key, key): value for key, value in row.items()}
    return {"summary": names(result["summary"]), "byModel": [names(row) for row in result["by_model"]]}
