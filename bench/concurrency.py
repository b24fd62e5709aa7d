"""Concurrency: waves of 200 (then 1,000) streaming requests at once through a proxy; errors, throughput, memory.

    python bench/concurrency.py [--concurrent 200 1000] [--waves 5] [--chunk-delay-ms 5] [--with-llmspy] [--with-litellm]

The upstream (`bench/upstream.py`) pauses `--chunk-delay-ms` between stream events, so a stream lasts
about 100 ms and every request of a wave is open at the same time. Each wave sends `--concurrent`
streaming requests at once (one connection each) and waits for all; a request counts as an error
unless it answers 200 with the whole text and `[DONE]`. Printed per contender and wave size: errors over all
waves, requests/s (median over waves, wall time of a wave), the server's RSS after start-up (before any
request), after the last wave, and its peak (VmHWM), from /proc. Each wave size gets a fresh server. The bench
raises its own open-file limit to the hard one (a wave of 1,000 holds 1,000 sockets).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import (MODEL, Server, Upstream, add_contender_flags, chosen_contenders,  # noqa: E402
                        machine_line, tree_rss_kb)
from upstream import TEXT  # noqa: E402

BODY = {"model": MODEL, "messages": [{"role": "user", "content": "Say hello"}], "stream": True,
        "stream_options": {"include_usage": True}}


async def one_stream(session: aiohttp.ClientSession, url: str) -> str | None:
    """None when the stream was whole; otherwise what went wrong."""
    try:
        async with session.post(url, json=BODY) as response:
            if response.status != 200:  # with llms's error message, so a timeout says which one it was
                body = await response.text()
                try:
                    return f"HTTP {response.status} ({json.loads(body)['error']['message']})"
                except (ValueError, KeyError, TypeError):  # not an OpenAI-shaped error: its start instead
                    return f"HTTP {response.status} ({body[:80]!r})"
            if response.content_type != "text/event-stream":
                await response.read()
                return f"no SSE: one {response.content_type} body"
            text, done = [], False
            async for line in response.content:
                if line.startswith(b"data: [DONE]"):
                    done = True
                elif line.startswith(b"data: "):
                    for choice in json.loads(line[6:]).get("choices") or ():
                        text.append((choice.get("delta") or {}).get("content") or "")
            return None if done and "".join(text) == TEXT else "incomplete stream"
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        return type(exc).__name__


async def wave(url: str, concurrent: int) -> tuple[float, list[str]]:
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one_stream(session, url) for _ in range(concurrent)))
        seconds = time.perf_counter() - started
    return seconds, [problem for problem in outcomes if problem]


def measure(server: Server, concurrent: int, waves: int) -> None:
    url = server.url + "/v1/chat/completions"
    rss_before = tree_rss_kb(server.pid)
    rates, problems = [], {}
    for _ in range(waves):
        seconds, failed = asyncio.run(wave(url, concurrent))
        rates.append(concurrent / seconds)
        for problem in failed:
            problems[problem] = problems.get(problem, 0) + 1
    errors = sum(problems.values())
    detail = "; ".join(f"{what} x{n}" for what, n in problems.items())
    print(f"{server.contender.name:<18}{concurrent:>8}{errors:>7}{statistics.median(rates):>10.0f}"
          f"{rss_before / 1024:>12.1f}{tree_rss_kb(server.pid) / 1024:>11.1f}"
          f"{tree_rss_kb(server.pid, 'VmHWM') / 1024:>11.1f}  {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, nargs="+", default=[200, 1000], help="wave sizes, each in turn")
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--chunk-delay-ms", type=float, default=5.0, help="the upstream's pause between events")
    add_contender_flags(parser)
    args = parser.parse_args()
    contenders = chosen_contenders(args)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(machine_line())
    print(f"{args.waves} waves of each size, upstream pause {args.chunk_delay_ms:g} ms between events; RSS in MiB")
    print(f"{'server':<18}{'streams':>8}{'errors':>7}{'req/s':>10}{'RSS start':>12}{'RSS end':>11}{'RSS peak':>11}")
    with Upstream(args.chunk_delay_ms) as upstream:
        for contender in contenders:
            for concurrent in args.concurrent:
                with Server(contender, upstream.url) as server:
                    measure(server, concurrent, args.waves)


if __name__ == "__main__":
    main()
