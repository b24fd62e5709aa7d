"""Wire formats by provider `type`, and the Target for a provider + model."""

from __future__ import annotations

from llms.config import Provider
from llms.providers.base import ProviderError, Target, WireFormat

__all__ = ["wire_for", "target_for", "ProviderError", "Target", "WireFormat"]


def wire_for(provider_type: str) -> WireFormat:
    # Imported here so `llms --serve` starts without loading every adapter.
    if provider_type in ("openai-compatible", "ollama"):
        from llms.providers.openai import WIRE
    elif provider_type == "anthropic":
        from llms.providers.anthropic import WIRE
    elif provider_type == "google":
        from llms.providers.google import WIRE
    else:
        raise ValueError(f"no wire format for provider type {provider_type!r}")
    return WIRE


def target_for(provider: Provider, provider_model: str) -> Target:
    base_url = provider.base_url
    # Ollama's OpenAI-compatible API lives under /v1 of its root URL (https://ollama.com/blog/openai-compatibility).
    if provider.type == "ollama" and not base_url.endswith("/v1"):
        base_url += "/v1"
    return Target(provider.id, base_url, provider.api_key, provider_model, dict(provider.headers))
