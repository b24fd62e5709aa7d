"""An OpenAI-compatible upstream on 127.0.0.1 that answers in the ways a hostile or broken provider (or a proxy in
front of one) might: each model name is one behaviour, streamed or not.

    async with HostileProvider() as hostile:
        base_url = hostile.url               # http://127.0.0.1:PORT/v1

Models (`BEHAVIOURS`):
- "echo-key": a 200 answer (and a stream chunk) whose text repeats the Authorization value and the bare key.
- "deep": a 200 body (and a stream event) nested DEEP_LEVELS deep.
- "infinite-usage": `"prompt_tokens": Infinity` in the usage (non-stream body and the stream's usage chunk).
- "huge-usage": `"prompt_tokens": 1e308` (a finite JSON number; two add up to infinity) in the usage, likewise.
- "surrogate-error": a 500 whose message holds a lone surrogate (`\\ud800`, escaped as JSON allows).
- "long-error": a 500 whose message is LONG_ERROR_CHARS long.
- "long-finish": an answer whose finish_reason is LONG_FINISH_CHARS long.
- "escapes": an answer (and its stream) holding ESCAPES_TEXT: terminal escape sequences and control characters.
- "escapes-error": a 500 whose message holds ESCAPES_TEXT.
"""

from __future__ import annotations

import json

from aiohttp import web

__all__ = ["HostileProvider", "BEHAVIOURS", "DEEP_LEVELS", "LONG_ERROR_CHARS", "LONG_FINISH_CHARS", "ECHO_TEXT",
           "ESCAPES_TEXT"]

BEHAVIOURS = ("echo-key", "deep", "infinite-usage", "huge-usage", "surrogate-error", "long-error", "long-finish",
              "escapes", "escapes-error")
DEEP_LEVELS = 5_000
LONG_ERROR_CHARS = 20_000
LONG_FINISH_CHARS = 200
ECHO_TEXT = "You sent {authorization} (key {key})."
# Clears the screen, a red word, a hidden link (OSC 8), a clipboard write (OSC 52), a carriage return that would
# overwrite the line, an 8-bit CSI, a bell, DEL: nothing of it may reach a terminal raw.
ESCAPES_TEXT = ("\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;http://127.0.0.1/\x07link\x1b]8;;\x07 \x1b]52;c;aGk=\x07fake\rreal"
                " \x9b2Jend\x07\x7f.")
USAGE = '{"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}'
HUGE_USAGE = '{"prompt_tokens": 1e308, "completion_tokens": 1, "total_tokens": 1e308}'


def _completion(content: str, finish_reason: str = "stop", usage: str = USAGE) -> str:
    # Written as text: Python's json would not write Infinity where we need it, nor the raw escapes.
    return ('{"id": "chatcmpl-hostile", "object": "chat.completion", "created": 1, "model": "m", "choices": '
            f'[{{"index": 0, "message": {{"role": "assistant", "content": {json.dumps(content)}}}, '
            f'"finish_reason": {json.dumps(finish_reason)}}}], "usage": {usage}}}')


def _chunk(delta: str, finish_reason: str | None = None) -> str:
    return ('{"id": "chatcmpl-hostile", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": '
            f'[{{"index": 0, "delta": {{"content": {json.dumps(delta)}}}, "finish_reason": {json.dumps(finish_reason)}}}]}}')


def _usage_chunk(usage: str) -> str:
    return ('{"id": "chatcmpl-hostile", "object": "chat.completion.chunk", "created": 1, "model": "m", '
            f'"choices": [], "usage": {usage}}}')


def _deep() -> str:
    return "[" * DEEP_LEVELS + "]" * DEEP_LEVELS


def _error(message_json: str) -> web.Response:
    return web.Response(status=500, content_type="application/json",
                        text=f'{{"error": {{"message": {message_json}, "type": "server_error"}}}}')


def _events(model: str, echoed: str) -> list[str]:
    if model == "echo-key":
        return [_chunk("Hello. "), _chunk(echoed, "stop"), _usage_chunk(USAGE)]
    if model == "deep":
        return [_chunk("Hi"), _deep()]
    if model == "escapes":
        return [_chunk(ESCAPES_TEXT[:20]), _chunk(ESCAPES_TEXT[20:], "stop"), _usage_chunk(USAGE)]
    if model == "infinite-usage":
        return [_chunk("Hi", "stop"), _usage_chunk('{"prompt_tokens": Infinity, "completion_tokens": 1, '
                                                   '"total_tokens": Infinity}')]
    if model == "huge-usage":
        return [_chunk("Hi", "stop"), _usage_chunk(HUGE_USAGE)]
    return [_chunk("Hi"), _chunk("", "x" * LONG_FINISH_CHARS), _usage_chunk(USAGE)]  # long-finish


def _body(model: str, echoed: str) -> str:
    if model == "echo-key":
        return _completion(echoed)
    if model == "deep":
        return _deep()
    if model == "escapes":
        return _completion(ESCAPES_TEXT)
    if model == "infinite-usage":
        return _completion("Hi", usage='{"prompt_tokens": Infinity, "completion_tokens": 1, "total_tokens": Infinity}')
    if model == "huge-usage":
        return _completion("Hi", usage=HUGE_USAGE)
    return _completion("Hi", finish_reason="x" * LONG_FINISH_CHARS)  # long-finish


async def _chat(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    model = body.get("model")
    authorization = request.headers.get("Authorization", "")
    echoed = ECHO_TEXT.format(authorization=authorization, key=authorization.removeprefix("Bearer "))
    if model == "surrogate-error":
        return _error('"upstream broke: \\ud800 here"')
    if model == "long-error":
        return _error(json.dumps("e" * LONG_ERROR_CHARS))
    if model == "escapes-error":
        return _error(json.dumps(ESCAPES_TEXT))
    if model not in BEHAVIOURS:
        return web.json_response({"error": {"message": f"no model {model!r}"}}, status=404)
    if not body.get("stream"):
        return web.Response(text=_body(model, echoed), content_type="application/json")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for event in _events(model, echoed):
        await response.write(f"data: {event}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


class HostileProvider:
    """Serves POST /v1/chat/completions on 127.0.0.1 (a free port) while entered."""

    def __init__(self):
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> "HostileProvider":
        app = web.Application()
        app.router.add_post("/v1/chat/completions", _chat)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._runner.cleanup()
