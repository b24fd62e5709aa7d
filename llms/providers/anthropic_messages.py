"""Anthropic Messages passed through: a client's /v1/messages body sent to an `anthropic` provider as it is.

https://docs.anthropic.com/en/api/messages. Only `model` changes (to the provider's own model id); the
client's `anthropic-version` and `anthropic-beta` headers travel with it, so caching, thinking and betas
work as the client meant. The key is always the provider's from llms.json. Replies come back unchanged:
a non-stream body as Anthropic sent it, a stream as its SSE events. Usage is read on the way (with
anthropic.py's normalizer and stream reader), so the request is priced like any other.
Pure: `transport.py` does the I/O through the `WireFormat` surface.
"""

from __future__ import annotations

from llms.providers.anthropic import API_VERSION, ERROR_STATUS, WIRE, AnthropicStream
from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.providers.shapes import malformed

__all__ = ["MessagesPassThrough", "RelayedStream", "PASSED_HEADERS", "MESSAGES_PATH", "COUNT_TOKENS_PATH",
           "relayed_event", "error_type", "error_body"]

NAME = "anthropic"
MESSAGES_PATH = "/messages"
COUNT_TOKENS_PATH = "/messages/count_tokens"  # https://docs.anthropic.com/en/api/messages-count-tokens
# https://docs.anthropic.com/en/api/versioning and https://docs.anthropic.com/en/api/beta-headers
PASSED_HEADERS = ("anthropic-version", "anthropic-beta")


class MessagesPassThrough:
    """The WireFormat of one client's request: its body and headers to `path`, the reply handed back as sent.

    `parse_completion` gives `{"body": Anthropic's body, "completion": what it means as an OpenAI chat.completion
    (None for count_tokens)}`, the completion read by anthropic.py (text, reasoning, finish reason, normalized
    usage); a stream's translator gives `relayed_event`s and ends with the usage of message_start and
    message_delta."""

    def __init__(self, client_headers: dict[str, str], path: str = MESSAGES_PATH):
        self.client_headers = {name: client_headers[name] for name in PASSED_HEADERS if client_headers.get(name)}
        self.path = path

    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest:
        headers = {**target.headers, "anthropic-version": API_VERSION, **self.client_headers,
                   "x-api-key": target.api_key or "", "content-type": "application/json"}
        return UpstreamRequest(f"{target.base_url.rstrip('/')}{self.path}", headers,
                               {**body, "model": target.provider_model})

    def parse_completion(self, data: dict, model: str) -> dict:
        if not isinstance(data, dict):
            raise malformed(NAME, "reply", f"expected an object, got {str(data)[:120]!r}")
        # An error body with a 200 status is raised by anthropic.py as the ProviderError it is.
        completion = WIRE.parse_completion(data, model) if self.path == MESSAGES_PATH or data.get("type") == "error" \
            else None
        return {"body": data, "completion": completion}

    def new_stream(self, model: str) -> "RelayedStream":
        return RelayedStream(model)

    def error_message(self, status: int, data: object) -> str:
        return WIRE.error_message(status, data)


def relayed_event(event: str, data: str, chunks: list[dict], *, error: bool = False) -> dict:
    """One upstream SSE event to relay as it came, with the OpenAI chunks it means (for the answer's text
    and time to first token); `error`: the event reported a fault (the stream's translator raises it next)."""
    return {"event": event, "data": data, "chunks": chunks, "error": error}


class RelayedStream:
    """Each SSE event relayed as it came; anthropic.py's stream reader keeps the usage (message_start's input
    side, message_delta's cumulative counts) and says whether message_stop arrived.

    An `error` event is relayed too, and ends the stream: `finish` then raises the error it carried."""

    def __init__(self, model: str):
        self.reader = AnthropicStream(model)
        self.error: ProviderError | None = None

    def feed(self, event: str, data: str) -> list[dict]:
        if self.error is not None:
            return []  # nothing follows an error event in Anthropic's streams
        try:
            chunks = self.reader.feed(event, data)
        except ProviderError as exc:
            if exc.kind != "http":  # a malformed event: not Anthropic's, not relayed
                raise
            self.error = exc  # an `error` event: raised by finish(), after the client has the event itself
            chunks = []
        return [relayed_event(event, data, chunks, error=self.error is not None)]

    def finish(self) -> dict:
        if self.error is not None:
            raise self.error
        return self.reader.finish()


_TYPE_OF_STATUS = {status: kind for kind, status in ERROR_STATUS.items()}


def error_type(status: int) -> str:
    """Anthropic's error type for an HTTP status (https://docs.anthropic.com/en/api/errors#http-errors)."""
    return _TYPE_OF_STATUS.get(status) or ("api_error" if status >= 500 else "invalid_request_error")


def error_body(status: int, message: str) -> dict:
    """An error as Anthropic sends it, so Anthropic SDKs raise their own class for it."""
    return {"type": "error", "error": {"type": error_type(status), "message": message}}
