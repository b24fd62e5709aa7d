"""Pure: the one-line usage summary printed after a terminal answer."""

from __future__ import annotations

from llms.ledger.export import tokens_per_second

__all__ = ["usage_line"]


def usage_line(model: str, provider: str, usage: dict | None, cost_text: str, response_s: float,
               ttft_s: float | None, estimated: bool = False) -> str:
    parts = [f"{model} via {provider}"]
    if usage:
        prompt_details = usage.get("prompt_tokens_details") or {}
        completion_details = usage.get("completion_tokens_details") or {}
        inputs = f"in {usage['prompt_tokens']:,}"
        extras = [f"{prompt_details[k]:,} {label}" for k, label in
                  (("cached_tokens", "cached"), ("cache_write_tokens", "cache write")) if prompt_details.get(k)]
        parts.append(inputs + (f" ({', '.join(extras)})" if extras else ""))
        outputs = f"out {usage['completion_tokens']:,}"
        if completion_details.get("reasoning_tokens"):
            outputs += f" ({completion_details['reasoning_tokens']:,} reasoning)"
        parts.append(outputs + (" (estimated)" if estimated else ""))
    parts.append(cost_text)
    parts.append(f"{response_s:.2f} s")
    if ttft_s is not None:
        parts.append(f"first token {ttft_s:.2f} s")
    speed = tokens_per_second(usage["completion_tokens"], response_s * 1000) if usage else None
    if speed is not None:
        parts.append(f"{speed:.1f} tok/s")
    return " · ".join(parts)
