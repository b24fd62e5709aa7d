"""OpenAI's Responses API passed through: a client's /v1/responses body sent as it is to a provider that speaks it.

https://platform.openai.com/docs/api-reference/responses. For an openai-compatible provider with
`"responses": true` in llms.json (on by default for `openai`). Only `model` changes (to the provider's model
id); the key is the provider's. Replies come back unchanged: a body as OpenAI sent it, a stream as its SSE
events. Usage, text and time to first token are read on the way, so the request is priced like any other.
Pure: `transport.py` does the I/O through the `WireFormat` surface.
"""

from __future__ import annotations

import time

from llms.providers.anthropic_messages import relayed_event
from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.providers.openai import WIRE as CHAT_WIRE
from llms.providers.shapes import chunk, completion, final_chunk, load_json, malformed, new_id, usage_or_malformed
from llms.providers.usage import normalized, token_count

__all__ = ["ResponsesPassThrough", "ResponsesRelay", "normalize_usage", "RESPONSES_PATH"]

NAME = "openai-compatible provider"
RESPONSES_PATH = "/responses"
# The events that end a stream, each with the whole response and its usage (responses-streaming).
FINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")


def normalize_usage(raw: dict | None) -> dict | None:
    """Responses usage (https://platform.openai.com/docs/api-reference/responses/object#usage):
    `input_tokens_details.cached_tokens` is a part of `input_tokens`, `output_tokens_details.reasoning_tokens`
    a part of `output_tokens`, as in chat completions."""
    if not raw:
        return None
    input_details = raw.get("input_tokens_details") or {}
    output_details = raw.get("output_tokens_details") or {}
    return normalized(prompt=token_count(raw.get("input_tokens")), completion=token_count(raw.get("output_tokens")),
                      cached=token_count(input_details.get("cached_tokens")),
                      cache_write=token_count(input_details.get("cache_write_tokens")),
                      reasoning=token_count(output_details.get("reasoning_tokens")))


def _meaning(response: dict, model: str) -> dict:
    """What a Response means as an OpenAI chat.completion: its text, reasoning summary, function calls,
    finish reason and normalized usage (for the record)."""
    output = response.get("output")
    if not isinstance(output, list):
        raise malformed(NAME, "response", f"no 'output' list in {str(response)[:200]}")
    texts, reasoning, calls = [], [], []
    for item in output:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "message":
            texts += [part.get("text") or "" for part in item.get("content") or () if part.get("type") == "output_text"]
        elif kind == "reasoning":
            reasoning += [part.get("text") or "" for part in item.get("summary") or ()]
        elif kind == "function_call":
            calls.append({"id": item.get("call_id"), "type": "function",
                          "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""}})
    message = {"role": "assistant", "content": "".join(texts)}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if calls:
        message["tool_calls"] = calls
    incomplete = (response.get("incomplete_details") or {}).get("reason")
    finish = "tool_calls" if calls else "length" if incomplete == "max_output_tokens" else \
        "content_filter" if incomplete == "content_filter" else "stop"
    usage = usage_or_malformed(NAME, normalize_usage, response.get("usage"))
    return completion(response.get("id") or new_id(), int(time.time()), model,
                      [{"index": 0, "message": message, "finish_reason": finish}], usage)


class ResponsesPassThrough:
    """The WireFormat of one /v1/responses request passed through. `parse_completion` gives
    `{"body": the Response as sent, "completion": what it means as a chat.completion}`; a stream's translator
    gives `relayed_event`s and ends with the usage of its final event."""

    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest:
        headers = {**target.headers, "Content-Type": "application/json"}
        if target.api_key:
            headers["Authorization"] = f"Bearer {target.api_key}"
        return UpstreamRequest(f"{target.base_url.rstrip('/')}{RESPONSES_PATH}", headers,
                               {**body, "model": target.provider_model})

    def parse_completion(self, data: dict, model: str) -> dict:
        if isinstance(data, dict) and isinstance(data.get("error"), dict) and data.get("status") == "failed":
            raise _failure(data)
        if not isinstance(data, dict):
            raise malformed(NAME, "response", f"expected an object, got {str(data)[:120]!r}")
        return {"body": data, "completion": _meaning(data, model)}

    def new_stream(self, model: str) -> "ResponsesRelay":
        return ResponsesRelay(model)

    def error_message(self, status: int, data: object) -> str:
        return CHAT_WIRE.error_message(status, data)


class ResponsesRelay:
    """Each SSE event relayed as it came, with the chat chunks it means (text, reasoning and argument deltas,
    for the answer's text and time to first token). The stream is complete at response.completed or
    response.incomplete; response.failed and `error` are relayed, then raised by `finish`."""

    def __init__(self, model: str):
        self.model = model
        self.id = new_id()
        self.created = int(time.time())
        self.usage: dict | None = None
        self.done = False
        self.error: ProviderError | None = None

    def feed(self, event: str, data: str) -> list[dict]:
        payload = load_json(NAME, "stream event", data)
        if not isinstance(payload, dict):
            raise malformed(NAME, "stream event", f"expected an object, got {data[:120]!r}")
        kind = payload.get("type") or event
        chunks: list[dict] = []
        if kind in FINAL_EVENTS:
            response = payload.get("response")
            if not isinstance(response, dict):
                raise malformed(NAME, f"{kind} event", "no 'response' object")
            self.usage = usage_or_malformed(NAME, normalize_usage, response.get("usage"))
            self.done = True
            if kind == "response.failed":
                self.error = _failure(response)
            else:  # the finish reason the whole response means, for the record
                chunks = [self._chunk({}, _meaning(response, self.model)["choices"][0]["finish_reason"])]
        elif kind == "error":
            # https://platform.openai.com/docs/api-reference/responses-streaming/error
            self.error = ProviderError("http", 502, f"{NAME}: {payload.get('message') or data[:200]}")
        else:
            chunks = self._chunks(kind, payload)
        return [relayed_event(event, data, chunks, error=self.error is not None)]

    def _chunks(self, kind: str, payload: dict) -> list[dict]:
        delta = payload.get("delta")
        if not isinstance(delta, str) or not delta:
            return []
        if kind == "response.output_text.delta":
            return [self._chunk({"content": delta})]
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            return [self._chunk({"reasoning_content": delta})]
        if kind == "response.function_call_arguments.delta":
            return [self._chunk({"tool_calls": [{"index": payload.get("output_index") or 0,
                                                 "function": {"arguments": delta}}]})]
        return []

    def _chunk(self, delta: dict, finish_reason: str | None = None) -> dict:
        return chunk(self.id, self.created, self.model, [{"index": 0, "delta": delta, "finish_reason": finish_reason}])

    def finish(self) -> dict:
        if self.error is not None:
            raise self.error
        if not self.done:
            raise ProviderError("cut", 502, f"{NAME} ended the stream before response.completed")
        return final_chunk(self.id, self.created, self.model, self.usage)


def _failure(response: dict) -> ProviderError:
    error = response.get("error") if isinstance(response.get("error"), dict) else {}
    return ProviderError("http", 502, f"{NAME}: {error.get('message') or 'the response failed'} "
                                      f"({error.get('code') or 'server_error'})")
