"""`llms --check PROVIDER [MODEL...]`: which models answer, how fast, and why not.

All models are asked at once, so the wall time is about the slowest model's, not the sum.
"""

from __future__ import annotations

import asyncio
import textwrap
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO


from llms.commands.terminal import printable_line
from llms.commands.recording import CliLedger, call_record
from llms.files import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from llms.ledger.export import tokens_per_second
from llms.providers import transport
from llms.providers.base import ProviderError
from llms.providers.failover import CallFailed, complete_first
from llms.providers.routing import Candidate

__all__ = ["run_check", "check_models", "refusal_for", "CheckResult", "reason_for", "format_table"]

CHECK_PROMPT = "Reply with one word: ok"
CHECK_MAX_TOKENS = 16
STATUS_WIDTH = 60  # the status column's width in the table; longer reasons go on below


@dataclass(frozen=True)
class CheckResult:
    model: str
    ok: bool
    reason: str
    latency_ms: float
    input_tokens: int | None = None
    output_tokens: int | None = None

    @property
    def tokens_per_s(self) -> float | None:
        return tokens_per_second(self.output_tokens, self.latency_ms)


def reason_for(error: ProviderError) -> str:
    """A plain reason a person can act on, on one line: the provider's text without its control characters."""
    message = printable_line(error.message)
    if error.kind == "http":
        if error.status in (400, 403) and "api key" in message.lower():
            # Gemini answers a bad key with 400 INVALID_ARGUMENT (API_KEY_INVALID), not 401.
            return f"{error.status} bad key: {message}"
        plain = {401: "401 bad key", 403: "403 forbidden", 404: "404 unknown model", 429: "429 rate-limited"}
        return plain.get(error.status, f"{error.status} error") + f": {message}"
    if error.kind == "malformed":
        return f"malformed reply: {message}"
    return f"{error.kind}: {message}"


async def _check_one(session, provider, alias: str, client: str, record) -> CheckResult:
    body = {"model": alias, "messages": [{"role": "user", "content": CHECK_PROMPT}],
            "max_tokens": CHECK_MAX_TOKENS}
    candidate = Candidate(provider, provider.models[alias], alias)  # one named provider: nothing fails over
    started_at, started = datetime.now().astimezone(), time.perf_counter()
    try:
        _, completion, _ = await complete_first(session, body, [candidate])
    except CallFailed as failed:
        latency_ms = (time.perf_counter() - started) * 1000
        record(call_record(client, started_at, candidate, body, latency_ms, error=failed.error))
        return CheckResult(alias, False, reason_for(failed.error), latency_ms)
    latency_ms = (time.perf_counter() - started) * 1000
    choice = (completion.get("choices") or [{}])[0]
    record(call_record(client, started_at, candidate, body, latency_ms, usage=completion.get("usage"),
                       finish_reason=choice.get("finish_reason"), output_text=(choice.get("message") or {}).get("content")))
    usage = completion.get("usage") or {}
    return CheckResult(alias, True, "ok", latency_ms, usage.get("prompt_tokens"), usage.get("completion_tokens"))


def _cell(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def format_table(results: list[CheckResult]) -> str:
    """The results as a table; a reason longer than the status column goes on under it, cut between words only,
    so a URL in an error is never cut in half."""
    rows = [("model", "status", "latency ms", "in", "out", "tok/s")]
    for r in results:
        rows.append((r.model, r.reason, f"{r.latency_ms:,.0f}", _cell(r.input_tokens, ","),
                     _cell(r.output_tokens, ","), _cell(r.tokens_per_s, ".1f")))
    widths = [min(max(len(row[i]) for row in rows), STATUS_WIDTH) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        status = textwrap.wrap(row[1], widths[1], break_long_words=False, break_on_hyphens=False) or [""]
        cells = [row[0].ljust(widths[0]), status[0].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
        lines += [" " * widths[0] + "  " + more for more in status[1:]]
    return "\n".join(lines)


async def check_models(session, provider, aliases: list[str], *, client: str, record,
                       on_result=lambda result, done: None) -> list[CheckResult]:
    """The probe of `llms --check` and the Providers view's Check button: every alias asked at once, the results in
    the order asked; each call's record is handed to `record` (commands/recording.call_record, sent by `client`),
    and `on_result(result, done)` hears of each result as it comes."""
    tasks = [asyncio.ensure_future(_check_one(session, provider, alias, client, record)) for alias in aliases]
    results = []
    for finished in asyncio.as_completed(tasks):
        result = await finished
        results.append(result)
        on_result(result, len(results))
    order = {alias: i for i, alias in enumerate(aliases)}
    return sorted(results, key=lambda r: order[r.model])


async def _check(provider, aliases: list[str], out: TextIO, ledger: CliLedger) -> list[CheckResult]:
    out.write(f"checking {len(aliases)} model(s) of {provider.id} at {provider.base_url} …\n")

    def progress(result: CheckResult, done: int) -> None:
        mark = "✓" if result.ok else "✗"
        out.write(f"  {mark} {result.model} ({result.latency_ms:,.0f} ms) [{done}/{len(aliases)}]\n")
        out.flush()

    async with transport.new_session() as session:
        return await check_models(session, provider, aliases, client="cli", record=ledger.record, on_result=progress)


def refusal_for(provider) -> str | None:
    """Why `provider` cannot be checked (it is off), or None."""
    return None if provider.enabled else f"provider {provider.id!r} is disabled: {provider.disabled_reason}"


def run_check(config, provider_id: str, models: list[str], out: TextIO) -> int:
    provider = config.provider(provider_id)
    if provider is None:
        out.write(f"llms: no provider {provider_id!r} in {config.path}; providers: "
                  f"{', '.join(p.id for p in config.providers)}\n")
        return EXIT_USAGE
    refused = refusal_for(provider)
    if refused:
        out.write(f"llms: {refused}\n")
        return EXIT_FAIL
    unknown = [m for m in models if m not in provider.models]
    if unknown:
        out.write(f"llms: {provider_id} has no model {', '.join(map(repr, unknown))}; "
                  f"its models: {', '.join(provider.models)}\n")
        return EXIT_USAGE
    ledger = CliLedger(config)  # each model asked is one line, client "cli", when the ledger is on
    try:
        results = asyncio.run(_check(provider, models or list(provider.models), out, ledger))
    finally:
        ledger.close()
    out.write("\n" + format_table(results) + "\n")
    passed = sum(r.ok for r in results)
    out.write(f"{passed} of {len(results)} model(s) answered\n")
    return EXIT_OK if passed == len(results) else EXIT_FAIL
