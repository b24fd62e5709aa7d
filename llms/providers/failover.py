"""Call a model with failover: try each candidate provider until one answers.

A connection error, timeout, 429 or 5xx moves on to the next enabled provider serving the same
model; any other fault (401, 404, a bad request) is final. Used by the proxy, one-shot chat and
`--check` (a list of one), so the rule lives here once.
"""

from __future__ import annotations

from typing import Awaitable, Callable, TypeVar

import aiohttp

from llms.config import Provider
from llms.providers.base import ProviderError, Target, WireFormat
from llms.providers.registry import wire_for
from llms.providers.routing import Candidate
from llms.providers.transport import UpstreamCall, UpstreamStream

__all__ = ["CallFailed", "complete_first", "open_first_stream", "call_for", "target_for"]

T = TypeVar("T")


class CallFailed(Exception):
    """Every candidate failed; `error` is the last fault, `failures` lists them all."""

    def __init__(self, error: ProviderError, failures: list[dict]):
        message = error.message
        if len(failures) > 1:
            message += " (also failed: " + "; ".join(f["error"] for f in failures[:-1]) + ")"
        super().__init__(message)
        self.error = error
        self.failures = failures
        self.message = message


def target_for(provider: Provider, provider_model: str) -> Target:
    base_url = provider.base_url
    # Ollama's OpenAI-compatible API lives under /v1 of its root URL (https://ollama.com/blog/openai-compatibility).
    if provider.type == "ollama" and not base_url.endswith("/v1"):
        base_url += "/v1"
    return Target(provider.id, base_url, provider.api_key, provider_model, dict(provider.headers))


def call_for(candidate: Candidate, body: dict, wire: WireFormat | None = None) -> UpstreamCall:
    """The upstream call to `candidate`, answering under the model name the client asked for; `wire` is the
    provider type's wire format unless the caller brings its own (the /v1/messages pass-through)."""
    provider = candidate.provider
    return UpstreamCall(wire or wire_for(provider.type), target_for(provider, candidate.provider_model), body, body["model"],
                        provider.connect_timeout_s, provider.read_timeout_s)


async def _first(candidates: list[Candidate], body: dict, attempt: Callable[[UpstreamCall], Awaitable[T]],
                 wire: WireFormat | None):
    failures: list[dict] = []
    for index, candidate in enumerate(candidates):
        try:
            return candidate, await attempt(call_for(candidate, body, wire)), failures
        except ProviderError as exc:
            failures.append({"provider": candidate.provider.id, "error": exc.message})
            if not exc.retryable or index == len(candidates) - 1:
                raise CallFailed(exc, failures) from exc
    raise ValueError("no candidate provider to call")


async def complete_first(session: aiohttp.ClientSession, body: dict, candidates: list[Candidate],
                         wire: WireFormat | None = None) -> tuple[Candidate, dict, list[dict]]:
    """(candidate, OpenAI chat.completion — or what `wire` parses —, earlier failures) or CallFailed."""
    return await _first(candidates, body, lambda call: call.complete(session), wire)


async def open_first_stream(session: aiohttp.ClientSession, body: dict, candidates: list[Candidate],
                            wire: WireFormat | None = None) -> tuple[Candidate, UpstreamStream, list[dict]]:
    """(candidate, UpstreamStream whose status was fine, earlier failures) or CallFailed."""
    return await _first(candidates, body, lambda call: call.open_stream(session), wire)
