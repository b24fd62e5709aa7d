"""The ledger on a running server: prices each finished request and appends its line; the index (ledger/index.py)
is kept up by a thread off the event loop (ledger/catch_up.py), whose first catch-up is the start-up one (a rebuild
when the index is missing or stale). /health's 24 h stats come from the index once it has the lines written so far;
another part's start-up read of the ledger (the budgets' month) goes through `read_at_start`: after that first
catch-up, or from the lines when it is a rebuild."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar
from pathlib import Path

from aiohttp import web

from llms.ledger.analytics import NO_PROVIDER, Query, epoch_ms
from llms.ledger.catch_up import IndexCatchUp
from llms.ledger.index import IndexUnusable, LedgerIndex, aggregate_ledger
from llms.ledger.location import ledger_files, ledger_path
from llms.ledger.schema import ledger_line
from llms.ledger.writer import LedgerWriter
from llms.pricing.cost import computed_beside_reported, cost_for, estimated_usage, price_at_tier
from llms.pricing.energy import energy_cost
from llms.pricing.version import price_version
from llms.providers.masking import config_secrets
from llms.providers.routing import unpinned
from llms.server.installed_models import ServedPrices
from llms.server.keys import BUDGETS, CONFIG, INSTALLED, LEDGER, PRICES, RECORDERS

__all__ = ["LedgerRecorder", "install", "health_fields", "priced", "stats_24h", "read_at_start"]

log = logging.getLogger("llms.ledger.reader")
DAY_S = 24 * 3600
OPEN_RACE_WAIT_S = 1.0  # start-up's look at the index waits this long for another connection's open (see _rebuild_first)
T = TypeVar("T")


def priced(record: dict, config, prices) -> tuple[str, dict | None, dict]:
    """(model alias, usage, pricing.cost_for result) of a recorder record, with the prices of now.

    The price is the one of the alias the request was served under (`alias`, carried from routing), so two
    aliases of one provider model keep their own prices.
    No usage but a started answer (Stop, cut stream): tokens are estimated from the text and reasoning.
    No usage and no answer (refused, unreachable): cost and provenance null, as the browser's record.js.
    Tokens are charged at the rates of the service tier that served the request (`service_tier`) when the price
    data has them (pricing.cost.price_at_tier).
    A provider with `energy` in llms.json (a local model) costs the electricity of the answer's time instead
    (pricing/energy.py), whatever its token prices.
    """
    if record["alias"] is not None:
        model, price = record["alias"], prices.price_for(record["provider"], record["alias"])
    else:
        model, price = unpinned(config, record["model"]), None
    usage = record["usage"]
    if usage is not None:
        return model, usage, _cost(record, config, usage, price)
    reasoning = record.get("reasoning_text")  # streamed reasoning, kept apart from the answer's text
    if record["output_text"] is None and reasoning is None:
        prices = price_at_tier(price, record["service_tier"])  # the rates it would have cost, as a priced line keeps
        return model, None, {"cost_usd": None, "provenance": None, "prices": prices}
    # Reasoning is billed as output; record.js estimates from text + reasoning alike.
    usage = estimated_usage(_message_text(record["messages"]), (record["output_text"] or "") + (reasoning or ""))
    return model, usage, _cost(record, config, usage, price, estimated=True)


def _cost(record: dict, config, usage: dict, price: dict | None, *, estimated: bool = False) -> dict:
    """The tokens at the alias's price, or, for a provider priced by energy, the electricity of its answer."""
    provider = config.provider(record["provider"]) if record["alias"] is not None else None
    if provider is not None and provider.energy is not None:
        return energy_cost(record["response_ms"], provider.energy)
    return cost_for(usage, price, estimated=estimated, service_tier=record["service_tier"])


def _message_text(messages) -> str:
    parts = []
    for message in messages or ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return "\n".join(parts)


class LedgerRecorder:
    """A recorder (see exchange.py): one ledger line per finished request."""

    def __init__(self, config, prices, writer: LedgerWriter, prompts: bool,
                 settle: Callable[[dict], None] | None = None):
        self.config = config
        self.settle = settle  # the budgets on the app: a request's reservation settled to its real cost (llms/budget)
        self.price_version = price_version(config.providers)  # every line says which price data priced it
        self.prices = prices
        self.writer = writer
        self.prompts = prompts
        self.loaded: asyncio.Future | None = None  # the index brought up to date at start (`warm`)

    def warm(self) -> asyncio.Future:
        """The start-up catch-up of the index (a rebuild when it is missing or stale), begun on first ask; done at
        once without a catch-up thread (a terminal command's writer)."""
        if self.loaded is None:
            catch_up = self.writer.catch_up
            if catch_up is None:
                self.loaded = asyncio.get_running_loop().create_future()
                self.loaded.set_result(None)
            else:
                catch_up.wake()
                self.loaded = asyncio.wrap_future(catch_up.caught_up())
        return self.loaded

    def __call__(self, record: dict) -> None:
        model, usage, cost = priced(record, self.config, self.prices)
        line = ledger_line(record, cost, usage, model, prompts=self.prompts,
                           computed_cost_usd=computed_beside_reported(usage, cost), energy=cost.get("energy"),
                           price_version=self.price_version)
        if self.settle is not None:
            self.settle(line)  # first: a line the writer fails to write still counts against the budgets
        self.writer.append(line)


def stats_24h(ledger: Path, now: float) -> dict:
    """The cost-tracking guide's `total_cost` and `provider_costs` (known costs; an unpriced request adds
    nothing), with our `requests`, `cost_usd` (= total_cost) and `errors` beside them: the requests that
    started at or after `now` − 24 h (epoch s), read from the index."""
    query = Query(epoch_ms(datetime.fromtimestamp(now - DAY_S, timezone.utc)), None, "day", timezone.utc)
    # Bad lines are named by llms --report and /api/analytics/llm; /health gives figures only.
    aggregator, _ = aggregate_ledger(ledger, query, lambda message: None)
    result = aggregator.result()
    summary = result["summary"]
    provider_costs = {group["provider"]: group["cost_usd"] for group in result["by_provider"]
                      if group["provider"] != NO_PROVIDER}
    return {"total_cost": summary["cost_usd"], "provider_costs": provider_costs, "requests": summary["requests"],
            "cost_usd": summary["cost_usd"], "errors": summary["errors"]}


def install(app: web.Application) -> None:
    """Register the ledger as a recorder when `ledger.enabled`."""
    config = app[CONFIG]
    if not config.ledger["enabled"]:
        return
    path = ledger_path(config)
    catch_up = IndexCatchUp(path, progress=lambda message: print(f"llms: {message}", file=sys.stderr, flush=True))
    writer = LedgerWriter(path, int(config.ledger["max_mb"] * 1024 * 1024), config_secrets(config.providers),
                          catch_up=catch_up)
    # Priced as served: an Ollama model is priced as its provider listed it (server/installed_models.py).
    prices = ServedPrices(app[INSTALLED], app[PRICES])
    recorder = LedgerRecorder(config, prices, writer, config.ledger["prompts"], app[BUDGETS].settle)
    app[LEDGER] = recorder
    app[RECORDERS].append(recorder)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)


async def _start(app: web.Application) -> None:
    app[LEDGER].warm()


async def _stop(app: web.Application) -> None:
    writer = app[LEDGER].writer
    writer.close()
    # The index takes the lines it has not yet: off the loop, as the cleanup of the other parts goes on.
    await asyncio.get_running_loop().run_in_executor(None, writer.catch_up.close)


async def read_at_start(app: web.Application, read: Callable[[bool], T]) -> T:
    """Start-up's read of the ledger for another part of the server (the budgets' month), off the event loop:
    `read(False)` reads the index's cells once the start-up catch-up is done, so it never starts a second rebuild
    beside that one; when that catch-up is a rebuild (the index missing or stale: minutes on a big ledger),
    `read(True)` reads the lines at once instead, to the same sums. Raises what `read` raises."""
    recorder, loop = app[LEDGER], asyncio.get_running_loop()
    warm = recorder.warm()
    if not warm.done() and await loop.run_in_executor(None, _rebuild_first, recorder.writer.path):
        return await loop.run_in_executor(None, read, True)
    await asyncio.shield(warm)
    return await loop.run_in_executor(None, read, False)


def _rebuild_first(ledger: Path) -> bool:
    """Whether the index must be rebuilt before it can answer (or cannot be opened now): read the lines instead."""
    if not ledger_files(ledger):
        return False
    try:
        # A moment's wait: the catch-up thread opening the index at the same time holds SQLite's lock while it
        # recovers the WAL (milliseconds); with none, that open alone sent the month to the lines. A rebuild's
        # write transaction never holds a reader up in WAL mode, so this never waits for a rebuild.
        index = LedgerIndex(ledger, wait_s=OPEN_RACE_WAIT_S)
        try:
            return index.stale_reason() is not None
        finally:
            index.close()
    except (OSError, IndexUnusable, sqlite3.Error):
        return True  # busy or unusable: the lines answer now, and the same as the cells would


async def health_fields(app: web.Application) -> dict:
    """`cost_stats_24h` and the ledger's write state for /health when the ledger is on; nothing otherwise."""
    recorder = app.get(LEDGER)
    if recorder is None:
        return {}
    await asyncio.shield(recorder.warm())
    writer = recorder.writer
    if writer.catch_up is not None:  # the lines written so far indexed: the read below has none to index itself
        await asyncio.wrap_future(writer.catch_up.caught_up())
    state = {"ledger": {"write_errors": writer.write_errors, "last_error": writer.last_error}}
    try:
        stats = await asyncio.get_running_loop().run_in_executor(None, stats_24h, writer.path, time.time())
    except (OSError, IndexUnusable, sqlite3.Error):
        # An unreadable ledger (a folder where the file should be, a full disk) leaves /health answering with the
        # write state, which says why; the 24 h figures cannot be known, so they are left out rather than guessed.
        return state
    return {"cost_stats_24h": stats, **state}
