"""/v1/messages pass-through: what an Anthropic SDK request pays for going through llms instead of straight to
the provider.

    python bench/messages_passthrough.py [--requests 100] [--rounds 5]

The Anthropic-type mock provider (tests/mock_provider.py, in this process's thread) and the real `llms --serve`
(its own process) against it, on loopback. Per round, for `messages.create` and then `messages.stream`, the
official anthropic SDK sends `--requests` sequential requests straight to the mock and the same through llms
(one client each, so one keep-alive connection; which goes first alternates by round). Printed: the medians
over the rounds of each side's median request time, and of their difference in the same round.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anthropic

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import machine_line  # noqa: E402
from tests.mock_provider import KEYS, MockProvider  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

MODEL = "claude-sonnet-4-5"
BODY = {"max_tokens": 64, "messages": [{"role": "user", "content": "Say hello"}]}
WARMUP_REQUESTS = 10


def create(client: anthropic.Anthropic) -> None:
    client.messages.create(model=MODEL, **BODY)


def stream(client: anthropic.Anthropic) -> None:
    with client.messages.stream(model=MODEL, **BODY) as events:
        events.until_done()


def median_ms(client: anthropic.Anthropic, call, requests: int) -> float:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call(client)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    mock = MockProvider.start_in_thread()
    folder = Path(tempfile.mkdtemp(prefix="llms-bench-"))
    config = {"providers": {"anthropic": {"type": "anthropic", "base_url": mock.url("anthropic"),
                                          "api_key": KEYS["anthropic"], "models": {MODEL: MODEL}}}}
    (folder / "llms.json").write_text(json.dumps(config))
    server = ServerProcess(folder / "llms.json")
    try:
        direct = anthropic.Anthropic(base_url=mock.url("anthropic").removesuffix("/v1"), api_key=KEYS["anthropic"],
                                     max_retries=0)
        through = anthropic.Anthropic(base_url=server.url, api_key="unused", max_retries=0)
        print(machine_line())
        print(f"{args.rounds} rounds of {args.requests} sequential requests each; median ms")
        for name, call in (("messages.create", create), ("messages.stream", stream)):
            for client in (direct, through):
                median_ms(client, call, WARMUP_REQUESTS)
            rounds = []
            for number in range(args.rounds):
                order = (direct, through) if number % 2 == 0 else (through, direct)
                measured = {id(client): median_ms(client, call, args.requests) for client in order}
                rounds.append((measured[id(direct)], measured[id(through)]))
            straight = statistics.median(r[0] for r in rounds)
            via = statistics.median(r[1] for r in rounds)
            added = statistics.median(r[1] - r[0] for r in rounds)
            print(f"{name:16} direct {straight:7.2f}  through llms {via:7.2f}  added {added:+7.2f}")
    finally:
        server.stop()
        mock.stop()
        mock.requests.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
