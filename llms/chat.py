"""One-shot terminal chat: stream the answer, then one line of usage, cost, time and speed."""

from __future__ import annotations

import asyncio
import time
from typing import TextIO


from llms.calls import CallFailed, open_first_stream
from llms.providers import ProviderError, transport
from llms.providers.openai import reasoning_of
from llms.routing import UnknownModel, alias_for, candidates_for
from llms.summary import usage_line

__all__ = ["run_chat"]


def run_chat(config, model: str | None, prompt: str, out: TextIO, err: TextIO) -> int:
    model = model or config.defaults.model
    if not model:
        err.write("llms: no model: pass -m MODEL or set defaults.model in llms.json\n")
        return 2
    try:
        candidates = candidates_for(config, model)
    except UnknownModel as exc:
        err.write(f"llms: {exc}\n")
        return 2
    return asyncio.run(_chat(config, model, prompt, candidates, out, err))


def _deltas(chunk: dict) -> tuple[str, str]:
    """(answer text, reasoning text) of a chunk: only the answer is printed, both are billed."""
    deltas = [c.get("delta") or {} for c in chunk.get("choices") or ()]
    return "".join(d.get("content") or "" for d in deltas), "".join(reasoning_of(d) for d in deltas)


async def _chat(config, model, prompt, candidates, out: TextIO, err: TextIO) -> int:
    from llms.pricing import cost_for, estimated_usage, format_usd
    from llms.price_table import build_price_table

    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    started = time.perf_counter()
    answer: list[str] = []
    thought: list[str] = []
    ttft_s = None
    status = 0
    async with transport.new_session() as session:
        try:
            candidate, upstream, _ = await open_first_stream(session, body, candidates)
        except CallFailed as failed:
            err.write(f"llms: {failed.message}\n")
            return 1
        try:
            async for chunk in upstream.chunks():
                text, reasoning = _deltas(chunk)
                if (text or reasoning) and ttft_s is None:
                    ttft_s = time.perf_counter() - started
                answer.append(text)
                thought.append(reasoning)
                out.write(text)
                out.flush()
        except ProviderError as exc:
            err.write(f"\nllms: {exc.message}\n")
            status = 1
    response_s = time.perf_counter() - started
    out.write("\n")
    usage = (upstream.final or {}).get("usage")
    estimated = usage is None
    if estimated:  # the stream was cut before its usage: estimate from the text, and say so
        usage = estimated_usage(prompt, "".join(answer) + "".join(thought))
    price = build_price_table([candidate.provider]).get(candidate.provider.id, {}).get(alias_for(candidate))
    cost = cost_for(usage, price, estimated=estimated)
    out.write(usage_line(model, candidate.provider.id, usage, format_usd(cost["cost_usd"], cost["provenance"]),
                         response_s, ttft_s, estimated) + "\n")
    return status
