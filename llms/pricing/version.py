"""The version of the price data that priced a request: genai-prices' package version plus a hash of llms.json's
own prices (`pricing`, `default_pricing` and `energy` of every provider).

Every ledger line carries it (`price_version`), so a cost is always traceable to the prices in force when it was
written (history is never repriced), and two lines priced by different data say so. The hash is of the prices as
parsed, in a canonical JSON form (keys sorted, no spaces): reformatting llms.json does not change it.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata

__all__ = ["price_version", "config_prices_hash"]

HASH_CHARS = 12


def config_prices_hash(providers) -> str:
    """The first HASH_CHARS hex digits of sha256 over llms.json's prices, provider by provider."""
    prices = {p.id: {"pricing": p.pricing, "default_pricing": p.default_pricing, "energy": p.energy}
              for p in providers}
    text = json.dumps(prices, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]


def price_version(providers) -> str:
    """"genai-prices 0.2.3+llms.json.<hash>": the packaged data's version, then the hash of our overrides."""
    return f"genai-prices {metadata.version('genai-prices')}+llms.json.{config_prices_hash(providers)}"
