"""What recording a request in the ledger costs the event loop: the line appended and indexed in place (before)
beside the line appended and the index caught up by its thread (ledger/catch_up.py, after), in one run; and the
floor, the line's JSON and `os.write` alone (a writer whose index cannot be opened).

Each "request" waits `--gap-ms` on the loop (as for an upstream answer), then its line is appended on the loop; the
figures are the time the append held the loop, and how late a callback scheduled right after it ran (the catch-up
thread's Python work competes for the GIL, handed over every `--switch-interval-ms`: CPython's 5 ms by default). Then a burst of lines written at once, and how long the thread takes to
index them. Lines are bench/report_bench.py's (six models, prices, cache tokens)."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_bench import END, line  # noqa: E402  (the same generated lines)

from llms.ledger.catch_up import IndexCatchUp  # noqa: E402
from llms.ledger.index import LedgerIndex, index_path  # noqa: E402
from llms.ledger.writer import LedgerWriter  # noqa: E402


def _lines(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [line(i, END + timedelta(seconds=i), rng) for i in range(count)]


def _writer(folder: Path, mode: str) -> tuple[LedgerWriter, IndexCatchUp | None]:
    path = folder / "usage.jsonl"
    if mode == "floor":
        index_path(path).mkdir()  # the index cannot be opened: the writer appends the line alone
    catch_up = IndexCatchUp(path) if mode == "after" else None
    writer = LedgerWriter(path, max_bytes=10**12, catch_up=catch_up)
    writer.append(_lines(1, 99)[0])  # the file and index opened before timing
    if catch_up is not None:
        catch_up.flush()
    return writer, catch_up


async def _requests(writer: LedgerWriter, lines: list[dict], gap_s: float) -> tuple[list[float], list[float]]:
    append_us, late_us = [], []
    loop = asyncio.get_running_loop()
    for record in lines:
        await asyncio.sleep(gap_s)
        started = time.perf_counter()
        writer.append(record)
        appended = time.perf_counter()
        ran = loop.create_future()
        loop.call_soon(lambda: ran.done() or ran.set_result(time.perf_counter()))
        append_us.append((appended - started) * 1e6)
        late_us.append((await ran - appended) * 1e6)
    return append_us, late_us


def _indexed(path: Path) -> int:
    index = LedgerIndex(path)
    try:
        return index.db.execute("SELECT coalesce(sum(requests), 0) FROM cells WHERE level = 0").fetchone()[0]
    finally:
        index.close()


def run(mode: str, count: int, gap_s: float, burst: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="llms-append-bench-"))
    writer, catch_up = _writer(folder, mode)
    append_us, late_us = asyncio.run(_requests(writer, _lines(count, 1), gap_s))
    started = time.perf_counter()
    for record in _lines(burst, 2):
        writer.append(record)
    written_s = time.perf_counter() - started
    if catch_up is not None:
        catch_up.flush()
    indexed_s = time.perf_counter() - started
    if mode != "floor":
        assert _indexed(writer.path) == 1 + count + burst, "every line indexed"
    writer.close()
    if catch_up is not None:
        catch_up.close()
    shutil.rmtree(folder)
    return {"append": append_us, "late": late_us, "burst_written_s": written_s, "burst_indexed_s": indexed_s}


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--gap-ms", type=float, default=2.0, help="time each request waits before its line")
    parser.add_argument("--burst", type=int, default=2000, help="lines written at once after the requests")
    parser.add_argument("--switch-interval-ms", type=float, default=sys.getswitchinterval() * 1000,
                        help="the GIL switch interval (CPython's default: 5)")
    args = parser.parse_args()
    sys.setswitchinterval(args.switch_interval_ms / 1000)
    print(f"ledger append: {args.requests:,} requests {args.gap_ms} ms apart, then a burst of {args.burst:,} lines "
          f"({sys.version.split()[0]}, GIL switch interval {args.switch_interval_ms} ms); load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = {name: run(name, args.requests, args.gap_ms / 1000, args.burst) for name in ("before", "after", "floor")}
    before, after, floor = results["before"], results["after"], results["floor"]
    print(f"{'':<36} {'before (index in place)':>24} {'after (catch-up thread)':>24} {'ratio':>7} "
          f"{'floor (no index)':>17}")
    rows = [(label, [_p(results[name][key], q) for name in ("before", "after", "floor")])
            for label, key, q in (("append on the loop, p50", "append", 0.5), ("append on the loop, p95", "append", 0.95),
                                  ("next loop callback late by, p50", "late", 0.5),
                                  ("next loop callback late by, p99", "late", 0.99))]
    rows.append(("append on the loop, mean", [statistics.fmean(results[name]["append"])
                                              for name in ("before", "after", "floor")]))
    for label, (b, a, f) in rows:
        print(f"{label:<36} {b:>21.1f} µs {a:>21.1f} µs {b / a:>6.1f}× {f:>14.1f} µs")
    for label, key in (("burst: lines written (on the loop)", "burst_written_s"),
                       ("burst: written and indexed", "burst_indexed_s")):
        print(f"{label:<36} {before[key]:>22.2f} s {after[key]:>22.2f} s {'':>7} {floor[key]:>15.2f} s")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
