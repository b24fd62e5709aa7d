"""The wire formats, each read from what its own module declares.

A wire-format module (openai.py, anthropic.py, google.py) declares `TYPES` (the llms.json provider
types that speak it), `USAGE_FORMAT` (the name of its usage shape: `usage_format` in /api/config,
`format` in tests/vectors/pricing.json), `normalize_usage` (its usage → normalized usage),
`PRICE_DATA_IDS` (genai-prices provider ids of providers speaking it, where ours differ),
`dropped_params(body)` (the fields it drops on purpose, listed to the client) and `WIRE`.
Config validation, `wire_for`, the usage normalizers and the price table read this registry, so a new
wire format is its module, its name below, and its test file. The modules are pure and small: importing
them costs a few milliseconds, nothing heavy (no aiohttp, no genai-prices).
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

from llms.providers.base import WireFormat

__all__ = ["WIRE_MODULES", "wire_modules", "provider_types", "wire_for", "usage_format_for", "normalizers",
           "price_data_ids", "dropped_params"]

WIRE_MODULES = ("openai", "anthropic", "google")


@cache
def wire_modules() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"llms.providers.{name}") for name in WIRE_MODULES)


def _module_for(provider_type: str) -> ModuleType:
    for module in wire_modules():
        if provider_type in module.TYPES:
            return module
    raise ValueError(f"no wire format for provider type {provider_type!r}")


def provider_types() -> tuple[str, ...]:
    """Every llms.json `type`: each format's main type in registry order, then the other names (ollama)."""
    modules = wire_modules()
    return tuple(m.TYPES[0] for m in modules) + tuple(kind for m in modules for kind in m.TYPES[1:])


def wire_for(provider_type: str) -> WireFormat:
    return _module_for(provider_type).WIRE


def usage_format_for(provider_type: str) -> str:
    return _module_for(provider_type).USAGE_FORMAT


def normalizers() -> dict:
    """{usage format: normalizer} (the JS side keeps one normalizer per key too)."""
    return {module.USAGE_FORMAT: module.normalize_usage for module in wire_modules()}


def price_data_ids() -> dict[str, str]:
    """Our provider id → genai-prices' where they differ. Matching is by id, never by base_url."""
    return {ours: theirs for module in wire_modules() for ours, theirs in module.PRICE_DATA_IDS.items()}


def dropped_params(provider_type: str, body: dict) -> list[str]:
    """The fields of `body` this provider type's wire format drops on purpose (hints with no equivalent there), in
    the order the wire declares them: the proxy lists them in `llms.dropped_params` and X-LLMS-Dropped-Params."""
    return _module_for(provider_type).dropped_params(body)
