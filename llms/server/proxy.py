"""/v1/chat/completions and /v1/models: the OpenAI-compatible proxy with failover."""

from __future__ import annotations

import time

from aiohttp import web

from llms.providers.answer import Answer, tool_call_names
from llms.providers.base import ProviderError
from llms.providers.failover import CallFailed, complete_first, open_first_stream
from llms.providers.registry import dropped_params
from llms.providers.routing import Candidate, UnknownModel, candidates_for, known_models
from llms.providers.shapes import reasoning_of
from llms.providers.transport import json_bytes
from llms.server.chat_request import BadRequest, parse_chat_body, wants_usage_chunk
from llms.server.errors import error_response, provider_error_body, provider_error_response
from llms.server.exchange import Exchange
from llms.server.installed_models import served
from llms.server.keys import BUDGETS, HTTP
from llms.server.sse_out import STREAM_HEADERS, sse_frame, write_frames

__all__ = ["add_routes"]


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", list_models)


async def list_models(request: web.Request) -> web.Response:
    config, _ = await served(request.app)
    data = [{"id": name, "object": "model", "created": 0, "owned_by": _owners(config, name)}
            for name in known_models(config)]
    return web.json_response({"object": "list", "data": data})


def _owners(config, name: str) -> str:
    return ",".join(p.id for p in config.enabled_providers if name in p.models)


async def chat_completions(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    try:
        body = parse_chat_body(await request.read())
    except BadRequest as exc:
        return error_response(400, exc.message, param=exc.param)
    try:
        candidates = candidates_for((await served(request.app))[0], body["model"])  # Ollama's as installed now
    except UnknownModel as exc:
        return error_response(404, str(exc), code="model_not_found", param="model")
    exchange = Exchange.begin(request, body, started)
    try:
        await request.app[BUDGETS].reserve(exchange, candidates)  # a hard cap it could pass: a 429, recorded
        if body.get("stream"):
            return await _stream(request, exchange, candidates)
        return await _complete(request, exchange, candidates)
    finally:
        exchange.finish(request.app)  # the one place a proxied request ends: ok, error or aborted


def _dropped(exchange: Exchange) -> list[str]:
    """Fields the answering wire format dropped on purpose (sampling hints without an equivalent there)."""
    return dropped_params(exchange.candidate.provider.type, exchange.body)


def _meta_headers(exchange: Exchange) -> dict[str, str]:
    candidate = exchange.candidate
    headers = {"X-LLMS-Provider": candidate.provider.id, "X-LLMS-Provider-Model": candidate.provider_model,
               "X-LLMS-Request-Id": exchange.request_id}
    dropped = _dropped(exchange)
    return headers | ({"X-LLMS-Dropped-Params": ",".join(dropped)} if dropped else {})


def _meta(exchange: Exchange, failures: list[dict]) -> dict:
    dropped = _dropped(exchange)
    return {"request_id": exchange.request_id, "provider": exchange.candidate.provider.id,
            "provider_model": exchange.candidate.provider_model, "duration_ms": exchange.elapsed_ms(),
            "ttft_ms": exchange.ttft_ms, "failed_over": failures} | ({"dropped_params": dropped} if dropped else {})


def _failed_response(request: web.Request, exchange: Exchange, failed: CallFailed) -> web.Response:
    error = failed.error
    exchange.failed(error.status, failed.message, error.provider_id)
    response = provider_error_response(error, failed.message)  # the upstream's type/code/param and Retry-After
    response.headers["X-LLMS-Request-Id"] = exchange.request_id
    return response


async def _complete(request: web.Request, exchange: Exchange, candidates: list[Candidate]) -> web.Response:
    rate_limits: dict[str, str] = {}
    try:
        exchange.candidate, completion, failures = await complete_first(request.app[HTTP], exchange.body, candidates,
                                                                        rate_limits=rate_limits)
    except CallFailed as failed:
        return _failed_response(request, exchange, failed)
    completion["llms"] = _meta(exchange, failures)
    choices = completion.get("choices") or [{}]
    message = choices[0].get("message") or {}
    exchange.succeeded(completion.get("usage"), choices[0].get("finish_reason"), output_text=message.get("content"),
                       reasoning_text=reasoning_of(message) or None, tool_calls=tool_call_names(completion),
                       service_tier=completion.get("service_tier"))
    # The provider's rate-limit state goes back as it sent it (transport.rate_limit_headers), ours after it.
    headers = rate_limits | _meta_headers(exchange) | {"X-LLMS-Duration-Ms": str(completion["llms"]["duration_ms"])}
    return web.Response(body=json_bytes(completion), headers=headers, content_type="application/json",
                        charset="utf-8")


def _sse(payload: dict) -> bytes:
    return sse_frame("", json_bytes(payload))


async def _stream(request: web.Request, exchange: Exchange, candidates: list[Candidate]):
    try:
        exchange.candidate, upstream, failures = await open_first_stream(request.app[HTTP], exchange.body, candidates)
    except CallFailed as failed:
        return _failed_response(request, exchange, failed)
    response = web.StreamResponse(headers=upstream.rate_limits | _meta_headers(exchange) | STREAM_HEADERS)
    await response.prepare(request)
    answer = exchange.answer = Answer(exchange.started)

    def told(chunk: dict, data: bytes) -> bytes:
        answer.take(chunk)
        return sse_frame("", data)

    gathered: list[bytes] = []
    try:
        await write_frames(response, upstream, answer, told, gathered)
    except ProviderError as exc:
        # Headers are gone already: the fault travels as a last event the client can show.
        exchange.failed(exc.status, exc.message)
        gathered.append(_sse(provider_error_body(exc, exc.message)))
    else:
        final = dict(upstream.final or {})
        final["llms"] = _meta(exchange, failures)
        exchange.succeeded(final.get("usage"))
        if wants_usage_chunk(exchange.body, request.headers.get("X-LLMS-Client")):
            gathered.append(_sse(final))
    gathered.append(b"data: [DONE]\n\n")
    await response.write(b"".join(gathered))
    await response.write_eof()
    return response
