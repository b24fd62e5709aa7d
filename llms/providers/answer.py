"""A streamed answer as it arrives: its text, reasoning, finish reason, tool calls, service tier and time to first
token; and the tool calls of a whole chat.completion.

The one stream-reading loop, shared by the proxy and one-shot chat. Time to first token is the time
from the request's start to the first chunk with content, reasoning or a tool-call delta (the browser's
stream.js counts the same).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from llms.providers.shapes import reasoning_of
from llms.providers.transport import UpstreamStream

__all__ = ["Answer", "deltas", "tool_call_names", "served_tier"]


def deltas(chunk: dict) -> tuple[str, str, bool]:
    """(answer text, reasoning text, whether a tool call moved) of one OpenAI chunk, over its choices."""
    texts, reasonings, tool_calls = [], [], False
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        texts.append(delta.get("content") or "")
        reasonings.append(reasoning_of(delta))
        tool_calls = tool_calls or bool(delta.get("tool_calls"))
    return "".join(texts), "".join(reasonings), tool_calls


def tool_call_names(completion: dict) -> list[str] | None:
    """The names of the tools a chat.completion called, one per call over its choices (a legacy `function_call`
    counts as one); None when it called none."""
    names = []
    for choice in completion.get("choices") or ():
        message = choice.get("message") or {}
        calls = [call.get("function") or {} for call in message.get("tool_calls") or () if isinstance(call, dict)]
        legacy = [message["function_call"]] if isinstance(message.get("function_call"), dict) else []
        names += [call.get("name") for call in calls + legacy if isinstance(call.get("name"), str)]
    return names or None


def served_tier(reported, body: dict) -> str | None:
    """The service tier a request was served at: the one the provider reported (OpenAI's `service_tier` in the
    answer: https://platform.openai.com/docs/api-reference/chat/object), else the one the client asked for."""
    for tier in (reported, body.get("service_tier")):
        if isinstance(tier, str) and tier:
            return tier
    return None


class Answer:
    """Read chunks through `chunks(upstream)`; meanwhile it keeps what the answer said."""

    def __init__(self, started: float):
        self.started = started  # time.perf_counter() at the request's start
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.finish_reason: str | None = None
        self.ttft_ms: float | None = None
        self.service_tier: str | None = None  # as the chunks report it (OpenAI sends it on each)
        self._tool_calls: dict[tuple, str] = {}  # (choice index, call index) → name, from the call's first delta

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
        if isinstance(chunk.get("service_tier"), str):
            self.service_tier = chunk["service_tier"]
        for choice in chunk.get("choices") or ():
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
            for call in (choice.get("delta") or {}).get("tool_calls") or ():
                name = (call.get("function") or {}).get("name") if isinstance(call, dict) else None
                if isinstance(name, str) and name:
                    self._tool_calls.setdefault((choice.get("index"), call.get("index")), name)

    @property
    def output_text(self) -> str:
        return "".join(self.text)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    @property
    def tool_calls(self) -> list[str] | None:
        """The names of the tools the answer called, in the order their first deltas came; None when none."""
        return list(self._tool_calls.values()) or None
