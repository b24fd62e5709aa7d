"""The one small interface every wire format implements, and the error all of them raise.

A wire-format module is pure: it builds the upstream request and translates what comes back
into OpenAI's shapes. All network I/O lives in `transport.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Target", "UpstreamRequest", "ProviderError", "WireFormat", "StreamTranslator"]


@dataclass(frozen=True)
class Target:
    """Where one call goes: a provider's endpoint and key, and the provider's own model id."""

    provider_id: str
    base_url: str
    api_key: str | None = field(repr=False)
    provider_model: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str] = field(repr=False)  # they carry the key
    json: dict


class ProviderError(Exception):
    """A provider fault, with a kind a person can act on.

    kind: "unreachable" | "timeout" | "http" | "malformed" | "cut"
    status: the HTTP status to give our client (upstream's for "http").
    """

    def __init__(self, kind: str, status: int, message: str, provider_id: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.message = message
        self.provider_id = provider_id

    @property
    def retryable(self) -> bool:
        """Whether another provider serving the same model should be tried."""
        if self.kind in ("unreachable", "timeout"):
            return True
        return self.kind == "http" and (self.status == 429 or self.status >= 500)


class StreamTranslator(Protocol):
    def feed(self, event: str, data: str) -> list[dict]:
        """One SSE event (its `event:` name, '' when absent, and its `data:` text) → OpenAI chunks."""

    def finish(self) -> dict:
        """The final usage chunk; raises ProviderError("cut") when the stream ended early."""


class WireFormat(Protocol):
    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest: ...

    def parse_completion(self, data: dict, model: str) -> dict: ...

    def new_stream(self, model: str) -> StreamTranslator: ...

    def error_message(self, status: int, data: object) -> str: ...
