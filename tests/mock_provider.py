"""A real aiohttp server on 127.0.0.1 that speaks the three wire formats llms talks to, with faults.

    async with MockProvider({"gpt-4o": Reply(text="Hi", usage={"openai": {...}})}) as mock:
        base_url = mock.url("openai")            # http://127.0.0.1:PORT/openai/v1
        ...                                      # mock.url("anthropic") → .../anthropic/v1
        mock.requests[-1].json                   # mock.url("google")    → .../google/v1beta

    mock = MockProvider.start_in_thread()        # for sync tests; mock.stop() at the end

    python -m tests.mock_provider --port 8011    # standalone

Routes: POST /openai/v1/chat/completions, POST /openai/v1/responses (OpenAI's Responses API, recorded with
format "responses"), POST /anthropic/v1/messages (and /messages/count_tokens),
POST /google/v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse.
Keys (`KEYS`) are checked where each provider expects them; a wrong or missing key is a 401 and an
unknown model a 404, both in that provider's error shape.

A model's `Reply` sets its text, reasoning, raw usage per format and fault. Models named
`fault-<fault>` exist from the start (e.g. `fault-500`, `fault-cut`, `fault-slow`). Faults:
"400", "401", "404", "429", "500", "529" (that status in the format's error shape, with its code and param;
a 429 with Retry-After and the format's rate-limit headers: `fault_headers`), "malformed" (a body or
stream event that is not JSON), "bad-shape" (JSON without the fields a reply must have), "cut"
(the connection is dropped after `cut_after` events, or half-way through a non-stream body),
"truncate" (the stream ends cleanly after `cut_after` events: no usage, no [DONE] or stop; a
non-stream body ends cleanly half-way).
`tool_calls` ({"id", "name", "arguments"} each) are answered as that format's tool calls (OpenAI
tool_calls, Anthropic tool_use blocks, Gemini functionCall parts with a thoughtSignature), streaming
included; `reasoning` comes back signed (`signature`) where the format signs it. Structured output: an
Anthropic request that forces a tool (tool_choice type "tool") is answered with that tool, its input
being the reply's text read as JSON; the other formats answer the text itself.
`text_after_tool_result` closes an agent's loop: a request whose last turn carries a tool result is
answered with that text and no tool calls. `delay_s` waits before answering, `chunk_delay_s` between
stream events; `fault_times` makes a fault happen only that many times, then the model answers normally
(for failover tests).
Control over HTTP (standalone use): POST /_mock/models/{name} with Reply fields as JSON,
GET /_mock/requests, DELETE /_mock/requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
import uuid
from dataclasses import asdict, dataclass, field, fields

from aiohttp import web

from tests.loopback import HOST, LoopbackServer

__all__ = ["MockProvider", "Reply", "RecordedRequest", "KEYS", "PREFIXES", "FAULTS", "DEFAULT_MODELS",
           "DEFAULT_TEXT", "DEFAULT_PROMPT_TOKENS", "default_usage"]

KEYS = {"openai": "sk-mock-openai-key", "anthropic": "sk-ant-mock-key", "google": "mock-google-key"}
PREFIXES = {"openai": "/openai/v1", "anthropic": "/anthropic/v1", "google": "/google/v1beta"}
# An Ollama root (llms.json base_url http://127.0.0.1:PORT/ollama): its OpenAI API under /v1, no key, and the
# installed models at /api/tags (https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models).
OLLAMA_PREFIX = "/ollama"
OLLAMA_TAGS = ("llama3.2:latest", "qwen2.5-coder:7b")
STATUS_FAULTS = {"400": 400, "401": 401, "404": 404, "429": 429, "500": 500, "529": 529}
FAULTS = (*STATUS_FAULTS, "malformed", "bad-shape", "cut", "truncate")
DEFAULT_MODELS = ("mock-model", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash")
DEFAULT_TEXT = "Hello from the mock provider."
DEFAULT_PROMPT_TOKENS = 12
SLOW_DELAY_S = 3.0  # `fault-slow`: longer than the read timeouts tests use
MAX_DELAY_S = 60.0  # no configured delay keeps a test waiting longer than this
BROKEN_JSON = '{"id": "broken", "choices": ['


@dataclass
class Reply:
    """What a model answers. `usage` maps a format ("openai", "anthropic", "google") to the raw
    usage object in that format's own shape; formats left out get `default_usage`."""

    text: str = DEFAULT_TEXT
    reasoning: str = ""
    usage: dict[str, dict] = field(default_factory=dict)
    fault: str | None = None
    fault_times: int | None = None
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    cut_after: int = 2
    tool_calls: list[dict] = field(default_factory=list)
    signature: str = "bW9jay1zaWduYXR1cmU="  # base64, as Gemini sends thoughtSignature (bytes)
    # An agent's loop: once the request carries a tool result, the model answers this text instead of calling
    # its tools again (None: the same reply every time).
    text_after_tool_result: str | None = None
    # The tier an OpenAI answer says served it: `service_tier` on the completion and every chunk (None: left out).
    service_tier: str | None = None

    def __post_init__(self):
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; one of {', '.join(FAULTS)}")

    def pieces(self) -> list[str]:
        """The text as stream pieces: one word with its trailing space each."""
        return re.findall(r"\S+\s*", self.text) or [self.text]

    def raw_usage(self, fmt: str) -> dict:
        return self.usage.get(fmt) or default_usage(fmt, self)


def default_usage(fmt: str, reply: Reply) -> dict:
    """DEFAULT_PROMPT_TOKENS in; one token per word of text and reasoning out."""
    output = len(reply.pieces()) + len(reply.reasoning.split())
    if fmt == "openai":
        return {"prompt_tokens": DEFAULT_PROMPT_TOKENS, "completion_tokens": output,
                "total_tokens": DEFAULT_PROMPT_TOKENS + output}
    if fmt == "responses":
        return {"input_tokens": DEFAULT_PROMPT_TOKENS, "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": output, "output_tokens_details": {"reasoning_tokens": len(reply.reasoning.split())},
                "total_tokens": DEFAULT_PROMPT_TOKENS + output}
    if fmt == "anthropic":
        return {"input_tokens": DEFAULT_PROMPT_TOKENS, "output_tokens": output, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0}
    return {"promptTokenCount": DEFAULT_PROMPT_TOKENS, "candidatesTokenCount": output,
            "totalTokenCount": DEFAULT_PROMPT_TOKENS + output}


@dataclass
class RecordedRequest:
    format: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: object
    model: str | None


# ---- each format's bodies ------------------------------------------------------------------------

def error_body(fmt: str, status: int, message: str) -> dict:
    if fmt in ("openai", "responses"):
        # https://platform.openai.com/docs/guides/error-codes; a 429 as OpenAI sends it (type "requests", code
        # rate_limit_exceeded), a 400 naming the parameter it is about.
        kind = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
                429: "requests"}
        return {"error": {"message": message, "type": kind.get(status, "server_error"),
                          "param": "messages" if status == 400 else None,
                          "code": {400: "invalid_value", 401: "invalid_api_key", 404: "model_not_found",
                                   429: "rate_limit_exceeded"}.get(status)}}
    if fmt == "anthropic":
        # https://docs.anthropic.com/en/api/errors
        kind = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
                429: "rate_limit_error"}
        return {"type": "error", "error": {"type": kind.get(status, "api_error"), "message": message}}
    # https://ai.google.dev/gemini-api/docs/troubleshooting; a 429 says when to retry in its details (RetryInfo).
    kind = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"}
    error = {"code": status, "message": message, "status": kind.get(status, "INTERNAL")}
    if status == 429:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{RETRY_AFTER_S}s"}]
    return {"error": error}


FAULT_MESSAGES = {400: "mock: invalid request", 401: "mock: invalid API key", 404: "mock: no such model",
                  429: "mock: rate limit reached", 500: "mock: internal server error", 529: "mock: overloaded"}
RETRY_AFTER_S = "7"


def answer_headers(fmt: str) -> dict[str, str]:
    """The rate-limit state OpenAI and Anthropic send with every answer (the links in fault_headers); Gemini none."""
    if fmt == "anthropic":
        return {"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
                "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:01Z",
                "anthropic-ratelimit-output-tokens-remaining": "7990"}
    if fmt in ("openai", "responses"):
        return {"x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499",
                "x-ratelimit-reset-requests": "120ms", "x-ratelimit-remaining-tokens": "29990"}
    return {}


def fault_headers(fmt: str, status: int) -> dict[str, str]:
    """A 429's headers as each provider sends them: Retry-After, and OpenAI's x-ratelimit-* or Anthropic's
    anthropic-ratelimit-* (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers,
    https://docs.anthropic.com/en/api/rate-limits#response-headers). Gemini sends none: its body has a RetryInfo."""
    if status != 429 or fmt == "google":
        return {}
    if fmt == "anthropic":
        return {"Retry-After": RETRY_AFTER_S, "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "0",
                "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:07Z"}
    return {"Retry-After": RETRY_AFTER_S, "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": "7s"}


def answered(fmt: str, body: object, reply: Reply) -> Reply:
    """The reply as this request gets it: an Anthropic request forcing a tool gets that tool called with
    the reply's text as its JSON input (how JSON answers are asked of Claude: tool-use docs, "JSON mode");
    a request carrying a tool result gets `text_after_tool_result` when the reply has one."""
    choice = body.get("tool_choice") if isinstance(body, dict) else None
    as_is = {f.name: getattr(reply, f.name) for f in fields(Reply)}
    if reply.text_after_tool_result is not None and has_tool_result(fmt, body):
        return Reply(**{**as_is, "text": reply.text_after_tool_result, "tool_calls": []})
    if fmt == "anthropic" and isinstance(choice, dict) and choice.get("type") == "tool":
        call = {"id": "toolu_" + uuid.uuid4().hex[:12], "name": choice.get("name"), "arguments": json.loads(reply.text)}
        return Reply(**{**as_is, "text": "", "tool_calls": [call]})
    return reply


def has_tool_result(fmt: str, body: object) -> bool:
    """Whether a request's last turn answers a tool call: an OpenAI `tool` message, an Anthropic tool_result
    block, a Gemini functionResponse part, a Responses function_call_output item."""
    if not isinstance(body, dict):
        return False
    turns = body.get("input") if fmt == "responses" else body.get("contents" if fmt == "google" else "messages")
    last = turns[-1] if isinstance(turns, list) and turns else {}
    if not isinstance(last, dict):
        return False
    if fmt == "openai":
        return last.get("role") == "tool"
    if fmt == "responses":
        return last.get("type") == "function_call_output"
    parts = last.get("parts") if fmt == "google" else last.get("content")
    wanted = "functionResponse" if fmt == "google" else "tool_result"
    return isinstance(parts, list) and any(
        isinstance(part, dict) and (wanted in part or part.get("type") == wanted) for part in parts)


def _openai_tool_calls(reply: Reply) -> list[dict]:
    return [{"id": call["id"], "type": "function",
             "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])}} for call in reply.tool_calls]


def _google_parts(reply: Reply, text: str | None) -> list[dict]:
    # The first functionCall part carries the thought signature (thought-signatures docs).
    parts = [{"text": text}] if text else []
    for number, call in enumerate(reply.tool_calls):
        part = {"functionCall": {"name": call["name"], "args": call["arguments"]}}
        if number == 0:
            part["thoughtSignature"] = reply.signature
        parts.append(part)
    return parts


def _responses_output(reply: Reply) -> list[dict]:
    """A Response's output items: reasoning (its summary, the signature as encrypted_content), the message,
    function calls. https://platform.openai.com/docs/api-reference/responses/object#responses/object-output"""
    items = []
    if reply.reasoning:
        items.append({"type": "reasoning", "id": "rs_" + uuid.uuid4().hex, "encrypted_content": reply.signature,
                      "summary": [{"type": "summary_text", "text": reply.reasoning}]})
    if reply.text:
        items.append({"type": "message", "id": "msg_" + uuid.uuid4().hex, "status": "completed", "role": "assistant",
                      "content": [{"type": "output_text", "text": reply.text, "annotations": [], "logprobs": []}]})
    items += [{"type": "function_call", "id": "fc_" + uuid.uuid4().hex, "call_id": call["id"], "name": call["name"],
               "arguments": json.dumps(call["arguments"]), "status": "completed"} for call in reply.tool_calls]
    return items


def _response(model: str, status: str, output: list[dict], usage: dict | None) -> dict:
    return {"id": "resp_" + uuid.uuid4().hex, "object": "response", "created_at": int(time.time()), "status": status,
            "model": f"{model}-2025-01-01", "output": output, "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": [], "error": None, "incomplete_details": None, "usage": usage}


def completion_body(fmt: str, model: str, reply: Reply) -> dict:
    usage = reply.raw_usage(fmt)
    if fmt == "responses":
        return _response(model, "completed", _responses_output(reply), usage)
    if fmt == "openai":
        message = {"role": "assistant", "content": reply.text or None}
        if reply.reasoning:
            message["reasoning_content"] = reply.reasoning
        if reply.tool_calls:
            message["tool_calls"] = _openai_tool_calls(reply)
        return {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
                "model": f"{model}-2025-01-01", "system_fingerprint": "fp_mock",
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
                "usage": usage} | ({"service_tier": reply.service_tier} if reply.service_tier else {})
    if fmt == "anthropic":
        content = [{"type": "thinking", "thinking": reply.reasoning, "signature": reply.signature}] \
            if reply.reasoning else []
        if reply.text:
            content.append({"type": "text", "text": reply.text})
        content += [{"type": "tool_use", "id": call["id"], "name": call["name"], "input": call["arguments"]}
                    for call in reply.tool_calls]
        return {"id": "msg_" + uuid.uuid4().hex, "type": "message", "role": "assistant", "model": model,
                "content": content, "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                "stop_sequence": None, "usage": usage}
    parts = [{"text": reply.reasoning, "thought": True}] if reply.reasoning else []
    parts += _google_parts(reply, reply.text)
    return {"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": usage, "modelVersion": model, "responseId": uuid.uuid4().hex}


def bad_shape_body(fmt: str, stream: bool) -> dict:
    """Valid JSON that lacks what a reply (or a stream's first event) must carry."""
    if fmt == "openai":
        return {"id": "chatcmpl-x", "object": "chat.completion.chunk" if stream else "chat.completion"}
    if fmt == "anthropic":
        return {"type": "message_start"} if stream else {"id": "msg_x", "type": "message"}
    if fmt == "responses":
        return {"type": "response.created"} if stream else {"id": "resp_x", "object": "response"}
    return {"modelVersion": "x"}


def stream_events(fmt: str, model: str, reply: Reply, include_usage: bool) -> list[bytes]:
    if fmt == "openai":
        return _openai_events(model, reply, include_usage)
    if fmt == "anthropic":
        return _anthropic_events(model, reply)
    if fmt == "responses":
        return _responses_events(model, reply)
    return _google_events(model, reply)


def _sse(data: object, event: str | None = None, end: str = "\n\n") -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    return ((f"event: {event}\n" if event else "") + f"data: {text}{end}").encode()


def _openai_events(model: str, reply: Reply, include_usage: bool) -> list[bytes]:
    # https://platform.openai.com/docs/api-reference/chat-streaming
    base = {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": f"{model}-2025-01-01", "system_fingerprint": "fp_mock"}
    if reply.service_tier:
        base["service_tier"] = reply.service_tier
    if include_usage:
        base["usage"] = None  # OpenAI sends "usage": null on every chunk but the last when asked

    def event(delta: dict, finish_reason: str | None = None) -> bytes:
        return _sse(base | {"choices": [{"index": 0, "delta": delta, "logprobs": None,
                                         "finish_reason": finish_reason}]})

    events = [event({"role": "assistant", "content": ""})]
    if reply.reasoning:
        events.append(event({"reasoning_content": reply.reasoning}))
    events += [event({"content": piece}) for piece in reply.pieces()] if reply.text else []
    for number, call in enumerate(_openai_tool_calls(reply)):
        arguments = call["function"]["arguments"]
        events.append(event({"tool_calls": [{"index": number, **call,
                                             "function": {"name": call["function"]["name"], "arguments": ""}}]}))
        events.append(event({"tool_calls": [{"index": number, "function": {"arguments": arguments}}]}))
    events.append(event({}, "tool_calls" if reply.tool_calls else "stop"))
    if include_usage:
        events.append(_sse(base | {"choices": [], "usage": reply.raw_usage("openai")}))
    return events + [_sse("[DONE]")]


def _anthropic_events(model: str, reply: Reply) -> list[bytes]:
    # https://docs.anthropic.com/en/api/messages-streaming: message_start carries the input side of
    # usage; message_delta the cumulative output_tokens.
    usage = reply.raw_usage("anthropic")
    start_usage = {key: value for key, value in usage.items() if key != "output_tokens"} | {"output_tokens": 1}
    message = {"id": "msg_" + uuid.uuid4().hex, "type": "message", "role": "assistant", "model": model,
               "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}
    events = [_sse({"type": "message_start", "message": message}, "message_start")]
    index = 0
    if reply.reasoning:
        events += [
            _sse({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}},
                 "content_block_start"),
            _sse({"type": "content_block_delta", "index": 0,
                  "delta": {"type": "thinking_delta", "thinking": reply.reasoning}}, "content_block_delta"),
            _sse({"type": "content_block_delta", "index": 0,
                  "delta": {"type": "signature_delta", "signature": reply.signature}}, "content_block_delta"),
            _sse({"type": "content_block_stop", "index": 0}, "content_block_stop")]
        index = 1
    events.append(_sse({"type": "ping"}, "ping"))
    if reply.text:
        events.append(_sse({"type": "content_block_start", "index": index,
                            "content_block": {"type": "text", "text": ""}}, "content_block_start"))
        events += [_sse({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}},
                        "content_block_delta") for piece in reply.pieces()]
        events.append(_sse({"type": "content_block_stop", "index": index}, "content_block_stop"))
        index += 1
    for call in reply.tool_calls:
        # tool_use starts with an empty input; its JSON arrives as input_json_delta fragments.
        arguments = json.dumps(call["arguments"])
        half = len(arguments) // 2
        events.append(_sse({"type": "content_block_start", "index": index, "content_block": {
            "type": "tool_use", "id": call["id"], "name": call["name"], "input": {}}}, "content_block_start"))
        events += [_sse({"type": "content_block_delta", "index": index,
                         "delta": {"type": "input_json_delta", "partial_json": fragment}}, "content_block_delta")
                   for fragment in (arguments[:half], arguments[half:])]
        events.append(_sse({"type": "content_block_stop", "index": index}, "content_block_stop"))
        index += 1
    stop_reason = "tool_use" if reply.tool_calls else "end_turn"
    events.append(_sse({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                        "usage": {"output_tokens": usage.get("output_tokens", 0)}}, "message_delta"))
    return events + [_sse({"type": "message_stop"}, "message_stop")]


def _responses_events(model: str, reply: Reply) -> list[bytes]:
    # https://platform.openai.com/docs/api-reference/responses-streaming: each output item opens with
    # output_item.added and closes with output_item.done; text, reasoning summaries and function arguments
    # arrive as deltas in between; response.completed carries the whole response with its usage.
    items = _responses_output(reply)
    started = _response(model, "in_progress", [], None)
    events: list[bytes] = []

    def emit(kind: str, **payload) -> None:
        events.append(_sse({"type": kind, "sequence_number": len(events), **payload}, kind))

    emit("response.created", response=started)
    emit("response.in_progress", response=started)
    for index, item in enumerate(items):
        where = {"item_id": item["id"], "output_index": index}
        if item["type"] == "message":
            emit("response.output_item.added", output_index=index, item={**item, "status": "in_progress", "content": []})
            emit("response.content_part.added", **where, content_index=0,
                 part={"type": "output_text", "text": "", "annotations": [], "logprobs": []})
            for piece in reply.pieces():
                emit("response.output_text.delta", **where, content_index=0, delta=piece, logprobs=[])
            emit("response.output_text.done", **where, content_index=0, text=reply.text, logprobs=[])
            emit("response.content_part.done", **where, content_index=0, part=item["content"][0])
        elif item["type"] == "function_call":
            emit("response.output_item.added", output_index=index,
                 item={**item, "arguments": "", "status": "in_progress"})
            half = len(item["arguments"]) // 2
            for fragment in (item["arguments"][:half], item["arguments"][half:]):
                emit("response.function_call_arguments.delta", **where, delta=fragment)
            emit("response.function_call_arguments.done", **where, arguments=item["arguments"])
        else:
            emit("response.output_item.added", output_index=index, item={**item, "summary": []})
            part = {"type": "summary_text", "text": ""}
            emit("response.reasoning_summary_part.added", **where, summary_index=0, part=part)
            emit("response.reasoning_summary_text.delta", **where, summary_index=0, delta=reply.reasoning)
            emit("response.reasoning_summary_text.done", **where, summary_index=0, text=reply.reasoning)
            emit("response.reasoning_summary_part.done", **where, summary_index=0, part=item["summary"][0])
        emit("response.output_item.done", output_index=index, item=item)
    emit("response.completed", response={**started, "status": "completed", "output": items,
                                         "usage": reply.raw_usage("responses")})
    return events


def _google_events(model: str, reply: Reply) -> list[bytes]:
    # streamGenerateContent?alt=sse: whole GenerateContentResponses; usageMetadata is cumulative
    # and complete on the last one, which carries the finishReason. Google ends events with CRLF.
    usage = reply.raw_usage("google")
    response_id = uuid.uuid4().hex
    parts = [[{"text": reply.reasoning, "thought": True}]] if reply.reasoning else []
    parts += [[{"text": piece}] for piece in reply.pieces()] if reply.text else []
    if reply.tool_calls:
        parts.append(_google_parts(reply, None))  # function calls arrive whole, in one chunk
    final_output = usage.get("candidatesTokenCount", 0)
    events = []
    for number, chunk_parts in enumerate(parts, start=1):
        last = number == len(parts)
        candidate = {"content": {"parts": chunk_parts, "role": "model"}, "index": 0}
        if last:
            candidate["finishReason"] = "STOP"
        partial = {"promptTokenCount": usage.get("promptTokenCount", 0),
                   "candidatesTokenCount": min(number, final_output)}
        events.append(_sse({"candidates": [candidate], "usageMetadata": usage if last else partial,
                            "modelVersion": model, "responseId": response_id}, end="\r\n\r\n"))
    return events


# ---- the server ----------------------------------------------------------------------------------

class MockProvider(LoopbackServer):
    THREAD_NAME = "mock provider"

    def __init__(self, models: dict[str, Reply] | None = None, *, keys: dict[str, str] | None = None, port: int = 0):
        super().__init__(port)
        self.models: dict[str, Reply] = {name: Reply() for name in DEFAULT_MODELS} | (models or {})
        self.keys = KEYS | (keys or {})
        self.requests: list[RecordedRequest] = []
        self.ollama_tags: list[str] = list(OLLAMA_TAGS)  # what /ollama/api/tags lists as installed

    def url(self, fmt: str) -> str:
        """The base URL of a format, as llms.json's base_url: http://127.0.0.1:PORT/openai/v1."""
        return f"http://{HOST}:{self.port}{PREFIXES[fmt]}"

    def ollama_url(self) -> str:
        """An Ollama root URL, as llms.json's base_url for type ollama: http://127.0.0.1:PORT/ollama."""
        return f"http://{HOST}:{self.port}{OLLAMA_PREFIX}"

    def set_model(self, name: str, reply: Reply | None = None, **reply_fields) -> Reply:
        self.models[name] = reply or Reply(**reply_fields)
        return self.models[name]

    def reply_for(self, model: object) -> Reply | None:
        if not isinstance(model, str):
            return None
        if model not in self.models and model.startswith("fault-"):
            return self._fault_model(model.removeprefix("fault-"))
        return self.models.get(model)

    @staticmethod
    def _fault_model(name: str) -> Reply | None:
        if name == "slow":
            return Reply(delay_s=SLOW_DELAY_S)
        if name == "slow-stream":
            return Reply(chunk_delay_s=SLOW_DELAY_S)
        return Reply(fault=name) if name in FAULTS else None

    # -- lifecycle --

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(PREFIXES["openai"] + "/chat/completions", self._openai)
        app.router.add_post(PREFIXES["openai"] + "/responses", self._responses)
        app.router.add_post(PREFIXES["anthropic"] + "/messages", self._anthropic)
        app.router.add_post(PREFIXES["anthropic"] + "/messages/count_tokens", self._anthropic_count)
        app.router.add_post(PREFIXES["google"] + "/models/{call}", self._google)
        app.router.add_post(OLLAMA_PREFIX + "/v1/chat/completions", self._ollama_chat)
        app.router.add_get(OLLAMA_PREFIX + "/api/tags", self._ollama_tags)
        app.router.add_post("/_mock/models/{name}", self._control_model)
        app.router.add_get("/_mock/requests", self._control_requests)
        app.router.add_delete("/_mock/requests", self._control_clear)
        return app

    # -- format handlers --

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request, "openai")
        body = recorded.json
        recorded.model = body.get("model") if isinstance(body, dict) else None
        if request.headers.get("Authorization") != f"Bearer {self.keys['openai']}":
            return _error("openai", 401, "Incorrect API key provided.")
        return await self._openai_answer(request, recorded)

    async def _openai_answer(self, request: web.Request, recorded: RecordedRequest) -> web.StreamResponse:
        body = recorded.json
        stream = isinstance(body, dict) and body.get("stream") is True
        options = body.get("stream_options") if isinstance(body, dict) else None
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        return await self._answer(request, recorded, stream, include_usage)

    async def _ollama_chat(self, request: web.Request) -> web.StreamResponse:
        # Ollama's OpenAI-compatible API takes no key (https://ollama.com/blog/openai-compatibility).
        recorded = await self._record(request, "openai")
        body = recorded.json
        recorded.model = body.get("model") if isinstance(body, dict) else None
        if recorded.model in self.ollama_tags and recorded.model not in self.models:
            self.models[recorded.model] = Reply(text=f"Hello from {recorded.model} on the mock Ollama.")
        return await self._openai_answer(request, recorded)

    async def _ollama_tags(self, request: web.Request) -> web.Response:
        models = [{"name": name, "model": name, "modified_at": "2026-11-30T10:00:00Z", "size": 2019393189,
                   "digest": uuid.uuid5(uuid.NAMESPACE_OID, name).hex, "details": {"format": "gguf"}}
                  for name in self.ollama_tags]
        return web.json_response({"models": models})

    async def _responses(self, request: web.Request) -> web.StreamResponse:
        # https://platform.openai.com/docs/api-reference/responses/create: OpenAI's key, its error shape.
        recorded = await self._record(request, "responses")
        body = recorded.json
        recorded.model = body.get("model") if isinstance(body, dict) else None
        if request.headers.get("Authorization") != f"Bearer {self.keys['openai']}":
            return _error("responses", 401, "Incorrect API key provided.")
        return await self._answer(request, recorded, isinstance(body, dict) and body.get("stream") is True, True)

    async def _anthropic(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request, "anthropic")
        body = recorded.json
        recorded.model = body.get("model") if isinstance(body, dict) else None
        # The official SDK (anthropic 2.x) may send the key as a bearer token instead of x-api-key.
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.keys["anthropic"] not in (request.headers.get("x-api-key"), bearer):
            return _error("anthropic", 401, "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return _error("anthropic", 400, "anthropic-version: header is required")
        if isinstance(body, dict) and not isinstance(body.get("max_tokens"), int):
            return _error("anthropic", 400, "max_tokens: Field required")
        stream = isinstance(body, dict) and body.get("stream") is True
        return await self._answer(request, recorded, stream, True)

    async def _anthropic_count(self, request: web.Request) -> web.Response:
        # https://docs.anthropic.com/en/api/messages-count-tokens: {"input_tokens": N}; the mock counts words.
        recorded = await self._record(request, "anthropic")
        body = recorded.json
        recorded.model = body.get("model") if isinstance(body, dict) else None
        if request.headers.get("x-api-key") != self.keys["anthropic"]:
            return _error("anthropic", 401, "invalid x-api-key")
        if self.reply_for(recorded.model) is None:
            return _error("anthropic", 404, f"model {recorded.model!r} does not exist")
        return web.json_response({"input_tokens": len(json.dumps(body.get("messages")).split())})

    async def _google(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request, "google")
        recorded.model, _, method = request.match_info["call"].partition(":")
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if key != self.keys["google"]:
            return _error("google", 401, "API key not valid. Please pass a valid API key.")
        if method not in ("generateContent", "streamGenerateContent"):
            return _error("google", 404, f"method {method!r} is not found")
        stream = method == "streamGenerateContent"
        if stream and request.query.get("alt") != "sse":
            return _error("google", 400, "the mock streams only with ?alt=sse")
        return await self._answer(request, recorded, stream, True)

    async def _answer(self, request: web.Request, recorded: RecordedRequest, stream: bool,
                      include_usage: bool) -> web.StreamResponse:
        fmt, model = recorded.format, recorded.model
        if recorded.json is None:
            return _error(fmt, 400, "the request body is not JSON")
        reply = self.reply_for(model)
        if reply is None:
            return _error(fmt, 404, f"model {model!r} does not exist")
        fault = _take_fault(reply)
        reply = answered(fmt, recorded.json, reply)
        await asyncio.sleep(min(reply.delay_s, MAX_DELAY_S))
        if fault in STATUS_FAULTS:
            status = STATUS_FAULTS[fault]
            return _error(fmt, status, FAULT_MESSAGES[status], fault_headers(fmt, status))
        if stream:
            events = [_sse(bad_shape_body(fmt, True))] if fault == "bad-shape" else \
                stream_events(fmt, model, reply, include_usage)
            return await self._stream(request, reply, fault, events, answer_headers(fmt))
        if fault == "bad-shape":
            return web.json_response(bad_shape_body(fmt, False))
        text = json.dumps(completion_body(fmt, model, reply))
        if fault == "malformed":
            return web.Response(text=BROKEN_JSON, content_type="application/json")
        if fault in ("cut", "truncate"):
            return await _half_body(request, text, drop_connection=fault == "cut")
        return web.Response(text=text, content_type="application/json", headers=answer_headers(fmt))

    async def _stream(self, request: web.Request, reply: Reply, fault: str | None,
                      events: list[bytes], headers: dict[str, str]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                               **headers})
        await response.prepare(request)
        stop_at = min(reply.cut_after, len(events)) if fault in ("cut", "truncate", "malformed") else len(events)
        for number, event in enumerate(events[:stop_at]):
            if number:
                await asyncio.sleep(min(reply.chunk_delay_s, MAX_DELAY_S))
            await response.write(event)
        if fault == "malformed":
            await response.write(_sse(BROKEN_JSON))
        if fault == "cut":
            request.transport.abort()  # drop the connection: no usage, no end marker
            return response
        await response.write_eof()
        return response

    async def _record(self, request: web.Request, fmt: str) -> RecordedRequest:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        recorded = RecordedRequest(fmt, request.method, request.path, dict(request.query), dict(request.headers),
                                   body, None)
        self.requests.append(recorded)
        return recorded

    # -- control endpoints --

    async def _control_model(self, request: web.Request) -> web.Response:
        known = {f.name for f in fields(Reply)}
        try:
            settings = await request.json()
            unknown = set(settings) - known
            if unknown:
                raise ValueError(f"unknown Reply fields {sorted(unknown)}; known: {sorted(known)}")
            reply = self.set_model(request.match_info["name"], **settings)
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(asdict(reply))

    async def _control_requests(self, request: web.Request) -> web.Response:
        return web.json_response([asdict(recorded) for recorded in self.requests])

    async def _control_clear(self, request: web.Request) -> web.Response:
        self.requests.clear()
        return web.json_response({"cleared": True})


def _take_fault(reply: Reply) -> str | None:
    if reply.fault is None or reply.fault_times is None:
        return reply.fault
    if reply.fault_times <= 0:
        return None
    reply.fault_times -= 1
    return reply.fault


def _error(fmt: str, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(error_body(fmt, status, message), status=status, headers=headers)


async def _half_body(request: web.Request, text: str, drop_connection: bool) -> web.StreamResponse:
    """Half a JSON body: announced whole and the connection dropped ("cut"), or ended cleanly ("truncate")."""
    half = text.encode()[: len(text) // 2]
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(text.encode()) if drop_connection else len(half)
    await response.prepare(request)
    await response.write(half)
    if drop_connection:
        request.transport.abort()
        return response
    await response.write_eof()
    return response


# ---- standalone ----------------------------------------------------------------------------------

async def _serve_forever(port: int) -> None:
    async with MockProvider(port=port) as mock:
        for fmt in PREFIXES:
            print(f"{fmt:9} {mock.url(fmt)}  key {mock.keys[fmt]}", flush=True)
        print(f"models: {', '.join(mock.models)} and fault-<{'|'.join(FAULTS)}|slow|slow-stream>", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mock_provider",
                                     description="A mock OpenAI/Anthropic/Gemini provider on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve_forever(args.port))
    except KeyboardInterrupt:
        return 0  # Ctrl-C is how a standalone mock is meant to end
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
