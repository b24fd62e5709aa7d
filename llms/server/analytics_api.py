"""/api/analytics/llm (the ledger aggregated) and /api/ledger (its records, for the browser to import)."""

from __future__ import annotations

import asyncio
import heapq
import re
from datetime import datetime, timedelta, timezone

from aiohttp import web

from llms.budget.users import ByUser
from llms.ledger.analytics import Aggregator, QueryError, matches, parse_query
from llms.ledger.index import aggregate_ledger
from llms.ledger.location import ledger_files, ledger_path
from llms.ledger.reader import read_records
from llms.pricing.drift import PriceCheck
from llms.pricing.savings import CacheSavings, Repricing, documented, documented_repricing
from llms.server.errors import error_body, error_response
from llms.server.keys import BUDGETS, CONFIG, LEDGER, PRICES, SETTINGS

__all__ = ["add_routes", "analytics_view", "ledger_view", "ledger_page"]

DEFAULT_RANGE = timedelta(hours=24)
DEFAULT_LIMIT, MAX_LIMIT = 1000, 10_000
MAX_WARNINGS = 20
# Lines are written when a request ends but carry its start: read this far before `since`.
LONGEST_REQUEST = timedelta(days=1)
# A line that ends later than now is held back until its time: served, it would move `next_since` past every line
# written after it (one line dated 8999 hid every newer one). Past this much it is a wrong clock or a hand edit,
# and the pull's warnings say so.
FUTURE_TOLERANCE = timedelta(minutes=5)
_SPACED_OFFSET = re.compile(r" (\d{2}:\d{2})$")  # a "+01:00" sent unencoded arrives as " 01:00"
OFF_NOTE = 'the ledger is off: set "ledger": {"enabled": true} in llms.json to count API traffic'


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/analytics/llm", analytics_view)
    app.router.add_get("/api/ledger", ledger_view)


def _unreadable(config, exc: OSError) -> web.Response:
    """The ledger cannot be read (a folder where the file should be, no permission): say so, with its state."""
    note = f"the ledger {ledger_path(config)} cannot be read: {exc.strerror or exc}"
    body = error_body(503, note, code="ledger_unreadable") | {"ledger": {"enabled": True, "warnings": [], "note": note}}
    return web.json_response(body, status=503)


def _ledger_state(app: web.Application, records_read: int, warnings: list[str]) -> dict:
    """Whether the ledger is on, its warnings, and the requests the server could not write to it (a full disk:
    they are missing from every figure read from it, so the pages say so)."""
    if not app[CONFIG].ledger["enabled"]:
        return {"enabled": False, "note": OFF_NOTE}
    state = {"enabled": True, "warnings": warnings}
    writer = app[LEDGER].writer if LEDGER in app else None
    if writer is not None and writer.write_errors:
        state |= {"write_errors": writer.write_errors, "last_error": writer.last_error}
    if records_read == 0:
        state["note"] = "the ledger has no requests in this range yet"
    return state


async def analytics_view(request: web.Request) -> web.Response:
    now = datetime.now(timezone.utc)
    params = {name: _unspaced(value) for name, value in request.query.items()}
    params.setdefault("from", (now - DEFAULT_RANGE).isoformat(timespec="milliseconds"))
    params.setdefault("to", now.isoformat(timespec="milliseconds"))
    params.setdefault("granularity", "hour")
    try:
        query = parse_query(params)
    except QueryError as exc:
        return error_response(400, str(exc), param=exc.param)
    config = request.app[CONFIG]
    loop = asyncio.get_running_loop()
    try:
        included = _included(params.get("include"))
        repricings = await loop.run_in_executor(None, _repricings, request.app[PRICES], params.get("whatIf"),
                                                "todaysPrices" in included)
    except QueryError as exc:
        return error_response(400, str(exc), param=exc.param)
    try:
        result, read, warnings = await loop.run_in_executor(None, analytics_from_ledger, config, query)
        if included or repricings:
            users, prices = await loop.run_in_executor(None, ledger_extras, config, query,
                                                       request.app[SETTINGS].tokens, repricings.values())
    except OSError as exc:
        return _unreadable(config, exc)
    if "byUser" in included:
        result["byUser"] = users.rows(request.app[BUDGETS].month_of_user)
    if "priceCheck" in included:
        result["priceCheck"] = prices.rows()
    if "todaysPrices" in included:
        result["todaysPrices"] = documented_repricing(repricings["todaysPrices"].result())
    if "whatIf" in repricings:
        result["whatIf"] = {"model": params["whatIf"], **documented_repricing(repricings["whatIf"].result())}
    result["query"] = {"from": params["from"], "to": params["to"], "granularity": query.granularity,
                       "tz": params.get("tz") or "UTC", "provider": query.provider, "model": query.model,
                       "client": query.client, "agentId": query.agent}
    result["ledger"] = _ledger_state(request.app, read, warnings)
    return web.json_response(result)


def analytics_from_ledger(config, query) -> tuple[dict, int, list[str]]:
    """(aggregate under AgentLens's names, records in range, warnings) of the ledger's records, read from its
    index (ledger/index.py); empty when the ledger is off. The `cache` extra is what caching saved
    (pricing/savings.py: each line priced in its own tier at its recorded prices), by provider and model."""
    warnings: list[str] = []
    if config.ledger["enabled"]:
        aggregator, cache = aggregate_ledger(ledger_path(config), query, _collector(warnings), with_savings=True)
    else:
        aggregator, cache = Aggregator(query), CacheSavings()
    result = aggregator.documented_result()
    result["cache"] = documented(cache.result())
    return result, result["summary"]["totalCalls"], warnings


# Extras that read every line of the range (the index's cells split neither by reported cost nor by repricing):
# given only when asked with include=, so the documented call reads cells alone (issue 17: 7 days by hour in
# milliseconds at a million lines). The Costs page asks for all three.
LINE_EXTRAS = ("byUser", "priceCheck", "todaysPrices")


def _included(include: str | None) -> frozenset[str]:
    """`include=byUser,priceCheck,todaysPrices` (any of them): the line-reading extras asked for."""
    names = frozenset(name for name in (include or "").split(",") if name)
    unknown = sorted(names - set(LINE_EXTRAS))
    if unknown:
        raise QueryError("include", f"unknown include {unknown[0]!r}: give any of {', '.join(LINE_EXTRAS)}")
    return names


def _repricings(table, what_if: str | None, todays_prices: bool) -> dict[str, Repricing]:
    """The range priced again (pricing/savings.py): with `todays_prices`, `todaysPrices`, each line at today's price of
    its own provider and alias; with `whatIf=provider/alias`, `whatIf`, every line at that model's price (400 when it
    has none)."""
    repricings = {}
    if todays_prices:
        repricings["todaysPrices"] = Repricing(
            lambda record: table.price_for(record.get("provider") or "", record.get("alias") or record["model"]))
    if what_if:
        provider, _, alias = what_if.partition("/")
        price = table.price_for(provider, alias) if alias else None
        if price is None:
            raise QueryError("whatIf", f"no price for {what_if!r}: give a priced provider/alias, like openai/gpt-4o-mini")
        repricings["whatIf"] = Repricing(lambda record: price)
    return repricings


def ledger_extras(config, query, token_names, repricings=()) -> tuple[ByUser, PriceCheck]:
    """Who sent each request of the range (byUser: named token or `local`) and what providers billed against our
    prices (priceCheck), and each `repricings` fed: one pass over the range's lines, as the index's cells split
    neither by token nor by reported cost. Empty when the ledger is off."""
    users, prices = ByUser(query, token_names), PriceCheck()
    if not config.ledger["enabled"]:
        return users, prices
    start = None if query.start_ms is None else datetime.fromtimestamp(query.start_ms / 1000, timezone.utc)
    files = ledger_files(ledger_path(config), modified_since=None if start is None else start.timestamp())
    # The index's pass above already warned about any line that fails its check: not warned twice.
    for record in read_records(files, lambda problem: None, since=start):
        epoch_ms = datetime.fromisoformat(record["timestamp"]).timestamp() * 1000
        if (query.start_ms is not None and epoch_ms < query.start_ms) or (
                query.end_ms is not None and epoch_ms >= query.end_ms):
            continue
        if matches(record, provider=query.provider, model=query.model, client=query.client, agent=query.agent):
            users.add(record)
            prices.add(record)
            for repricing in repricings:
                repricing.add(record)
    return users, prices


def _collector(warnings: list[str]):
    def warn(message: str) -> None:
        if len(warnings) < MAX_WARNINGS:
            warnings.append(message)
    return warn


async def ledger_view(request: web.Request) -> web.Response:
    try:
        since = _since(_unspaced(request.query.get("since")))
        limit = _limit(request.query.get("limit"))
    except QueryError as exc:
        return error_response(400, str(exc), param=exc.param)
    config = request.app[CONFIG]
    if not config.ledger["enabled"]:
        return web.json_response({"records": [], "next_since": None, "more": False,
                                  "ledger": _ledger_state(request.app, 0, [])})
    loop = asyncio.get_running_loop()
    now = datetime.now(timezone.utc)
    try:
        records, more, warnings = await loop.run_in_executor(None, ledger_page, config, since, limit, now)
    except OSError as exc:
        return _unreadable(config, exc)
    next_since = _ended_at(records[-1]).isoformat(timespec="milliseconds") if records else None
    return web.json_response({"records": records, "next_since": next_since, "more": more,
                              "ledger": _ledger_state(request.app, len(records), warnings)})


def ledger_page(config, since: datetime | None, limit: int, now: datetime) -> tuple[list[dict], bool, list[str]]:
    """The `limit` records that ended first at or after `since` and by `now`, in the order they ended; and whether
    more follow. A record that ends after `now` waits for its time (warned about past FUTURE_TOLERANCE), so
    `next_since` is never later than now; a `since` later than now (a position given out before that rule) reads
    from the start, and the browser, which stores a request once by its id, keeps what it has."""
    warnings: list[str] = []
    warn = _collector(warnings)
    if since is not None and since > now:
        since = None
    read_from = None if since is None else since - LONGEST_REQUEST
    files = ledger_files(ledger_path(config), modified_since=None if since is None else since.timestamp())
    ended = ((_ended_at(r), i, r) for i, r in enumerate(read_records(files, warn, since=read_from)))
    wanted = (item for item in ended if (since is None or item[0] >= since) and _due(item, now, warn))
    first = heapq.nsmallest(limit + 1, wanted, key=lambda item: (item[0], item[1]))
    return [record for _, _, record in first[:limit]], len(first) > limit, warnings


def _due(item: tuple[datetime, int, dict], now: datetime, warn) -> bool:
    ended, _, record = item
    if ended <= now:
        return True
    if ended > now + FUTURE_TOLERANCE:
        warn(f"request {record['request_id']} ends at {ended.isoformat(timespec='milliseconds')}, later than now: "
             "held back until then (is a clock wrong?)")
    return False


def _ended_at(record: dict) -> datetime:
    started = datetime.fromisoformat(record["timestamp"])
    return started + timedelta(milliseconds=record.get("response_ms") or 0)


def _unspaced(text: str | None) -> str | None:
    return _SPACED_OFFSET.sub(r"+\1", text) if text else text


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        since = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError("since", f"expected an ISO 8601 time with an offset, like 2026-11-01T09:00:00.000+01:00, "
                                  f"got {text!r}") from None
    if since.tzinfo is None:
        raise QueryError("since", f"{text!r} has no offset: add one, like +01:00 or Z")
    try:  # read from LONGEST_REQUEST before it, in UTC: year 1 (+14:00 in it too) or 9999 at -14:00 has no such time
        since.astimezone(timezone.utc) - LONGEST_REQUEST
    except OverflowError:
        raise QueryError("since", f"{text!r} is out of range: give a time from year 1 to 9999 in UTC") from None
    return since


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:  # "²".isdigit() is True
        raise QueryError("limit", f"expected a whole number from 1 to {MAX_LIMIT}, got {text!r}")
    return int(text)
