"""Proxy overhead: what a request pays for going through a proxy instead of straight to the provider.

    python bench/proxy_overhead.py [--requests 200] [--rounds 7] [--baseline DIR] [--with-llmspy] [--with-litellm]

A fixed-reply upstream (`bench/upstream.py`, its own process) on loopback; every contender is
configured against it. Per round, for non-streaming and then streaming requests, each target (the
upstream itself, then each proxy; the order rotates every round) gets `--requests` sequential
requests on one keep-alive connection. Per round: p50 and p95 of the request times, time to the
first content token for streams, and each proxy's difference to the upstream in that same round;
printed are the medians of those over the rounds. Server CPU per request is user+sys from
/proc/<pid>/stat over all the rounds' requests. The floor (`bench/floor.py`: a bare aiohttp pass-through, on
asyncio's loop and on uvloop's) is always measured in the same rounds, and llms's time added is also given as a
ratio to the floor's on the same loop as llms (uvloop where it is installed). `--baseline DIR` also runs the llms
of another checkout (e.g. `git worktree add DIR <commit>`) as "llms baseline", in the same rounds: before → after
on one machine at one time. `--with-llmspy` / `--with-litellm` add llms.py
2.0.35 and 4.0.26 / the LiteLLM proxy, creating their venvs (see bench/contenders.py) when missing.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import (LLMS, MODEL, Contender, Launch, Server, Upstream, add_contender_flags,  # noqa: E402
                        chosen_contenders, machine_line, tree_cpu_ms)
from floor import FLOOR, FLOOR_UVLOOP  # noqa: E402
from upstream import TEXT  # noqa: E402

MESSAGES = [{"role": "user", "content": "Say hello"}]
BODY = json.dumps({"model": MODEL, "messages": MESSAGES}).encode()
STREAM_BODY = json.dumps({"model": MODEL, "messages": MESSAGES, "stream": True,
                          "stream_options": {"include_usage": True}}).encode()
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer sk-unused-by-the-proxies"}
WARMUP_REQUESTS = 20


@dataclass
class Outcome:
    total_ms: float
    ttft_ms: float | None  # streams: time to the first content token
    problem: str | None  # None when the answer was complete and right


class Target:
    """One keep-alive connection to a server's /v1/chat/completions."""

    def __init__(self, name: str, port: int, path: str, pid: int | None):
        self.name, self.port, self.path, self.pid = name, port, path, pid
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def _send(self, body: bytes) -> http.client.HTTPResponse:
        try:
            self.connection.request("POST", self.path, body, HEADERS)
            return self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the idle keep-alive connection: one new one, same request.
            self.connection.close()
            self.connection.request("POST", self.path, body, HEADERS)
            return self.connection.getresponse()

    def complete(self) -> Outcome:
        started = time.perf_counter()
        response = self._send(BODY)
        raw = response.read()
        total_ms = (time.perf_counter() - started) * 1000
        if response.status != 200:
            return Outcome(total_ms, None, f"HTTP {response.status}")
        content = json.loads(raw)["choices"][0]["message"]["content"]
        return Outcome(total_ms, None, None if content == TEXT else f"wrong text {content[:40]!r}")

    def stream(self) -> Outcome:
        started = time.perf_counter()
        response = self._send(STREAM_BODY)
        if response.status != 200:
            response.read()
            return Outcome((time.perf_counter() - started) * 1000, None, f"HTTP {response.status}")
        if not (response.getheader("Content-Type") or "").startswith("text/event-stream"):
            raw = response.read()
            total_ms = (time.perf_counter() - started) * 1000
            return Outcome(total_ms, total_ms, f"no SSE: one {response.getheader('Content-Type')} body")
        ttft_ms, text, done = None, [], False
        while line := response.readline():
            if not line.startswith(b"data: "):
                continue
            if line.startswith(b"data: [DONE]"):
                done = True
                continue
            for choice in json.loads(line[6:]).get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    ttft_ms = ttft_ms or (time.perf_counter() - started) * 1000
                    text.append(piece)
        total_ms = (time.perf_counter() - started) * 1000
        problem = None if done and "".join(text) == TEXT else f"incomplete stream ({len(text)} pieces, [DONE]: {done})"
        return Outcome(total_ms, ttft_ms, problem)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Tally:
    """One target's figures in one mode: per-round percentiles, CPU and problems over all rounds."""
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    ttft50: list[float] = field(default_factory=list)
    ttft95: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0
    requests: int = 0
    problems: dict[str, int] = field(default_factory=dict)


def run_block(target: Target, streaming: bool, count: int, tally: Tally) -> None:
    cpu_before = tree_cpu_ms(target.pid) if target.pid else 0.0
    outcomes = [(target.stream if streaming else target.complete)() for _ in range(count)]
    if target.pid:
        tally.cpu_ms += tree_cpu_ms(target.pid) - cpu_before
    tally.requests += count
    for outcome in outcomes:
        if outcome.problem:
            tally.problems[outcome.problem] = tally.problems.get(outcome.problem, 0) + 1
    totals = [o.total_ms for o in outcomes]
    tally.p50.append(percentile(totals, 0.5))
    tally.p95.append(percentile(totals, 0.95))
    ttfts = [o.ttft_ms for o in outcomes if o.ttft_ms is not None]
    if ttfts:
        tally.ttft50.append(percentile(ttfts, 0.5))
        tally.ttft95.append(percentile(ttfts, 0.95))


def median_difference(mine: list[float], theirs: list[float]) -> float | None:
    if len(mine) != len(theirs) or not mine:
        return None
    return statistics.median(a - b for a, b in zip(mine, theirs))


def floor_ratios(mode: str, tallies: dict[str, Tally], floor_name: str) -> None:
    """llms's time added over the floor's, p50 (and to the first token for streams), same rounds."""
    direct, floor, ours = tallies["upstream"], tallies[floor_name], tallies["llms"]
    pairs = [("+p50", "p50")] + ([("+ttft p50", "ttft50")] if mode == "streaming" else [])
    for label, name in pairs:
        added = median_difference(getattr(ours, name), getattr(direct, name))
        floor_added = median_difference(getattr(floor, name), getattr(direct, name))
        if added is not None and floor_added:
            print(f"llms {label} {added:.3f} ms / {floor_name} {label} {floor_added:.3f} ms = "
                  f"{added / floor_added:.2f} x the floor")


def report(mode: str, targets: list[Target], tallies: dict[str, Tally], rounds: int, count: int) -> None:
    streaming = mode == "streaming"
    print(f"\n{mode}: {rounds} rounds x {count} sequential requests per target, medians over rounds (ms)")
    columns = ["p50", "p95", "+p50", "+p95"] + (["ttft p50", "+ttft p50", "+ttft p95"] if streaming else [])
    print(f"{'target':<18}" + "".join(f"{c:>11}" for c in columns) + f"{'cpu ms/req':>12}  problems")
    direct = tallies["upstream"]
    for target in targets:
        tally = tallies[target.name]
        cells = [statistics.median(tally.p50), statistics.median(tally.p95),
                 median_difference(tally.p50, direct.p50), median_difference(tally.p95, direct.p95)]
        if streaming:
            cells += [statistics.median(tally.ttft50) if tally.ttft50 else None,
                      median_difference(tally.ttft50, direct.ttft50), median_difference(tally.ttft95, direct.ttft95)]
        if target.name == "upstream":
            cells[2:4] = [None, None]
            if streaming:
                cells[5:7] = [None, None]
        cpu = f"{tally.cpu_ms / tally.requests:.2f}" if target.pid else "—"
        problems = "; ".join(f"{what} x{n}" for what, n in tally.problems.items()) or "none"
        print(f"{target.name:<18}" + "".join(f"{'—' if c is None else f'{c:.2f}':>11}" for c in cells)
              + f"{cpu:>12}  {problems}")


def baseline(checkout: Path) -> Contender:
    """llms from another checkout, launched as bench/contenders.py launches this one."""
    def launch(contender: Contender, home: Path, port: int, upstream: str) -> Launch:
        mine = LLMS.launch(contender, home, port, upstream)
        return Launch(mine.argv, mine.env | {"PYTHONPATH": str(checkout.resolve())})
    return Contender("llms baseline", (), "", "/health", launch)


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per target per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", type=Path, metavar="DIR", help="also run the llms checkout in DIR")
    add_contender_flags(parser)
    args = parser.parse_args()
    contenders = chosen_contenders(args) + ([baseline(args.baseline)] if args.baseline else [])
    print(machine_line())
    with Upstream() as upstream:
        servers = []
        try:
            for contender in [FLOOR, FLOOR_UVLOOP, *contenders]:
                servers.append(Server(contender, upstream.url))
            targets = [Target("upstream", upstream.port, "/v1/chat/completions", None)]
            targets += [Target(s.contender.name, s.port, "/v1/chat/completions", s.pid) for s in servers]
            for target in targets:
                for _ in range(WARMUP_REQUESTS):
                    target.complete()
                    target.stream()
            for mode in ("non-streaming", "streaming"):
                tallies = {target.name: Tally() for target in targets}
                for round_number in range(args.rounds):
                    shift = round_number % len(targets)
                    for target in targets[shift:] + targets[:shift]:
                        run_block(target, mode == "streaming", args.requests, tallies[target.name])
                report(mode, targets, tallies, args.rounds, args.requests)
                floor_ratios(mode, tallies, FLOOR_UVLOOP.name if uvloop_installed() else FLOOR.name)
        finally:
            for server in servers:
                server.stop()


if __name__ == "__main__":
    main()
