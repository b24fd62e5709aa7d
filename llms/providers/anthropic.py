"""Anthropic Messages: https://docs.anthropic.com/en/api/messages

Pure: builds the upstream request and translates replies into OpenAI's shapes; `transport.py`
does the I/O. Tool calling is not translated: `tools` stay with OpenAI-compatible providers.
"""

from __future__ import annotations

import time

from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.providers.shapes import (chunk, completion, error_text, final_chunk, load_json, malformed, map_parts,
                                   new_id, turns, usage_or_malformed)
from llms.providers.usage import normalized, token_count

__all__ = ["WIRE", "AnthropicWire", "AnthropicStream", "API_VERSION", "DEFAULT_MAX_TOKENS", "normalize_usage",
           "TYPES", "USAGE_FORMAT", "PRICE_DATA_IDS"]

NAME = "anthropic"
# For the registry (llms/providers/registry.py): llms.json types, usage shape, genai-prices ids that differ from ours.
TYPES = ("anthropic",)
USAGE_FORMAT = "anthropic"
PRICE_DATA_IDS: dict[str, str] = {}
API_VERSION = "2023-06-01"  # https://docs.anthropic.com/en/api/versioning
DEFAULT_MAX_TOKENS = 4096  # Anthropic requires max_tokens; OpenAI clients often send none.

# https://docs.anthropic.com/en/api/messages#response-stop-reason
FINISH_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
                  "model_context_window_exceeded": "length", "tool_use": "tool_calls", "refusal": "content_filter"}

# https://docs.anthropic.com/en/api/errors#http-errors: the status each error type comes with,
# for errors that arrive inside a 200 stream.
ERROR_STATUS = {"invalid_request_error": 400, "authentication_error": 401, "permission_error": 403,
                "not_found_error": 404, "request_too_large": 413, "rate_limit_error": 429, "api_error": 500,
                "overloaded_error": 529}


def normalize_usage(raw: dict | None) -> dict | None:
    """Anthropic Messages usage.

    https://docs.anthropic.com/en/api/messages: `input_tokens` EXCLUDES cache reads
    (`cache_read_input_tokens`) and cache writes (`cache_creation_input_tokens`); thinking is
    inside `output_tokens`. `cache_creation.ephemeral_1h_input_tokens` splits writes by TTL.
    """
    if not raw:
        return None
    fresh = token_count(raw.get("input_tokens"))
    cache_read = token_count(raw.get("cache_read_input_tokens"))
    cache_write = token_count(raw.get("cache_creation_input_tokens"))
    split = raw.get("cache_creation")
    cache_write_1h = None
    if isinstance(split, dict):
        cache_write_1h = token_count(split.get("ephemeral_1h_input_tokens"))
        # The split is authoritative when the total is absent.
        cache_write = cache_write or token_count(split.get("ephemeral_5m_input_tokens")) + cache_write_1h
    return normalized(
        prompt=fresh + cache_read + cache_write,
        completion=token_count(raw.get("output_tokens")),
        cached=cache_read,
        cache_write=cache_write,
        reasoning=0,  # Anthropic does not report thinking tokens apart from output_tokens.
        cache_write_1h=cache_write_1h,
    )

class AnthropicWire:
    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest:
        system, messages = _messages(body.get("messages") or [])
        payload: dict = {"model": target.provider_model, "messages": messages, "max_tokens": _max_tokens(body)}
        if system:
            payload["system"] = system
        for name in ("temperature", "top_p", "top_k"):
            if body.get(name) is not None:
                payload[name] = body[name]
        stop = body.get("stop")
        if stop:
            payload["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        if isinstance(body.get("user"), str):
            payload["metadata"] = {"user_id": body["user"]}
        if stream:
            payload["stream"] = True
        headers = {**target.headers, "x-api-key": target.api_key or "", "anthropic-version": API_VERSION,
                   "content-type": "application/json"}
        return UpstreamRequest(f"{target.base_url.rstrip('/')}/messages", headers, payload)

    def parse_completion(self, data: dict, model: str) -> dict:
        if isinstance(data, dict) and data.get("type") == "error":
            raise _error_event(data)
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise malformed(NAME, "message", f"no 'content' list in {str(data)[:200]}")
        texts, thoughts = [], []
        for block in data["content"]:
            if not isinstance(block, dict):
                raise malformed(NAME, "message", f"content block {block!r} is not an object")
            if block.get("type") == "text":
                texts.append(block.get("text") or "")
            elif block.get("type") == "thinking":
                thoughts.append(block.get("thinking") or "")
            # Other blocks (redacted_thinking, tool_use, server tool results) carry no text to show.
        message = {"role": "assistant", "content": "".join(texts)}
        if thoughts:
            message["reasoning_content"] = "".join(thoughts)
        choice = {"index": 0, "message": message, "finish_reason": _finish_reason(data.get("stop_reason"))}
        usage = usage_or_malformed(NAME, normalize_usage, data.get("usage"))
        return completion(data.get("id") or new_id(), int(time.time()), model, [choice], usage)

    def new_stream(self, model: str) -> AnthropicStream:
        return AnthropicStream(model)

    def error_message(self, status: int, data: object) -> str:
        # https://docs.anthropic.com/en/api/errors: {"type": "error", "error": {"type", "message"}}
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            kind = error.get("type")
            return f"{error['message']} ({kind})" if isinstance(kind, str) else error["message"]
        return error_text(status, data)


class AnthropicStream:
    """Messages SSE events → OpenAI chunks. https://docs.anthropic.com/en/api/messages-streaming

    Usage: message_start carries the input side (input, cache read and cache write tokens);
    each message_delta carries CUMULATIVE counts ("The token counts shown in the usage field of the
    message_delta event are cumulative"), at least output_tokens. So fields are merged over
    message_start's, each later value replacing the earlier one: kept as the last, never summed.
    Done on message_stop, or on a message_delta with a stop_reason (all that matters has arrived).
    """

    def __init__(self, model: str):
        self.model = model
        self.id = new_id()
        self.created = int(time.time())
        self.raw_usage: dict | None = None
        self.done = False

    def feed(self, event: str, data: str) -> list[dict]:
        payload = load_json(NAME, "stream event", data)
        if not isinstance(payload, dict):
            raise malformed(NAME, "stream event", f"expected an object, got {data[:120]!r}")
        kind = payload.get("type") or event
        if kind == "error":
            raise _error_event(payload)
        if kind == "message_start":
            return self._start(payload)
        if kind == "content_block_start":
            return self._delta(payload.get("content_block"))
        if kind == "content_block_delta":
            return self._delta(payload.get("delta"))
        if kind == "message_delta":
            return self._message_delta(payload)
        if kind == "message_stop":
            self.done = True
        # ping, content_block_stop and event types added later carry nothing to translate
        # ("handle unknown event types gracefully", messages-streaming#other-events).
        return []

    def finish(self) -> dict:
        if not self.done:
            raise ProviderError("cut", 502, f"{NAME} ended the stream before message_stop")
        return final_chunk(self.id, self.created, self.model, usage_or_malformed(NAME, normalize_usage, self.raw_usage))

    def _start(self, payload: dict) -> list[dict]:
        message = payload.get("message")
        if not isinstance(message, dict):
            raise malformed(NAME, "message_start event", "no 'message' object")
        self.id = message.get("id") or self.id
        self._merge_usage(message.get("usage"))
        return [self._chunk({"role": "assistant", "content": ""})]

    def _delta(self, delta) -> list[dict]:
        if not isinstance(delta, dict):
            raise malformed(NAME, "content block event", f"expected an object, got {delta!r}")
        kind = delta.get("type")
        if kind in ("text_delta", "text") and delta.get("text"):
            return [self._chunk({"content": delta["text"]})]
        if kind in ("thinking_delta", "thinking") and delta.get("thinking"):
            return [self._chunk({"reasoning_content": delta["thinking"]})]
        # signature_delta, input_json_delta, citations_delta, tool_use starts: nothing to show.
        return []

    def _message_delta(self, payload: dict) -> list[dict]:
        self._merge_usage(payload.get("usage"))
        delta = payload.get("delta") or {}
        if not isinstance(delta, dict):
            raise malformed(NAME, "message_delta event", f"'delta' is {delta!r}")
        if delta.get("stop_reason") is None:
            return []
        self.done = True
        return [self._chunk({}, _finish_reason(delta["stop_reason"]))]

    def _merge_usage(self, usage) -> None:
        if usage is None:
            return
        if not isinstance(usage, dict):
            raise malformed(NAME, "usage", f"expected an object, got {usage!r}")
        merged = dict(self.raw_usage or {})
        merged.update({key: value for key, value in usage.items() if value is not None})
        self.raw_usage = merged

    def _chunk(self, delta: dict, finish_reason: str | None = None) -> dict:
        return chunk(self.id, self.created, self.model, [{"index": 0, "delta": delta, "finish_reason": finish_reason}])


def _finish_reason(stop_reason) -> str | None:
    if stop_reason is None:
        return None
    return FINISH_REASONS.get(stop_reason, "stop")


def _error_event(payload: dict) -> ProviderError:
    error = payload.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    status = ERROR_STATUS.get(kind, 502)
    return ProviderError("http", status, WIRE.error_message(status, payload))


def _max_tokens(body: dict) -> int:
    for name in ("max_completion_tokens", "max_tokens"):
        if body.get(name) is not None:
            return body[name]
    return DEFAULT_MAX_TOKENS


def _messages(messages: list) -> tuple[str, list[dict]]:
    """OpenAI messages → (system text, Anthropic messages): the system prompt is a top-level field;
    a tool result becomes user text, since tools are not translated."""
    return turns(NAME, messages, assistant="assistant", key="content", parts=lambda m: _blocks(m.get("content")))


def _blocks(content) -> list[dict]:
    return map_parts(NAME, content, lambda text: {"type": "text", "text": text}, _image)


def _image(url: str, inline: tuple[str, str] | None) -> dict:
    # https://docs.anthropic.com/en/docs/build-with-claude/vision: base64 or url sources.
    if inline is None:
        return {"type": "image", "source": {"type": "url", "url": url}}
    media_type, data = inline
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


WIRE = AnthropicWire()
