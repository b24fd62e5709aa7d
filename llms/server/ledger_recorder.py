"""The ledger on a running server: prices each finished request, appends its line, keeps 24 h for /health."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from llms.ledger.location import ledger_files, ledger_path
from llms.ledger.reader import read_records
from llms.ledger.schema import ledger_line
from llms.ledger.writer import LedgerWriter
from llms.pricing.cost import computed_beside_reported, cost_for, estimated_usage
from llms.pricing.energy import energy_cost
from llms.pricing.version import price_version
from llms.providers.masking import config_secrets
from llms.providers.routing import unpinned
from llms.server.keys import BUDGETS, CONFIG, LEDGER, PRICES, RECORDERS

__all__ = ["LedgerRecorder", "install", "health_fields", "priced"]

log = logging.getLogger("llms.ledger.reader")
DAY_S = 24 * 3600


def priced(record: dict, config, prices) -> tuple[str, dict | None, dict]:
    """(model alias, usage, pricing.cost_for result) of a recorder record, with the prices of now.

    The price is the one of the alias the request was served under (`alias`, carried from routing), so two
    aliases of one provider model keep their own prices.
    No usage but a started answer (Stop, cut stream): tokens are estimated from the text and reasoning.
    No usage and no answer (refused, unreachable): cost and provenance null, as the browser's record.js.
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
        return model, None, {"cost_usd": None, "provenance": None, "prices": price}
    # Reasoning is billed as output; record.js estimates from text + reasoning alike.
    usage = estimated_usage(_message_text(record["messages"]), (record["output_text"] or "") + (reasoning or ""))
    return model, usage, _cost(record, config, usage, price, estimated=True)


def _cost(record: dict, config, usage: dict, price: dict | None, *, estimated: bool = False) -> dict:
    """The tokens at the alias's price, or, for a provider priced by energy, the electricity of its answer."""
    provider = config.provider(record["provider"]) if record["alias"] is not None else None
    if provider is not None and provider.energy is not None:
        return energy_cost(record["response_ms"], provider.energy)
    return cost_for(usage, price, estimated=estimated)


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
        # (epoch s, request_id, cost_usd, is_error, provider) of the last 24 h, oldest first, for /health.
        self._recent: deque[tuple[float, str, float, bool, str | None]] = deque()
        self.loaded: asyncio.Future | None = None

    def __call__(self, record: dict) -> None:
        model, usage, cost = priced(record, self.config, self.prices)
        line = ledger_line(record, cost, usage, model, prompts=self.prompts,
                           computed_cost_usd=computed_beside_reported(usage, cost), energy=cost.get("energy"),
                           price_version=self.price_version)
        if self.settle is not None:
            self.settle(line)  # first: a line the writer fails to write still counts against the budgets
        self.writer.append(line)
        self._recent.append(_recent_entry(line))

    def load_recent(self) -> list[tuple[float, str, float, bool, str | None]]:
        """The last 24 h from the files (run in a thread at start-up)."""
        cutoff = time.time() - DAY_S
        since = datetime.fromtimestamp(cutoff).astimezone()
        files = ledger_files(self.writer.path, modified_since=cutoff)
        return [_recent_entry(r) for r in read_records(files, log.warning, since=since)]

    def merge_recent(self, loaded: list) -> None:
        # Lines written while the files were read are in both: keep one of each request_id.
        written = {entry[1] for entry in self._recent}
        old = sorted((entry for entry in loaded if entry[1] not in written), key=lambda entry: entry[:2])
        self._recent = deque(old + list(self._recent))

    def stats_24h(self, now: float) -> dict:
        """The cost-tracking guide's `total_cost` and `provider_costs` (known costs; an unpriced request adds
        nothing), with our `requests`, `cost_usd` (= total_cost) and `errors` beside them."""
        cutoff = now - DAY_S
        while self._recent and self._recent[0][0] < cutoff:
            self._recent.popleft()
        recent = [entry for entry in self._recent if entry[0] >= cutoff]
        total = sum(entry[2] for entry in recent)
        provider_costs: dict[str, float] = {}
        for _, _, cost, _, provider in recent:
            if provider is not None:
                provider_costs[provider] = provider_costs.get(provider, 0.0) + cost
        return {"total_cost": total, "provider_costs": provider_costs, "requests": len(recent), "cost_usd": total,
                "errors": sum(1 for entry in recent if entry[3])}


def _recent_entry(line: dict) -> tuple[float, str, float, bool, str | None]:
    epoch = datetime.fromisoformat(line["timestamp"]).timestamp()
    cost = line.get("cost_usd")
    return (epoch, line.get("request_id", ""), cost if isinstance(cost, (int, float)) else 0.0,
            line.get("status") == "error", line.get("provider"))


def install(app: web.Application) -> None:
    """Register the ledger as a recorder when `ledger.enabled`."""
    config = app[CONFIG]
    if not config.ledger["enabled"]:
        return
    writer = LedgerWriter(ledger_path(config), int(config.ledger["max_mb"] * 1024 * 1024),
                          config_secrets(config.providers))
    recorder = LedgerRecorder(config, app[PRICES], writer, config.ledger["prompts"], app[BUDGETS].settle)
    app[LEDGER] = recorder
    app[RECORDERS].append(recorder)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)


async def _start(app: web.Application) -> None:
    recorder = app[LEDGER]
    recorder.loaded = asyncio.create_task(_load(recorder))


async def _load(recorder: LedgerRecorder) -> None:
    try:
        loaded = await asyncio.get_running_loop().run_in_executor(None, _warm, recorder)
    except OSError as exc:  # an unreadable ledger must not stop the server; /health then counts from now
        log.error("reading the ledger for /health's last 24 h failed: %s", exc)
        return
    recorder.merge_recent(loaded)


def _warm(recorder: LedgerRecorder) -> list:
    # Off the event loop: the ledger may be large. (Unpriced models are warned about by app.py, ledger on or off.)
    return recorder.load_recent()


async def _stop(app: web.Application) -> None:
    app[LEDGER].writer.close()


async def health_fields(app: web.Application) -> dict:
    """`cost_stats_24h` and the ledger's write state for /health when the ledger is on; nothing otherwise."""
    recorder = app.get(LEDGER)
    if recorder is None:
        return {}
    if recorder.loaded is not None:
        await asyncio.shield(recorder.loaded)
    writer = recorder.writer
    return {"cost_stats_24h": recorder.stats_24h(time.time()),
            "ledger": {"write_errors": writer.write_errors, "last_error": writer.last_error}}
