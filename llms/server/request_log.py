"""`llms --serve --verbose`: one log line per finished request, a recorder beside the ledger's (exchange.py hands
each record to every recorder once). The line says when the request started, its model and provider, tokens in
and out, its cost, how long it took and how it ended; an unpriced cost is said in the LLM proxy cost-tracking
guide's words ("Cost: Not calculated (no pricing configured)"), as its start-up warning is.
"""

from __future__ import annotations

import logging

from aiohttp import web

from llms.pricing.cost import format_usd
from llms.server.keys import CONFIG, PRICES, RECORDERS
from llms.server.ledger_recorder import priced

__all__ = ["install", "request_line"]

log = logging.getLogger("llms.requests")
UNPRICED = "Cost: Not calculated (no pricing configured)"


def request_line(record: dict, model: str, usage: dict | None, cost: dict) -> str:
    """`2026-12-02T00:20:01.123+00:00 openai/gpt-4o-mini in 1,200 out 340 $0.0012 812 ms ok` (pure); `model`,
    `usage` and `cost` are what ledger_recorder.priced made of the record, so the line and the ledger agree."""
    provider = record["provider"] or "(no provider)"
    tokens = "no usage" if usage is None else f"in {usage['prompt_tokens']:,} out {usage['completion_tokens']:,}"
    if cost["cost_usd"] is not None:
        cost_text = format_usd(cost["cost_usd"], cost["provenance"])
    else:
        cost_text = UNPRICED if cost["provenance"] == "unpriced" else "no cost"
    status = f"error {record['http_status']}" if record["status"] == "error" else record["status"]
    return f"{record['timestamp']} {provider}/{model} {tokens} {cost_text} {record['response_ms']:,.0f} ms {status}"


def install(app: web.Application) -> None:
    """Log every finished request (the server was started with --verbose)."""
    config, prices = app[CONFIG], app[PRICES]

    def log_request(record: dict) -> None:
        log.info("%s", request_line(record, *priced(record, config, prices)))

    app[RECORDERS].append(log_request)
