"""Per-user analytics (issue 14, after nr-llm's per-user table): each named token and a `local` row for requests
without one, with requests, tokens and cost over the query's range (counted by ledger/analytics' one rule), and this
calendar month's spend against the token's `budget.tokens.<name>` (from the budgets on the app, which read the
month once at start).
"""

from __future__ import annotations

from llms.budget.enforcer import user_of
from llms.ledger.analytics import Aggregator
from llms.ledger.schema import LOCAL_USER

__all__ = ["ByUser"]


class ByUser:
    """Feed the ledger's records one at a time, then `rows(month_of_user)`: /api/analytics/llm's `byUser`."""

    def __init__(self, query, token_names):
        self.query = query
        # Every named token the server knows, and `local`, has a row even before its first request.
        self._users: dict[str, Aggregator] = {f"token:{name}": Aggregator(query) for name in token_names}
        self._users.setdefault(LOCAL_USER, Aggregator(query))

    def add(self, record: dict) -> None:
        user = user_of(record)
        aggregator = self._users.get(user)
        if aggregator is None:
            aggregator = self._users[user] = Aggregator(self.query)
        aggregator.add(record)

    def rows(self, month_of_user) -> list[dict]:
        """Named tokens by cost (then name), `local` last, as nr-llm lists its "system" row."""
        rows = []
        for user, aggregator in self._users.items():
            summary = aggregator.documented_result()["summary"]
            rows.append({"userId": user, "name": user.removeprefix("token:"), "calls": summary["totalCalls"],
                         "costUsd": summary["totalCostUsd"], "inputTokens": summary["totalInputTokens"],
                         "outputTokens": summary["totalOutputTokens"], "errors": summary["errors"],
                         "unpricedCalls": summary["unpricedCalls"], "estimatedCalls": summary["estimatedCalls"],
                         **month_of_user(user)})
        return sorted(rows, key=lambda r: (r["userId"] == LOCAL_USER, -r["costUsd"], r["userId"]))
