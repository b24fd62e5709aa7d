"""OpenAI-compatible chat completions: OpenAI, Groq, OpenRouter, Mistral, DeepSeek, Ollama /v1, any base_url.

Pure: builds the upstream request and translates replies; `transport.py` does the I/O.
https://platform.openai.com/docs/api-reference/chat/create
"""

from __future__ import annotations

import time

from llms.providers.base import ROUTING_FIELDS, ProviderError, Target, UpstreamRequest
from llms.providers.shapes import (error_fields, error_text, final_chunk, load_json, malformed, new_id,
                                   usage_or_malformed)
from llms.providers.usage import normalized, token_count

__all__ = ["WIRE", "OpenAIWire", "OpenAIStream", "SET_BY_US", "normalize_usage",
           "TYPES", "USAGE_FORMAT", "PRICE_DATA_IDS", "dropped_params"]

NAME = "openai-compatible provider"
# What this wire format is, for the registry (llms/providers/registry.py): the llms.json `type`s that speak it,
# the name of its usage shape (`usage_format` in /api/config, `format` in tests/vectors/pricing.json), and the
# genai-prices provider ids of providers that speak it whose id differs from ours.
TYPES = ("openai-compatible", "ollama")
USAGE_FORMAT = "openai"
PRICE_DATA_IDS = {"xai": "x-ai", "bedrock": "aws", "moonshot": "moonshotai"}

# Every client field goes upstream as sent (OpenAI-compatible servers each take their own extras: OpenRouter's
# `transforms`, vLLM's `guided_json`, ...), but for the ones we set (`model`, and `stream`/`stream_options`:
# we always ask for usage) and the routing fields that choose a provider or a key, never sent on.
SET_BY_US = ("model", "stream", "stream_options")


def dropped_params(body: dict) -> list[str]:
    """Nothing: every field is forwarded as sent."""
    return []


def normalize_usage(raw: dict | None) -> dict | None:
    """OpenAI chat completions usage (also Groq, Mistral, DeepSeek, OpenRouter, Ollama /v1) → normalized usage.

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
    cached = token_count(prompt_details.get("cached_tokens"))
    if not cached and raw.get("prompt_cache_hit_tokens") is not None:
        cached = token_count(raw.get("prompt_cache_hit_tokens"))
    cost = raw.get("cost")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, (int, float)) or cost < 0):
        raise ValueError(f"expected usage.cost to be a number ≥ 0, got {cost!r}")
    return normalized(
        prompt=token_count(raw.get("prompt_tokens")),
        completion=token_count(raw.get("completion_tokens")),
        cached=cached,
        cache_write=token_count(prompt_details.get("cache_write_tokens")),
        reasoning=token_count(completion_details.get("reasoning_tokens")),
        cost=float(cost) if cost is not None else None,
    )


class OpenAIWire:
    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest:
        payload = {name: value for name, value in body.items()
                   if name not in SET_BY_US and name not in ROUTING_FIELDS}
        payload["model"] = target.provider_model
        if stream:
            # Usage arrives only when asked for; we always record it, whatever the client asked (its other
            # stream options, such as include_obfuscation, go along).
            # https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
            options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
            payload["stream"] = True
            payload["stream_options"] = {**options, "include_usage": True}
        headers = {**target.headers, "Content-Type": "application/json"}
        if target.api_key:
            headers["Authorization"] = f"Bearer {target.api_key}"
        return UpstreamRequest(f"{target.base_url.rstrip('/')}/chat/completions", headers, payload)

    def parse_completion(self, data: dict, model: str) -> dict:
        if isinstance(data, dict) and "error" in data and "choices" not in data:
            # OpenRouter can answer 200 with an error object.
            raise _upstream_error(data)
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            raise malformed(NAME, "completion", f"no 'choices' list in {str(data)[:200]}")
        _check_choices(data["choices"], "message", "completion")
        result = dict(data)
        result.update(object="chat.completion", model=model,
                      usage=usage_or_malformed(NAME, normalize_usage, data.get("usage")))
        result.setdefault("id", new_id())
        result.setdefault("created", int(time.time()))
        return result

    def new_stream(self, model: str) -> OpenAIStream:
        return OpenAIStream(model)

    def error_message(self, status: int, data: object) -> str:
        if isinstance(data, list) and data:
            data = data[0]
        if isinstance(data, dict):
            error = data.get("error")
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                return error["message"]
            if isinstance(error, str):  # Ollama: {"error": "model 'x' not found"}
                return error
            if isinstance(data.get("message"), str):  # Mistral: {"object": "error", "message": ...}
                return data["message"]
            if isinstance(data.get("detail"), str):
                return data["detail"]
        return error_text(status, data)


class OpenAIStream:
    """Passes content chunks through (model renamed) and keeps the usage chunk for `finish()`.

    The stream is complete when `data: [DONE]` arrived, or (for servers that omit [DONE]) when a
    finish_reason and then usage arrived: usage is the last thing OpenAI sends. Anything less is a
    cut stream. A [DONE] without usage (a server that ignores include_usage) is complete, usage None.
    """

    def __init__(self, model: str):
        self.model = model
        self.id: str | None = None
        self.created: int | None = None
        self.usage: dict | None = None
        self.finish_reason_seen = False
        self.done = False

    def feed(self, event: str, data: str) -> list[dict]:
        if data.strip() == "[DONE]":
            self.done = True
            return []
        payload = load_json(NAME, "stream chunk", data)
        if not isinstance(payload, dict):
            raise malformed(NAME, "stream chunk", f"expected an object, got {data[:120]!r}")
        if "error" in payload:
            # OpenRouter reports a fault after the stream began as a chunk with `error`.
            raise _upstream_error(payload)
        self.id = self.id or payload.get("id")
        self.created = self.created or payload.get("created")
        if payload.get("usage") is not None:
            self.usage = usage_or_malformed(NAME, normalize_usage, payload["usage"])
        choices = payload.get("choices")
        if choices is None and payload.get("usage") is not None:
            return []
        if not isinstance(choices, list):
            raise malformed(NAME, "stream chunk", f"no 'choices' list in {data[:200]}")
        if not choices:
            return []
        _check_choices(choices, "delta", "stream chunk")
        if any(choice.get("finish_reason") for choice in choices):
            self.finish_reason_seen = True
        passed = {key: value for key, value in payload.items() if key != "usage"}
        passed.update(object="chat.completion.chunk", model=self.model)
        return [passed]

    def finish(self) -> dict:
        if not self.done and not (self.finish_reason_seen and self.usage is not None):
            raise ProviderError("cut", 502, f"{NAME} ended the stream before [DONE] and usage")
        return final_chunk(self.id, self.created, self.model, self.usage)


def _check_choices(choices: list, part: str, what: str) -> None:
    """Every choice an object whose `message`/`delta` is an object: the proxy and clients rely on it."""
    for index, choice in enumerate(choices):
        if not isinstance(choice, dict) or not isinstance(choice.get(part, {}), dict):
            raise malformed(NAME, what, f"choices[{index}] is not an object with a '{part}' object: {choice!r:.120}")


def _upstream_error(payload: dict) -> ProviderError:
    error = payload.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code <= 599 else 502
    return ProviderError("http", status, WIRE.error_message(status, payload), **error_fields(payload))


WIRE = OpenAIWire()
