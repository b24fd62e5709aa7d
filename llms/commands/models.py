"""`llms --models`: the enabled models with their prices per 1M tokens, and, when the ledger is on, what each cost,
how often it was asked and how many tokens it took in the last 30 days (nr-llm's "Cost (30d) / Requests (30d) /
Tokens (30d)" columns), counted by the ledger package (ledger/index.py aggregate_ledger)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from typing import TextIO

from llms.files import EXIT_OK

__all__ = ["print_models", "usage_30d", "DAYS"]

DAYS = 30


def _price(entry: dict | None, name: str) -> str:
    from llms.pricing.cost import format_price

    return format_price(entry.get(name) if entry else None)


def usage_30d(config, now: datetime, warn) -> dict[tuple[str, str], dict]:
    """{(provider, model alias): the ledger's documented figures (calls, costUsd, inputTokens, …)} of the 30 days
    before `now`; {} when the ledger is off. Raises OSError when the ledger cannot be read."""
    if not config.ledger["enabled"]:
        return {}
    from llms.ledger.analytics import parse_query
    from llms.ledger.index import aggregate_ledger
    from llms.ledger.location import ledger_path

    query = parse_query({"from": (now - timedelta(days=DAYS)).isoformat(), "to": now.isoformat()})
    aggregator, _ = aggregate_ledger(ledger_path(config), query, warn)
    return {(row["provider"], row["model"]): row for row in aggregator.documented_result()["byModel"]}


def _cost_30d(figures: dict | None) -> str:
    from llms.pricing.cost import format_usd

    if not figures:
        return format_usd(0.0, "computed")
    if figures["unpricedCalls"] == figures["calls"]:
        return "—"  # nothing it cost is known
    return format_usd(figures["costUsd"], "estimated" if figures["estimatedCalls"] else "computed")


def _columns_30d(figures: dict | None) -> tuple[str, str, str]:
    calls = figures["calls"] if figures else 0
    tokens = figures["inputTokens"] + figures["outputTokens"] if figures else 0
    return _cost_30d(figures), f"{calls:,}", f"{tokens:,}"


def print_models(config, out: TextIO, err: TextIO = sys.stderr, *, now: datetime | None = None) -> int:
    from llms.pricing.table import build_price_table

    table = build_price_table(config.providers)
    try:
        usage = usage_30d(config, now or datetime.now(timezone.utc), lambda message: err.write(f"llms: warning: {message}\n"))
    except OSError as exc:
        err.write(f"llms: the ledger cannot be read ({exc.strerror or exc}): no 30-day columns\n")
        usage = None
    shown = config.ledger["enabled"] and usage is not None
    for provider in config.providers:
        if not provider.enabled:
            out.write(f"{provider.id}: disabled ({provider.disabled_reason})\n")
            continue
        out.write(f"{provider.id}:\n")
        width = max(len(alias) for alias in provider.models)
        columns = {alias: _columns_30d(usage.get((provider.id, alias))) for alias in provider.models} if shown else {}
        widths = [max(len(c[i]) for c in columns.values()) for i in range(3)] if columns else []
        for alias in provider.models:
            entry = table.get(provider.id, {}).get(alias)
            line = f"  {alias.ljust(width)}  in {_price(entry, 'input'):>8} / 1M  out {_price(entry, 'output'):>8} / 1M"
            if shown:
                cost, requests, tokens = columns[alias]
                line += (f"  cost_{DAYS}d {cost:>{widths[0]}}  requests_{DAYS}d {requests:>{widths[1]}}"
                         f"  tokens_{DAYS}d {tokens:>{widths[2]}}")
            out.write(line + "\n")
    return EXIT_OK
