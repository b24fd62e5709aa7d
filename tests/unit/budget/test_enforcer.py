import asyncio
import json
import logging
import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from aiohttp import web

from llms.budget.enforcer import BudgetEnforcer, _load, month_of, month_range
from llms.budget.refusal import BudgetExceeded
from llms.ledger.catch_up import IndexCatchUp
from llms.ledger.index import LedgerIndex, index_path
from llms.ledger.writer import LedgerWriter
from llms.server.keys import LEDGER
from llms.server.ledger_recorder import LedgerRecorder, read_at_start
from tests.unit.ledger.lines import written_line

PRICE = {"input": 10, "output": 30}  # USD per 1M tokens
DEAR = {"input": 20, "output": 60}
BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 100}  # 74 bytes as JSON
# Worst cases: (74 × 10 + 100 × 30) / 1M = $0.00374 at PRICE, twice that ($0.00748) at DEAR.
WORST, WORST_DEAR = 0.00374, 0.00748


@dataclass
class Provider:
    id: str
    energy: dict | None = None
    read_timeout_s: float = 120.0
    models: dict = field(default_factory=lambda: {"m": "m"})


@dataclass
class Candidate:
    provider: Provider
    alias: str = "m"


@dataclass
class Config:
    budget: dict
    ledger: dict = field(default_factory=lambda: {"enabled": True, "path": "/nonexistent/usage.jsonl"})
    enabled_providers: tuple = ()


class Prices:
    def __init__(self, table):
        self.table = table

    def price_for(self, provider_id, alias):
        return self.table.get(provider_id)


@dataclass
class Exchange:
    request_id: str
    token: str | None = None
    body: dict = field(default_factory=lambda: dict(BODY))
    failure: tuple | None = None

    def failed(self, status, message):
        self.failure = (status, message)


def enforcer(budget, prices=None) -> BudgetEnforcer:
    found = BudgetEnforcer(Config({"providers": {}, "tokens": {}, "hard": []} | budget),
                           Prices(prices or {"openai": PRICE, "backup": DEAR}))
    found.take_month(month_of(datetime.now()), {}, {})
    return found


def line(request_id, cost, provider="openai", token=None, timestamp=None):
    return {"request_id": request_id, "timestamp": timestamp or datetime.now().astimezone().isoformat(),
            "cost_usd": cost, "provider": provider, "token": token}


def test_a_reservation_is_settled_to_the_real_cost():
    budgets = enforcer({"monthly_usd": 1, "hard": ["monthly_usd"]})
    asyncio.run(budgets.reserve(Exchange("a"), [Candidate(Provider("openai"))]))
    assert budgets.reserved == {"monthly_usd": pytest.approx(WORST, rel=1e-12)}
    budgets.settle(line("a", 0.0032))
    assert budgets.reserved == {} and budgets.spent == {"monthly_usd": 0.0032}


def test_requests_in_flight_count_and_the_refusal_is_marked_on_the_exchange():
    budgets = enforcer({"monthly_usd": 0.01, "hard": ["monthly_usd"]})
    for name in ("a", "b"):  # 2 × $0.00374 = $0.00748 of $0.01: a third would make $0.01122
        asyncio.run(budgets.reserve(Exchange(name), [Candidate(Provider("openai"))]))
    third = Exchange("c")
    with pytest.raises(BudgetExceeded) as caught:
        asyncio.run(budgets.reserve(third, [Candidate(Provider("openai"))]))
    assert third.failure == (429, caught.value.message)
    assert caught.value.details["reserved_usd"] == pytest.approx(2 * WORST, rel=1e-12)
    assert "(+$0.0075 reserved by requests in progress)" in caught.value.message


def test_failover_books_the_dearest_candidate_overall_and_each_provider_its_own():
    budgets = enforcer({"monthly_usd": 5, "providers": {"openai": 2, "backup": 2},
                        "hard": ["monthly_usd", "providers.openai", "providers.backup"]})
    asyncio.run(budgets.reserve(Exchange("a"), [Candidate(Provider("openai")), Candidate(Provider("backup"))]))
    assert budgets.reserved == {"monthly_usd": pytest.approx(WORST_DEAR), "providers.openai": pytest.approx(WORST),
                                "providers.backup": pytest.approx(WORST_DEAR)}
    budgets.settle(line("a", 0.002, provider="backup"))
    assert budgets.spent == {"monthly_usd": 0.002, "providers.backup": 0.002} and budgets.reserved == {}


def test_a_token_cap_counts_only_that_token():
    budgets = enforcer({"tokens": {"alice": 0.001}, "hard": ["tokens.alice"]})
    asyncio.run(budgets.reserve(Exchange("bob's", token="bob"), [Candidate(Provider("openai"))]))
    with pytest.raises(BudgetExceeded):
        asyncio.run(budgets.reserve(Exchange("alice's", token="alice"), [Candidate(Provider("openai"))]))
    budgets.settle(line("bob's", 0.5, token="bob"))
    assert budgets.spent == {} and budgets.by_user == {"token:bob": 0.5}


def test_a_line_settled_while_the_month_was_read_adds_to_the_month_read_from_before_the_start():
    budgets = BudgetEnforcer(Config({"monthly_usd": 1, "providers": {}, "tokens": {}, "hard": []}), Prices({}))
    budgets.settle(line("early", 0.25))  # started after the start: the month's read leaves it out
    budgets.take_month(month_of(datetime.now()), {"monthly_usd": 0.5}, {"local": 0.5})
    assert budgets.spent == {"monthly_usd": 0.75} and budgets.by_user == {"local": 0.75}


def test_a_month_that_ended_while_it_was_read_counts_nowhere():
    budgets = enforcer({"monthly_usd": 1})
    budgets.take_month("2000-01", {"monthly_usd": 0.5}, {"local": 0.5})
    assert budgets.spent == {} and budgets.by_user == {}


def _month_ledger(path, start, until):
    """Lines before the month, in it (providers, tokens, unpriced, a bad line), and after `until`."""
    rows = [(start - timedelta(minutes=1), "openai", None, 0.5)]
    for i in range(40):
        rows.append((start + (until - start) * i / 41, ("openai", "backup")[i % 2], (None, "alice", "bob")[i % 3],
                     None if i % 7 == 0 else 0.000137 * (i % 11 + 1)))
    rows.append((until + timedelta(seconds=1), "openai", "alice", 0.25))
    text = "".join(json.dumps(written_line(timestamp=moment.isoformat(timespec="milliseconds"), request_id=f"{i:032x}",
                                           provider=provider, token=token, cost_usd=cost,
                                           cost_provenance="unpriced" if cost is None else "computed"),
                              separators=(",", ":")) + "\n"
                   for i, (moment, provider, token, cost) in enumerate(rows))
    path.write_text(text + "not json\n")
    return rows[1:-1]


def test_the_month_read_from_the_index_is_what_the_lines_give(tmp_path):
    until = datetime.now().astimezone()
    month, start, _ = month_range(until)
    path = tmp_path / "usage.jsonl"
    counted = _month_ledger(path, start, until)
    budget = {"monthly_usd": 5, "providers": {"openai": 2}, "tokens": {"alice": 1}, "hard": []}
    config = Config(budget, ledger={"enabled": True, "path": str(path)})
    from_index = BudgetEnforcer(config, Prices({})).load_month(until)
    index_path(path).unlink()
    index_path(path).mkdir()  # the index cannot be used: every line is read
    from_lines = BudgetEnforcer(config, Prices({})).load_month(until)
    assert from_index == from_lines
    costs = [(provider, token, cost) for _, provider, token, cost in counted if cost is not None]
    assert from_index == (month, {"monthly_usd": math.fsum(c for _, _, c in costs),
                                  "providers.openai": math.fsum(c for p, _, c in costs if p == "openai"),
                                  "tokens.alice": math.fsum(c for _, t, c in costs if t == "alice")},
                          {"local": math.fsum(c for _, t, c in costs if t is None),
                           "token:alice": math.fsum(c for _, t, c in costs if t == "alice"),
                           "token:bob": math.fsum(c for _, t, c in costs if t == "bob")})


def test_a_month_starts_at_its_local_midnight_whatever_the_offset_now():
    month, start, end = month_range(datetime(2026, 11, 15, 12).astimezone())
    assert month == "2026-11" and start.replace(tzinfo=None) == datetime(2026, 11, 1)
    assert end.replace(tzinfo=None) == datetime(2026, 12, 1)
    assert month_range(datetime(2026, 12, 31, 23, 59).astimezone())[2].replace(tzinfo=None) == datetime(2027, 1, 1)


def test_a_new_month_starts_at_zero_and_last_month_s_lines_count_nowhere():
    budgets = enforcer({"monthly_usd": 1})
    budgets.settle(line("a", 0.4))
    budgets.month = "2000-01"  # as if the server had run since then
    budgets.settle(line("late", 0.3, timestamp="2000-01-31T23:59:00+00:00"))
    assert budgets.month == month_of(datetime.now()) and budgets.spent == {}


def test_each_threshold_crossed_is_logged_once(caplog):
    budgets = enforcer({"monthly_usd": 1})
    with caplog.at_level(logging.WARNING, logger="llms.budget"):
        for number, cost in enumerate((0.3, 0.3, 0.1, 0.1, 0.3, 0.1)):  # 30, 60, 70, 80, 110, 120 %
            budgets.settle(line(str(number), cost))
    assert [record.getMessage() for record in caplog.records] == [
        "budget monthly_usd (All providers) reached 50 %: $0.60 of $1.00 spent this month",
        "budget monthly_usd (All providers) reached 80 %: $0.80 of $1.00 spent this month",
        "budget monthly_usd (All providers) reached 100 %: $1.10 of $1.00 spent this month",
    ]


def test_an_unknown_cost_is_never_counted_as_spent():
    budgets = enforcer({"monthly_usd": 1})
    budgets.settle(line("a", None))
    assert budgets.spent == {} and budgets.state()[0]["state"] == "ok"


def test_a_request_the_ledger_could_not_settle_keeps_its_worst_case_as_spent(caplog):
    budgets = enforcer({"monthly_usd": 1, "hard": ["monthly_usd"]})
    asyncio.run(budgets.reserve(Exchange("lost"), [Candidate(Provider("openai"))]))
    asyncio.run(budgets.reserve(Exchange("settled"), [Candidate(Provider("openai"))]))
    budgets.settle(line("settled", 0.001))
    with caplog.at_level(logging.WARNING, logger="llms.budget"):
        budgets.unsettled({"request_id": "settled"})  # settled already: nothing more
        budgets.unsettled({"request_id": "lost"})
    assert budgets.reserved == {} and budgets.spent == {"monthly_usd": pytest.approx(0.001 + WORST, rel=1e-12)}
    assert [r.getMessage() for r in caplog.records] == [
        "request lost was not settled by the ledger: its worst case is counted as spent"]


def _held_server(path):
    """An app whose ledger's catch-up thread is held at its first catch-up (the start-up one) until `held` is set."""
    catch_up, held = IndexCatchUp(path), threading.Event()
    real = catch_up._caught_up
    catch_up._caught_up = lambda index, say: held.wait() and real(index, say)
    app = web.Application()
    served = SimpleNamespace(providers=())  # no provider: only the start-up read is asked of it
    app[LEDGER] = LedgerRecorder(served, None, LedgerWriter(path, 10**9, catch_up=catch_up), False)
    return app, catch_up, held


def _stale_index(path):
    """The index of `path`, built, then marked as an earlier format: the next catch-up rebuilds it."""
    index = LedgerIndex(path)
    try:
        index.refresh()
        index.db.execute("UPDATE meta SET value = 2 WHERE key = 'version'")
    finally:
        index.close()


def test_a_capped_request_is_answered_from_the_lines_while_the_stale_index_is_rebuilt(tmp_path):
    until = datetime.now().astimezone()
    _, start, _ = month_range(until)
    path = tmp_path / "usage.jsonl"
    counted = _month_ledger(path, start, until)
    spent = math.fsum(cost for _, _, _, cost in counted if cost is not None)
    _stale_index(path)
    app, catch_up, held = _held_server(path)
    config = Config({"monthly_usd": spent + WORST / 2, "providers": {}, "tokens": {}, "hard": ["monthly_usd"]},
                    ledger={"enabled": True, "path": str(path)})
    budgets = BudgetEnforcer(config, Prices({"openai": PRICE}))

    async def first_request():
        budgets.loaded = asyncio.create_task(_load(app, budgets, until))
        # The rebuild is held for the whole test: only a month read from the lines lets reserve answer.
        await asyncio.wait_for(budgets.reserve(Exchange("a"), [Candidate(Provider("openai"))]), 60)

    try:
        with pytest.raises(BudgetExceeded):  # the month's spend counted: its worst case would pass the cap
            asyncio.run(first_request())
        assert not catch_up.caught_up().done()  # the start-up rebuild has not run
        assert budgets.spent == {"monthly_usd": spent}
    finally:
        held.set()
        catch_up.close()
        app[LEDGER].writer.close()


def test_a_current_index_answers_the_month_after_the_start_up_catch_up(tmp_path):
    until = datetime.now().astimezone()
    _, start, _ = month_range(until)
    path = tmp_path / "usage.jsonl"
    _month_ledger(path, start, until)
    index = LedgerIndex(path)
    index.refresh()
    index.close()
    app, catch_up, held = _held_server(path)
    asked = []

    async def read_month():
        reading = asyncio.create_task(read_at_start(app, lambda from_lines: asked.append(from_lines) or "month"))
        await asyncio.sleep(0)
        assert not reading.done()  # waits for the catch-up: a current index is read from its cells
        held.set()
        return await asyncio.wait_for(reading, 60)

    try:
        assert asyncio.run(read_month()) == "month" and asked == [False]
    finally:
        held.set()
        catch_up.close()
        app[LEDGER].writer.close()
