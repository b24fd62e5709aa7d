"""The only module that talks HTTP to providers: timeouts, SSE framing, and faults → ProviderError."""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import AsyncIterator

import aiohttp
import orjson
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong

from llms import untrusted_json
from llms.providers.base import ProviderError, Target, UpstreamRequest, WireFormat
from llms.providers.masking import call_secrets, masked, url_shown
from llms.providers.shapes import error_fields, retry_after_of

__all__ = ["UpstreamCall", "new_session", "UpstreamStream", "iter_sse", "sse_events", "json_bytes",
           "MAX_ERROR_BODY_BYTES", "READ_BUFFER_BYTES", "MAX_LINE_BYTES", "rate_limit_headers"]

MAX_ERROR_BODY_BYTES = 64 * 1024  # an error page is read only this far: enough for any message
# aiohttp refuses a line longer than twice its read buffer (LineTooLong). Gemini image models send
# inline base64 in one SSE event, so allow lines of up to 16 MiB; the buffer only grows when needed.
READ_BUFFER_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 2 * READ_BUFFER_BYTES  # an SSE line longer than this is a malformed stream (aiohttp's own limit)
# An upstream error's headers that tell a client when to try again, forwarded with our error: Retry-After
# (RFC 9110 §10.2.3) and OpenAI's retry-after-ms, and the rate-limit state by prefix: x-ratelimit-* (OpenAI,
# Groq, OpenRouter: https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers) and
# anthropic-ratelimit-* (https://docs.anthropic.com/en/api/rate-limits#response-headers).
RATE_LIMIT_HEADERS = ("retry-after", "retry-after-ms")
RATE_LIMIT_PREFIXES = ("x-ratelimit-", "anthropic-ratelimit-")
MAX_FORWARDED_HEADER_CHARS = 200
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what JSON writes only as a short escape or \u (RFC 8259 §7)
# What a translated value is checked with: the standard library's C encoder refuses NaN and ±Infinity
# (ValueError) and a value nested past the recursion limit (RecursionError), and gives the text in which the
# call's secrets are looked for, once, instead of two walks in Python over every chunk (about 3x less per chunk).
_CHECK = json.JSONEncoder(allow_nan=False, check_circular=False, ensure_ascii=False, separators=(",", ":"))


def json_bytes(payload) -> bytes:
    """Compact JSON as UTF-8, written by orjson (about 10x the standard library on a completion or a chunk).
    What orjson refuses but JSON allows — an integer past 64 bits, a lone surrogate from a provider's "\\ud800"
    escape — is written by `json` instead (orjson.JSONEncodeError is a TypeError)."""
    try:
        return orjson.dumps(payload)
    except TypeError:
        return json.dumps(payload, separators=(",", ":")).encode()


def new_session() -> aiohttp.ClientSession:
    """The client session for provider calls: no per-host limit (concurrent streams never queue)."""
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    return aiohttp.ClientSession(connector=connector, read_bufsize=READ_BUFFER_BYTES)


def _secrets(target: Target, request: UpstreamRequest) -> tuple[str, ...]:
    return call_secrets(target.api_key, target.headers, request.headers, (request.url, target.base_url))


def _json_headers(request: UpstreamRequest) -> dict[str, str]:
    """The request's headers with the Content-Type aiohttp's `json=` would have set (the body is written by orjson)."""
    if any(name.lower() == "content-type" for name in request.headers):
        return request.headers
    return {**request.headers, "Content-Type": "application/json"}


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

    async def complete(self, session: aiohttp.ClientSession, rate_limits: dict | None = None) -> dict:
        """A non-streaming call → an OpenAI chat.completion with normalized usage, every secret masked.
        `rate_limits`, when given, receives the answer's rate-limit headers (rate_limit_headers)."""
        request = self.wire.build_request(self.target, self.body, stream=False)
        secrets = _secrets(self.target, request)
        async with _provider_faults(self.target, self.connect_s, self.read_s, secrets):
            async with session.post(request.url, data=json_bytes(request.json), headers=_json_headers(request),
                                    timeout=_timeout(self.connect_s, self.read_s)) as response:
                await _raise_for_status(response, self.wire, self.target, secrets)
                if rate_limits is not None:
                    rate_limits.update(rate_limit_headers(response.headers, secrets))
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
        async with _provider_faults(self.target, self.connect_s, self.read_s, secrets):
            response = await session.post(request.url, data=json_bytes(request.json), headers=_json_headers(request),
                                          timeout=_timeout(self.connect_s, self.read_s))
        try:
            await _raise_for_status(response, self.wire, self.target, secrets)
        except BaseException:
            response.release()
            raise
        return UpstreamStream(response, self.wire, self.target, self.model, self.connect_s, self.read_s, secrets)


class UpstreamStream:
    """An upstream stream whose status was already checked: iterate `chunks()` for OpenAI chunks (or `frames()`
    for each with its JSON and whether more is already here), secrets masked."""

    def __init__(self, response: aiohttp.ClientResponse, wire: WireFormat, target: Target, model: str,
                 connect_s: float, read_s: float, secrets: tuple[str, ...]):
        self._response = response
        self._translator = wire.new_stream(model)
        self._target = target
        self._connect_s, self._read_s = connect_s, read_s
        self._secrets = secrets
        self._looked_for = _looked_for(secrets)
        self.final: dict | None = None
        self.rate_limits = rate_limit_headers(response.headers, secrets)  # forwarded with the stream

    async def chunks(self) -> AsyncIterator[dict]:
        """Content chunks as they arrive; afterwards `final` holds the usage chunk."""
        async with aclosing(self.frames()) as frames:  # left mid-way: the response is closed now, not when collected
            async for chunk, _, _ in frames:
                if chunk is not None:
                    yield chunk

    async def frames(self) -> AsyncIterator[tuple[dict | None, bytes, bool]]:
        """(chunk, its compact JSON as UTF-8, whether more of what one upstream read brought follows) as they
        arrive, so a writer may gather one read's chunks into one write; (None, b"", False) when the read's last
        events gave no chunk after one said more follows. Afterwards `final` holds the usage chunk."""
        finished = False
        feed, who, secrets, looked_for = self._translator.feed, self._target.provider_id, self._secrets, self._looked_for
        owed = False  # a chunk went out saying more of its read follows, and nothing followed yet
        try:
            async with _provider_faults(self._target, self._connect_s, self._read_s, secrets):
                async for event, data, more in sse_events(self._response.content):
                    if event is not None:
                        chunks = _run(lambda: feed(event, data), who, secrets)
                        for position, chunk in enumerate(chunks):
                            chunk, text = _carried(chunk, who, secrets, looked_for)
                            if isinstance(chunk, dict) and isinstance(chunk.get("data"), str):
                                chunk, text = _relayed_shown(chunk, text, who, secrets, looked_for)
                            owed = more or position < len(chunks) - 1
                            yield chunk, text, owed
                    if owed and not more:
                        owed = False
                        yield None, b"", False
            self.final = _translated(self._translator.finish, self._target, secrets)
            finished = True
        finally:
            # A stream left mid-way (client gone, fault) must not go back to the connection pool.
            if finished:
                self._response.release()
            else:
                self._response.close()

    def close(self) -> None:
        self._response.close()


async def sse_events(content: aiohttp.StreamReader) -> AsyncIterator[tuple[str | None, str, bool]]:
    """Server-sent events → (event name or "", data text, whether more lines of the same read follow), each
    as soon as its blank line is read; (None, "", False) when a read ended after an event that said more
    follows without giving another. Comments and ids are skipped; a line past MAX_LINE_BYTES is LineTooLong.

    https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
    """
    event, data = "", []
    tail: list[bytes] = []  # the start of a line not ended yet
    tail_bytes = 0
    while True:
        raw = await content.readany()
        if not raw:
            break
        if b"\n" not in raw:
            tail.append(raw)
            tail_bytes += len(raw)
            if tail_bytes > MAX_LINE_BYTES:
                raise LineTooLong(b"".join(tail)[:100] + b"...", MAX_LINE_BYTES)
            continue
        if tail:
            raw = b"".join(tail) + raw
        *lines, rest = raw.split(b"\n")
        tail, tail_bytes = ([rest], len(rest)) if rest else ([], 0)
        last, owed = len(lines) - 1, False
        for index, line_bytes in enumerate(lines):
            if len(line_bytes) > MAX_LINE_BYTES:
                raise LineTooLong(line_bytes[:100] + b"...", MAX_LINE_BYTES)
            line = line_bytes.decode("utf-8").rstrip("\r")
            if not line:
                if data:
                    owed = index < last
                    yield event, "\n".join(data), owed
                event, data = "", []
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
        if owed:
            yield None, "", False
    if tail:  # a last line without its newline
        name, _, value = b"".join(tail).decode("utf-8").rstrip("\r").partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
    if data:  # a last event without its blank line still counts
        yield event, "\n".join(data), False


async def iter_sse(content: aiohttp.StreamReader) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events → (event name or "", data text), one at a time (`sse_events` without the marks)."""
    async for event, data, _ in sse_events(content):
        if event is not None:
            yield event, data


class _provider_faults:
    """Turns aiohttp's network faults into ProviderError with a reason a person can act on."""

    def __init__(self, target: Target, connect_s: float, read_s: float, secrets: tuple[str, ...]):
        self.target = target
        self.connect_s, self.read_s = connect_s, read_s
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
        # aiohttp (3.10+) raises ConnectionTimeoutError when `connect`/`sock_connect` runs out (no TCP connection
        # within connect_s: a host down, a full listen queue) and SocketTimeoutError for `sock_read` (connected,
        # then silent): two faults a person fixes differently, so each is named for what it was.
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return "timeout", 504, f"{who} did not accept a connection within {self.connect_s:g}s"
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
                        headers=retry_after_of(data) | rate_limit_headers(response.headers, secrets))


def rate_limit_headers(headers, secrets: tuple[str, ...]) -> dict[str, str]:
    """The upstream's Retry-After and rate-limit headers (lower-case names), to forward with its error or its
    answer (OpenAI and Anthropic send the rate-limit state on every answer, so a client can pace itself).

    Each value is masked before it is cut: a cut first could split a key and leave its prefix unmasked."""
    return {name.lower(): masked(value, secrets)[:MAX_FORWARDED_HEADER_CHARS] for name, value in headers.items()
            if name.lower() in RATE_LIMIT_HEADERS or name.lower().startswith(RATE_LIMIT_PREFIXES)}


def _translated(step, target: Target, secrets: tuple[str, ...]):
    """Runs a wire-format translation; a body of the wrong shape is the provider's fault, not ours.

    What it gives back is checked (finite numbers, nesting our encoder can write: `prompt_tokens: Infinity` or a
    reply nested a thousand deep would fail later, in our JSON encoder) and has every secret of the call masked:
    a provider or a proxy may echo the key in a 200 answer as well as in an error."""
    who = target.provider_id
    return _carried(_run(step, who, secrets), who, secrets, _looked_for(secrets))[0]


def _run(step, who: str, secrets: tuple[str, ...]):
    try:
        return step()
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


def _relayed_shown(item: dict, text: bytes, who: str, secrets: tuple[str, ...],
                   looked_for: tuple[str, ...]) -> tuple[dict, bytes]:
    """A relayed event (anthropic_messages.relayed_event) whose raw `data` goes to the client as it came, unless
    that text may hold a secret `_carried` could not see: written with JSON escapes (`"sk\\u002dant…"`), the
    key is not in the raw text, yet the client decodes it back. Raw text without a backslash has every string
    as it means, so `_carried` masked it already; otherwise it is parsed and, when a secret is in what it means,
    the masked value re-serialized is written instead."""
    data = item["data"]
    if not secrets or "\\" not in data:
        return item, text
    # Short escapes (\n, \") stand only for a quote, a backslash or a control character: a secret without one
    # of those is hidden only by a \u or \/ escape.
    if "\\u" not in data and "\\/" not in data and not any(map(_JSON_ESCAPED.search, secrets)):
        return item, text
    try:  # orjson (refusing NaN, ±Infinity and nesting past 1024) reads and writes it about 4x faster than `json`
        parsed = orjson.loads(data)
        meant, forms = orjson.dumps(parsed), tuple(orjson.dumps(secret)[1:-1] for secret in secrets)
    except (ValueError, TypeError):  # a lone surrogate (JSON allows it), or what orjson refuses: read carefully
        try:
            parsed = untrusted_json.loads(data)
        except untrusted_json.UntrustedJSON as exc:  # not provably free of a secret: not relayed
            raise ProviderError("malformed", 502, f"{who} sent an event whose data {exc}", who) from None
        meant, forms = _CHECK.encode(parsed), looked_for
    if not any(form in meant for form in forms):
        return item, text
    item = {**item, "data": json_bytes(masked(parsed, secrets)).decode()}
    return item, json_bytes(item)


def _looked_for(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret as `_CHECK` writes it inside a JSON string (a quote or a backslash in it escaped)."""
    return tuple(_CHECK.encode(secret)[1:-1] for secret in secrets)


def _carried(result, who: str, secrets: tuple[str, ...], looked_for: tuple[str, ...]) -> tuple[object, bytes]:
    """`result` checked and masked, with its compact JSON as UTF-8.

    One C encoding checks it (NaN, ±Infinity, nesting) and is searched for the secrets; JSON escapes each
    character on its own, so a secret in any string of `result` is in that text as `looked_for` has it. Only a
    value that fails the encoding, or whose text holds a secret, is walked (`untrusted_json.problem`, `masked`)."""
    try:
        text = _CHECK.encode(result)
    except (ValueError, RecursionError, TypeError):
        found = untrusted_json.problem(result)
        if found:
            raise ProviderError("malformed", 502, f"{who} sent a reply that {found}", who) from None
        result = masked(result, secrets)
        return result, json_bytes(result)
    if any(secret in text for secret in looked_for):
        result = masked(result, secrets)
        return result, json_bytes(result)
    try:
        return result, text.encode()
    except UnicodeEncodeError:  # a lone surrogate from a "\\ud800" escape: written as an escape again
        return result, json_bytes(result)
