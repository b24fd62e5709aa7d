"""Pure: OpenAI's Responses API ⇄ our chat shape, for /v1/responses served by a provider without it.

https://platform.openai.com/docs/api-reference/responses/create. `input` (a string, or message,
function_call, function_call_output and reasoning items) and `instructions` become chat messages; function
tools, tool_choice, reasoning and text.format their chat fields, so each wire format's own rules then
apply (chat completions, Anthropic Messages, Gemini). The chat answer becomes a Response object, and a chat
stream Responses' event sequence (https://platform.openai.com/docs/api-reference/responses-streaming).
llms keeps no responses: `previous_response_id` and `conversation` are refused, `store` is answered false.
A field with no equivalent is refused by name (docs/wire-formats.md, "/v1/responses").
"""

from __future__ import annotations

import base64
import json
import time

from llms.providers.base import ProviderError
from llms.providers.shapes import reasoning_of
from llms.providers.translation import Refused, listed, new_id, refuse_unknown, signed_id, tool_text, unsigned_id

__all__ = ["chat_body", "messages_of", "response_of", "usage_of", "ResponseEvents", "REQUEST_FIELDS", "ENCRYPTED_PREFIX"]

API = "Responses"
REQUEST_FIELDS = ("model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "reasoning",
                  "text", "max_output_tokens", "temperature", "top_p", "user", "safety_identifier",
                  "prompt_cache_key", "service_tier", "metadata", "stream", "store", "include", "stream_options",
                  "truncation", "background", "max_tool_calls", "client_metadata")
# Fields taken under the chat name they have in chat completions (chat/create documents each).
SAME_NAME = ("temperature", "top_p", "user", "safety_identifier", "prompt_cache_key", "service_tier", "metadata",
             "parallel_tool_calls", "stream")
NOT_STORED = "llms keeps no responses (every answer says \"store\": false): send the whole conversation in `input`"
# Signed reasoning (Anthropic's thinking blocks) travels to the client and back as a reasoning item's
# encrypted_content: this prefix and the blocks as base64 JSON, read back by chat_body.
ENCRYPTED_PREFIX = "llms.thinking_blocks."
INCLUDABLE = ("reasoning.encrypted_content",)


def chat_body(body: dict) -> dict:
    """A Responses request → our chat body; Refused names what cannot be carried."""
    if body.get("previous_response_id") is not None:
        raise Refused("previous_response_id", NOT_STORED)
    if body.get("conversation") is not None:
        raise Refused("conversation", NOT_STORED)
    refuse_unknown(body, REQUEST_FIELDS, "", API)
    _neutral(body)
    chat: dict = {"model": body["model"], "messages": messages_of(body)}
    for name in SAME_NAME:
        if body.get(name) is not None:
            chat[name] = body[name]
    if body.get("max_output_tokens") is not None:
        chat["max_completion_tokens"] = body["max_output_tokens"]
    tools = [_tool(tool, f"tools[{index}]") for index, tool in enumerate(listed(body, "tools"))]
    if tools:
        chat["tools"] = tools
    if body.get("tool_choice") is not None:
        chat["tool_choice"] = _tool_choice(body["tool_choice"])
    chat.update(_reasoning(body.get("reasoning")))
    chat.update(_text(body.get("text")))
    return chat


def messages_of(body: dict) -> list[dict]:
    """`instructions` and `input` as chat messages; Refused names an item that cannot be one."""
    messages = [{"role": "system", "content": body["instructions"]}] if body.get("instructions") else []
    return messages + _input(body.get("input"))


def _neutral(body: dict) -> None:
    """Fields accepted only at the value that asks for what a translated call does anyway. Accepted at any value:
    `store` (nothing is kept either way), `stream_options` (its one option pads deltas against network
    eavesdropping; llms sends none), `max_tool_calls` (it limits hosted tool calls, and none are carried) and
    `client_metadata` (Codex's description of itself for the server it talks to, which is llms; it is not model
    input at OpenAI either)."""
    if body.get("background"):
        raise Refused("background", "background responses are kept for polling, and llms keeps no responses")
    if body.get("truncation") not in (None, "disabled"):
        raise Refused("truncation", "only \"disabled\" (the default) is carried: llms does not drop input items")
    for index, name in enumerate(listed(body, "include")):
        if name not in INCLUDABLE:
            raise Refused(f"include[{index}]", f"{name!r} is not carried; only {', '.join(INCLUDABLE)}")


def _input(value) -> list[dict]:
    if value is None:
        raise Refused("input", "Field required")
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if not isinstance(value, list):
        raise Refused("input", "expected a string or a list of items")
    messages: list[dict] = []
    reasoning: dict | None = None  # a reasoning item, waiting for the assistant turn it led to
    for index, item in enumerate(value):
        where = f"input[{index}]"
        if not isinstance(item, dict):
            raise Refused(where, "expected an item object")
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "reasoning":
            reasoning = _reasoning_item(item, where)
            continue
        if kind == "message" and item.get("role") != "assistant":
            message = _message(item, where)
        elif kind == "function_call_output":
            message = _call_output(item, where)
        elif kind in ("message", "function_call"):
            message = _assistant_turn(messages, item, where)
        else:
            raise Refused(f"{where}.type", f"{kind!r} items are not carried (message, function_call, "
                                           "function_call_output and reasoning are)")
        if reasoning is not None and message.get("role") == "assistant":
            message.update(reasoning)
            reasoning = None
        if message is not (messages[-1] if messages else None):
            messages.append(message)
    if reasoning is not None:
        raise Refused(f"input[{len(value) - 1}]", "a reasoning item must come before the message or "
                                                  "function_call it led to")
    return messages


def _message(item: dict, where: str) -> dict:
    refuse_unknown(item, ("type", "role", "content", "id", "status"), f"{where}.", API)
    role = item.get("role")
    if role not in ("user", "system", "developer"):
        raise Refused(f"{where}.role", f"{role!r} is not user, assistant, system or developer")
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise Refused(f"{where}.content", "expected a string or a list of content parts")
    return {"role": role, "content": [_input_part(part, f"{where}.content[{n}]") for n, part in enumerate(content)]}


def _input_part(part, where: str) -> dict:
    kind = part.get("type") if isinstance(part, dict) else None
    if kind in ("input_text", "output_text"):
        return {"type": "text", "text": str(part.get("text") or "")}
    if kind == "input_image":
        refuse_unknown(part, ("type", "image_url", "detail"), f"{where}.", API)  # file_id: OpenAI's storage
        image = {"url": part.get("image_url")}
        if part.get("detail"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    if kind == "input_file":
        refuse_unknown(part, ("type", "file_data", "filename"), f"{where}.", API)  # file_id / file_url: OpenAI's
        file = {"file_data": part.get("file_data")}
        if part.get("filename"):
            file["filename"] = part["filename"]
        return {"type": "file", "file": file}
    raise Refused(f"{where}.type", f"{kind!r} parts are not carried (input_text, input_image, input_file are)")


def _assistant_turn(messages: list[dict], item: dict, where: str) -> dict:
    """An assistant message or a function_call: consecutive ones are one chat assistant message (text, then
    its tool_calls), since chat answers a turn's calls together."""
    last = messages[-1] if messages else None
    message = last if last is not None and last.get("role") == "assistant" else {"role": "assistant",
                                                                                   "content": None}
    if item.get("type") == "function_call":
        refuse_unknown(item, ("type", "call_id", "name", "arguments", "id", "status"), f"{where}.", API)
        if not isinstance(item.get("call_id"), str) or not isinstance(item.get("name"), str):
            raise Refused(where, "a function_call needs its call_id and name")
        call_id, extra = unsigned_id(item["call_id"])
        call = {"id": call_id, "type": "function", "function": {"name": item["name"],
                                                                "arguments": item.get("arguments") or "{}"}}
        message.setdefault("tool_calls", []).append(call | ({"extra_content": extra} if extra else {}))
        return message
    if message.get("tool_calls"):  # text after the calls starts the next assistant message
        message = {"role": "assistant", "content": None}
    refuse_unknown(item, ("type", "role", "content", "id", "status", "phase"), f"{where}.", API)
    content = item.get("content")
    if isinstance(content, list):
        texts = []
        for number, part in enumerate(content):
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "refusal":
                message["refusal"] = part.get("refusal")
            elif kind in ("output_text", "input_text"):
                texts.append(str(part.get("text") or ""))
            else:
                raise Refused(f"{where}.content[{number}].type", f"{kind!r} is not output_text or refusal")
        content = "".join(texts)
    message["content"] = (message.get("content") or "") + (content or "") or None
    return message


def _call_output(item: dict, where: str) -> dict:
    refuse_unknown(item, ("type", "call_id", "output", "id", "status"), f"{where}.", API)
    if not isinstance(item.get("call_id"), str):
        raise Refused(f"{where}.call_id", "a function_call_output needs the call_id of its function_call")
    output = item.get("output")
    if isinstance(output, list):
        output = tool_text(output, f"{where}.output", ("input_text", "output_text"))
    return {"role": "tool", "tool_call_id": unsigned_id(item["call_id"])[0],
            "content": "" if output is None else str(output)}


def _reasoning_item(item: dict, where: str) -> dict:
    """A reasoning item → the next assistant message's reasoning_content (its summary or text) and, when it
    carries signed thinking we sent (encrypted_content), its thinking_blocks, which Anthropic needs back."""
    refuse_unknown(item, ("type", "id", "summary", "content", "encrypted_content", "status"), f"{where}.", API)
    texts = [str(part.get("text") or "") for part in (item.get("content") or item.get("summary") or ())
             if isinstance(part, dict)]
    fields = {"reasoning_content": "".join(texts)} if any(texts) else {}
    encrypted = item.get("encrypted_content")
    if encrypted is not None:
        if not isinstance(encrypted, str) or not encrypted.startswith(ENCRYPTED_PREFIX):
            raise Refused(f"{where}.encrypted_content", "this reasoning was encrypted by another server; only "
                                                        "that server can read it")
        try:
            fields["thinking_blocks"] = json.loads(base64.b64decode(encrypted[len(ENCRYPTED_PREFIX):]))
        except ValueError:
            raise Refused(f"{where}.encrypted_content", "not the reasoning llms sent") from None
    return fields


def _tool(tool, where: str) -> dict:
    if not isinstance(tool, dict) or tool.get("type") != "function":
        kind = tool.get("type") if isinstance(tool, dict) else None
        raise Refused(f"{where}.type", f"{kind!r} tools run at OpenAI; only function tools are carried")
    refuse_unknown(tool, ("type", "name", "description", "parameters", "strict"), f"{where}.", API)
    function = {"name": tool.get("name"), "parameters": tool.get("parameters") or {"type": "object",
                                                                                   "properties": {}}}
    for name in ("description", "strict"):
        if tool.get(name) is not None:
            function[name] = tool[name]
    return {"type": "function", "function": function}


def _tool_choice(choice):
    if choice in ("auto", "none", "required"):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function" and isinstance(choice.get("name"), str):
        refuse_unknown(choice, ("type", "name"), "tool_choice.", API)
        return {"type": "function", "function": {"name": choice["name"]}}
    raise Refused("tool_choice", f"{json.dumps(choice)[:60]} is not auto, none, required or a function")


def _reasoning(reasoning) -> dict:
    """reasoning.effort → reasoning_effort. reasoning.summary asks for a summary of the reasoning: the
    provider's reasoning text is given as the reasoning item's summary_text whenever it sends some."""
    if reasoning is None:
        return {}
    if not isinstance(reasoning, dict):
        raise Refused("reasoning", "expected an object")
    refuse_unknown(reasoning, ("effort", "summary", "generate_summary"), "reasoning.", API)
    return {"reasoning_effort": reasoning["effort"]} if reasoning.get("effort") is not None else {}


def _text(text) -> dict:
    """text.format → response_format; text.verbosity → verbosity (https://platform.openai.com/docs/guides/structured-outputs)."""
    if text is None:
        return {}
    if not isinstance(text, dict):
        raise Refused("text", "expected an object")
    refuse_unknown(text, ("format", "verbosity"), "text.", API)
    fields = {"verbosity": text["verbosity"]} if text.get("verbosity") is not None else {}
    format_ = text.get("format")
    kind = format_.get("type") if isinstance(format_, dict) else None
    if format_ is None or kind == "text":
        return fields
    if kind == "json_object":
        return fields | {"response_format": {"type": "json_object"}}
    if kind == "json_schema":
        refuse_unknown(format_, ("type", "name", "schema", "strict", "description"), "text.format.", API)
        spec = {key: format_[key] for key in ("name", "schema", "strict", "description") if key in format_}
        return fields | {"response_format": {"type": "json_schema", "json_schema": spec}}
    raise Refused("text.format.type", f"{kind!r} is not text, json_object or json_schema")


# ---- answers ------------------------------------------------------------------------------------

def usage_of(usage: dict | None) -> dict | None:
    """Normalized usage → Responses' (https://platform.openai.com/docs/api-reference/responses/object#usage)."""
    if usage is None:
        return None
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return {"input_tokens": usage.get("prompt_tokens") or 0,
            "input_tokens_details": {"cached_tokens": prompt_details.get("cached_tokens") or 0,
                                     "cache_write_tokens": prompt_details.get("cache_write_tokens") or 0},
            "output_tokens": usage.get("completion_tokens") or 0,
            "output_tokens_details": {"reasoning_tokens": completion_details.get("reasoning_tokens") or 0},
            "total_tokens": (usage.get("prompt_tokens") or 0) + (usage.get("completion_tokens") or 0)}


def _status(finish_reason: str | None) -> tuple[str, dict | None]:
    # A cut answer is "incomplete" with its reason (responses/object#incomplete_details).
    if finish_reason == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    if finish_reason == "content_filter":
        return "incomplete", {"reason": "content_filter"}
    return "completed", None


class Response:
    """The Response object of one request: what the client asked (echoed as OpenAI echoes it) and, as they
    finish, its output items."""

    def __init__(self, body: dict):
        self.body = body
        self.id = new_id("resp_")
        self.created_at = int(time.time())
        self.encrypted = "reasoning.encrypted_content" in (body.get("include") or ())

    def object(self, status: str, output: list[dict], usage: dict | None = None, *,
               incomplete: dict | None = None, error: dict | None = None) -> dict:
        body = self.body
        return {"id": self.id, "object": "response", "created_at": self.created_at, "status": status,
                "error": error, "incomplete_details": incomplete, "instructions": body.get("instructions"),
                "max_output_tokens": body.get("max_output_tokens"), "model": body["model"], "output": output,
                "parallel_tool_calls": body.get("parallel_tool_calls", True), "previous_response_id": None,
                "reasoning": body.get("reasoning") or {"effort": None, "summary": None}, "store": False,
                "temperature": body.get("temperature"), "text": body.get("text") or {"format": {"type": "text"}},
                "tool_choice": body.get("tool_choice") or "auto", "tools": body.get("tools") or [],
                "top_p": body.get("top_p"), "truncation": "disabled", "usage": usage_of(usage),
                "user": body.get("user"), "metadata": body.get("metadata") or {}}

    def reasoning_item(self, item_id: str, text: str, blocks: list, status: str = "completed") -> dict:
        item = {"type": "reasoning", "id": item_id, "status": status,
                "summary": [{"type": "summary_text", "text": text}] if text else []}
        if self.encrypted and blocks:
            item["encrypted_content"] = ENCRYPTED_PREFIX + base64.b64encode(json.dumps(blocks).encode()).decode()
        return item


def _message_item(item_id: str, text: str, status: str = "completed") -> dict:
    content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}] if status == "completed" \
        else []
    return {"type": "message", "id": item_id, "status": status, "role": "assistant", "content": content}


def _call_item(item_id: str, call_id: str, name: str, arguments: str, status: str = "completed") -> dict:
    return {"type": "function_call", "id": item_id, "call_id": call_id, "name": name, "arguments": arguments,
            "status": status}


def response_of(completion: dict, body: dict) -> dict:
    """An OpenAI chat.completion → the Response object (reasoning, message, function_call items)."""
    response = Response(body)
    choice = (completion.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    output = []
    if reasoning_of(message) or message.get("thinking_blocks"):
        output.append(response.reasoning_item(new_id("rs_"), reasoning_of(message), message.get("thinking_blocks")))
    text = message.get("content")
    if isinstance(text, list):
        text = "".join(str(part.get("text") or "") for part in text if isinstance(part, dict))
    if text:
        output.append(_message_item(new_id("msg_"), text))
    if message.get("refusal"):
        output.append({**_message_item(new_id("msg_"), "", "in_progress"), "status": "completed",
                       "content": [{"type": "refusal", "refusal": message["refusal"]}]})
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        output.append(_call_item(new_id("fc_"), signed_id(call), function.get("name"),
                                 function.get("arguments") or "{}"))
    status, incomplete = _status(choice.get("finish_reason"))
    return response.object(status, output, completion.get("usage"), incomplete=incomplete)


class ResponseEvents:
    """OpenAI chat chunks → Responses stream events, as (event name, payload): response.created and
    response.in_progress; each output item opened by output_item.added, filled by its deltas (reasoning
    summary text, output_text in a content part, function_call_arguments) and closed by its .done events and
    output_item.done; then response.completed (or response.incomplete) with the usage, or response.failed."""

    def __init__(self, body: dict):
        self.response = Response(body)
        self.sequence = 0
        self.output: list[dict] = []  # finished items
        self.open: dict | None = None  # {"kind", "id", "text", "blocks", "call"}: the item being streamed
        self.calls: dict[int, dict] = {}  # chat tool-call index → its item state
        self.finish_reason: str | None = None

    def _event(self, kind: str, **payload) -> tuple[str, dict]:
        event = (kind, {"type": kind, "sequence_number": self.sequence, **payload})
        self.sequence += 1
        return event

    def start(self) -> list[tuple[str, dict]]:
        started = self.response.object("in_progress", [])
        return [self._event("response.created", response=started),
                self._event("response.in_progress", response=started)]

    def feed(self, chunk: dict) -> list[tuple[str, dict]]:
        events: list[tuple[str, dict]] = []
        for choice in (chunk.get("choices") or [])[:1]:
            delta = choice.get("delta") or {}
            reasoning = reasoning_of(delta)
            if reasoning or delta.get("thinking_blocks"):
                events += self._item("reasoning")
                self.open["blocks"] += delta.get("thinking_blocks") or []
            if reasoning:
                self.open["text"] += reasoning
                events.append(self._event("response.reasoning_summary_text.delta", **_where(self.open),
                                          summary_index=0, delta=reasoning))
            if isinstance(delta.get("content"), str) and delta["content"]:
                events += self._item("message")
                self.open["text"] += delta["content"]
                events.append(self._event("response.output_text.delta", **_where(self.open), content_index=0,
                                          delta=delta["content"], logprobs=[]))
            for call in delta.get("tool_calls") or ():
                events += self._tool_call(call)
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
        return events

    def finish(self, usage: dict | None) -> list[tuple[str, dict]]:
        events = self._close()
        status, incomplete = _status(self.finish_reason)
        final = self.response.object(status, self.output, usage, incomplete=incomplete)
        return events + [self._event("response.completed" if status == "completed" else "response.incomplete",
                                     response=final)]

    def failed(self, error: dict) -> list[tuple[str, dict]]:
        """A fault after the stream began: response.failed with the error (code and message, as OpenAI's)."""
        detail = error.get("error") or {}
        failed = self.response.object("failed", self.output, error={
            "code": detail.get("code") or "server_error", "message": detail.get("message") or ""})
        return [self._event("response.failed", response=failed)]

    def _open(self, kind: str, prefix: str, **state) -> dict:
        self.open = {"kind": kind, "id": new_id(prefix), "index": len(self.output), "text": "", **state}
        return self.open

    def _item(self, kind: str) -> list[tuple[str, dict]]:
        """Open an item of `kind` unless one is open already."""
        if self.open is not None and self.open["kind"] == kind:
            return []
        events = self._close()
        if kind == "reasoning":
            state = self._open(kind, "rs_", blocks=[])
            item = self.response.reasoning_item(state["id"], "", [], "in_progress")
            part = {"type": "summary_text", "text": ""}
            return events + [self._event("response.output_item.added", output_index=state["index"], item=item),
                             self._event("response.reasoning_summary_part.added", **_where(state), summary_index=0,
                                         part=part)]
        state = self._open(kind, "msg_")
        return events + [
            self._event("response.output_item.added", output_index=state["index"],
                        item=_message_item(state["id"], "", "in_progress")),
            self._event("response.content_part.added", **_where(state), content_index=0,
                        part={"type": "output_text", "text": "", "annotations": [], "logprobs": []})]

    def _tool_call(self, call: dict) -> list[tuple[str, dict]]:
        events = []
        number = call.get("index", 0)
        function = call.get("function") or {}
        if number not in self.calls:
            events += self._close()
            state = self.calls[number] = self._open("function_call", "fc_", call=signed_id(call),
                                                    name=function.get("name"))
            item = _call_item(state["id"], state["call"], state["name"], "", "in_progress")
            events.append(self._event("response.output_item.added", output_index=state["index"], item=item))
        state = self.calls[number]
        if function.get("arguments") and state is not self.open:
            # Chat sends one call's fragments before the next call starts; a fragment of an item already
            # closed cannot be streamed any more: the provider's stream is malformed.
            raise ProviderError("malformed", 502, f"tool call {number}'s arguments went on after the next call began")
        if function.get("arguments"):
            state["text"] += function["arguments"]
            events.append(self._event("response.function_call_arguments.delta", **_where(state),
                                      delta=function["arguments"]))
        return events

    def _close(self) -> list[tuple[str, dict]]:
        state, self.open = self.open, None
        if state is None:
            return []
        where, text = _where(state), state["text"]
        if state["kind"] == "reasoning":
            item = self.response.reasoning_item(state["id"], text, state["blocks"])
            events = [self._event("response.reasoning_summary_text.done", **where, summary_index=0, text=text),
                      self._event("response.reasoning_summary_part.done", **where, summary_index=0,
                                  part={"type": "summary_text", "text": text})]
        elif state["kind"] == "message":
            item = _message_item(state["id"], text)
            events = [self._event("response.output_text.done", **where, content_index=0, text=text, logprobs=[]),
                      self._event("response.content_part.done", **where, content_index=0, part=item["content"][0])]
        else:
            item = _call_item(state["id"], state["call"], state["name"], text or "{}")
            events = [self._event("response.function_call_arguments.done", **where, arguments=text or "{}")]
        self.output.append(item)
        return events + [self._event("response.output_item.done", output_index=where["output_index"], item=item)]


def _where(state: dict) -> dict:
    return {"item_id": state["id"], "output_index": state["index"]}
