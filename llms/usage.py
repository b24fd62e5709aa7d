"""Pure: each provider's usage object → normalized usage in OpenAI's meaning.

Normalized (see docs/architecture.md): prompt_tokens counts ALL input (cache reads and writes
included), completion_tokens ALL output (reasoning included). Streamed usage that a provider
reports cumulatively is normalized from the last value the caller kept, never summed here.
"""

from __future__ import annotations

__all__ = ["normalize_openai", "normalize_anthropic", "normalize_gemini", "NORMALIZERS"]


def _int(value) -> int:
    # Providers send null for "none of this kind"; anything else non-numeric is a malformed body.
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a token count, got {value!r}")
    return int(value)


def _normalized(prompt: int, completion: int, cached: int, cache_write: int, reasoning: int,
                cache_write_1h: int | None = None, cost: float | None = None) -> dict:
    if cached + cache_write > prompt or (cache_write_1h or 0) > cache_write or reasoning > completion:
        # Parts larger than their whole: the body is wrong, and no price could be trusted.
        raise ValueError(f"usage does not add up: prompt {prompt} < cached {cached} + cache writes {cache_write}, "
                         f"or 1h writes {cache_write_1h} > cache writes, or reasoning {reasoning} > output {completion}")
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


def normalize_openai(raw: dict | None) -> dict | None:
    """OpenAI chat completions usage (also Groq, Mistral, DeepSeek, OpenRouter, Ollama /v1).

    https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage:
    `prompt_tokens_details.cached_tokens` is a part of `prompt_tokens`, and
    `completion_tokens_details.reasoning_tokens` a part of `completion_tokens`.
    DeepSeek reports cache reads as `prompt_cache_hit_tokens` (also inside prompt_tokens).
    OpenRouter reports the request's USD cost as `usage.cost`.
    """
    if not raw:
        return None
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    cached = _int(prompt_details.get("cached_tokens"))
    if not cached and raw.get("prompt_cache_hit_tokens") is not None:
        cached = _int(raw.get("prompt_cache_hit_tokens"))
    cost = raw.get("cost")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, (int, float)) or cost < 0):
        raise ValueError(f"expected usage.cost to be a number ≥ 0, got {cost!r}")
    return _normalized(
        prompt=_int(raw.get("prompt_tokens")),
        completion=_int(raw.get("completion_tokens")),
        cached=cached,
        cache_write=_int(prompt_details.get("cache_write_tokens")),
        reasoning=_int(completion_details.get("reasoning_tokens")),
        cost=float(cost) if cost is not None else None,
    )


def normalize_anthropic(raw: dict | None) -> dict | None:
    """Anthropic Messages usage.

    https://docs.anthropic.com/en/api/messages: `input_tokens` EXCLUDES cache reads
    (`cache_read_input_tokens`) and cache writes (`cache_creation_input_tokens`); thinking is
    inside `output_tokens`. `cache_creation.ephemeral_1h_input_tokens` splits writes by TTL.
    """
    if not raw:
        return None
    fresh = _int(raw.get("input_tokens"))
    cache_read = _int(raw.get("cache_read_input_tokens"))
    cache_write = _int(raw.get("cache_creation_input_tokens"))
    split = raw.get("cache_creation")
    cache_write_1h = None
    if isinstance(split, dict):
        cache_write_1h = _int(split.get("ephemeral_1h_input_tokens"))
        # The split is authoritative when the total is absent.
        cache_write = cache_write or _int(split.get("ephemeral_5m_input_tokens")) + cache_write_1h
    return _normalized(
        prompt=fresh + cache_read + cache_write,
        completion=_int(raw.get("output_tokens")),
        cached=cache_read,
        cache_write=cache_write,
        reasoning=0,  # Anthropic does not report thinking tokens apart from output_tokens.
        cache_write_1h=cache_write_1h,
    )


def normalize_gemini(raw: dict | None) -> dict | None:
    """Gemini `usageMetadata`.

    https://ai.google.dev/api/generate-content#UsageMetadata: `promptTokenCount` INCLUDES
    `cachedContentTokenCount`; `toolUsePromptTokenCount` is further input; output is
    `candidatesTokenCount + thoughtsTokenCount` (thoughts are billed as output).
    """
    if not raw:
        return None
    thoughts = _int(raw.get("thoughtsTokenCount"))
    return _normalized(
        prompt=_int(raw.get("promptTokenCount")) + _int(raw.get("toolUsePromptTokenCount")),
        completion=_int(raw.get("candidatesTokenCount")) + thoughts,
        cached=_int(raw.get("cachedContentTokenCount")),
        cache_write=0,
        reasoning=thoughts,
    )


NORMALIZERS = {"openai": normalize_openai, "anthropic": normalize_anthropic, "gemini": normalize_gemini}
