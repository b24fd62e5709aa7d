"""/v1/responses: OpenAI's Responses API (Codex CLI, the openai SDKs' `responses.create`), for every provider.

https://platform.openai.com/docs/api-reference/responses/create. `model` is an alias, `provider/alias` or a
provider model id. When providers with `"responses": true` (config.py; on by default for `openai`) serve it,
the body goes to their /responses unchanged but for `model`, through failover, and the reply or stream comes
back as sent. Otherwise the request is translated into our chat shape (providers/from_responses.py) for the
providers serving it, whatever their wire format, and the answer told back as a Response or Responses'
stream events. llms keeps no responses: GET /v1/responses/{id} (and delete, cancel, input_items) is a 404 that
says so, a translated request with `previous_response_id` is refused, and `store` is answered false. Errors are OpenAI-shaped, with the status.
Each request ends as one record (exchange.py), priced from the usage the provider reported.
"""

from __future__ import annotations

import json
import time

from aiohttp import web

from llms.providers import from_responses
from llms.providers.responses_openai import ResponsesPassThrough
from llms.providers.routing import UnknownModel, candidates_for
from llms.providers.translation import Refused, carried_or_none, client_body
from llms.server.errors import error_body, error_response, provider_error_response
from llms.server.exchange import Exchange
from llms.server.installed_models import served
from llms.server.keys import BUDGETS
from llms.server.relay import ClientAPI, pass_through, translate
from llms.server.sse_out import sse_event

__all__ = ["add_routes"]


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/responses", responses)
    app.router.add_route("*", "/v1/responses/{response_id}", not_kept)
    app.router.add_route("*", "/v1/responses/{response_id}/{action}", not_kept)


async def not_kept(request: web.Request) -> web.Response:
    """Retrieve, delete, cancel, input_items: llms keeps no responses, so there is none to find (a 404 saying why)."""
    return error_response(404, f"response {request.match_info['response_id']!r}: {from_responses.NOT_STORED}",
                          code="not_found", param="response_id")


async def responses(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    try:
        body = client_body(await request.read())
        candidates = candidates_for((await served(request.app))[0], body["model"])  # Ollama's as installed now
        passed = [c for c in candidates if c.provider.responses]
        chat = None if passed else from_responses.chat_body(body)
    except Refused as refused:
        return error_response(refused.status, refused.message, param=refused.param)
    except UnknownModel as exc:
        return error_response(404, str(exc), code="model_not_found", param="model")
    exchange = Exchange.begin(request, chat or _record_body(body), started)
    try:
        await request.app[BUDGETS].reserve(exchange, candidates)  # a hard cap it could pass: a 429, recorded

        def translated_to(chat: dict, others: list):
            # To providers without the Responses API: our chat shape there, Responses' shapes back.
            return translate(request, exchange, API, chat, others, lambda: from_responses.ResponseEvents(body),
                             lambda completion, _: from_responses.response_of(completion, body))
        if chat is not None:
            return await translated_to(chat, candidates)
        others = [c for c in candidates if not c.provider.responses]
        backup = carried_or_none(from_responses.chat_body, body) if others else None
        return await pass_through(request, exchange, API, body, passed, ResponsesPassThrough(),
                                  None if backup is None else lambda: translated_to(backup, others))
    finally:
        exchange.finish(request.app)  # the one place a request ends: ok, error or aborted


def _record_body(body: dict) -> dict:
    """What the exchange keeps of a passed-through request, in chat terms: its model, stream flag, output limit
    (the budget's worst case reads it) and, when its input reads as chat messages, those (a pass-through may
    carry items only the provider reads: then none)."""
    try:
        messages = from_responses.messages_of(body)
    except Refused:  # deliberately: an item we cannot translate is still the provider's to read
        messages = None
    kept = {"model": body["model"], "stream": bool(body.get("stream")), "messages": messages}
    if body.get("max_output_tokens") is not None:
        kept["max_completion_tokens"] = body["max_output_tokens"]
    return kept


def _error_event(status: int, message: str, after: str | None) -> bytes:
    # Headers are gone: the fault travels as Responses' own `error` event (responses-streaming/error), numbered
    # after the last event the provider sent.
    try:
        sequence = json.loads(after)["sequence_number"] + 1 if after else 0
    except (ValueError, KeyError, TypeError):  # deliberately: an event without a number starts the count again
        sequence = 0
    detail = error_body(status, message)["error"]
    return sse_event("error", json.dumps({"type": "error", "code": detail["code"], "message": detail["message"],
                                          "param": detail["param"], "sequence_number": sequence}))


# A failed call keeps the upstream's type, code and param, and its Retry-After / rate-limit headers (errors.py).
API = ClientAPI(error_body, provider_error_response, _error_event)
