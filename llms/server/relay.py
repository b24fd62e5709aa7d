"""How /v1/messages and /v1/responses answer: an upstream's events relayed as sent (pass-through), or a chat
stream told again in the client's API (translated: providers/from_messages.py, from_responses.py).

Either way the exchange's answer reads the chat chunks (text, reasoning, time to first token) and the stream
ends the exchange as succeeded (with the upstream's usage) or failed; a fault after the headers went out
travels as the client API's own error event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol

from aiohttp import web

from llms.providers.answer import Answer, tool_call_names
from llms.providers.base import ProviderError, WireFormat
from llms.providers.failover import CallFailed, complete_first, open_first_stream
from llms.providers.routing import Candidate
from llms.providers.shapes import reasoning_of
from llms.providers.transport import UpstreamStream, json_bytes
from llms.server.exchange import Exchange
from llms.server.keys import HTTP
from llms.server.sse_out import STREAM_HEADERS, sse_event, sse_frame, write_frames

__all__ = ["ClientAPI", "ClientEvents", "pass_through", "translate", "meta_headers", "completed",
           "relayed", "translated"]

class ClientEvents(Protocol):
    """A chat stream told in a client's API: each call gives (event name, payload) pairs to send."""

    def start(self) -> list[tuple[str, dict]]: ...

    def feed(self, chunk: dict) -> list[tuple[str, dict]]: ...

    def finish(self, usage: dict | None) -> list[tuple[str, dict]]: ...

    def failed(self, error: dict) -> list[tuple[str, dict]]: ...


@dataclass(frozen=True)
class ClientAPI:
    """What differs between the client APIs served this way: the shape of an error."""

    error_body: Callable[[int, str], dict]  # (status, message) → this API's error body
    error_response: Callable[[ProviderError, str], web.Response]  # a failed call → this API's error response
    # a fault after a relayed stream's headers → this API's error event, given the last event relayed (its data)
    fault_event: Callable[[int, str, str | None], bytes]


def _failed(api: ClientAPI, exchange: Exchange, error: ProviderError, message: str) -> web.Response:
    exchange.failed(error.status, message, error.provider_id)
    response = api.error_response(error, message)
    response.headers["X-LLMS-Request-Id"] = exchange.request_id
    return response


async def pass_through(request: web.Request, exchange: Exchange, api: ClientAPI, body: dict,
                       candidates: list[Candidate], wire: WireFormat,
                       fallback: Callable[[], Awaitable[web.StreamResponse]] | None = None) -> web.StreamResponse:
    """The client's body through `wire` (a pass-through: its parse gives {"body", "completion"}), the reply or
    the stream's events back as the provider sent them. When every candidate failed with a fault another
    provider might not have (unreachable, timeout, 429, 5xx), `fallback` (the translated route to the providers
    of other types serving the model) answers instead, as failover would."""
    session = request.app[HTTP]
    rate_limits: dict[str, str] = {}  # the provider's rate-limit headers, passed back (transport.rate_limit_headers)
    try:
        if body.get("stream"):
            exchange.candidate, upstream, _ = await open_first_stream(session, body, candidates, wire)
            return await relayed(request, exchange, upstream, api.fault_event)
        exchange.candidate, result, _ = await complete_first(session, body, candidates, wire, rate_limits=rate_limits)
    except CallFailed as failed:
        if fallback is not None and failed.error.retryable:
            return await fallback()
        return _failed(api, exchange, failed.error, failed.message)
    completed(exchange, result["completion"])
    return web.json_response(result["body"], headers=rate_limits | meta_headers(exchange))


async def translate(request: web.Request, exchange: Exchange, api: ClientAPI, chat: dict, candidates: list[Candidate],
                    events: Callable[[], "ClientEvents"], answer: Callable[[dict, Candidate], dict]):
    """Our chat body to the providers' own wire formats; the answer told back as `answer(completion, candidate)`,
    a stream as `events()`."""
    session = request.app[HTTP]
    rate_limits: dict[str, str] = {}
    try:
        if chat.get("stream"):
            exchange.candidate, upstream, _ = await open_first_stream(session, chat, candidates)
            return await translated(request, exchange, upstream, events(), api.error_body)
        exchange.candidate, completion, _ = await complete_first(session, chat, candidates, rate_limits=rate_limits)
        told = answer(completion, exchange.candidate)
    except CallFailed as failed:
        return _failed(api, exchange, failed.error, failed.message)
    except ProviderError as exc:  # an answer the client's API cannot express (tool arguments not an object)
        return _failed(api, exchange, exc, exc.message)
    completed(exchange, completion)
    return web.json_response(told, headers=rate_limits | meta_headers(exchange))


def _events(pairs: list[tuple[str, dict]]) -> bytes:
    return b"".join(sse_frame(name, json_bytes(payload)) for name, payload in pairs)


def meta_headers(exchange: Exchange) -> dict[str, str]:
    candidate = exchange.candidate
    return {"X-LLMS-Provider": candidate.provider.id, "X-LLMS-Provider-Model": candidate.provider_model,
            "X-LLMS-Request-Id": exchange.request_id}


def completed(exchange: Exchange, completion: dict) -> None:
    """A non-stream answer (an OpenAI chat.completion, or what a pass-through's reply means as one) ends the
    exchange as succeeded, with its usage, finish reason, text and reasoning."""
    choice = completion["choices"][0]
    exchange.succeeded(completion["usage"], choice["finish_reason"], output_text=choice["message"]["content"],
                       reasoning_text=reasoning_of(choice["message"]) or None, tool_calls=tool_call_names(completion),
                       service_tier=completion.get("service_tier"))


async def _opened(request: web.Request, exchange: Exchange, upstream: UpstreamStream) -> web.StreamResponse:
    response = web.StreamResponse(headers=upstream.rate_limits | meta_headers(exchange) | STREAM_HEADERS)
    await response.prepare(request)
    exchange.answer = Answer(exchange.started)
    return response


async def relayed(request: web.Request, exchange: Exchange, upstream: UpstreamStream,
                  fault_event: Callable[[int, str, str | None], bytes]) -> web.StreamResponse:
    """Each upstream event (a `relayed_event`) written as it came; a fault the upstream did not report itself
    in the stream is written as `fault_event(status, message, the last event's data)`."""
    response = await _opened(request, exchange, upstream)
    answer, relayed_error, last = exchange.answer, False, None

    def told(item: dict, _data: bytes) -> bytes:
        nonlocal relayed_error, last
        for chunk in item["chunks"]:
            answer.take(chunk)
        relayed_error, last = relayed_error or item["error"], item["data"]
        return sse_event(item["event"], item["data"])

    gathered: list[bytes] = []
    try:
        await write_frames(response, upstream, answer, told, gathered)
    except ProviderError as exc:
        exchange.failed(exc.status, exc.message)
        if not relayed_error:
            gathered.append(fault_event(exc.status, exc.message, last))
    else:
        exchange.succeeded((upstream.final or {}).get("usage"))
    if gathered:
        await response.write(b"".join(gathered))
    await response.write_eof()
    return response


async def translated(request: web.Request, exchange: Exchange, upstream: UpstreamStream, events: ClientEvents,
                     error_body: Callable[[int, str], dict]) -> web.StreamResponse:
    """The upstream's chat chunks told as `events`; a fault as `events.failed(error_body(status, message))`."""
    response = await _opened(request, exchange, upstream)
    answer = exchange.answer
    await response.write(_events(events.start()))

    def told(chunk: dict, _data: bytes) -> bytes:
        answer.take(chunk)
        return _events(events.feed(chunk))

    gathered: list[bytes] = []
    try:
        await write_frames(response, upstream, answer, told, gathered)
    except ProviderError as exc:
        exchange.failed(exc.status, exc.message)
        gathered.append(_events(events.failed(error_body(exc.status, exc.message))))
    else:
        usage = (upstream.final or {}).get("usage")
        exchange.succeeded(usage)
        gathered.append(_events(events.finish(usage)))
    await response.write(b"".join(gathered))
    await response.write_eof()
    return response
