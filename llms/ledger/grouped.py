"""The ledger's records in a range, totalled per group of a function of their dimensions (the index's: provider,
model, provider_model, client, client_app, token, status, endpoint), read from the index's cells as every aggregate
is (ledger/index.py, `aggregate_ledger`), or from the lines when the index cannot be used. `llms --report --by app`
groups by application, the budgets' start-up by provider and token. The sums are exact (`analytics.ExactSum`), so
cells and lines give the same figures to the last bit."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial
from pathlib import Path

from llms.ledger.analytics import Aggregator, Query, Totals
from llms.ledger.index import DIMENSIONS, aggregate_ledger, scan_ledger

__all__ = ["GroupedTotals", "totals_by", "DIMENSIONS"]


class GroupedTotals(Aggregator):
    """An Aggregator whose records and cells count, by its rules (range, filters), into `groups[key(dims)]`;
    `key` reads only the names in DIMENSIONS (a cell has no other). Read `groups`, not `result()`."""

    def __init__(self, query: Query, key: Callable[[dict], Hashable]):
        super().__init__(query)
        self.key = key
        self.groups: dict[Hashable, Totals] = {}

    def _cell(self, dims: dict, epoch_ms: int, first_ms: int, last_ms: int) -> Totals:
        name = self.key(dims)
        totals = self.groups.get(name)
        if totals is None:
            totals = self.groups[name] = Totals()
        return totals


def totals_by(ledger: Path, query: Query, key: Callable[[dict], Hashable], warn: Callable[[str], None], *,
              progress: Callable[[str], None] | None = None, from_lines: bool = False) -> dict[Hashable, Totals]:
    """The records of `query` (range and filters) totalled per `key(dims)`; `from_lines`: read from the lines
    without touching the index (while another thread rebuilds it), to the same sums."""
    into = partial(GroupedTotals, key=key)
    if from_lines:
        grouped, _ = scan_ledger(ledger, query, warn, into=into)
    else:
        grouped, _ = aggregate_ledger(ledger, query, warn, progress=progress, into=into)
    return grouped.groups
