"""Pure: Anthropic's Messages API ⇄ our chat shape, for /v1/messages served by a provider that is not Anthropic.

https://docs.anthropic.com/en/api/messages. A Messages request becomes the chat body every wire format takes
(anthropic.py's rules in reverse: tool_use ⇄ tool_calls, tool_result ⇄ tool messages, thinking ⇄
reasoning_content, cache_control kept on parts); the chat answer becomes an Anthropic message, and a chat
stream Anthropic's event sequence (https://docs.anthropic.com/en/api/messages-streaming). A field with no
equivalent is refused by name (docs/wire-formats.md, "/v1/messages to other providers").
"""

from __future__ import annotations

import json

from llms.providers.shapes import reasoning_of
from llms.providers.translation import (Refused, arguments_object, listed, new_id, refuse_unknown, signed_id,
                                        tool_text, unsigned_id)

__all__ = ["chat_body", "message_of", "usage_of", "MessagesEvents", "REQUEST_FIELDS", "STOP_REASONS", "effort_for"]

API = "Anthropic Messages"
# https://docs.anthropic.com/en/api/messages: the request fields translated below.
REQUEST_FIELDS = ("model", "messages", "system", "max_tokens", "metadata", "stop_sequences", "stream",
                  "temperature", "top_k", "top_p", "tools", "tool_choice", "thinking", "context_management", "output_config",
                  "service_tier")
# Anthropic's service_tier (https://docs.anthropic.com/en/api/service-tiers) → OpenAI's: auto (priority capacity
# where the account has it) → auto, standard_only → default; each wire then carries it by its own table.
SERVICE_TIERS = {"auto": "auto", "standard_only": "default"}
# chat finish_reason → Anthropic stop_reason (https://docs.anthropic.com/en/api/messages#response-stop-reason).
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use",
                "content_filter": "refusal"}
_TEXT_KEYS = ("type", "text", "cache_control", "citations")


def effort_for(budget_tokens: int) -> str:
    """thinking.budget_tokens → reasoning_effort: the inverse of anthropic.THINKING_BUDGETS (low 1024,
    medium 8192, high 24576), each budget taking the smallest effort whose budget covers it."""
    return "low" if budget_tokens <= 1024 else "medium" if budget_tokens <= 8192 else "high"


def chat_body(body: dict) -> dict:
    """A Messages request → our chat body (stream included); Refused names what cannot be carried."""
    refuse_unknown(body, REQUEST_FIELDS, "", API)
    messages = _system(body.get("system"))
    for index, message in enumerate(listed(body, "messages")):
        messages += _turn(message, f"messages[{index}]")
    chat: dict = {"model": body["model"], "messages": messages}
    if body.get("max_tokens") is not None:
        # max_completion_tokens: OpenAI's current name (max_tokens is refused by its reasoning models);
        # the Anthropic and Gemini wires read it too.
        chat["max_completion_tokens"] = body["max_tokens"]
    for name in ("temperature", "top_p", "top_k", "stream"):
        if body.get(name) is not None:
            chat[name] = body[name]
    if body.get("stop_sequences"):
        chat["stop"] = listed(body, "stop_sequences")
    chat.update(_metadata(body.get("metadata")))
    chat.update(_service_tier(body.get("service_tier")))
    chat.update(_tools(body))
    chat.update(_thinking(body.get("thinking")))
    chat.update(_output_config(body.get("output_config")))
    _context_management(body.get("context_management"))
    return chat


def _system(system, where: str = "system") -> list[dict]:
    if system is None or system == "":
        return []
    if isinstance(system, str):
        return [{"role": "system", "content": system}]
    if not isinstance(system, list):
        raise Refused(where, f"expected a string or text blocks, got {json.dumps(system)[:60]}")
    parts = []
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise Refused(f"{where}[{index}]", "only text blocks are carried in a system prompt")
        parts.append(_text_part(block, f"{where}[{index}]."))
    return [{"role": "system", "content": parts}]


def _text_part(block: dict, where: str) -> dict:
    refuse_unknown(block, _TEXT_KEYS, where, API)
    if block.get("citations"):
        raise Refused(f"{where}citations", "citations have no equivalent in chat completions")
    return _cached(block, {"type": "text", "text": str(block.get("text") or "")})


def _cached(block: dict, part: dict) -> dict:
    # cache_control travels on the part, as our chat shape carries it (anthropic.py reads it back).
    if block.get("cache_control"):
        part["cache_control"] = block["cache_control"]
    return part


def _turn(message, where: str) -> list[dict]:
    if not isinstance(message, dict) or message.get("role") not in ("user", "assistant", "system"):
        raise Refused(f"{where}.role", "expected a message with role user, assistant or system")
    refuse_unknown(message, ("role", "content"), f"{where}.", API)
    content = message.get("content")
    if message["role"] == "system":
        # A system message between turns (Claude Code sends them) stays one, where it was.
        return _system(content, f"{where}.content")
    if isinstance(content, str):
        return [{"role": message["role"], "content": content}]
    if not isinstance(content, list):
        raise Refused(f"{where}.content", "expected a string or a list of content blocks")
    blocks = [(block, f"{where}.content[{index}]") for index, block in enumerate(content)]
    for block, at in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise Refused(at, "expected a content block with a type")
    return _assistant(blocks) if message["role"] == "assistant" else _user(blocks)


def _user(blocks: list[tuple[dict, str]]) -> list[dict]:
    """tool_result blocks become tool messages, first (chat puts them right after the assistant's calls);
    the other blocks one user message after them."""
    results = [_tool_result(block, at) for block, at in blocks if block["type"] == "tool_result"]
    parts = [_user_part(block, at) for block, at in blocks if block["type"] != "tool_result"]
    return results + ([{"role": "user", "content": parts}] if parts else [])


def _user_part(block: dict, where: str) -> dict:
    kind = block["type"]
    if kind == "text":
        return _text_part(block, f"{where}.")
    if kind == "image":
        refuse_unknown(block, ("type", "source", "cache_control"), f"{where}.", API)
        return _cached(block, {"type": "image_url", "image_url": {"url": _source_url(block.get("source"), where)}})
    if kind == "document":
        return _document(block, where)
    raise Refused(f"{where}.type", f"a {kind!r} block in a user turn has no equivalent in chat completions")


def _source_url(source, where: str) -> str:
    # https://docs.anthropic.com/en/docs/build-with-claude/vision: base64 or url sources.
    if isinstance(source, dict) and source.get("type") == "base64":
        return f"data:{source.get('media_type')};base64,{source.get('data')}"
    if isinstance(source, dict) and source.get("type") == "url" and isinstance(source.get("url"), str):
        return source["url"]
    raise Refused(f"{where}.source", "only base64 and url sources are carried")


def _document(block: dict, where: str) -> dict:
    # https://docs.anthropic.com/en/docs/build-with-claude/pdf-support: a base64 PDF → a chat `file` part
    # (what anthropic.py and google.py read back); a plain-text document → its text.
    refuse_unknown(block, ("type", "source", "title", "cache_control"), f"{where}.", API)
    source = block.get("source") if isinstance(block.get("source"), dict) else {}
    if source.get("type") == "base64" and source.get("media_type") == "application/pdf":
        file = {"file_data": f"data:application/pdf;base64,{source.get('data')}"}
        if isinstance(block.get("title"), str):
            file["filename"] = block["title"]
        return _cached(block, {"type": "file", "file": file})
    if source.get("type") == "text":
        return _cached(block, {"type": "text", "text": str(source.get("data") or "")})
    raise Refused(f"{where}.source", "only base64 PDF and text documents are carried")


def _tool_result(block: dict, where: str) -> dict:
    refuse_unknown(block, ("type", "tool_use_id", "content", "is_error", "cache_control"), f"{where}.", API)
    if not isinstance(block.get("tool_use_id"), str):
        raise Refused(f"{where}.tool_use_id", "a tool_result needs the id of its tool_use")
    content = block.get("content")
    if isinstance(content, list):
        content = tool_text(content, f"{where}.content", ("text",))
    text = "" if content is None else str(content)
    if block.get("is_error"):
        # Chat tool messages have no error flag: the result says it in words (tool-use#handling-errors).
        text = f"Error: {text}"
    return {"role": "tool", "tool_call_id": unsigned_id(block["tool_use_id"])[0], "content": text}


def _assistant(blocks: list[tuple[dict, str]]) -> list[dict]:
    """Text → content, thinking → reasoning_content (and thinking_blocks when signed), tool_use → tool_calls."""
    message: dict = {"role": "assistant", "content": None}
    texts, parts, thoughts, signed, calls = [], [], [], [], []
    for block, where in blocks:
        kind = block["type"]
        if kind == "text":
            part = _text_part(block, f"{where}.")
            texts.append(part["text"])
            parts.append(part)
        elif kind in ("thinking", "redacted_thinking"):
            refuse_unknown(block, ("type", "thinking", "signature", "data"), f"{where}.", API)
            thoughts.append(str(block.get("thinking") or ""))
            # A signature (or redacted data) comes from Anthropic, which needs the block back as it was
            # (extended-thinking#preserving-thinking-blocks); thinking we translated has an empty signature.
            if block.get("signature") or kind == "redacted_thinking":
                signed.append(block)
        elif kind == "tool_use":
            refuse_unknown(block, ("type", "id", "name", "input", "cache_control"), f"{where}.", API)
            call_id, extra = unsigned_id(block.get("id"))
            calls.append({"id": call_id, "type": "function", "function": {
                "name": block.get("name"), "arguments": json.dumps(block.get("input") or {}, ensure_ascii=False)}})
            if extra:
                calls[-1]["extra_content"] = extra
        else:
            raise Refused(f"{where}.type", f"a {kind!r} block in an assistant turn has no equivalent in chat "
                                           "completions")
    if parts:
        cached = any("cache_control" in part for part in parts)
        message["content"] = parts if cached else "".join(texts)
    if any(thoughts):
        message["reasoning_content"] = "".join(thoughts)
    if signed:
        message["thinking_blocks"] = signed
    if calls:
        message["tool_calls"] = calls
    return [message]


def _metadata(metadata) -> dict:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise Refused("metadata", "expected an object")
    refuse_unknown(metadata, ("user_id",), "metadata.", API)
    return {"user": metadata["user_id"]} if metadata.get("user_id") is not None else {}


def _service_tier(tier) -> dict:
    if tier is None:
        return {}
    if tier not in SERVICE_TIERS:
        raise Refused("service_tier", f"expected {' or '.join(SERVICE_TIERS)}, got {json.dumps(tier)[:40]}")
    return {"service_tier": SERVICE_TIERS[tier]}


def _tools(body: dict) -> dict:
    """tools → function tools; tool_choice auto/any/tool/none → auto/required/named/none;
    disable_parallel_tool_use → parallel_tool_calls: false (https://docs.anthropic.com/en/docs/build-with-claude/tool-use)."""
    fields: dict = {}
    tools = [_tool(tool, f"tools[{index}]") for index, tool in enumerate(listed(body, "tools"))]
    if tools:
        fields["tools"] = tools
    choice = body.get("tool_choice")
    if choice is None:
        return fields
    if not isinstance(choice, dict):
        raise Refused("tool_choice", "expected an object with a type")
    refuse_unknown(choice, ("type", "name", "disable_parallel_tool_use"), "tool_choice.", API)
    kind = choice.get("type")
    if kind in ("auto", "any", "none"):
        fields["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}[kind]
    elif kind == "tool" and isinstance(choice.get("name"), str):
        fields["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    else:
        raise Refused("tool_choice.type", f"{kind!r} is not auto, any, tool (with a name) or none")
    if choice.get("disable_parallel_tool_use"):
        fields["parallel_tool_calls"] = False
    return fields


def _tool(tool, where: str) -> dict:
    if not isinstance(tool, dict) or tool.get("type") not in (None, "custom"):
        kind = tool.get("type") if isinstance(tool, dict) else None
        raise Refused(f"{where}.type", f"{kind!r} is one of Anthropic's server tools, which only Anthropic runs")
    refuse_unknown(tool, ("type", "name", "description", "input_schema", "cache_control", "strict"), f"{where}.", API)
    if not isinstance(tool.get("name"), str):
        raise Refused(f"{where}.name", "a tool needs a name")
    function = {"name": tool["name"], "parameters": tool.get("input_schema") or {"type": "object", "properties": {}}}
    if tool.get("description"):
        function["description"] = tool["description"]
    if tool.get("strict") is not None:
        function["strict"] = tool["strict"]
    return _cached(tool, {"type": "function", "function": function})


def _thinking(thinking) -> dict:
    """thinking → reasoning_effort (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking):
    enabled with a budget → the effort covering it; disabled → none asked; adaptive (the model decides how
    much to think) → none asked, so the provider's own default applies."""
    if thinking is None:
        return {}
    if not isinstance(thinking, dict):
        raise Refused("thinking", "expected an object with a type")
    kind = thinking.get("type")
    if kind in ("disabled", "adaptive"):
        refuse_unknown(thinking, ("type",), "thinking.", API)
        return {}
    refuse_unknown(thinking, ("type", "budget_tokens"), "thinking.", API)
    budget = thinking.get("budget_tokens")
    if kind != "enabled" or isinstance(budget, bool) or not isinstance(budget, int):
        raise Refused("thinking", "expected {\"type\": \"enabled\", \"budget_tokens\": N}, disabled or adaptive")
    return {"reasoning_effort": effort_for(budget)}


def _output_config(config) -> dict:
    """output_config.effort → reasoning_effort (https://docs.anthropic.com/en/docs/build-with-claude/effort: low,
    medium, high; it wins over a thinking budget, as it governs all of the answer's tokens); output_config.format
    (structured outputs, a JSON schema) → response_format json_schema
    (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs)."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise Refused("output_config", "expected an object")
    refuse_unknown(config, ("effort", "format"), "output_config.", API)
    fields: dict = {}
    effort = config.get("effort")
    if effort is not None:
        if effort not in ("low", "medium", "high"):
            raise Refused("output_config.effort", f"{json.dumps(effort)[:40]} is not low, medium or high")
        fields["reasoning_effort"] = effort
    format_ = config.get("format")
    if format_ is not None:
        if not isinstance(format_, dict) or format_.get("type") != "json_schema" or \
                not isinstance(format_.get("schema"), dict):
            raise Refused("output_config.format", "expected {\"type\": \"json_schema\", \"schema\": {...}}")
        refuse_unknown(format_, ("type", "schema"), "output_config.format.", API)
        fields["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": format_["schema"]}}
    return fields


def _context_management(management) -> None:
    """context_management asks Anthropic to clear old context (https://docs.anthropic.com/en/docs/build-with-claude/context-editing).
    Accepted only when it clears nothing: thinking cleared with `keep: all` (what Claude Code sends), which is
    what a chat provider does anyway; any other edit is refused."""
    if management is None:
        return
    if not isinstance(management, dict):
        raise Refused("context_management", "expected an object")
    refuse_unknown(management, ("edits",), "context_management.", API)
    for index, edit in enumerate(listed(management, "edits", "context_management.")):
        keep = edit.get("keep") if isinstance(edit, dict) else None
        if not (isinstance(edit, dict) and edit.get("type") == "clear_thinking_20251015"
                and keep in ("all", {"type": "all"}) and set(edit) <= {"type", "keep"}):
            raise Refused(f"context_management.edits[{index}]", "only clearing nothing (clear_thinking with keep "
                                                                "all) can be carried: chat providers edit no context")


# ---- answers ------------------------------------------------------------------------------------

def usage_of(usage: dict | None) -> dict:
    """Normalized usage → Anthropic's: `input_tokens` without cache reads and writes, which are apart."""
    usage = usage or {}
    details = usage.get("prompt_tokens_details") or {}
    cached, written = details.get("cached_tokens") or 0, details.get("cache_write_tokens") or 0
    return {"input_tokens": max((usage.get("prompt_tokens") or 0) - cached - written, 0),
            "cache_creation_input_tokens": written, "cache_read_input_tokens": cached,
            "output_tokens": usage.get("completion_tokens") or 0}


def message_of(completion: dict, model: str, who: str) -> dict:
    """An OpenAI chat.completion → an Anthropic message (thinking, text, tool_use blocks, in that order)."""
    choice = (completion.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    content = list(message.get("thinking_blocks") or [])
    if not content and reasoning_of(message):
        content.append({"type": "thinking", "thinking": reasoning_of(message), "signature": ""})
    text = message.get("content")
    if isinstance(text, list):
        text = "".join(str(part.get("text") or "") for part in text if isinstance(part, dict))
    if text:
        content.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        content.append({"type": "tool_use", "id": signed_id(call), "name": function.get("name"),
                        "input": arguments_object(who, function.get("arguments"))})
    return {"id": new_id("msg_"), "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": STOP_REASONS.get(choice.get("finish_reason"), "end_turn"), "stop_sequence": None,
            "usage": usage_of(completion.get("usage"))}


class MessagesEvents:
    """OpenAI chat chunks → Anthropic's stream events, as (event name, payload): message_start and ping,
    one content block per kind in turn (thinking, text, each tool_use with its input_json_delta fragments),
    then message_delta with the stop reason and the usage (cumulative, as Anthropic's is) and message_stop.
    The input side of usage is known only at the end, so message_start carries zeros and message_delta
    all counts (the SDKs take each count message_delta carries: messages-streaming#event-types)."""

    def __init__(self, model: str):
        self.model = model
        self.index = -1  # the content block open now (-1: none yet)
        self.open: str | None = None  # its kind: "thinking", "text", "tool"
        self.tools: dict[int, int] = {}  # chat tool-call index → content block index
        self.stop_reason = "end_turn"

    def start(self) -> list[tuple[str, dict]]:
        message = {"id": new_id("msg_"), "type": "message", "role": "assistant", "model": self.model, "content": [],
                   "stop_reason": None, "stop_sequence": None, "usage": usage_of(None)}
        return [("message_start", {"type": "message_start", "message": message}), ("ping", {"type": "ping"})]

    def feed(self, chunk: dict) -> list[tuple[str, dict]]:
        events: list[tuple[str, dict]] = []
        for choice in (chunk.get("choices") or [])[:1]:
            delta = choice.get("delta") or {}
            if reasoning_of(delta):
                events += self._block("thinking", {"type": "thinking", "thinking": "", "signature": ""})
                events.append(self._delta(self.index, {"type": "thinking_delta", "thinking": reasoning_of(delta)}))
            for block in delta.get("thinking_blocks") or ():
                events += self._signed(block)
            if isinstance(delta.get("content"), str) and delta["content"]:
                events += self._block("text", {"type": "text", "text": ""})
                events.append(self._delta(self.index, {"type": "text_delta", "text": delta["content"]}))
            for call in delta.get("tool_calls") or ():
                events += self._tool_call(call)
            if choice.get("finish_reason"):
                self.stop_reason = STOP_REASONS.get(choice["finish_reason"], "end_turn")
        return events

    def finish(self, usage: dict | None) -> list[tuple[str, dict]]:
        return self._close() + [
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": self.stop_reason,
                                                                  "stop_sequence": None}, "usage": usage_of(usage)}),
            ("message_stop", {"type": "message_stop"})]

    def failed(self, error: dict) -> list[tuple[str, dict]]:
        """A fault after the stream began: Anthropic's own `error` event (messages-streaming#error-events)."""
        return [("error", error)]

    def _signed(self, block: dict) -> list[tuple[str, dict]]:
        # A finished signed thinking block (from a provider that signs): its signature closes our thinking block.
        if block.get("type") == "thinking" and self.open == "thinking" and block.get("signature"):
            return [self._delta(self.index, {"type": "signature_delta", "signature": block["signature"]})]
        if block.get("type") == "redacted_thinking":
            return self._block("redacted", block) + self._close()
        return []

    def _tool_call(self, call: dict) -> list[tuple[str, dict]]:
        events = []
        number = call.get("index", 0)
        function = call.get("function") or {}
        if number not in self.tools:
            events += self._block("tool", {"type": "tool_use", "id": signed_id(call),
                                           "name": function.get("name"), "input": {}}, force=True)
            self.tools[number] = self.index
        if function.get("arguments"):
            events.append(self._delta(self.tools[number], {"type": "input_json_delta",
                                                           "partial_json": function["arguments"]}))
        return events

    def _block(self, kind: str, block: dict, force: bool = False) -> list[tuple[str, dict]]:
        """Open a block of `kind` unless one is open already (a tool call always opens its own)."""
        if self.open == kind and not force:
            return []
        events = self._close()
        self.index += 1
        self.open = kind
        return events + [("content_block_start", {"type": "content_block_start", "index": self.index,
                                                  "content_block": block})]

    def _close(self) -> list[tuple[str, dict]]:
        if self.open is None:
            return []
        self.open = None
        return [("content_block_stop", {"type": "content_block_stop", "index": self.index})]

    @staticmethod
    def _delta(index: int, delta: dict) -> tuple[str, dict]:
        return "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
