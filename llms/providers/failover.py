"""Call a model with failover: try each candidate provider until one answers.

A connection error, timeout, 429 or 5xx moves on to the next enabled provider serving the same
model; so does a request field the candidate's wire format cannot carry ("unsupported": routing by
capability, the next candidate's wire format may carry it). Any other fault (401, 404, a bad request) is
final. When every candidate was unsupported, the client gets one 400 naming the field and each provider.
Used by the proxy, one-shot chat and `--check` (a list of one), so the rule lives here once.
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
    """Every candidate failed; `error` is the fault to answer with, `failures` lists them all."""

    def __init__(self, error: ProviderError, failures: list[dict]):
        others = [f["error"] for f in failures if f["error"] not in error.message]
        message = error.message + (" (also failed: " + "; ".join(others) + ")" if others else "")
        super().__init__(message)
        self.error = error
        self.failures = failures
        self.message = message


def target_for(provider: Provider, provider_model: str) -> Target:
    base_url = provider.base_url
    # Ollama's OpenAI-compatible API lives under /v1 of its root URL (https://ollama.com/blog/openai-compatibility).
    if provider.type == "ollama" and not base_url.endswith("/v1"):
        base_url += "/v1"
    return Target(provider.id, base_url, provider.api_key, provider_model, dict(provider.headers),
                  provider.max_output_tokens.get(provider_model))


def call_for(candidate: Candidate, body: dict, wire: WireFormat | None = None) -> UpstreamCall:
    """The upstream call to `candidate`, answering under the model name the client asked for; `wire` is the
    provider type's wire format unless the caller brings its own (the /v1/messages pass-through)."""
    provider = candidate.provider
    return UpstreamCall(wire or wire_for(provider.type), target_for(provider, candidate.provider_model), body, body["model"],
                        provider.connect_timeout_s, provider.read_timeout_s)


async def _first(candidates: list[Candidate], body: dict, attempt: Callable[[UpstreamCall], Awaitable[T]],
                 wire: WireFormat | None):
    if not candidates:
        raise ValueError("no candidate provider to call")
    failures: list[dict] = []
    faults: list[ProviderError] = []
    for candidate in candidates:
        try:
            return candidate, await attempt(call_for(candidate, body, wire)), failures
        except ProviderError as exc:
            exc.provider_id = exc.provider_id or candidate.provider.id
            failures.append({"provider": candidate.provider.id, "error": exc.message})
            faults.append(exc)
            if not exc.retryable:
                raise CallFailed(exc, failures) from exc
    raise CallFailed(_final_fault(body, faults), failures) from faults[-1]


def _final_fault(body: dict, faults: list[ProviderError]) -> ProviderError:
    """The fault to answer with once every candidate failed: the last real one (a provider that could carry
    the request but failed says more than one that could not), or, when none could carry it, one 400 that
    names the field and every provider."""
    real = [fault for fault in faults if fault.kind != "unsupported"]
    if real:
        return real[-1]
    if len(faults) == 1:
        return faults[0]
    reasons = "; ".join(fault.message for fault in faults)
    return ProviderError("unsupported", 400, f"no provider serving {body.get('model')!r} can carry this request "
                                             f"({', '.join(f.provider_id or '?' for f in faults)}): {reasons}",
                         param=faults[0].param)


async def complete_first(session: aiohttp.ClientSession, body: dict, candidates: list[Candidate],
                         wire: WireFormat | None = None, *,
                         rate_limits: dict | None = None) -> tuple[Candidate, dict, list[dict]]:
    """(candidate, OpenAI chat.completion — or what `wire` parses —, earlier failures) or CallFailed.
    `rate_limits`, when given, receives the rate-limit headers of the provider that answered."""
    return await _first(candidates, body, lambda call: call.complete(session, rate_limits), wire)


async def open_first_stream(session: aiohttp.ClientSession, body: dict, candidates: list[Candidate],
                            wire: WireFormat | None = None) -> tuple[Candidate, UpstreamStream, list[dict]]:
    """(candidate, UpstreamStream whose status was fine, earlier failures) or CallFailed."""
    return await _first(candidates, body, lambda call: call.open_stream(session), wire)
