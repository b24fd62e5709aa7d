"""The merged price table, built once off the event loop so start-up stays light."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

__all__ = ["LazyPriceTable"]


class LazyPriceTable(Mapping):
    """A read-only {provider_id: {alias: entry|None}} built on first use (or by warm())."""

    def __init__(self, providers):
        self._providers = providers
        self._table: dict | None = None
        self._lock = threading.Lock()

    def warm(self) -> dict:
        with self._lock:
            if self._table is None:
                # genai-prices takes ~0.3 s to import and load: not on the start-up path.
                from llms.pricing.table import build_price_table

                self._table = build_price_table(self._providers)
            return self._table

    def __getitem__(self, provider_id: str) -> dict:
        return self.warm()[provider_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.warm())

    def __len__(self) -> int:
        return len(self.warm())

    def price_for(self, provider_id: str, alias: str) -> dict | None:
        return self.warm().get(provider_id, {}).get(alias)
