"""One-shot terminal chat: stream the answer, then one line of usage, cost, time and speed."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import TextIO


from llms.commands.recording import CliLedger, call_record
from llms.commands.terminal import PrintableStream, printable
from llms.files import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from llms.providers import transport
from llms.providers.answer import Answer, deltas
from llms.providers.base import ProviderError
from llms.providers.failover import CallFailed, open_first_stream
from llms.providers.routing import UnknownModel, candidates_for
from llms.commands.summary import usage_line
from llms.server.readiness import default_model

__all__ = ["run_chat"]


def run_chat(config, model: str | None, prompt: str, out: TextIO, err: TextIO) -> int:
    if not model:
        # defaults.model, or the first ready model when it is not ready, saying so (server/readiness.py)
        default = default_model(config)
        if default.value is None:
            err.write(f"llms: no provider is ready: pass -m MODEL, or set a provider's key for {config.path} "
                      "(llms --serve says which variable each one needs)\n")
            return EXIT_USAGE
        if default.note:
            err.write(f"llms: {default.note}\n")
        model = default.value
    try:
        candidates = candidates_for(config, model)
    except UnknownModel as exc:
        err.write(f"llms: {exc}\n")
        return EXIT_USAGE
    ledger = CliLedger(config)  # the chat is one line, client "cli", when the ledger is on
    try:
        return asyncio.run(_chat(model, prompt, candidates, out, err, ledger))
    finally:
        ledger.close()


def _elapsed_ms(answer: Answer) -> float:
    return (time.perf_counter() - answer.started) * 1000


async def _chat(model, prompt, candidates, out: TextIO, err: TextIO, ledger: CliLedger) -> int:
    from llms.pricing.cost import cost_for, estimated_usage, format_usd
    from llms.pricing.table import build_price_table

    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    answer = Answer(time.perf_counter())
    started_at = datetime.now().astimezone()
    shown = PrintableStream()  # the answer is printed without the terminal controls it may hold
    status, error = EXIT_OK, None
    async with transport.new_session() as session:
        try:
            candidate, upstream, _ = await open_first_stream(session, body, candidates)
        except CallFailed as failed:
            err.write(f"llms: {printable(failed.message)}\n")
            tried = candidates[len(failed.failures) - 1]  # the last provider asked, whose fault this is
            ledger.record(call_record("cli", started_at, tried, body, _elapsed_ms(answer), error=failed.error))
            return EXIT_FAIL
        try:
            async for chunk in answer.chunks(upstream):
                out.write(shown.feed(deltas(chunk)[0]))  # only the answer is printed; answer and reasoning are billed
                out.flush()
        except ProviderError as exc:
            err.write(f"\nllms: {printable(exc.message)}\n")
            status, error = EXIT_FAIL, exc
    ledger.record(call_record("cli", started_at, candidate, body, _elapsed_ms(answer), error=error,
                              usage=(upstream.final or {}).get("usage"), finish_reason=answer.finish_reason,
                              output_text=answer.output_text or None, reasoning_text=answer.reasoning_text or None,
                              ttft_ms=answer.ttft_ms))
    response_s = time.perf_counter() - answer.started
    out.write(shown.finish() + "\n")
    usage = (upstream.final or {}).get("usage")
    estimated = usage is None
    if estimated:  # the stream was cut before its usage: estimate from the text, and say so
        usage = estimated_usage(prompt, answer.output_text + answer.reasoning_text)
    price = build_price_table([candidate.provider]).get(candidate.provider.id, {}).get(candidate.alias)
    cost = cost_for(usage, price, estimated=estimated)
    ttft_s = None if answer.ttft_ms is None else answer.ttft_ms / 1000
    out.write(usage_line(model, candidate.provider.id, usage, format_usd(cost["cost_usd"], cost["provenance"]),
                         response_s, ttft_s, estimated) + "\n")
    return status
