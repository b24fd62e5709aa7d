"""/v1/messages and /v1/messages/count_tokens: Anthropic's Messages API, for Anthropic and every other provider.

Claude Code and the Anthropic SDKs (`ANTHROPIC_BASE_URL=http://127.0.0.1:8000`) talk to this route as to
Anthropic. `model` is an alias, `provider/alias`, or a provider model id such as `claude-sonnet-4-5-20250929`.
When `anthropic` providers serve it, the body and the anthropic-version / anthropic-beta headers go to them
unchanged but for `model`, through failover, and replies and stream events come back as Anthropic sent
them. Otherwise the request is translated into our chat shape for the OpenAI-compatible, Gemini or Ollama
providers serving it (providers/from_messages.py), and their answer told back as an Anthropic message or
Anthropic's stream events. Errors are in Anthropic's shape with the status. Each /v1/messages request ends
as one record (exchange.py), priced from the usage the provider reported.
"""

from __future__ import annotations

import json
import time

from aiohttp import web

from llms.pricing.cost import estimate_tokens
from llms.providers import from_messages
from llms.providers.anthropic_messages import COUNT_TOKENS_PATH, MessagesPassThrough, error_body
from llms.providers.base import ProviderError
from llms.providers.failover import CallFailed, complete_first
from llms.providers.routing import Candidate, UnknownModel, candidates_for
from llms.providers.translation import Refused, carried_or_none, client_body
from llms.server.exchange import Exchange
from llms.server.installed_models import served
from llms.server.keys import BUDGETS, HTTP
from llms.server.relay import ClientAPI, pass_through, translate
from llms.server.sse_out import sse_event

__all__ = ["add_routes"]

PASS_THROUGH_TYPES = ("anthropic",)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/messages", messages)
    app.router.add_post("/v1/messages/count_tokens", count_tokens)


def anthropic_error(status: int, message: str) -> web.Response:
    return web.json_response(error_body(status, message), status=status)


async def _routes(request: web.Request, body: dict) -> tuple[list[Candidate], list[Candidate]]:
    """(anthropic-type candidates, the others) serving the model, or Refused; Ollama's models as installed now."""
    try:
        found = candidates_for((await served(request.app))[0], body["model"])
    except UnknownModel as exc:
        raise Refused("model", str(exc), 404) from None
    passed = [c for c in found if c.provider.type in PASS_THROUGH_TYPES]
    return passed, [c for c in found if c.provider.type not in PASS_THROUGH_TYPES]


async def messages(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    try:
        body = client_body(await request.read())
        candidates, others = await _routes(request, body)
    except Refused as refused:
        return anthropic_error(refused.status, refused.message)
    try:
        chat = None if candidates else from_messages.chat_body(body)
    except Refused as refused:
        serving = ", ".join(f"{c.provider.id} ({c.provider.type})" for c in others)
        return anthropic_error(400, f"{refused.message} (model {body['model']!r} is served by {serving})")
    # Translated, the record keeps the chat messages the provider was sent (system prompt included).
    exchange = Exchange.begin(request, body if chat is None else chat, started)
    try:
        await request.app[BUDGETS].reserve(exchange, candidates + others)  # a hard cap it could pass: a 429

        def translated_to_others(chat: dict):
            # To OpenAI-compatible, Gemini or Ollama providers: our chat shape there, Anthropic's shapes back.
            return translate(request, exchange, API, chat, others, lambda: from_messages.MessagesEvents(body["model"]),
                             lambda completion, candidate: from_messages.message_of(completion, body["model"],
                                                                                    candidate.provider.id))
        if chat is not None:
            return await translated_to_others(chat)
        backup = carried_or_none(from_messages.chat_body, body) if others else None
        return await pass_through(request, exchange, API, body, candidates, MessagesPassThrough(dict(request.headers)),
                                  None if backup is None else lambda: translated_to_others(backup))
    finally:
        exchange.finish(request.app)  # the one place a request ends: ok, error or aborted


def _error_event(status: int, message: str, _after: str | None = None) -> bytes:
    # Headers are gone: the fault travels as Anthropic's own `error` event (messages-streaming#error-events).
    return sse_event("error", json.dumps(error_body(status, message)))


def _provider_error(error: ProviderError, message: str) -> web.Response:
    """A failed call in Anthropic's shape, with the upstream's Retry-After / rate-limit headers (clients wait by them)."""
    response = anthropic_error(error.status, message)
    response.headers.update(error.headers)
    return response


API = ClientAPI(error_body, _provider_error, _error_event)


async def count_tokens(request: web.Request) -> web.Response:
    """Passed through to an anthropic provider; for a model only other providers serve, an estimate that says so."""
    try:
        body = client_body(await request.read())
        candidates, others = await _routes(request, body)
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
