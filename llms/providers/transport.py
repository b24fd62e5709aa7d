"""The only module that talks HTTP to providers: timeouts, SSE framing, and faults → ProviderError."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from dataclasses import dataclass, field

from llms import untrusted_json
from llms.providers.base import ProviderError, Target, UpstreamRequest, WireFormat
from llms.providers.masking import call_secrets, masked, url_shown
from llms.providers.shapes import error_fields, retry_after_of

__all__ = ["UpstreamCall", "new_session", "UpstreamStream", "iter_sse", "MAX_ERROR_BODY_BYTES", "READ_BUFFER_BYTES",
           "rate_limit_headers"]

MAX_ERROR_BODY_BYTES = 64 * 1024  # an error page is read only this far: enough for any message
# aiohttp refuses a line longer than twice its read buffer (LineTooLong). Gemini image models send
# inline base64 in one SSE event, so allow lines of up to 16 MiB; the buffer only grows when needed.
READ_BUFFER_BYTES = 8 * 1024 * 1024
# An upstream error's headers that tell a client when to try again, forwarded with our error: Retry-After
# (RFC 9110 §10.2.3) and OpenAI's retry-after-ms, and the rate-limit state by prefix: x-ratelimit-* (OpenAI,
# Groq, OpenRouter: https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers) and
# anthropic-ratelimit-* (https://docs.anthropic.com/en/api/rate-limits#response-headers).
RATE_LIMIT_HEADERS = ("retry-after", "retry-after-ms")
RATE_LIMIT_PREFIXES = ("x-ratelimit-", "anthropic-ratelimit-")
MAX_FORWARDED_HEADER_CHARS = 200


def new_session() -> aiohttp.ClientSession:
    """The client session for provider calls: no per-host limit (concurrent streams never queue)."""
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    return aiohttp.ClientSession(connector=connector, read_bufsize=READ_BUFFER_BYTES)


def _secrets(target: Target, request: UpstreamRequest) -> tuple[str, ...]:
    return call_secrets(target.api_key, target.headers, request.headers, (request.url, target.base_url))


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
        """A non-streaming call → an OpenAI chat.completion with normalized usage, every secret masked."""
        request = self.wire.build_request(self.target, self.body, stream=False)
        secrets = _secrets(self.target, request)
        async with _provider_faults(self.target, self.read_s, secrets):
            async with session.post(request.url, json=request.json, headers=request.headers,
                                    timeout=_timeout(self.connect_s, self.read_s)) as response:
                await _raise_for_status(response, self.wire, self.target, secrets)
                text = await response.text()
        try:
            data = untrusted_json.loads(text)
        except untrusted_json.UntrustedJSON as exc:
            who = self.target.provider_id
            raise ProviderError("malformed", 502, masked(f"{who} sent a body that {exc.message}: {text[:120]!r}",
                                                         secrets), who) from None
        return _translated(lambda: self.wire.parse_completion(data, self.model), self.target, secrets)

    async def open_stream(self, session: aiohttp.ClientSession) -> "UpstreamStream":
        """Send a streaming request and wait for its status, so a failed start can fail over."""
        request = self.wire.build_request(self.target, self.body, stream=True)
        secrets = _secrets(self.target, request)
        async with _provider_faults(self.target, self.read_s, secrets):
            response = await session.post(request.url, json=request.json, headers=request.headers,
                                          timeout=_timeout(self.connect_s, self.read_s))
        try:
            await _raise_for_status(response, self.wire, self.target, secrets)
        except BaseException:
            response.release()
            raise
        return UpstreamStream(response, self.wire, self.target, self.model, self.read_s, secrets)


class UpstreamStream:
    """An upstream stream whose status was already checked: iterate `chunks()` for OpenAI chunks, secrets masked."""

    def __init__(self, response: aiohttp.ClientResponse, wire: WireFormat, target: Target, model: str, read_s: float,
                 secrets: tuple[str, ...]):
        self._response = response
        self._translator = wire.new_stream(model)
        self._target = target
        self._read_s = read_s
        self._secrets = secrets
        self.final: dict | None = None

    async def chunks(self) -> AsyncIterator[dict]:
        """Content chunks as they arrive; afterwards `final` holds the usage chunk."""
        finished = False
        try:
            async with _provider_faults(self._target, self._read_s, self._secrets):
                async for event, data in iter_sse(self._response.content):
                    for chunk in _translated(lambda: self._translator.feed(event, data), self._target, self._secrets):
                        yield chunk
            self.final = _translated(self._translator.finish, self._target, self._secrets)
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

    def __init__(self, target: Target, read_s: float, secrets: tuple[str, ...]):
        self.target = target
        self.read_s = read_s
        self.secrets = secrets

    async def __aenter__(self):
        return self

    async def __aexit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, ProviderError):
            return False
        fault = self._fault(exc)
        if fault is None:
            return False
        kind, status, message = fault
        # aiohttp's texts may quote the URL, whose userinfo or ?key= is a secret too.
        raise ProviderError(kind, status, masked(message, self.secrets), self.target.provider_id) from exc

    def _fault(self, exc: BaseException) -> tuple[str, int, str] | None:
        who = self.target.provider_id
        if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
            return "timeout", 504, f"{who} timed out (no data for {self.read_s:g}s)"
        if isinstance(exc, aiohttp.ClientConnectorError):
            return "unreachable", 502, f"cannot reach {who} at {url_shown(self.target.base_url)}: {exc.os_error}"
        if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
            return "cut", 502, f"{who} closed the connection mid-response"
        if isinstance(exc, aiohttp.ClientError):
            return "unreachable", 502, f"{who} request failed: {exc}"
        if isinstance(exc, (UnicodeDecodeError, ValueError, HttpProcessingError)):
            # HttpProcessingError: e.g. LineTooLong, an event line past twice READ_BUFFER_BYTES.
            return "malformed", 502, f"{who} sent a malformed stream: {exc!r:.300}"
        return None


async def _raise_for_status(response: aiohttp.ClientResponse, wire: WireFormat, target: Target,
                            secrets: tuple[str, ...]) -> None:
    if response.status < 400:
        return
    raw = await response.content.read(MAX_ERROR_BODY_BYTES)
    text = raw.decode("utf-8", errors="replace")
    try:
        data: object = untrusted_json.loads(text)
    except untrusted_json.UntrustedJSON:
        data = text
    message = masked(wire.error_message(response.status, data), secrets)
    raise ProviderError("http", response.status, f"{target.provider_id}: {message}", target.provider_id,
                        **masked(error_fields(data), secrets),
                        headers=retry_after_of(data) | masked(rate_limit_headers(response.headers), secrets))


def rate_limit_headers(headers) -> dict[str, str]:
    """The upstream's Retry-After and rate-limit headers (lower-case names), to forward with its error."""
    return {name.lower(): value[:MAX_FORWARDED_HEADER_CHARS] for name, value in headers.items()
            if name.lower() in RATE_LIMIT_HEADERS or name.lower().startswith(RATE_LIMIT_PREFIXES)}


def _translated(step, target: Target, secrets: tuple[str, ...]):
    """Runs a wire-format translation; a body of the wrong shape is the provider's fault, not ours.

    What it gives back is checked (finite numbers, bounded depth: `prompt_tokens: Infinity` or a reply nested
    a thousand deep would fail later, in our JSON encoder) and has every secret of the call masked: a provider
    or a proxy may echo the key in a 200 answer as well as in an error."""
    who = target.provider_id
    try:
        result = step()
    except ProviderError as exc:
        exc.provider_id = exc.provider_id or who
        exc.message = masked(exc.message, secrets)
        exc.args = (exc.message,)
        raise
    except RecursionError:
        raise ProviderError("malformed", 502, f"{who} sent a reply nested deeper than we read", who) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError) as exc:
        # ArithmeticError: e.g. OverflowError from int(Infinity) in a usage count.
        raise ProviderError("malformed", 502, masked(f"{who} sent a malformed reply: {exc!r:.300}", secrets),
                            who) from exc
    found = untrusted_json.problem(result)
    if found:
        raise ProviderError("malformed", 502, f"{who} sent a reply that {found}", who)
    return masked(result, secrets)
