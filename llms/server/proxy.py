"""/v1/chat/completions and /v1/models: the OpenAI-compatible proxy with failover."""

from __future__ import annotations

import json
import time
from contextlib import aclosing

from aiohttp import web

from llms.calls import CallFailed, complete_first, open_first_stream
from llms.providers import ProviderError
from llms.routing import Candidate, UnknownModel, candidates_for, known_models
from llms.server.chat_request import BadRequest, parse_chat_body, wants_usage_chunk
from llms.server.errors import error_body, error_response
from llms.server.keys import CONFIG, HTTP

__all__ = ["add_routes"]


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", list_models)


async def list_models(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
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
        candidates = candidates_for(request.app[CONFIG], body["model"])
    except UnknownModel as exc:
        return error_response(404, str(exc), code="model_not_found", param="model")
    if body.get("stream"):
        return await _stream(request, body, candidates, started)
    return await _complete(request, body, candidates, started)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _meta_headers(candidate: Candidate) -> dict[str, str]:
    return {"X-LLMS-Provider": candidate.provider.id, "X-LLMS-Provider-Model": candidate.provider_model}


async def _complete(request: web.Request, body: dict, candidates: list[Candidate], started: float) -> web.Response:
    try:
        candidate, completion, failures = await complete_first(request.app[HTTP], body, candidates)
    except CallFailed as failed:
        return _failed_response(failed)
    duration_ms = _ms_since(started)
    completion["llms"] = {"provider": candidate.provider.id, "provider_model": candidate.provider_model,
                          "duration_ms": duration_ms, "failed_over": failures}
    headers = _meta_headers(candidate) | {"X-LLMS-Duration-Ms": str(duration_ms)}
    return web.json_response(completion, headers=headers)


def _failed_response(failed: CallFailed) -> web.Response:
    error = failed.error
    return error_response(error.status, failed.message, code=error.kind, provider=error.provider_id)


def _sse(payload: dict) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _has_output(chunk: dict) -> bool:
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        if delta.get("content") or delta.get("reasoning_content") or delta.get("tool_calls"):
            return True
    return False


async def _stream(request: web.Request, body: dict, candidates: list[Candidate], started: float):
    try:
        candidate, upstream, failures = await open_first_stream(request.app[HTTP], body, candidates)
    except CallFailed as failed:
        return _failed_response(failed)
    response = web.StreamResponse(headers=_meta_headers(candidate) | {
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await response.prepare(request)
    ttft_ms = None
    try:
        async with aclosing(upstream.chunks()) as chunks:
            async for chunk in chunks:
                if ttft_ms is None and _has_output(chunk):
                    ttft_ms = _ms_since(started)
                await response.write(_sse(chunk))
    except ProviderError as exc:
        # Headers are gone already: the fault travels as a last event the client can show.
        await response.write(_sse(error_body(exc.status, exc.message, code=exc.kind, provider=exc.provider_id)))
    else:
        final = dict(upstream.final or {})
        final["llms"] = {"provider": candidate.provider.id, "provider_model": candidate.provider_model,
                         "duration_ms": _ms_since(started), "ttft_ms": ttft_ms, "failed_over": failures}
        if wants_usage_chunk(body, request.headers.get("X-LLMS-Client")):
            await response.write(_sse(final))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response
