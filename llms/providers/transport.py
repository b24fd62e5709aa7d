"""The only module that talks HTTP to providers: timeouts, SSE framing, and faults → ProviderError."""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from dataclasses import dataclass, field

from llms.providers.base import ProviderError, Target, WireFormat

__all__ = ["UpstreamCall", "new_session", "UpstreamStream", "iter_sse", "mask_secrets",
           "MAX_ERROR_BODY_BYTES", "READ_BUFFER_BYTES"]

MAX_ERROR_BODY_BYTES = 64 * 1024  # an error page is read only this far: enough for any message
# aiohttp refuses a line longer than twice its read buffer (LineTooLong). Gemini image models send
# inline base64 in one SSE event, so allow lines of up to 16 MiB; the buffer only grows when needed.
READ_BUFFER_BYTES = 8 * 1024 * 1024


def new_session() -> aiohttp.ClientSession:
    """The client session for provider calls: no per-host limit (concurrent streams never queue)."""
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    return aiohttp.ClientSession(connector=connector, read_bufsize=READ_BUFFER_BYTES)


def mask_secrets(text: str, target: Target) -> str:
    """A provider's message with our key (and header values) hidden: some servers echo the key back."""
    for secret in (target.api_key, *target.headers.values()):
        if secret and len(secret) >= 8:
            text = text.replace(secret, "***")
    return text


def _timeout(connect_s: float, read_s: float) -> aiohttp.ClientTimeout:
    # No total limit: a long answer that keeps streaming is fine; silence longer than read_s is not.
    return aiohttp.ClientTimeout(total=None, connect=connect_s, sock_connect=connect_s, sock_read=read_s)


@dataclass(frozen=True)
class UpstreamCall:
    """One call to one provider: its wire format and target, the client's body, the model name to answer
    with (the one the client asked for) and the provider's timeouts."""

    wire: WireFormat
    target: Target
    body: dict = field(repr=False)
    model: str
    connect_s: float
    read_s: float

    async def complete(self, session: aiohttp.ClientSession) -> dict:
        """A non-streaming call → an OpenAI chat.completion with normalized usage."""
        request = self.wire.build_request(self.target, self.body, stream=False)
        async with _provider_faults(self.target, self.read_s):
            async with session.post(request.url, json=request.json, headers=request.headers,
                                    timeout=_timeout(self.connect_s, self.read_s)) as response:
                await _raise_for_status(response, self.wire, self.target)
                text = await response.text()
        try:
            data = json.loads(text)
        except ValueError:
            who = self.target.provider_id
            raise ProviderError("malformed", 502, f"{who} sent a body that is not JSON: {text[:120]!r}", who) from None
        return _translated(lambda: self.wire.parse_completion(data, self.model), self.target)

    async def open_stream(self, session: aiohttp.ClientSession) -> "UpstreamStream":
        """Send a streaming request and wait for its status, so a failed start can fail over."""
        request = self.wire.build_request(self.target, self.body, stream=True)
        async with _provider_faults(self.target, self.read_s):
            response = await session.post(request.url, json=request.json, headers=request.headers,
                                          timeout=_timeout(self.connect_s, self.read_s))
        try:
            await _raise_for_status(response, self.wire, self.target)
        except BaseException:
            response.release()
            raise
        return UpstreamStream(response, self.wire, self.target, self.model, self.read_s)


class UpstreamStream:
    """An upstream stream whose status was already checked: iterate `chunks()` for OpenAI chunks."""

    def __init__(self, response: aiohttp.ClientResponse, wire: WireFormat, target: Target, model: str, read_s: float):
        self._response = response
        self._translator = wire.new_stream(model)
        self._target = target
        self._read_s = read_s
        self.final: dict | None = None

    async def chunks(self) -> AsyncIterator[dict]:
        """Content chunks as they arrive; afterwards `final` holds the usage chunk."""
        finished = False
        try:
            async with _provider_faults(self._target, self._read_s):
                async for event, data in iter_sse(self._response.content):
                    for chunk in _translated(lambda: self._translator.feed(event, data), self._target):
                        yield chunk
            self.final = _translated(self._translator.finish, self._target)
            finished = True
        finally:
            # A stream left mid-way (client gone, fault) must not go back to the connection pool.
            if finished:
                self._response.release()
            else:
                self._response.close()

    def close(self) -> None:
        self._response.close()


async def iter_sse(content: aiohttp.StreamReader) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events → (event name or "", data text); comments and ids are skipped.

    https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
    """
    event, data = "", []
    while True:
        raw = await content.readline()
        if not raw:
            break
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "", []
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
    if data:  # a last event without its blank line still counts
        yield event, "\n".join(data)


class _provider_faults:
    """Turns aiohttp's network faults into ProviderError with a reason a person can act on."""

    def __init__(self, target: Target, read_s: float):
        self.target = target
        self.read_s = read_s

    async def __aenter__(self):
        return self

    async def __aexit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, ProviderError):
            return False
        who = self.target.provider_id
        if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
            raise ProviderError("timeout", 504, f"{who} timed out (no data for {self.read_s:g}s)", who) from exc
        if isinstance(exc, aiohttp.ClientConnectorError):
            raise ProviderError("unreachable", 502, f"cannot reach {who} at {self.target.base_url}: {exc.os_error}",
                                who) from exc
        if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
            raise ProviderError("cut", 502, f"{who} closed the connection mid-response", who) from exc
        if isinstance(exc, aiohttp.ClientError):
            raise ProviderError("unreachable", 502, f"{who} request failed: {exc}", who) from exc
        if isinstance(exc, (UnicodeDecodeError, ValueError, HttpProcessingError)):
            # HttpProcessingError: e.g. LineTooLong, an event line past twice READ_BUFFER_BYTES.
            raise ProviderError("malformed", 502, f"{who} sent a malformed stream: {exc!r:.300}", who) from exc
        return False


async def _raise_for_status(response: aiohttp.ClientResponse, wire: WireFormat, target: Target) -> None:
    if response.status < 400:
        return
    raw = await response.content.read(MAX_ERROR_BODY_BYTES)
    text = raw.decode("utf-8", errors="replace")
    try:
        data: object = json.loads(text)
    except ValueError:
        data = text
    message = mask_secrets(wire.error_message(response.status, data), target)
    raise ProviderError("http", response.status, f"{target.provider_id}: {message}", target.provider_id)


def _translated(step, target: Target):
    """Runs a wire-format translation; a body of the wrong shape is the provider's fault, not ours."""
    try:
        return step()
    except ProviderError as exc:
        exc.provider_id = exc.provider_id or target.provider_id
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ProviderError("malformed", 502, f"{target.provider_id} sent a malformed reply: {exc!r}",
                            target.provider_id) from exc
