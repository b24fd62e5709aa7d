"""The merged price table: genai-prices' defaults for each configured model, overridden by llms.json.

For each provider and model alias, the entry is (docs/architecture.md, "Price entry"):
  llms.json pricing[alias] (or pricing[provider model id]), field by field over
  genai-prices' price for (provider id, provider model id), or else the provider's default_pricing,
  or else None: unpriced, shown as unknown.
genai-prices (https://github.com/pydantic/genai-prices) ships its data with the package, so this
works offline; it is imported on first use, as it takes ~0.3 s to load.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from datetime import UTC, datetime
from decimal import Decimal

from llms.pricing.cost import is_priced
from llms.providers.registry import price_data_ids

__all__ = ["build_price_table", "genai_entry", "model_info", "merge_entry", "warn_unpriced_models", "GENAI_PROVIDER_IDS"]

# Our provider ids (llms.json) → genai-prices' where they differ, as each wire format declares them. Matching
# is by id, never by base_url or by guessing from the model name: a local server named "my-openai" gets no
# OpenAI prices.
GENAI_PROVIDER_IDS = price_data_ids()

# genai-prices price keys (USD per 1M tokens) → our entry's fields.
_FIELDS = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
    "cache_write_1h_mtok": "cache_write_1h",
}
# Keys that change what a text chat costs and that our entry cannot express: such a model is left
# to llms.json rather than priced wrong. (Audio, image, video and tool prices are for usage we do
# not record, and are left out.)
_INEXPRESSIBLE = ("output_reasoning_mtok", "requests_kcount", "input_mchars", "input_text_messages_kcount")


def build_price_table(providers, *, snapshot=None, at: datetime | None = None) -> dict[str, dict[str, dict | None]]:
    """{provider_id: {model_alias: entry | None}} for `providers` (llms.config.Provider or alike).

    `snapshot` is a genai_prices DataSnapshot (default: the bundled data, or what an update set);
    `at` picks date-dependent prices (default: now).
    """
    if snapshot is None:
        from genai_prices.data_snapshot import get_snapshot

        snapshot = get_snapshot()
    at = at or datetime.now(UTC)
    table: dict[str, dict[str, dict | None]] = {}
    for provider in providers:
        models = table.setdefault(provider.id, {})
        for alias, provider_model in provider.models.items():
            default = genai_entry(snapshot, provider.id, provider_model, at) or provider.default_pricing
            override = provider.pricing.get(alias, provider.pricing.get(provider_model))
            models[alias] = merge_entry(default, override)
    return table


def merge_entry(default: dict | None, override: dict | None) -> dict | None:
    """`override`'s fields over `default`'s (tiers as one field); None when no input or output price."""
    entry = {**(default or {}), **(override or {})}
    return entry if is_priced(entry) else None


def warn_unpriced_models(providers, price_for: Callable[[str, str], dict | None],
                         warn: Callable[[str], None]) -> list[str]:
    """Warn once per enabled model without a price; returns the `provider/alias` names warned about."""
    unpriced = []
    for provider in providers:
        for alias in provider.models:
            if price_for(provider.id, alias) is None:
                unpriced.append(f"{provider.id}/{alias}")
                # Worded as the LLM proxy cost-tracking guide's message (docs/contracts.md), with the fix.
                warn(f"Cost: Not calculated (no pricing configured) for {provider.id}/{alias}: "
                     f"add providers.{provider.id}.pricing.{alias} to llms.json")
    return unpriced


def model_info(snapshot, provider_id: str, provider_model: str):
    """genai-prices' ModelInfo of a model (prices, context_window), or None when it does not know it."""
    genai_id = GENAI_PROVIDER_IDS.get(provider_id, provider_id)
    provider = next((p for p in snapshot.providers if p.id == genai_id), None)
    if provider is None:
        return None
    return provider.find_model(provider_model, all_providers=snapshot.providers)


def genai_entry(snapshot, provider_id: str, provider_model: str, at: datetime) -> dict | None:
    """genai-prices' price for a model as our entry, or None when it does not know it."""
    model = model_info(snapshot, provider_id, provider_model)
    if model is None:
        return None
    prices = _prices_at(model, at)
    if any(getattr(prices, key) is not None for key in _INEXPRESSIBLE):
        return None
    entry = _entry(prices)
    service_tiers = _service_tiers(model, prices, entry, at) if entry is not None else {}
    return entry | {"service_tiers": service_tiers} if service_tiers else entry


def _prices_at(model, at: datetime):
    """The model's standard prices in force on `at`'s date (service tiers apart: _service_tiers; no batch prices).

    genai-prices tries conditional prices last to first. A time-of-day window (DeepSeek's) cannot live
    in one static entry: we count it as in force. In its data every window is the dearer price (DeepSeek's
    list price 00:30–16:30 UTC, or a peak surcharge), so off-peak requests show at most what they cost.
    """
    from genai_prices.types import ModelPrice, TimeOfDateConstraint

    if isinstance(model.prices, ModelPrice):
        return model.prices
    for conditional in reversed(model.prices):
        constraint = conditional.constraint
        if constraint is None or isinstance(constraint, TimeOfDateConstraint) or constraint.active(at):
            return conditional.prices
    return model.prices[0].prices


def _service_tiers(model, standard, base: dict, at: datetime) -> dict[str, dict]:
    """{tier: entry} of the model's service-tier prices in force on `at`, each a whole entry: genai-prices'
    PriceVariants with `when={"service_tier": tier}` (OpenAI's flex / priority / fast, Gemini's flex / priority)
    over the `standard` prices (`base`: those as our entry).

    A variant's price replaces the standard price of its key, tiered prices included, as genai-prices'
    ModelInfo.get_prices does (the first variant that sets a key wins); a tier priced as the standard (OpenAI's
    "default") is left out. Batch (`processing`) and other variants are not a service tier the answer reports.
    """
    names = dict.fromkeys(variant.when["service_tier"] for variant in model.price_variants or ()
                          if set(variant.when) == {"service_tier"})
    tiers = {}
    for name in names:
        overrides = {}
        for variant in model.price_variants:
            if variant.when != {"service_tier": name} or (variant.constraint and not variant.constraint.active(at)):
                continue
            for key, price in variant.prices.__dict__.items():
                if price is not None:
                    overrides.setdefault(key, price)
        if not overrides or all(getattr(standard, key) == price for key, price in overrides.items()):
            continue
        if any(key in _INEXPRESSIBLE for key in overrides):
            tiers[name] = {"input": -1, "output": -1}  # a price our entry cannot express: unknown, never standard
            continue
        resolved = copy(standard)
        resolved.__dict__.update(overrides)
        entry = _entry(resolved)
        if "tiers" in base and "tiers" not in entry:
            entry["tiers"] = []  # the tier's flat prices replace the base's tiered ones
        tiers[name] = entry
    return tiers


def _entry(prices) -> dict | None:
    """A genai-prices ModelPrice → our entry; tiered prices become `tiers` with every tiered field filled."""
    from genai_prices.types import TieredPrices

    given = {ours: getattr(prices, key) for key, ours in _FIELDS.items() if getattr(prices, key) is not None}
    if not is_priced(given):
        return None
    if "cache_write" in given and "cache_write_1h" not in given:
        # genai-prices counts 1-hour writes among cache writes when it has no price of their own;
        # ours would default them to the input price.
        given["cache_write_1h"] = given["cache_write"]
    entry = {name: _number(p.base if isinstance(p, TieredPrices) else p) for name, p in given.items()}
    starts = sorted({t.start for p in given.values() if isinstance(p, TieredPrices) for t in p.tiers})
    if starts:
        # genai-prices applies a field's tier when input tokens > start (cache included): our "above".
        entry["tiers"] = [{"above": start, **{name: _number(_tier_price(p, start)) for name, p in given.items()
                                              if isinstance(p, TieredPrices)}} for start in starts]
    return entry


def _tier_price(prices, start: int) -> Decimal:
    """A field's price once input tokens are past `start`: its highest tier starting at or below it."""
    applicable = [tier for tier in prices.tiers if tier.start <= start]
    return max(applicable, key=lambda tier: tier.start).price if applicable else prices.base


def _number(price: Decimal) -> int | float:
    # Whole prices stay ints so llms.json reads "input": 3, not 3.0.
    return int(price) if price == price.to_integral_value() else float(price)
