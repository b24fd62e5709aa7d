"""`llms --update-pricing`: fetch genai-prices' latest data, write the prices that changed into llms.json.

The packaged genai-prices data ages with the installed package; this pins the fresh prices as
`pricing` entries in the person's own llms.json, printing each change. All or nothing: when the fetch
or the write fails, the file is left as it was.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, TextIO

from llms import paths
from llms.files import EXIT_FAIL, EXIT_OK, EXIT_USAGE, write_atomically
from llms.config import ConfigError, load_config
from llms.pricing.cost import PRICE_FIELDS
from llms.pricing.table import build_price_table, genai_entry

__all__ = ["update_pricing", "fetch_snapshot", "price_changes", "apply_changes", "PriceChange"]

CHANGED_FIELDS = (*PRICE_FIELDS, "tiers", "service_tiers")  # tiers and service tiers, each as one field


def _update_url() -> str:
    # Imported here: genai-prices is slow to import and only this command needs it.
    from genai_prices.update_prices import DEFAULT_UPDATE_URL

    return DEFAULT_UPDATE_URL


@dataclass(frozen=True)
class PriceChange:
    provider_id: str
    alias: str
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.provider_id} {self.alias} {self.field} {_shown(self.old)} → {_shown(self.new)}"


def _shown(value: Any) -> str:
    return "—" if value is None else json.dumps(value)


def fetch_snapshot(url: str | None = None):
    """genai-prices' latest data (its UpdatePrices fetch), as a DataSnapshot. Needs the network."""
    from genai_prices import UpdatePrices

    return UpdatePrices(url=url or _update_url()).fetch()


def price_changes(current: dict, fresh: dict) -> list[PriceChange]:
    """Fields where the fresh genai-prices entry differs from the price in force now (llms.json included)."""
    changes = []
    for provider_id, models in fresh.items():
        for alias, entry in models.items():
            if entry is None:
                continue  # genai-prices does not know it: llms.json stays the source
            old = current.get(provider_id, {}).get(alias) or {}
            changes += [PriceChange(provider_id, alias, name, old.get(name), entry[name])
                        for name in CHANGED_FIELDS if name in entry and entry[name] != old.get(name)]
    return changes


def apply_changes(raw_config: dict, changes: list[PriceChange]) -> dict:
    """A copy of llms.json's parsed text with each change written into providers.{id}.pricing.

    A change goes to the entry llms.json already has for the model (by alias, else by provider model id),
    or to a new entry under the alias.
    """
    updated = copy.deepcopy(raw_config)
    for change in changes:
        provider = updated["providers"][change.provider_id]
        pricing = provider.setdefault("pricing", {})
        provider_model = provider["models"][change.alias]
        key = change.alias if change.alias in pricing or provider_model not in pricing else provider_model
        pricing.setdefault(key, {})[change.field] = change.new
    return updated


def update_pricing(config_path: Path, out: TextIO, *, fetch: Callable[[], Any] = fetch_snapshot) -> int:
    """Refresh prices online and write the changes into `config_path`; the exit code."""
    config_path = config_path.resolve()
    if config_path == paths.DEFAULT_CONFIG.resolve():
        out.write(f"llms: {config_path} is the packaged default config: run `llms --init` to get your own "
                  f"~/.llms/llms.json, then `llms --update-pricing` writes into it\n")
        return EXIT_USAGE
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        out.write(f"llms: {exc}\n")
        return EXIT_USAGE
    text = config_path.read_text(encoding="utf-8")
    from httpx2 import HTTPError  # what genai-prices' fetch raises for network and HTTP failures

    try:
        snapshot = fetch()
    except (HTTPError, ValueError) as exc:  # ValueError: a payload that is not genai-prices data
        out.write(f"llms: could not refresh prices from {_update_url()}: {type(exc).__name__}: {exc}\n"
                  f"llms: nothing was changed in {config_path}\n")
        return EXIT_FAIL
    at = datetime.now(UTC)
    fresh = {p.id: {alias: genai_entry(snapshot, p.id, provider_model, at) for alias, provider_model in p.models.items()}
             for p in config.providers}
    changes = price_changes(build_price_table(config.providers, at=at), fresh)
    if not changes:
        out.write(f"prices in {config_path} are up to date\n")
        return EXIT_OK
    updated = apply_changes(json.loads(text), changes)
    try:
        write_atomically(config_path, json.dumps(updated, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        out.write(f"llms: could not write {config_path}: {exc}\nllms: nothing was changed\n")
        return EXIT_FAIL
    for change in changes:
        out.write(f"{change}\n")
    out.write(f"wrote {len(changes)} price change{'s' if len(changes) != 1 else ''} to {config_path}\n")
    return EXIT_OK
