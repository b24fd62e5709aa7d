"""A streamed answer as it arrives: its text, reasoning, finish reason and time to first token.

The one stream-reading loop, shared by the proxy and one-shot chat. Time to first token is the time
from the request's start to the first chunk with content, reasoning or a tool-call delta (the browser's
stream.js counts the same).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from llms.providers.shapes import reasoning_of
from llms.providers.transport import UpstreamStream

__all__ = ["Answer", "deltas"]


def deltas(chunk: dict) -> tuple[str, str, bool]:
    """(answer text, reasoning text, whether a tool call moved) of one OpenAI chunk, over its choices."""
    texts, reasonings, tool_calls = [], [], False
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        texts.append(delta.get("content") or "")
        reasonings.append(reasoning_of(delta))
        tool_calls = tool_calls or bool(delta.get("tool_calls"))
    return "".join(texts), "".join(reasonings), tool_calls


class Answer:
    """Read chunks through `chunks(upstream)`; meanwhile it keeps what the answer said."""

    def __init__(self, started: float):
        self.started = started  # time.perf_counter() at the request's start
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.finish_reason: str | None = None
        self.ttft_ms: float | None = None

    async def chunks(self, upstream: UpstreamStream) -> AsyncIterator[dict]:
        async for chunk in upstream.chunks():
            self.take(chunk)
            yield chunk

    def take(self, chunk: dict) -> None:
        text, reasoning, tool_calls = deltas(chunk)
        if self.ttft_ms is None and (text or reasoning or tool_calls):
            self.ttft_ms = round((time.perf_counter() - self.started) * 1000, 2)
        self.text.append(text)
        self.reasoning.append(reasoning)
        for choice in chunk.get("choices") or ():
            self.finish_reason = choice.get("finish_reason") or self.finish_reason

    @property
    def output_text(self) -> str:
        return "".join(self.text)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)
