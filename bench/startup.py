"""Start-up: a server's process start to its first 200, median of several runs, contenders alternating.

    python bench/startup.py [--runs 9] [--with-llmspy] [--with-litellm]

Each run starts every contender once (the order rotates every run), each with a fresh $HOME and the
one-provider config of bench/contenders.py, and times `Popen` to the first 200 on its cheapest page:
llms `/health`, llms.py `/status`, LiteLLM `/health/liveliness`. Prints each run and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import Server, Upstream, add_contender_flags, chosen_contenders, machine_line  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    add_contender_flags(parser)
    args = parser.parse_args()
    contenders = chosen_contenders(args)
    print(machine_line())
    times: dict[str, list[float]] = {contender.name: [] for contender in contenders}
    with Upstream() as upstream:
        for run in range(args.runs):
            shift = run % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                with Server(contender, upstream.url) as server:
                    times[contender.name].append(server.ready_ms)
            print(f"run {run + 1}: " + ", ".join(f"{name} {values[-1]:.0f} ms" for name, values in times.items()))
    for name, values in times.items():
        print(f"{name}: start-up to first 200: median {statistics.median(values):.0f} ms, "
              f"min {min(values):.0f} ms, max {max(values):.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
