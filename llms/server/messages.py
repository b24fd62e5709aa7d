"""/v1/messages and /v1/messages/count_tokens: Anthropic's Messages API, passed through to `anthropic` providers.

Claude Code and the Anthropic SDKs (`ANTHROPIC_BASE_URL=http://127.0.0.1:8000`) talk to this route as to
Anthropic: the body and the anthropic-version / anthropic-beta headers go upstream unchanged but for `model`
(an alias, `provider/alias`, or a provider model id such as `claude-sonnet-4-5-20250929`), through failover;
replies and stream events come back as Anthropic sent them; errors in Anthropic's shape with the status.
Each /v1/messages request ends as one record (exchange.py), priced from the usage Anthropic reported.
"""

from __future__ import annotations

import json
import time
from contextlib import aclosing

from aiohttp import web

from llms.pricing.cost import estimate_tokens
from llms.providers.anthropic_messages import COUNT_TOKENS_PATH, MessagesPassThrough, error_body
from llms.providers.answer import Answer
from llms.providers.base import ProviderError
from llms.providers.failover import CallFailed, complete_first, open_first_stream
from llms.providers.routing import Candidate, UnknownModel, candidates_for
from llms.providers.shapes import reasoning_of
from llms.server.exchange import Exchange
from llms.server.keys import CONFIG, HTTP

__all__ = ["add_routes"]

PASS_THROUGH_TYPES = ("anthropic",)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/messages", messages)
    app.router.add_post("/v1/messages/count_tokens", count_tokens)


def anthropic_error(status: int, message: str) -> web.Response:
    return web.json_response(error_body(status, message), status=status)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _body(raw: bytes) -> dict:
    try:
        body = json.loads(raw)
    except ValueError:
        raise Refused(400, "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise Refused(400, "the request body must be a JSON object")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise Refused(400, "model: Field required (one of our model names, see GET /v1/models)")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise Refused(400, f"stream: expected true or false, got {json.dumps(body['stream'])[:60]}")
    return body


def _routes(request: web.Request, body: dict) -> tuple[list[Candidate], list[Candidate]]:
    """(anthropic-type candidates, the others) serving the model, or Refused."""
    try:
        found = candidates_for(request.app[CONFIG], body["model"])
    except UnknownModel as exc:
        raise Refused(404, f"model: {exc}") from None
    passed = [c for c in found if c.provider.type in PASS_THROUGH_TYPES]
    return passed, [c for c in found if c.provider.type not in PASS_THROUGH_TYPES]


def _pass_through_only(model: str, others: list[Candidate]) -> Refused:
    served = ", ".join(f"{c.provider.id} ({c.provider.type})" for c in others)
    return Refused(400, f"model: {model!r} is served only by {served}; /v1/messages passes requests through to "
                        "providers of type 'anthropic' and does not translate them for other types yet")


async def messages(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    try:
        body = _body(await request.read())
        candidates, others = _routes(request, body)
        if not candidates:
            raise _pass_through_only(body["model"], others)
    except Refused as refused:
        return anthropic_error(refused.status, refused.message)
    exchange = Exchange.begin(request, body, started)
    wire = MessagesPassThrough(dict(request.headers))
    try:
        if body.get("stream"):
            return await _stream(request, exchange, candidates, wire)
        return await _complete(request, exchange, candidates, wire)
    finally:
        exchange.finish(request.app)  # the one place a request ends: ok, error or aborted


def _headers(exchange: Exchange) -> dict[str, str]:
    candidate = exchange.candidate
    return {"X-LLMS-Provider": candidate.provider.id, "X-LLMS-Provider-Model": candidate.provider_model,
            "X-LLMS-Request-Id": exchange.request_id}


def _failed(exchange: Exchange, failed: CallFailed) -> web.Response:
    error = failed.error
    exchange.failed(error.status, failed.message, error.provider_id)
    response = anthropic_error(error.status, failed.message)
    response.headers["X-LLMS-Request-Id"] = exchange.request_id
    return response


async def _complete(request: web.Request, exchange: Exchange, candidates: list[Candidate],
                    wire: MessagesPassThrough) -> web.Response:
    try:
        exchange.candidate, result, _ = await complete_first(request.app[HTTP], exchange.body, candidates, wire)
    except CallFailed as failed:
        return _failed(exchange, failed)
    completion = result["completion"]
    choice = completion["choices"][0]
    exchange.succeeded(completion["usage"], choice["finish_reason"], output_text=choice["message"]["content"],
                       reasoning_text=reasoning_of(choice["message"]) or None)
    return web.json_response(result["body"], headers=_headers(exchange))


def _event(name: str, data: str) -> bytes:
    # https://html.spec.whatwg.org/multipage/server-sent-events.html: each line of the data in its own field.
    lines = [f"event: {name}"] if name else []
    lines += [f"data: {line}" for line in data.split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


async def _stream(request: web.Request, exchange: Exchange, candidates: list[Candidate], wire: MessagesPassThrough):
    try:
        exchange.candidate, upstream, _ = await open_first_stream(request.app[HTTP], exchange.body, candidates, wire)
    except CallFailed as failed:
        return _failed(exchange, failed)
    response = web.StreamResponse(headers=_headers(exchange) | {
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await response.prepare(request)
    answer = exchange.answer = Answer(exchange.started)
    relayed_error = False
    try:
        async with aclosing(upstream.chunks()) as events:
            async for item in events:
                for chunk in item["chunks"]:
                    answer.take(chunk)
                relayed_error = relayed_error or item["event"] == "error"
                await response.write(_event(item["event"], item["data"]))
    except ProviderError as exc:
        exchange.failed(exc.status, exc.message)
        if not relayed_error:
            # Headers are gone: the fault travels as Anthropic's own `error` event (messages-streaming#error-events).
            await response.write(_event("error", json.dumps(error_body(exc.status, exc.message))))
    else:
        exchange.succeeded((upstream.final or {}).get("usage"))
    await response.write_eof()
    return response


async def count_tokens(request: web.Request) -> web.Response:
    """Passed through to an anthropic provider; for a model only other providers serve, an estimate that says so."""
    try:
        body = _body(await request.read())
        candidates, others = _routes(request, body)
    except Refused as refused:
        return anthropic_error(refused.status, refused.message)
    if not candidates:
        return web.json_response({"input_tokens": estimate_tokens(_request_text(body)), "estimated": True},
                                 headers={"X-LLMS-Provider": others[0].provider.id})
    wire = MessagesPassThrough(dict(request.headers), COUNT_TOKENS_PATH)
    try:
        candidate, result, _ = await complete_first(request.app[HTTP], body, candidates, wire)
    except CallFailed as failed:
        return anthropic_error(failed.error.status, failed.message)
    return web.json_response(result["body"], headers={"X-LLMS-Provider": candidate.provider.id})


def _request_text(body: dict) -> str:
    """The text of a Messages request that an estimate counts: system, message texts, tool definitions."""
    system = body.get("system")
    parts = [system if isinstance(system, str) else json.dumps(system)] if system else []
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        parts.append(content if isinstance(content, str) else json.dumps(content))
    if body.get("tools"):
        parts.append(json.dumps(body["tools"]))
    return "\n".join(parts)
