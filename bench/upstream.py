"""A fixed-reply OpenAI-compatible upstream on raw asyncio, cheap and steady enough to measure a proxy against.

    python bench/upstream.py --port 8011 [--chunk-delay-ms 0]

POST …/chat/completions answers the same completion every time (or, with `"stream": true` in the body,
the same SSE events, written one by one); GET …/models lists the one model. HTTP/1.1 keep-alive,
no routing table, no JSON parsing of the request: the upstream's own cost is a few tens of µs, the
same for every contender, so what a proxy adds is what the proxy costs. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json

__all__ = ["MODEL", "TEXT", "PROMPT_TOKENS", "serve"]

HOST = "127.0.0.1"
MODEL = "mock-model"
TEXT = "Hello from the benchmark upstream: the same short reply, one word per stream event, every time."
PROMPT_TOKENS = 12
MAX_HEADER_BYTES = 64 * 1024


def _usage() -> dict:
    completion_tokens = len(TEXT.split())
    return {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": completion_tokens,
            "total_tokens": PROMPT_TOKENS + completion_tokens}


def _completion() -> bytes:
    return json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 1767225600, "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": TEXT}, "logprobs": None,
                     "finish_reason": "stop"}],
        "usage": _usage()}).encode()


def _stream_events() -> list[bytes]:
    # https://platform.openai.com/docs/api-reference/chat-streaming: one word per chunk, a stop chunk,
    # the usage chunk (sent always: a proxy may ask for it with stream_options), then [DONE].
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1767225600, "model": MODEL}

    def event(payload: dict) -> bytes:
        return b"data: " + json.dumps(payload).encode() + b"\n\n"

    def chunk(delta: dict, finish_reason: str | None = None) -> bytes:
        return event(base | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})

    words = [word + " " for word in TEXT.split(" ")[:-1]] + [TEXT.split(" ")[-1]]
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": word}) for word in words]
    events.append(chunk({}, "stop"))
    events.append(event(base | {"choices": [], "usage": _usage()}))
    return events + [b"data: [DONE]\n\n"]


def _response(status: str, content_type: str, body: bytes) -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n").encode() + body


COMPLETION = _response("200 OK", "application/json", _completion())
MODELS = _response("200 OK", "application/json", json.dumps(
    {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "bench"}]}).encode())
NOT_FOUND = _response("404 Not Found", "application/json", b'{"error": {"message": "no such route"}}')
STREAM_HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
STREAM_CHUNKS = [b"%x\r\n%s\r\n" % (len(event), event) for event in _stream_events()] + [b"0\r\n\r\n"]


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, chunk_delay_s: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_HEADER_BYTES:
                break
            request_line, _, header_text = head.partition(b"\r\n")
            length = 0
            for line in header_text.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            method, path = request_line.split(b" ")[:2]
            if method == b"POST" and path.endswith(b"/chat/completions"):
                # Clients write `"stream": true` or `"stream":true`; nothing else in a chat body looks like it.
                if b'"stream": true' in body or b'"stream":true' in body:
                    await _stream(writer, chunk_delay_s)
                else:
                    writer.write(COMPLETION)
            elif method == b"GET" and path.split(b"?")[0].endswith(b"/models"):
                writer.write(MODELS)
            else:
                writer.write(NOT_FOUND)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.LimitOverrunError):
        pass  # the client closed its connection: the normal end of a keep-alive session
    finally:
        writer.close()


async def _stream(writer: asyncio.StreamWriter, chunk_delay_s: float) -> None:
    writer.write(STREAM_HEAD)
    for chunk in STREAM_CHUNKS:
        writer.write(chunk)
        if chunk_delay_s:
            await writer.drain()
            await asyncio.sleep(chunk_delay_s)


async def serve(port: int, chunk_delay_s: float = 0.0) -> None:
    server = await asyncio.start_server(lambda r, w: _handle(r, w, chunk_delay_s), HOST, port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0, help="pause between stream events")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.chunk_delay_ms / 1000))
    except KeyboardInterrupt:
        pass  # stopped by the bench that started it


if __name__ == "__main__":
    main()
