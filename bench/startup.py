"""Start-up: `llms --serve` to the first 200 on /health, median of several runs.

    python bench/startup.py [--runs 9] [--config llms.json]

Prints each run and the median in ms. Compare with another server by passing --cmd:
    python bench/startup.py --cmd "llms-py --serve {port}"
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_run(command: list[str], port: int, env: dict) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    if response.status == 200:
                        return (time.perf_counter() - started) * 1000
            except OSError:
                time.sleep(0.002)
        raise RuntimeError(f"no 200 on /health within 30 s: {' '.join(command)}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--config", default=str(ROOT / "llms.json"))
    parser.add_argument("--cmd", help="another server's command line; {port} is replaced")
    args = parser.parse_args()
    env = dict(os.environ, HOME=tempfile.mkdtemp(prefix="llms-bench-home-"), PYTHONPATH=str(ROOT))
    times = []
    for run in range(args.runs):
        port = free_port()
        if args.cmd:
            command = shlex.split(args.cmd.format(port=port))
        else:
            command = [sys.executable, "-m", "llms", "--serve", str(port), "--config", args.config]
        times.append(one_run(command, port, env))
        print(f"run {run + 1}: {times[-1]:.0f} ms")
    print(f"start-up to first /health 200: median {statistics.median(times):.0f} ms, "
          f"min {min(times):.0f} ms, max {max(times):.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
