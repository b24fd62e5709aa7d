"""Call a model with failover: try each candidate provider until one answers.

A connection error, timeout, 429 or 5xx moves on to the next enabled provider serving the same
model; any other fault (401, 404, a bad request) is final. Used by the proxy, one-shot chat and
`--check`, so the rule lives here once.
"""

from __future__ import annotations

from typing import Awaitable, Callable, TypeVar

import aiohttp

from llms.providers import ProviderError, target_for, transport, wire_for
from llms.routing import Candidate

__all__ = ["CallFailed", "complete_first", "open_first_stream"]

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


async def _first(candidates: list[Candidate], attempt: Callable[[Candidate], Awaitable[T]]):
    failures: list[dict] = []
    for index, candidate in enumerate(candidates):
        try:
            return candidate, await attempt(candidate), failures
        except ProviderError as exc:
            failures.append({"provider": candidate.provider.id, "error": exc.message})
            if not exc.retryable or index == len(candidates) - 1:
                raise CallFailed(exc, failures) from exc
    raise ValueError("no candidate provider to call")


async def complete_first(session: aiohttp.ClientSession, body: dict, candidates: list[Candidate]):
    """(candidate, OpenAI chat.completion, earlier failures) or CallFailed."""
    async def attempt(candidate: Candidate):
        provider = candidate.provider
        return await transport.complete(session, wire_for(provider.type), target_for(provider, candidate.provider_model),
                                        body, body["model"], provider.connect_timeout_s, provider.read_timeout_s)
    return await _first(candidates, attempt)


async def open_first_stream(session: aiohttp.ClientSession, body: dict, candidates: list[Candidate]):
    """(candidate, UpstreamStream whose status was fine, earlier failures) or CallFailed."""
    async def attempt(candidate: Candidate):
        provider = candidate.provider
        return await transport.open_stream(session, wire_for(provider.type),
                                           target_for(provider, candidate.provider_model),
                                           body, body["model"], provider.connect_timeout_s, provider.read_timeout_s)
    return await _first(candidates, attempt)
