"""The one small interface every wire format implements, and the error all of them raise.

A wire-format module is pure: it builds the upstream request and translates what comes back
into OpenAI's shapes. All network I/O lives in `transport.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Target", "UpstreamRequest", "ProviderError", "WireFormat", "StreamTranslator", "ROUTING_FIELDS"]

# Request fields that would let a client choose where a call goes or which key it uses: providers and keys come
# from llms.json only. The server refuses them (server/chat_request.py); no wire format ever sends them on.
# OpenRouter's `models` (fallback models) and `route` choose another model than the one asked for and priced
# (https://openrouter.ai/docs/features/model-routing).
ROUTING_FIELDS = ("base_url", "api_base", "api_key", "api_version", "headers", "extra_headers", "extra_query",
                  "extra_body", "custom_llm_provider", "organization", "provider", "models", "route")


@dataclass(frozen=True)
class Target:
    """Where one call goes: a provider's endpoint and key, and the provider's own model id."""

    provider_id: str
    base_url: str
    api_key: str | None = field(repr=False)
    provider_model: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    max_output_tokens: int | None = None  # the model's most output tokens, from llms.json (None: not configured)


@dataclass(frozen=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str] = field(repr=False)  # they carry the key
    json: dict


class ProviderError(Exception):
    """A provider fault, with a kind a person can act on.

    kind: "unreachable" | "timeout" | "http" | "malformed" | "cut" | "unsupported" (this wire format cannot
    carry the request field `param`: another provider's may, so failover tries the next candidate)
    status: the HTTP status to give our client (upstream's for "http").
    error_type, code, param: the upstream error's own (OpenAI's `type`/`code`/`param`, Anthropic's `type`,
    Gemini's `status` as the code), kept for the client; `param` also names the field an "unsupported" fault is about.
    headers: the upstream's rate-limit headers (Retry-After, x-ratelimit-*), forwarded to the client.
    """

    def __init__(self, kind: str, status: int, message: str, provider_id: str | None = None, *,
                 error_type: str | None = None, code: str | None = None, param: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.message = message
        self.provider_id = provider_id
        self.error_type = error_type
        self.code = code
        self.param = param
        self.headers = headers or {}

    @property
    def retryable(self) -> bool:
        """Whether another provider serving the same model should be tried."""
        if self.kind in ("unreachable", "timeout", "unsupported"):
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
