"""Pure: how far our computed costs drift from what providers reported they billed, per model (the Price check).

Where a provider reports a request's cost (OpenRouter's usage.cost: https://openrouter.ai/docs/use-cases/usage-accounting)
the ledger line keeps it as cost_usd ("reported") and ours as computed_cost_usd. Per (provider, model), over the
requests that have both: drift = (computed − reported) ÷ reported. Past STALE_DRIFT (1 %) our prices are stale:
`llms --update-pricing` fetches fresh ones.
"""

from __future__ import annotations

__all__ = ["STALE_DRIFT", "UPDATE_HINT", "PriceCheck"]

STALE_DRIFT = 0.01
UPDATE_HINT = "prices look stale: run llms --update-pricing"


class PriceCheck:
    """Feed ledger records one at a time; `rows()` gives each model's reported and computed sums and drift."""

    def __init__(self):
        self._sums: dict[tuple[str, str], list] = {}  # (provider, model) → [requests, reported, computed, versions]

    def add(self, record: dict) -> None:
        computed = record.get("computed_cost_usd")
        if record.get("cost_provenance") != "reported" or computed is None or record.get("cost_usd") is None:
            return
        key = (record.get("provider") or "", record.get("model"))
        sums = self._sums.setdefault(key, [0, 0.0, 0.0, set()])
        sums[0] += 1
        sums[1] += record["cost_usd"]
        sums[2] += computed
        if record.get("price_version"):
            sums[3].add(record["price_version"])

    def rows(self) -> list[dict]:
        """Largest drift first (then by provider and model), in /api/analytics/llm's camelCase."""
        rows = []
        for (provider, model), (calls, reported, computed, versions) in self._sums.items():
            drift = (computed - reported) / reported if reported else (0.0 if computed == 0 else None)
            stale = drift is None or abs(drift) > STALE_DRIFT
            rows.append({"provider": provider, "model": model, "calls": calls, "reportedCostUsd": reported,
                         "computedCostUsd": computed, "drift": drift, "stale": stale,
                         "hint": UPDATE_HINT if stale else None, "priceVersions": sorted(versions)})
        return sorted(rows, key=lambda r: (-(abs(r["drift"]) if r["drift"] is not None else float("inf")),
                                           r["provider"], r["model"]))
