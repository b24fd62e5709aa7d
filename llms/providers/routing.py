"""Pure: which providers can serve a model name, in the order to try them, and under which alias."""

from __future__ import annotations

from dataclasses import dataclass

from llms.config import Config, Provider

__all__ = ["Candidate", "candidates_for", "known_models", "unpinned", "UnknownModel"]


@dataclass(frozen=True)
class Candidate:
    """A provider to try, its own model id, and the llms.json alias it serves the request under: the
    alias prices are keyed by, carried from here so nothing downstream re-derives it."""

    provider: Provider
    provider_model: str
    alias: str


class UnknownModel(Exception):
    """No enabled provider serves the asked model; the message lists what would work."""


def known_models(config: Config) -> list[str]:
    """Every name a client may ask for: aliases, and `provider/alias` to pin a provider."""
    names: dict[str, None] = {}
    for provider in config.enabled_providers:
        for alias in provider.models:
            names[alias] = None
    return sorted(names)


def unpinned(config: Config, model: str) -> str:
    """The name asked for without a `provider/` pin (a slash in a provider model id is kept)."""
    provider_id, _, alias = model.partition("/")
    return alias if alias and config.provider(provider_id) is not None else model


def candidates_for(config: Config, model: str) -> list[Candidate]:
    """Providers serving `model`, in config order; `provider_id/alias` puts that provider first.

    A name matches a provider's alias, or the provider's own model id (so SDK users can send
    "llama-3.3-70b-versatile" as well as its alias; it is then served under that provider's first
    alias for it). Disabled providers are never tried.
    """
    pinned_id, _, pinned_alias = model.partition("/")
    pinned = config.provider(pinned_id) if pinned_alias else None
    first = _candidate(pinned, pinned_alias) if pinned is not None else None
    if first is not None:
        if not pinned.enabled:
            raise UnknownModel(f"provider {pinned.id!r} is disabled: {pinned.disabled_reason}")
        return [first] + [c for c in _serving(config, pinned_alias) if c.provider.id != pinned.id]
    found = _serving(config, model)
    if not found:
        disabled = [p for p in config.providers if not p.enabled and _candidate(p, model) is not None]
        if disabled:
            reasons = "; ".join(f"{p.id}: {p.disabled_reason}" for p in disabled)
            raise UnknownModel(f"model {model!r} is only served by disabled providers ({reasons})")
        raise UnknownModel(f"unknown model {model!r}; known models: {', '.join(known_models(config)) or 'none'}")
    return found


def _serving(config: Config, name: str) -> list[Candidate]:
    return [c for p in config.enabled_providers if (c := _candidate(p, name)) is not None]


def _candidate(provider: Provider, name: str) -> Candidate | None:
    if name in provider.models:
        return Candidate(provider, provider.models[name], name)
    alias = next((alias for alias, provider_model in provider.models.items() if provider_model == name), None)
    return None if alias is None else Candidate(provider, name, alias)
