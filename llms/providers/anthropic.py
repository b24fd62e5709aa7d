"""Anthropic Messages: https://docs.anthropic.com/en/api/messages

Pure: builds the upstream request and translates replies into OpenAI's shapes; `transport.py`
does the I/O. Tools, tool results, thinking, structured output, prompt caching and PDFs are translated;
a request field Anthropic cannot carry is refused with a 400 naming it (docs/wire-formats.md lists each).
"""

from __future__ import annotations

import json
import re
import time

from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.providers.shapes import (bad_request, chunk, completion, data_url, error_fields, error_text, final_chunk,
                                   load_json, malformed, map_parts, message_hints, new_id, refuse_untranslatable,
                                   text_of, turns, unsupported, usage_or_malformed)
from llms.providers.usage import normalized, token_count

__all__ = ["WIRE", "AnthropicWire", "AnthropicStream", "API_VERSION", "DEFAULT_MAX_TOKENS", "normalize_usage",
           "TYPES", "USAGE_FORMAT", "PRICE_DATA_IDS", "DROPPED_SAMPLING_HINTS", "THINKING_BUDGETS", "STRUCTURED_TOOL",
           "dropped_params"]

NAME = "anthropic"
# For the registry (llms/providers/registry.py): llms.json types, usage shape, genai-prices ids that differ from ours.
TYPES = ("anthropic",)
USAGE_FORMAT = "anthropic"
PRICE_DATA_IDS: dict[str, str] = {}
API_VERSION = "2023-06-01"  # https://docs.anthropic.com/en/api/versioning
# Anthropic requires max_tokens; OpenAI clients often send none. Then the model's own maximum is sent, from
# llms.json `max_output_tokens` (Anthropic's models overview lists each model's "max output":
# https://docs.anthropic.com/en/docs/about-claude/models/overview), so an answer is never cut shorter than the
# model could write; a model without one gets this.
DEFAULT_MAX_TOKENS = 4096

# OpenAI request fields translated below (https://platform.openai.com/docs/api-reference/chat/create).
# `stream_options` is the server's (it always asks for usage).
TRANSLATED = ("model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature",
              "top_p", "top_k", "stop", "user", "tools", "tool_choice", "parallel_tool_calls", "response_format",
              "reasoning_effort", "service_tier")
# Pure sampling hints with no equivalent in the Messages API, dropped on purpose (the server lists them
# in llms.dropped_params). https://docs.anthropic.com/en/api/messages has no seed and no penalties.
DROPPED_SAMPLING_HINTS = ("seed", "presence_penalty", "frequency_penalty")
# OpenAI's prompt_cache_key only steers which of OpenAI's machines serves a request, for cache hits
# (https://platform.openai.com/docs/guides/prompt-caching); it changes no answer. Anthropic caches by cache_control
# prefixes instead, so the key is dropped on purpose and listed (Codex sends it with every request).
DROPPED_CACHE_HINTS = ("prompt_cache_key",)
# Fields accepted only with the value that asks for what Anthropic does anyway: one choice, no logprobs,
# nothing stored, parallel tool use allowed, text out. Any other value is refused with a 400.
NEUTRAL_VALUES = {"n": 1, "logprobs": False, "store": False, "parallel_tool_calls": True, "modalities": ["text"],
                  # A penalty of 0 is no penalty: dropping it changes nothing, so it is not listed as dropped.
                  "presence_penalty": 0, "frequency_penalty": 0}
# OpenAI's service_tier → Anthropic's (https://docs.anthropic.com/en/api/service-tiers): "auto" uses Priority Tier
# capacity when the organisation has it, "standard_only" never does. OpenAI's "priority" asks for that capacity,
# "default" for standard processing; flex and scale have no equivalent (refused: routed elsewhere). The tier that
# served the request comes back in usage.service_tier and is given to the client as OpenAI's `service_tier`.
SERVICE_TIERS = {"auto": "auto", "default": "standard_only", "priority": "auto"}
# reasoning_effort → thinking.budget_tokens. Anthropic documents no effort levels for budgets (its minimum
# budget is 1024: https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking), so we follow the
# mapping Google documents for the same OpenAI field (https://ai.google.dev/gemini-api/docs/openai#thinking):
# low 1024, medium 8192, high 24576; minimal takes the minimum; none sends no thinking.
THINKING_BUDGETS = {"minimal": 1024, "low": 1024, "medium": 8192, "high": 24576}
MIN_THINKING_BUDGET = 1024
# response_format becomes a forced tool with this name whose input schema is the client's schema; its
# input comes back as the message content (https://docs.anthropic.com/en/docs/build-with-claude/tool-use,
# "JSON mode").
STRUCTURED_TOOL = "json_answer"
# Claude models with JSON outputs, Anthropic's own structured-output parameter (`output_config.format`): Opus,
# Sonnet and Haiku 4.5 and later (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs). Its
# schemas have the limits of OpenAI's strict mode (additionalProperties false, no numeric bounds), so a json_schema
# goes there when it is strict, or when the turn cannot be a forced tool (tools or thinking in it).
JSON_OUTPUTS_FROM = (4, 5)
_CLAUDE_VERSION = re.compile(r"claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?!\d)")

# https://docs.anthropic.com/en/api/messages#response-stop-reason
FINISH_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
                  "model_context_window_exceeded": "length", "tool_use": "tool_calls", "refusal": "content_filter"}

# https://docs.anthropic.com/en/api/errors#http-errors: the status each error type comes with,
# for errors that arrive inside a 200 stream.
ERROR_STATUS = {"invalid_request_error": 400, "authentication_error": 401, "permission_error": 403,
                "not_found_error": 404, "request_too_large": 413, "rate_limit_error": 429, "api_error": 500,
                "overloaded_error": 529}


# Hints inside the messages with no Anthropic field, dropped on purpose and listed: a participant's `name`, an
# image's `detail` (Anthropic sizes images itself: https://docs.anthropic.com/en/docs/build-with-claude/vision).
DROPPED_MESSAGE_HINTS = ("messages[].name", "image_url.detail")


def dropped_params(body: dict) -> list[str]:
    """The sampling hints (at a value that would do something) and message hints this body uses that Anthropic has
    no equivalent for: dropped on purpose, and listed by the proxy in llms.dropped_params / X-LLMS-Dropped-Params."""
    hints = [name for name in (*DROPPED_SAMPLING_HINTS, *DROPPED_CACHE_HINTS)
             if body.get(name) is not None and body[name] != NEUTRAL_VALUES.get(name)]
    return hints + message_hints(body, DROPPED_MESSAGE_HINTS)


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
        refuse_untranslatable(NAME, body, (*TRANSLATED, *DROPPED_SAMPLING_HINTS, *DROPPED_CACHE_HINTS), NEUTRAL_VALUES,
                              "Anthropic Messages", "https://docs.anthropic.com/en/api/messages")
        system, messages = _messages(body.get("messages") or [])
        payload: dict = {"model": target.provider_model, "messages": messages,
                         "max_tokens": _max_tokens(body, target.max_output_tokens)}
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
        if body.get("service_tier") is not None:
            if body["service_tier"] not in SERVICE_TIERS:
                asked = json.dumps(body["service_tier"])[:40]
                raise unsupported(NAME, "service_tier", f"'service_tier' {asked} has no equivalent on Anthropic "
                                                        f"(only {', '.join(SERVICE_TIERS)})")
            payload["service_tier"] = SERVICE_TIERS[body["service_tier"]]
        payload.update(_tooling(body, _has_json_outputs(target.provider_model)))
        payload.update(_thinking(body, payload["max_tokens"]))
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
        texts, thoughts, thinking_blocks, tool_calls = [], [], [], []
        finish_reason = _finish_reason(data.get("stop_reason"))
        for block in data["content"]:
            if not isinstance(block, dict):
                raise malformed(NAME, "message", f"content block {block!r} is not an object")
            kind = block.get("type")
            if kind == "text":
                texts.append(block.get("text") or "")
            elif kind == "thinking":
                thoughts.append(block.get("thinking") or "")
                thinking_blocks.append(block)
            elif kind == "redacted_thinking":
                thinking_blocks.append(block)
            elif kind == "tool_use" and block.get("name") == STRUCTURED_TOOL:
                texts.append(json.dumps(block.get("input"), ensure_ascii=False))
                finish_reason = "stop"
            elif kind == "tool_use":
                tool_calls.append({"id": block.get("id"), "type": "function", "function": {
                    "name": block.get("name"), "arguments": json.dumps(block.get("input") or {}, ensure_ascii=False)}})
            # Other blocks (server tool results, citations) carry no text to show.
        message = {"role": "assistant", "content": "".join(texts)}
        if thoughts:
            message["reasoning_content"] = "".join(thoughts)
        if thinking_blocks:
            # Signed thinking goes back on the next assistant turn (required during tool use:
            # extended-thinking#preserving-thinking-blocks); field name as LiteLLM's `thinking_blocks`.
            message["thinking_blocks"] = thinking_blocks
        if tool_calls:
            message["tool_calls"] = tool_calls
        choice = {"index": 0, "message": message, "finish_reason": finish_reason}
        usage = usage_or_malformed(NAME, normalize_usage, data.get("usage"))
        result = completion(data.get("id") or new_id(), int(time.time()), model, [choice], usage)
        tier = _served_tier(data.get("usage"))
        return result | ({"service_tier": tier} if tier else {})

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
        self.blocks: dict[int, dict] = {}  # content block index → what it is (and a thinking block's text so far)
        self.tool_calls = 0
        self.structured = False

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
            return self._block_start(payload.get("index"), payload.get("content_block"))
        if kind == "content_block_delta":
            return self._delta(payload.get("index"), payload.get("delta"))
        if kind == "content_block_stop":
            return self._block_stop(payload.get("index"))
        if kind == "message_delta":
            return self._message_delta(payload)
        if kind == "message_stop":
            self.done = True
        # ping and event types added later carry nothing to translate
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

    def _block_start(self, index, block) -> list[dict]:
        if not isinstance(block, dict):
            raise malformed(NAME, "content_block_start event", f"expected an object, got {block!r}")
        kind = block.get("type")
        if kind == "thinking":
            self.blocks[index] = {"type": "thinking", "thinking": block.get("thinking") or "",
                                  "signature": block.get("signature") or ""}
        elif kind == "tool_use" and block.get("name") == STRUCTURED_TOOL:
            self.blocks[index] = {"type": "structured"}
            self.structured = True
        elif kind == "tool_use":
            # OpenAI's first tool-call delta: index, id, type, name and empty arguments; fragments follow.
            # https://platform.openai.com/docs/guides/function-calling#streaming
            self.blocks[index] = {"type": "tool_use", "call": self.tool_calls}
            self.tool_calls += 1
            return [self._chunk({"tool_calls": [{"index": self.blocks[index]["call"], "id": block.get("id"),
                                                 "type": "function",
                                                 "function": {"name": block.get("name"), "arguments": ""}}]})]
        elif kind == "redacted_thinking":
            return [self._chunk({"thinking_blocks": [block]})]
        elif kind == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        return []

    def _delta(self, index, delta) -> list[dict]:
        if not isinstance(delta, dict):
            raise malformed(NAME, "content_block_delta event", f"expected an object, got {delta!r}")
        kind, block = delta.get("type"), self.blocks.get(index) or {}
        if kind == "text_delta" and delta.get("text"):
            return [self._chunk({"content": delta["text"]})]
        if kind == "thinking_delta" and delta.get("thinking"):
            if block.get("type") == "thinking":
                block["thinking"] += delta["thinking"]
            return [self._chunk({"reasoning_content": delta["thinking"]})]
        if kind == "signature_delta" and block.get("type") == "thinking":
            block["signature"] += delta.get("signature") or ""
        if kind == "input_json_delta" and delta.get("partial_json"):
            if block.get("type") == "structured":
                return [self._chunk({"content": delta["partial_json"]})]
            if block.get("type") == "tool_use":
                return [self._chunk({"tool_calls": [{"index": block["call"],
                                                     "function": {"arguments": delta["partial_json"]}}]})]
        # citations_delta and deltas of blocks we do not show carry nothing to translate.
        return []

    def _block_stop(self, index) -> list[dict]:
        block = self.blocks.get(index) or {}
        if block.get("type") == "thinking":
            # The whole signed block, once complete, for the client to send back on its next turn.
            return [self._chunk({"thinking_blocks": [block]})]
        return []

    def _message_delta(self, payload: dict) -> list[dict]:
        self._merge_usage(payload.get("usage"))
        delta = payload.get("delta") or {}
        if not isinstance(delta, dict):
            raise malformed(NAME, "message_delta event", f"'delta' is {delta!r}")
        if delta.get("stop_reason") is None:
            return []
        self.done = True
        finish_reason = "stop" if self.structured else _finish_reason(delta["stop_reason"])
        return [self._chunk({}, finish_reason)]

    def _merge_usage(self, usage) -> None:
        if usage is None:
            return
        if not isinstance(usage, dict):
            raise malformed(NAME, "usage", f"expected an object, got {usage!r}")
        merged = dict(self.raw_usage or {})
        merged.update({key: value for key, value in usage.items() if value is not None})
        self.raw_usage = merged

    def _chunk(self, delta: dict, finish_reason: str | None = None) -> dict:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        result = chunk(self.id, self.created, self.model, [choice])
        tier = _served_tier(self.raw_usage)
        return result | ({"service_tier": tier} if tier else {})  # on every chunk, as OpenAI sends it


def _served_tier(usage) -> str | None:
    """usage.service_tier: the tier that served the request (standard, priority, batch)."""
    tier = usage.get("service_tier") if isinstance(usage, dict) else None
    return tier if isinstance(tier, str) and tier else None


def _finish_reason(stop_reason) -> str | None:
    if stop_reason is None:
        return None
    return FINISH_REASONS.get(stop_reason, "stop")


def _error_event(payload: dict) -> ProviderError:
    error = payload.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    status = ERROR_STATUS.get(kind, 502)
    return ProviderError("http", status, WIRE.error_message(status, payload), **error_fields(payload))


def _has_json_outputs(provider_model: str) -> bool:
    """Whether the model takes output_config.format: a Claude Opus, Sonnet or Haiku of JSON_OUTPUTS_FROM or later
    (its id as Anthropic names it, `claude-sonnet-4-5-20250929`; older ids, `claude-3-5-sonnet-…`, do not match)."""
    found = _CLAUDE_VERSION.search(provider_model)
    return found is not None and (int(found[1]), int(found[2] or 0)) >= JSON_OUTPUTS_FROM


def _tooling(body: dict, json_outputs: bool) -> dict:
    """tools, tool_choice, parallel_tool_calls and response_format → tools, tool_choice and output_config.

    https://docs.anthropic.com/en/docs/build-with-claude/tool-use; `json_outputs`: the model has output_config.format.
    """
    fields: dict = {}
    tools = [_tool(tool) for tool in body.get("tools") or []]
    choice = _tool_choice(body.get("tool_choice"))
    response_format = body.get("response_format")
    schema = _structured_schema(response_format)
    thinking = body.get("reasoning_effort") not in (None, "none")
    strict = isinstance(response_format, dict) and bool((response_format.get("json_schema") or {}).get("strict"))
    if json_outputs and _format_kind(response_format) == "json_schema" and (strict or tools or thinking):
        # JSON outputs: the answer's text is the JSON, beside the client's tools and thinking (structured-outputs).
        fields["output_config"] = {"format": {"type": "json_schema", "schema": schema[1]}}
        schema = None
    if schema is not None:
        if tools or thinking:
            # The schema is a forced tool: it cannot share the turn with the client's tools, and thinking
            # refuses forced tool use (extended-thinking#extended-thinking-with-tool-use).
            other = "tools" if tools else "reasoning_effort"
            why = ("json_object is a forced tool on Anthropic; a json_schema is not, on Claude 4.5 and later"
                   if _format_kind(response_format) == "json_object"
                   else "structured output is a forced tool on Anthropic models before Claude 4.5")
            raise unsupported(NAME, "response_format", f"'response_format' cannot be combined with '{other}' "
                                                       f"here ({why})")
        tools = [{"name": STRUCTURED_TOOL, "description": schema[0], "input_schema": schema[1]}]
        if strict:
            tools[0]["strict"] = True  # a strict schema stays strict: strict tool use (structured-outputs)
        choice = {"type": "tool", "name": STRUCTURED_TOOL}
    if body.get("parallel_tool_calls") is False and (choice or {}).get("type") != "none":
        choice = {"type": "auto", **(choice or {}), "disable_parallel_tool_use": True}
    if tools:
        fields["tools"] = tools
    if choice:
        fields["tool_choice"] = choice
    return fields


def _tool(tool) -> dict:
    function = tool.get("function") if isinstance(tool, dict) and tool.get("type") == "function" else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise unsupported(NAME, "tools", f"'tools': only function tools with a name are translated, got "
                                         f"{str(tool)[:80]}")
    entry = {"name": function["name"], "input_schema": function.get("parameters") or {"type": "object",
                                                                                      "properties": {}}}
    if function.get("description"):
        entry["description"] = function["description"]
    if function.get("strict"):
        # Strict tool use: the input always matches input_schema (Claude 4.5 and later; an older model's refusal
        # comes back as Anthropic's 400). https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs
        entry["strict"] = True
    if tool.get("cache_control"):
        entry["cache_control"] = tool["cache_control"]  # prompt-caching: tools may carry a breakpoint
    return entry


def _tool_choice(choice) -> dict | None:
    # auto/none/required/named → auto/none/any/tool. https://docs.anthropic.com/en/docs/build-with-claude/tool-use
    if choice is None:
        return None
    simple = {"auto": "auto", "none": "none", "required": "any"}
    if isinstance(choice, str) and choice in simple:
        return {"type": simple[choice]}
    function = choice.get("function") if isinstance(choice, dict) else None
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        return {"type": "tool", "name": function["name"]}
    raise bad_request(NAME, f"'tool_choice' {json.dumps(choice)[:80]} is not auto, none, required or a function")


def _format_kind(response_format):
    """A response_format's type: text, json_object, json_schema (or what the client sent)."""
    return response_format.get("type") if isinstance(response_format, dict) else response_format


def _structured_schema(response_format) -> tuple[str, dict] | None:
    """(description, JSON schema) of a json_schema / json_object response_format; None for text."""
    kind = _format_kind(response_format)
    if response_format is None or kind == "text":
        return None
    if kind == "json_object":
        return "Answer with a JSON object.", {"type": "object"}
    spec = response_format.get("json_schema") if kind == "json_schema" else None
    if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
        raise bad_request(NAME, f"'response_format' {json.dumps(response_format)[:80]} is not text, json_object "
                                "or json_schema with a schema")
    return spec.get("description") or f"Answer as {spec.get('name') or 'JSON'}.", spec["schema"]


def _thinking(body: dict, max_tokens: int) -> dict:
    """reasoning_effort → thinking with a budget below max_tokens (Anthropic requires budget < max_tokens)."""
    effort = body.get("reasoning_effort")
    if effort is None or effort == "none":
        return {}
    if effort not in THINKING_BUDGETS:
        raise bad_request(NAME, f"'reasoning_effort' {effort!r} is not one of none, {', '.join(THINKING_BUDGETS)}")
    budget = min(THINKING_BUDGETS[effort], max_tokens - 1)
    if budget < MIN_THINKING_BUDGET:
        raise bad_request(NAME, f"'max_tokens' {max_tokens} leaves no room for thinking: 'reasoning_effort' needs "
                                f"more than {MIN_THINKING_BUDGET} tokens on Anthropic")
    return {"thinking": {"type": "enabled", "budget_tokens": budget}}


def _max_tokens(body: dict, model_maximum: int | None) -> int:
    for name in ("max_completion_tokens", "max_tokens"):
        if body.get(name) is not None:
            return body[name]
    if model_maximum is not None:
        return model_maximum  # thinking fits inside it (_thinking caps the budget below max_tokens)
    # Thinking counts inside max_tokens: without a client limit, the answer keeps DEFAULT_MAX_TOKENS after it.
    return DEFAULT_MAX_TOKENS + THINKING_BUDGETS.get(body.get("reasoning_effort"), 0)


def _messages(messages: list) -> tuple[str | list[dict], list[dict]]:
    """OpenAI messages → (system, Anthropic messages). The system prompt is a top-level field: text, or
    blocks when any part carries cache_control (prompt-caching#how-to-implement-prompt-caching)."""
    system = [m for m in messages if m.get("role") in ("system", "developer")]
    rest = [m for m in messages if m.get("role") not in ("system", "developer")]
    _, converted = turns(NAME, rest, assistant="assistant", key="content", parts=_message_blocks)
    blocks = [block for message in system for block in _with_cache_control(message, _blocks(message.get("content")))]
    if any("cache_control" in block for block in blocks):
        return blocks, converted
    return "\n\n".join(text for m in system if (text := text_of(NAME, m.get("content")))), converted


def _message_blocks(message: dict) -> list[dict]:
    role = message.get("role")
    if role == "user":
        blocks = _blocks(message.get("content"))
    elif role == "assistant":
        blocks = _assistant_blocks(message)
    elif role == "tool":
        blocks = [_tool_result(message)]
    else:
        raise unsupported(NAME, "messages", f"a message with role {role!r} cannot be sent (user, assistant, tool, "
                                            "system)")
    return _with_cache_control(message, blocks)


def _with_cache_control(message: dict, blocks: list[dict]) -> list[dict]:
    # cache_control on a whole message marks its last block (the breakpoint ends the cached prefix).
    if message.get("cache_control") and blocks:
        blocks[-1]["cache_control"] = message["cache_control"]
    return blocks


def _assistant_blocks(message: dict) -> list[dict]:
    """Signed thinking first, then text, then tool_use blocks (tool-use#handling-tool-use-and-tool-result)."""
    blocks = []
    for block in message.get("thinking_blocks") or []:
        if not isinstance(block, dict) or block.get("type") not in ("thinking", "redacted_thinking"):
            raise bad_request(NAME, f"'thinking_blocks' holds {str(block)[:80]}, not a thinking block")
        blocks.append(block)
    blocks += _blocks(message.get("content"))
    for call in message.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not call.get("id"):
            raise bad_request(NAME, f"'tool_calls' entry {str(call)[:80]} has no id or function")
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except ValueError:
            raise bad_request(NAME, f"tool call {call['id']!r} has arguments that are not JSON") from None
        blocks.append({"type": "tool_use", "id": call["id"], "name": function.get("name"), "input": arguments})
    return blocks


def _tool_result(message: dict) -> dict:
    if not isinstance(message.get("tool_call_id"), str):
        raise bad_request(NAME, "a 'tool' message needs its 'tool_call_id'")
    content = message.get("content")
    result = {"type": "tool_result", "tool_use_id": message["tool_call_id"]}
    if content:
        result["content"] = content if isinstance(content, str) else _blocks(content)
    return result


def _blocks(content) -> list[dict]:
    if not isinstance(content, list):
        return map_parts(NAME, content, lambda text: {"type": "text", "text": text}, _image)
    blocks = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "file":
            found = [_document(part)]
        else:
            found = map_parts(NAME, [part], lambda text: {"type": "text", "text": text}, _image)
        if found and isinstance(part, dict) and part.get("cache_control"):
            found[-1]["cache_control"] = part["cache_control"]
        blocks += found
    return blocks


def _document(part: dict) -> dict:
    # https://docs.anthropic.com/en/docs/build-with-claude/pdf-support: a base64 PDF document block.
    file = part.get("file") if isinstance(part.get("file"), dict) else {}
    inline = data_url(NAME, file["file_data"]) if isinstance(file.get("file_data"), str) else None
    if inline is None or inline[0] != "application/pdf":
        raise unsupported(NAME, "messages", "a 'file' part is sent as a PDF document: it needs 'file_data' as a "
                                "data:application/pdf;base64 URL ('file_id' refers to OpenAI's storage)")
    block = {"type": "document", "source": {"type": "base64", "media_type": inline[0], "data": inline[1]}}
    if isinstance(file.get("filename"), str):
        block["title"] = file["filename"]
    return block


def _image(url: str, inline: tuple[str, str] | None) -> dict:
    # https://docs.anthropic.com/en/docs/build-with-claude/vision: base64 or url sources.
    if inline is None:
        return {"type": "image", "source": {"type": "url", "url": url}}
    media_type, data = inline
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


WIRE = AnthropicWire()
