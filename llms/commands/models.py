"""`llms --models`: the enabled models with their prices per 1M tokens."""

from __future__ import annotations

from typing import TextIO

from llms.files import EXIT_OK
__all__ = ["print_models"]


def _price(entry: dict | None, name: str) -> str:
    from llms.pricing.cost import format_price

    return format_price(entry.get(name) if entry else None)


def print_models(config, out: TextIO) -> int:
    from llms.pricing.table import build_price_table

    table = build_price_table(config.providers)
    for provider in config.providers:
        if not provider.enabled:
            out.write(f"{provider.id}: disabled ({provider.disabled_reason})\n")
            continue
        out.write(f"{provider.id}:\n")
        width = max(len(alias) for alias in provider.models)
        for alias in provider.models:
            entry = table.get(provider.id, {}).get(alias)
            out.write(f"  {alias.ljust(width)}  in {_price(entry, 'input'):>8} / 1M"
                      f"  out {_price(entry, 'output'):>8} / 1M\n")
    return EXIT_OK
