"""Pure: which providers can serve a model name, in the order to try them."""

from __future__ import annotations

from dataclasses import dataclass

from llms.config import Config, Provider

__all__ = ["Candidate", "candidates_for", "known_models", "alias_for", "UnknownModel"]


@dataclass(frozen=True)
class Candidate:
    provider: Provider
    provider_model: str


class UnknownModel(Exception):
    """No enabled provider serves the asked model; the message lists what would work."""


def known_models(config: Config) -> list[str]:
    """Every name a client may ask for: aliases, and `provider/alias` to pin a provider."""
    names: dict[str, None] = {}
    for provider in config.enabled_providers:
        for alias in provider.models:
            names[alias] = None
    return sorted(names)


def candidates_for(config: Config, model: str) -> list[Candidate]:
    """Providers serving `model`, in config order; `provider_id/alias` puts that provider first.

    A name matches a provider's alias, or the provider's own model id (so SDK users can send
    "llama-3.3-70b-versatile" as well as its alias). Disabled providers are never tried.
    """
    pinned_id, _, pinned_alias = model.partition("/")
    pinned = config.provider(pinned_id) if pinned_alias else None
    if pinned is not None and _provider_model(pinned, pinned_alias) is not None:
        if not pinned.enabled:
            raise UnknownModel(f"provider {pinned.id!r} is disabled: {pinned.disabled_reason}")
        first = Candidate(pinned, _provider_model(pinned, pinned_alias))
        rest = [c for c in _serving(config, pinned_alias) if c.provider.id != pinned.id]
        return [first] + rest
    found = _serving(config, model)
    if not found:
        disabled = [p for p in config.providers if not p.enabled and _provider_model(p, model) is not None]
        if disabled:
            reasons = "; ".join(f"{p.id}: {p.disabled_reason}" for p in disabled)
            raise UnknownModel(f"model {model!r} is only served by disabled providers ({reasons})")
        raise UnknownModel(f"unknown model {model!r}; known models: {', '.join(known_models(config)) or 'none'}")
    return found


def _serving(config: Config, name: str) -> list[Candidate]:
    return [
        Candidate(p, _provider_model(p, name))
        for p in config.enabled_providers
        if _provider_model(p, name) is not None
    ]


def _provider_model(provider: Provider, name: str) -> str | None:
    if name in provider.models:
        return provider.models[name]
    return name if name in provider.models.values() else None


def alias_for(candidate: Candidate) -> str:
    """The llms.json alias of a candidate's model: prices are keyed by it."""
    for alias, provider_model in candidate.provider.models.items():
        if provider_model == candidate.provider_model:
            return alias
    return candidate.provider_model
