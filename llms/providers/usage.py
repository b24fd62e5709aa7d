"""Pure: normalized usage in OpenAI's meaning, the one shape every wire format's normalizer builds.

Each wire-format module (llms/providers/<format>.py) turns its provider's usage object into this with
`normalized(...)`; the registry (llms/providers/registry.py) lists those normalizers by usage format.

Normalized (see docs/architecture.md): prompt_tokens counts ALL input (cache reads and writes
included), completion_tokens ALL output (reasoning included). Streamed usage that a provider
reports cumulatively is normalized from the last value the caller kept, never summed here.
"""

from __future__ import annotations

from decimal import Decimal

from llms.ledger.schema import MAX_TOKENS
from llms.pricing.cost import check_prompt_parts

__all__ = ["normalized", "token_count"]


def token_count(value) -> int:
    # Providers send null for "none of this kind"; anything else non-numeric is a malformed body.
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a token count, got {value!r}")
    return int(value)


def normalized(prompt: int, completion: int, cached: int, cache_write: int, reasoning: int,
                cache_write_1h: int | None = None, cost: float | None = None) -> dict:
    _check_range(prompt_tokens=prompt, completion_tokens=completion, cached_tokens=cached,
                 cache_write_tokens=cache_write, cache_write_1h_tokens=cache_write_1h or 0, reasoning_tokens=reasoning)
    check_prompt_parts(prompt, cached, cache_write, cache_write_1h or 0)
    if reasoning > completion:
        raise ValueError(f"usage does not add up: reasoning_tokens {reasoning} > completion_tokens {completion}")
    prompt_details = {"cached_tokens": cached, "cache_write_tokens": cache_write}
    if cache_write_1h is not None:
        prompt_details["cache_write_1h_tokens"] = cache_write_1h
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": prompt_details,
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }
    if cost is not None:
        usage["cost"] = cost
    return usage


def _check_range(**counts: int) -> None:
    """Each count within what a ledger line may hold (schema.MAX_TOKENS; a total, the sum of two, within twice it), so
    a reply that claims more is a malformed one, recorded as such, never a line the ledger's readers skip."""
    for name, count in counts.items():
        if not 0 <= count <= MAX_TOKENS:
            shown = count if abs(count) <= 10 ** 15 else f"{Decimal(count):.3g}"  # 10**400 has no float
            raise ValueError(f"usage out of range: {name} {shown}, expected 0 to {MAX_TOKENS}")
