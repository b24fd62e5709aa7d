"""The budgets on a running server: this month's spend (read from the ledger's index once at start, then kept in memory),
reservations against hard caps before each call, settlement to the real cost when the request is recorded, one
warning in the server log per threshold crossed, and /health's `budgets`.

Reserve and settle run on the event loop and never await between the check and the booking, so concurrent
requests cannot all pass a check that only one of them fits (tests/integration/test_budget_caps.py: 50 at once).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime

from aiohttp import web

from llms.budget.refusal import BudgetExceeded
from llms.budget.rules import (applies, budgets_of, crossed, max_output_tokens, prompt_token_bound, refused_by,
                               state_of, threshold_of, usd, worst_case_usd)
from llms.ledger.analytics import ExactSum, Query, epoch_ms
from llms.ledger.grouped import totals_by
from llms.ledger.index import IndexUnusable
from llms.ledger.location import ledger_path
from llms.ledger.schema import LOCAL_USER
from llms.server.keys import BUDGETS, CONFIG, PRICES
from llms.server.ledger_recorder import read_at_start

__all__ = ["BudgetEnforcer", "install", "month_of", "month_range", "user_of"]

log = logging.getLogger("llms.budget")


def month_of(moment: datetime) -> str:
    """The calendar month a moment falls in on the server's clock, "2026-12" (as the Costs page's "this month")."""
    return moment.astimezone().strftime("%Y-%m")


def user_of(record: dict) -> str:
    """The ledger's user_id of a record: `token:<name>`, or `local` (lines written before user_id have a token)."""
    return record.get("user_id") or (f"token:{record['token']}" if record.get("token") else LOCAL_USER)


class BudgetEnforcer:
    def __init__(self, config, prices):
        self.config = config
        self.prices = prices
        self.budgets = budgets_of(config.budget)
        self.caps = [budget for budget in self.budgets if budget.hard]
        self.month = month_of(datetime.now())
        self.spent: dict[str, float] = {}  # budget key → this month's known spend
        self.by_user: dict[str, float] = {}  # user_id → this month's known spend (the Users section's bars)
        self.reserved: dict[str, float] = {}  # budget key → worst cases of the requests in flight
        self._reservations: dict[str, dict[str, float]] = {}  # request_id → {budget key: amount}
        self._windows: dict[tuple[str, str], int | None] = {}  # (provider, alias) → context window, when known
        self.loaded: asyncio.Future | None = None

    # ---- start-up: the month so far ----

    def load_month(self, until: datetime, *,
                   from_lines: bool = False) -> tuple[str, dict[str, float], dict[str, float]]:
        """(month, spend per budget key, spend per user) of the ledger's requests this month that started before
        `until` (the server's start: every request since is settled here), read from the index's cells (the lines
        when it cannot be used, or `from_lines`: while it is rebuilt); and the models' context windows. Run off
        the event loop."""
        self._windows = _context_windows(self.config.enabled_providers) if self.caps else {}
        month, start, end = month_range(until)
        query = Query(epoch_ms(start), epoch_ms(min(end, until)), "week", until.tzinfo)
        groups = totals_by(ledger_path(self.config), query, lambda dims: (dims["provider"], dims["token"]),
                           log.warning, from_lines=from_lines)
        spent = {budget.key: ExactSum() for budget in self.budgets}
        by_user: dict[str, ExactSum] = {}
        for (provider, token), totals in groups.items():
            for budget in self.budgets:
                if applies(budget, provider, token):
                    spent[budget.key].merge(totals.cost_usd)
            by_user.setdefault(user_of({"token": token}), ExactSum()).merge(totals.cost_usd)
        return (month, {key: total.value for key, total in spent.items() if total.partials},
                {user: total.value for user, total in by_user.items() if total.partials})

    def take_month(self, month: str, spent: dict[str, float], by_user: dict[str, float]) -> None:
        """Add the month read at start to what requests settled since (reserve waits for it) and log where each
        budget stands when it is past its first threshold. A month that ended meanwhile counts nowhere."""
        self._roll(datetime.now())
        if month == self.month:
            for key, amount in spent.items():
                self.spent[key] = amount + self.spent.get(key, 0.0)
            for user, amount in by_user.items():
                self.by_user[user] = amount + self.by_user.get(user, 0.0)
        for budget in self.budgets:
            amount = self.spent.get(budget.key, 0.0)
            if threshold_of(amount, budget.cap_usd):
                log.warning("%s", _alert(budget, amount, threshold_of(amount, budget.cap_usd)))

    # ---- a request: reserve before the call, settle when recorded ----

    async def reserve(self, exchange, candidates) -> None:
        """Book the request's worst case in every cap it counts towards, or raise BudgetExceeded (the exchange is
        marked failed with the 429 first, so the refusal is recorded)."""
        if not self.caps:
            return
        if self.loaded is not None:
            await asyncio.shield(self.loaded)
        self._roll(datetime.now())
        amounts = self._worst_cases(exchange.body, candidates, exchange.token)
        budget = refused_by(self.caps, self.spent, self.reserved, amounts)
        if budget is not None:
            refusal = BudgetExceeded(budget, self.spent.get(budget.key, 0.0), self.reserved.get(budget.key, 0.0),
                                     amounts[budget.key])
            exchange.failed(429, refusal.message)
            raise refusal
        self._reservations[exchange.request_id] = amounts
        for key, amount in amounts.items():
            self.reserved[key] = self.reserved.get(key, 0.0) + amount

    def _worst_cases(self, body: dict, candidates, token: str | None) -> dict[str, float]:
        """{cap key: worst case}: failover may land on any candidate, so each cap books the dearest one it counts."""
        prompt = prompt_token_bound(body)
        amounts: dict[str, float] = {}
        for candidate in candidates:
            provider = candidate.provider
            worst = worst_case_usd(prompt, max_output_tokens(body, self._windows.get((provider.id, candidate.alias))),
                                   self.prices.price_for(provider.id, candidate.alias), energy=provider.energy,
                                   longest_ms=provider.read_timeout_s * 1000, service_tier=body.get("service_tier"))
            for budget in self.caps:
                if applies(budget, provider.id, token):
                    amounts[budget.key] = max(amounts.get(budget.key, 0.0), worst)
        return amounts

    def settle(self, line: dict) -> None:
        """A request's ledger line is written: its reservation is released and its real cost counted."""
        for key, amount in self._reservations.pop(line["request_id"], {}).items():
            # Float subtraction leaves crumbs (0.1 + 0.2 - 0.1 - 0.2 ≠ 0): never below zero, and exactly zero once
            # nothing is in flight.
            self.reserved[key] = max(0.0, self.reserved[key] - amount)
        if not self._reservations:
            self.reserved = {}
        self._roll(datetime.now())
        if month_of(datetime.fromisoformat(line["timestamp"])) != self.month:
            return
        before = dict(self.spent)
        self._count(line)
        for budget in self.budgets:
            reached = crossed(before.get(budget.key, 0.0), self.spent.get(budget.key, 0.0), budget.cap_usd)
            if reached is not None:
                log.warning("%s", _alert(budget, self.spent[budget.key], reached))

    def unsettled(self, record: dict) -> None:
        """A recorder after the ledger: a request still holding its reservation was not settled (its line could not be
        priced or built). Its real cost is unknown, so its worst case is counted as spent: the caps still hold."""
        amounts = self._reservations.pop(record["request_id"], None)
        if amounts is None:
            return
        log.warning("request %s was not settled by the ledger: its worst case is counted as spent", record["request_id"])
        for key, amount in amounts.items():
            self.reserved[key] = max(0.0, self.reserved[key] - amount)
            self.spent[key] = self.spent.get(key, 0.0) + amount
        if not self._reservations:
            self.reserved = {}

    def _count(self, record: dict) -> None:
        cost = record.get("cost_usd")
        if cost is None:
            return  # unknown is never counted as $0 spent, nor as anything
        for budget in self.budgets:
            if applies(budget, record.get("provider"), record.get("token")):
                self.spent[budget.key] = self.spent.get(budget.key, 0.0) + cost
        user = user_of(record)
        self.by_user[user] = self.by_user.get(user, 0.0) + cost

    def _roll(self, now: datetime) -> None:
        """A new month starts every budget at $0 (reservations in flight stay booked)."""
        month = month_of(now)
        if month != self.month:
            self.month, self.spent, self.by_user = month, {}, {}

    # ---- what is shown ----

    def state(self) -> list[dict]:
        """/health's `budgets`: each budget's spend this month, what requests in flight reserved, its cap and state."""
        self._roll(datetime.now())
        rows = []
        for budget in self.budgets:
            spent = self.spent.get(budget.key, 0.0)
            rows.append({"budget": budget.key, "name": budget.label, "month": self.month, "spend_usd": spent,
                         "reserved_usd": self.reserved.get(budget.key, 0.0), "cap_usd": budget.cap_usd,
                         "percent": spent * 100 / budget.cap_usd if budget.cap_usd else None,
                         "threshold": threshold_of(spent, budget.cap_usd), "state": state_of(spent, budget.cap_usd),
                         "hard": budget.hard})
        return rows

    def health_fields(self) -> dict:
        """/health's `budgets` when there are budgets and the ledger counts their spend; nothing otherwise."""
        return {"budgets": self.state()} if self.budgets and self.config.ledger["enabled"] else {}

    def month_of_user(self, user_id: str) -> dict:
        """A user's spend this month and their token's monthly budget (None for `local` or a token without one)."""
        self._roll(datetime.now())
        name = user_id.removeprefix("token:") if user_id.startswith("token:") else None
        return {"monthCostUsd": self.by_user.get(user_id, 0.0),
                "monthBudgetUsd": self.config.budget["tokens"].get(name) if name else None}


def _alert(budget, spent: float, threshold: int) -> str:
    return (f"budget {budget.key} ({budget.label}) reached {threshold} %: {usd(spent)} of {usd(budget.cap_usd)} "
            "spent this month"
            + (" (a hard cap: requests that could pass it are refused)" if budget.hard else ""))


def _context_windows(providers) -> dict[tuple[str, str], int | None]:
    """genai-prices' context window of each model: no answer can be longer than it."""
    from genai_prices.data_snapshot import get_snapshot

    from llms.pricing.table import model_info

    snapshot = get_snapshot()
    return {(p.id, alias): getattr(model_info(snapshot, p.id, model), "context_window", None)
            for p in providers for alias, model in p.models.items()}


def install(app: web.Application) -> None:
    """The enforcer on the app under BUDGETS; its month is read once at start when the ledger is on."""
    enforcer = app[BUDGETS] = BudgetEnforcer(app[CONFIG], app[PRICES])
    if app[CONFIG].ledger["enabled"] and enforcer.budgets:
        app.on_startup.append(_start)


async def _start(app: web.Application) -> None:
    enforcer = app[BUDGETS]
    # Before serving: every request after this instant is settled in memory, every one before it is in the ledger.
    until = datetime.now().astimezone()
    enforcer.loaded = asyncio.create_task(_load(app, enforcer, until))


async def _load(app: web.Application, enforcer: BudgetEnforcer, until: datetime) -> None:
    try:
        month, spent, by_user = await read_at_start(
            app, lambda from_lines: enforcer.load_month(until, from_lines=from_lines))
    except (OSError, IndexUnusable, sqlite3.Error) as exc:
        # The server keeps serving (the writer's own check at start already refuses a ledger it cannot write);
        # the log says plainly that the month's earlier spend is missing from every budget.
        log.error("reading this month's spend from the ledger failed: %s; budgets count from $0 now", exc)
        return
    enforcer.take_month(month, spent, by_user)


def month_range(moment: datetime) -> tuple[str, datetime, datetime]:
    """The calendar month of `moment` on the server's clock ("2026-12"), its first instant and the next month's,
    each with its own UTC offset (a month that changes to or from summer time starts at its local midnight)."""
    local = moment.astimezone()
    following = (local.year + local.month // 12, local.month % 12 + 1)
    return (month_of(local), datetime(local.year, local.month, 1).astimezone(),
            datetime(*following, 1).astimezone())
