"""How a streamed answer goes out to the client: server-sent events framed once, written at the pace that keeps
the first token early and the rest cheap. /v1/chat/completions (proxy.py), and /v1/messages and /v1/responses
(relay.py) all write their streams here.
"""

from __future__ import annotations

from contextlib import aclosing
from typing import Any, Callable

from aiohttp import web

from llms.providers.answer import Answer
from llms.providers.transport import UpstreamStream

__all__ = ["STREAM_HEADERS", "sse_frame", "sse_event", "write_frames"]

STREAM_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse_frame(name: str, data: bytes) -> bytes:
    """One event whose data is one line (compact JSON holds no line break: one in a string is escaped)."""
    return (b"event: " + name.encode() + b"\n" if name else b"") + b"data: " + data + b"\n\n"


def sse_event(name: str, data: str) -> bytes:
    # https://html.spec.whatwg.org/multipage/server-sent-events.html: each line of the data in its own field.
    lines = [f"event: {name}"] if name else []
    lines += [f"data: {line}" for line in data.split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


async def write_frames(response: web.StreamResponse, upstream: UpstreamStream, answer: Answer,
                       told: Callable[[Any, bytes], bytes], gathered: list[bytes]) -> None:
    """Writes each upstream frame (item, its data, whether more of the same read follows) as `told(item, data)`,
    which also hands the item's chat chunks to `answer`. Up to the first token each event goes out as it comes;
    after it, the events of one upstream read are written at once. When the upstream fails (the ProviderError is
    raised on), what is left in `gathered` has not been written: the caller writes it, its fault event last."""
    async with aclosing(upstream.frames()) as frames:
        async for item, data, more in frames:
            first = answer.ttft_ms is None
            if item is not None:
                gathered.append(told(item, data))
            if gathered and (first or not more):
                await response.write(b"".join(gathered))
                gathered.clear()
