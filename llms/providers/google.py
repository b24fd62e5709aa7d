"""Gemini generateContent / streamGenerateContent: https://ai.google.dev/api/generate-content

Pure: builds the upstream request and translates replies into OpenAI's shapes; `transport.py`
does the I/O. Tools, tool results, thought signatures, structured output, thinking, logprobs, PDFs and
audio are translated; a request field Gemini cannot carry is refused with a 400 naming it
(docs/wire-formats.md lists each).
"""

from __future__ import annotations

import json
import time
import urllib.parse

from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.providers.shapes import (bad_request, chunk, completion, data_url, error_fields, error_text, final_chunk,
                                   load_json, malformed, map_parts, message_hints, refuse_untranslatable, new_id, turns,
                                   unsupported,
                                   usage_or_malformed)
from llms.providers.usage import normalized, token_count

__all__ = ["WIRE", "GoogleWire", "GeminiStream", "GENERATION_CONFIG", "THINKING_BUDGETS", "normalize_usage",
           "TYPES", "USAGE_FORMAT", "PRICE_DATA_IDS", "dropped_params"]

NAME = "google"
# For the registry (llms/providers/registry.py): llms.json types, usage shape, genai-prices ids that differ from ours.
TYPES = ("google",)
USAGE_FORMAT = "gemini"
PRICE_DATA_IDS = {"gemini": "google"}

# OpenAI request field → GenerationConfig field. https://ai.google.dev/api/generate-content#generationconfig
GENERATION_CONFIG = {"temperature": "temperature", "top_p": "topP", "top_k": "topK", "n": "candidateCount",
                     "presence_penalty": "presencePenalty", "frequency_penalty": "frequencyPenalty",
                     "seed": "seed"}

# OpenAI request fields translated here; `stream_options` is the server's. Every sampling hint has a
# GenerationConfig field; only hints inside messages are dropped on purpose (dropped_params).
TRANSLATED = ("model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "stop",
              "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "logprobs",
              "top_logprobs", "service_tier", *GENERATION_CONFIG)
# OpenAI's service_tier → the request's serviceTier (https://ai.google.dev/gemini-api/docs/flex-inference,
# https://ai.google.dev/gemini-api/docs/priority-inference; the google-genai SDK's ServiceTier values). "auto" is
# the project's default: nothing sent (Gemini's default is standard); scale has no equivalent (refused). The tier
# that served the request comes back as usageMetadata.serviceTier, given to the client as OpenAI's `service_tier`.
SERVICE_TIERS = {"auto": None, "default": "standard", "flex": "flex", "priority": "priority"}
# Accepted only with the value that asks for what Gemini does anyway; any other value is a 400.
NEUTRAL_VALUES = {"store": False, "modalities": ["text"]}
# reasoning_effort → thinkingConfig.thinkingBudget, Google's own mapping for this OpenAI field
# (https://ai.google.dev/gemini-api/docs/openai#thinking); "none" turns thinking off (budget 0).
THINKING_BUDGETS = {"none": 0, "minimal": 1024, "low": 1024, "medium": 8192, "high": 24576}
# input_audio.format → MIME type (https://ai.google.dev/gemini-api/docs/audio#supported-formats)
AUDIO_TYPES = {"wav": "audio/wav", "mp3": "audio/mp3"}

# https://ai.google.dev/api/generate-content#FinishReason
FILTERED = {"SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}


# Hints inside the messages Gemini has no field for, dropped on purpose and listed: a participant's `name`, an
# image's `detail` (Gemini picks the resolution: media_resolution is per request), `cache_control` (Gemini caches
# prefixes by itself: https://ai.google.dev/gemini-api/docs/caching#implicit-caching).
DROPPED_MESSAGE_HINTS = ("messages[].name", "image_url.detail", "cache_control")
# OpenAI's prompt_cache_key steers OpenAI's cache routing and changes no answer
# (https://platform.openai.com/docs/guides/prompt-caching); Gemini's implicit caching needs none: dropped, listed.
DROPPED_CACHE_HINTS = ("prompt_cache_key",)


def dropped_params(body: dict) -> list[str]:
    """The message hints this body uses that Gemini has no field for (the proxy lists them to the client)."""
    return [name for name in DROPPED_CACHE_HINTS if body.get(name) is not None] + message_hints(body, DROPPED_MESSAGE_HINTS)


def normalize_usage(raw: dict | None) -> dict | None:
    """Gemini `usageMetadata`.

    https://ai.google.dev/api/generate-content#UsageMetadata: `promptTokenCount` INCLUDES
    `cachedContentTokenCount`; `toolUsePromptTokenCount` is further input; output is
    `candidatesTokenCount + thoughtsTokenCount` (thoughts are billed as output).
    """
    if not raw:
        return None
    thoughts = token_count(raw.get("thoughtsTokenCount"))
    return normalized(
        prompt=token_count(raw.get("promptTokenCount")) + token_count(raw.get("toolUsePromptTokenCount")),
        completion=token_count(raw.get("candidatesTokenCount")) + thoughts,
        cached=token_count(raw.get("cachedContentTokenCount")),
        cache_write=0,
        reasoning=thoughts,
    )

class GoogleWire:
    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest:
        refuse_untranslatable(NAME, body, (*TRANSLATED, *DROPPED_CACHE_HINTS), NEUTRAL_VALUES,
                              "Gemini generateContent", "https://ai.google.dev/api/generate-content")
        system, contents = _contents(body.get("messages") or [])
        payload: dict = {"contents": contents, **_tooling(body), **_service_tier(body)}
        if system:
            payload["systemInstruction"] = {"parts": [{"text": system}]}
        config = _generation_config(body)
        if config:
            payload["generationConfig"] = config
        model = urllib.parse.quote(target.provider_model.removeprefix("models/"), safe="-._")
        call = "streamGenerateContent?alt=sse" if stream else "generateContent"
        headers = {**target.headers, "x-goog-api-key": target.api_key or "", "Content-Type": "application/json"}
        return UpstreamRequest(f"{target.base_url.rstrip('/')}/models/{model}:{call}", headers, payload)

    def parse_completion(self, data: dict, model: str) -> dict:
        response = _response(data, "response")
        choices = []
        if _blocked(response):
            choices.append({"index": 0, "message": {"role": "assistant", "content": ""},
                            "finish_reason": "content_filter"})
        response_id = _id(response)
        for position, candidate in enumerate(_candidates(response)):
            index = candidate.get("index", position)
            texts, thoughts = _texts(candidate)
            message = {"role": "assistant", "content": texts}
            if thoughts:
                message["reasoning_content"] = thoughts
            calls = _tool_calls(candidate, response_id, index, 0)
            if calls:
                message["tool_calls"] = calls
            choice = {"index": index, "message": message,
                      "finish_reason": "tool_calls" if calls else _finish_reason(candidate.get("finishReason")) or "stop"}
            if candidate.get("logprobsResult") is not None:
                choice["logprobs"] = _logprobs(candidate["logprobsResult"])
            choices.append(choice)
        usage = usage_or_malformed(NAME, normalize_usage, response.get("usageMetadata"))
        result = completion(response_id, int(time.time()), model, choices, usage)
        tier = _served_tier(response.get("usageMetadata"))
        return result | ({"service_tier": tier} if tier else {})

    def new_stream(self, model: str) -> GeminiStream:
        return GeminiStream(model)

    def error_message(self, status: int, data: object) -> str:
        # https://ai.google.dev/gemini-api/docs/troubleshooting: {"error": {"code", "message", "status"}},
        # wrapped in a list by the streaming endpoint.
        if isinstance(data, list) and data:
            data = data[0]
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            kind = error.get("status")
            return f"{error['message']} ({kind})" if isinstance(kind, str) else error["message"]
        return error_text(status, data)


class GeminiStream:
    """streamGenerateContent?alt=sse: every event is a whole GenerateContentResponse.

    `usageMetadata` in stream chunks is cumulative: the last one is kept, never summed. There is no
    [DONE]: the stream is complete once every candidate seen has a finishReason (or the prompt was
    blocked).
    """

    def __init__(self, model: str):
        self.model = model
        self.id: str | None = None
        self.created = int(time.time())
        self.raw_usage: dict | None = None
        self.started: set[int] = set()
        self.finished: set[int] = set()
        self.tool_calls: dict[int, int] = {}  # candidate index → tool calls sent so far
        self.blocked = False
        self.tier: str | None = None  # usageMetadata.serviceTier, once a chunk said it

    def feed(self, event: str, data: str) -> list[dict]:
        response = _response(load_json(NAME, "stream chunk", data), "stream chunk")
        self.id = self.id or _id(response)
        if response.get("usageMetadata") is not None:
            usage_or_malformed(NAME, normalize_usage, response["usageMetadata"])  # refuse bad counts now
            self.raw_usage = response["usageMetadata"]
            self.tier = _served_tier(self.raw_usage) or self.tier
        choices = []
        if _blocked(response):
            self.blocked = True
            choices.append({"index": 0, "delta": {"role": "assistant"}, "finish_reason": "content_filter"})
        choices += [choice for position, candidate in enumerate(_candidates(response))
                    if (choice := self._choice(position, candidate))]
        return [self._tiered(chunk(self.id, self.created, self.model, choices))] if choices else []

    def finish(self) -> dict:
        if not self.blocked and (not self.started or self.finished != self.started):
            raise ProviderError("cut", 502, f"{NAME} ended the stream before a finishReason")
        usage = usage_or_malformed(NAME, normalize_usage, self.raw_usage)
        return self._tiered(final_chunk(self.id, self.created, self.model, usage))

    def _tiered(self, result: dict) -> dict:
        return result | ({"service_tier": self.tier} if self.tier else {})  # once known, on every chunk as OpenAI

    def _choice(self, position: int, candidate: dict) -> dict | None:
        index = candidate.get("index", position)
        texts, thoughts = _texts(candidate)
        finish_reason = _finish_reason(candidate.get("finishReason"))
        delta = {}
        if index not in self.started:
            self.started.add(index)
            delta["role"] = "assistant"
        if texts:
            delta["content"] = texts
        if thoughts:
            delta["reasoning_content"] = thoughts
        # A functionCall arrives whole in one chunk: one delta with its index, id, name and all arguments.
        calls = _tool_calls(candidate, self.id, index, self.tool_calls.get(index, 0))
        if calls:
            delta["tool_calls"] = calls
            self.tool_calls[index] = self.tool_calls.get(index, 0) + len(calls)
        if finish_reason:
            self.finished.add(index)
            finish_reason = "tool_calls" if self.tool_calls.get(index) else finish_reason
        if not delta and not finish_reason:
            return None
        choice = {"index": index, "delta": delta, "finish_reason": finish_reason}
        if candidate.get("logprobsResult") is not None:
            choice["logprobs"] = _logprobs(candidate["logprobsResult"])
        return choice


def _response(data, what: str) -> dict:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise malformed(NAME, what, f"expected an object, got {str(data)[:120]}")
    if "error" in data:
        error = data["error"]
        code = error.get("code") if isinstance(error, dict) else None
        status = code if isinstance(code, int) and 400 <= code <= 599 else 502
        raise ProviderError("http", status, WIRE.error_message(status, data), **error_fields(data))
    if "candidates" not in data and "usageMetadata" not in data and "promptFeedback" not in data:
        raise malformed(NAME, what, f"no 'candidates' in {str(data)[:200]}")
    return data


def _blocked(response: dict) -> bool:
    """Whether Google refused the prompt itself: promptFeedback.blockReason and no candidates."""
    feedback = response.get("promptFeedback") or {}
    return not response.get("candidates") and isinstance(feedback, dict) and bool(feedback.get("blockReason"))


def _candidates(response: dict) -> list[dict]:
    candidates = response.get("candidates") or []
    if not isinstance(candidates, list) or not all(isinstance(c, dict) for c in candidates):
        raise malformed(NAME, "response", f"'candidates' is {str(candidates)[:120]}")
    return candidates


def _texts(candidate: dict) -> tuple[str, str]:
    """(answer text, thought text) of a candidate; thought parts carry `thought: true`.

    https://ai.google.dev/gemini-api/docs/thinking#summaries
    """
    parts = (candidate.get("content") or {}).get("parts") or []
    if not isinstance(parts, list):
        raise malformed(NAME, "candidate", f"'content.parts' is {str(parts)[:120]}")
    texts, thoughts = [], []
    for part in parts:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            (thoughts if part.get("thought") else texts).append(part["text"])
    return "".join(texts), "".join(thoughts)


def _finish_reason(reason) -> str | None:
    if reason is None or reason == "FINISH_REASON_UNSPECIFIED":
        return None
    if reason == "MAX_TOKENS":
        return "length"
    return "content_filter" if reason in FILTERED else "stop"


def _id(response: dict) -> str:
    response_id = response.get("responseId")
    return f"chatcmpl-{response_id}" if isinstance(response_id, str) and response_id else new_id()


def _generation_config(body: dict) -> dict:
    config = {theirs: body[ours] for ours, theirs in GENERATION_CONFIG.items() if body.get(ours) is not None}
    for name in ("max_completion_tokens", "max_tokens"):
        if body.get(name) is not None:
            config["maxOutputTokens"] = body[name]
            break
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    config.update(_response_format(body.get("response_format")))
    effort = body.get("reasoning_effort")
    if effort is not None:
        if effort not in THINKING_BUDGETS:
            raise bad_request(NAME, f"'reasoning_effort' {effort!r} is not one of {', '.join(THINKING_BUDGETS)}")
        budget = THINKING_BUDGETS[effort]
        # includeThoughts: thought summaries come back as parts with thought: true (thinking#summaries).
        config["thinkingConfig"] = {"thinkingBudget": budget, **({"includeThoughts": True} if budget else {})}
    if body.get("logprobs"):
        # https://ai.google.dev/api/generate-content#generationconfig: responseLogprobs, logprobs (top count).
        config["responseLogprobs"] = True
        if body.get("top_logprobs"):
            config["logprobs"] = body["top_logprobs"]
    elif body.get("top_logprobs"):
        raise bad_request(NAME, "'top_logprobs' needs 'logprobs': true")
    return config


def _response_format(response_format) -> dict:
    # https://ai.google.dev/gemini-api/docs/structured-output: responseMimeType + responseJsonSchema.
    kind = response_format.get("type") if isinstance(response_format, dict) else response_format
    if response_format is None or kind == "text":
        return {}
    if kind == "json_object":
        return {"responseMimeType": "application/json"}
    spec = response_format.get("json_schema") if kind == "json_schema" else None
    if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
        raise bad_request(NAME, f"'response_format' {json.dumps(response_format)[:80]} is not text, json_object "
                                "or json_schema with a schema")
    return {"responseMimeType": "application/json", "responseJsonSchema": spec["schema"]}


def _service_tier(body: dict) -> dict:
    asked = body.get("service_tier")
    if asked is None:
        return {}
    if asked not in SERVICE_TIERS:
        raise unsupported(NAME, "service_tier", f"'service_tier' {json.dumps(asked)[:40]} has no equivalent on Gemini "
                                                f"(only {', '.join(SERVICE_TIERS)})")
    return {"serviceTier": SERVICE_TIERS[asked]} if SERVICE_TIERS[asked] else {}


def _served_tier(usage) -> str | None:
    """usageMetadata.serviceTier (flex, standard, priority; an enum name such as SERVICE_TIER_FLEX is read alike)."""
    tier = usage.get("serviceTier") if isinstance(usage, dict) else None
    return tier.lower().removeprefix("service_tier_") if isinstance(tier, str) and tier else None


def _refuse_one_call_at_a_time(body: dict) -> None:
    """parallel_tool_calls: false asks for at most one tool call per answer. Gemini calls functions in parallel as
    it sees fit, and its FunctionCallingConfig has only `mode` and `allowedFunctionNames`
    (https://ai.google.dev/api/caching#FunctionCallingConfig): it cannot be told. False holds anyway when nothing
    can be called (no tools, or tool_choice none), and then passes; otherwise the field is unsupported here."""
    if body.get("parallel_tool_calls") is not False or not body.get("tools") or body.get("tool_choice") == "none":
        return
    raise unsupported(NAME, "parallel_tool_calls", "'parallel_tool_calls' false has no equivalent in Gemini "
                                                   "generateContent: its functionCallingConfig cannot limit an answer "
                                                   "to one call (https://ai.google.dev/api/caching"
                                                   "#FunctionCallingConfig); leave it out or use a model served by an "
                                                   "OpenAI-compatible or Anthropic provider")


def _tooling(body: dict) -> dict:
    """tools → functionDeclarations; tool_choice → toolConfig.functionCallingConfig; parallel_tool_calls: true
    is what Gemini does, false is refused where a call could be made (_refuse_one_call_at_a_time).

    https://ai.google.dev/gemini-api/docs/function-calling
    """
    _refuse_one_call_at_a_time(body)
    fields: dict = {}
    declarations = []
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) and tool.get("type") == "function" else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise unsupported(NAME, "tools", f"'tools': only function tools with a name are translated, got "
                                             f"{str(tool)[:80]}")
        declaration = {"name": function["name"]}
        if function.get("description"):
            declaration["description"] = function["description"]
        if function.get("parameters"):
            declaration["parametersJsonSchema"] = function["parameters"]
        declarations.append(declaration)
    if declarations:
        fields["tools"] = [{"functionDeclarations": declarations}]
    choice = body.get("tool_choice")
    strict = any(isinstance(tool.get("function"), dict) and tool["function"].get("strict")
                 for tool in body.get("tools") or [])
    if strict and choice in (None, "auto"):
        # A strict tool's arguments must match its schema: VALIDATED mode "ensures function schema adherence"
        # while letting the model answer in text (ANY, for required and named choices, ensures it too).
        # https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
        fields["toolConfig"] = {"functionCallingConfig": {"mode": "VALIDATED"}}
    elif choice is not None:
        modes = {"auto": "AUTO", "none": "NONE", "required": "ANY"}
        function = choice.get("function") if isinstance(choice, dict) else None
        if isinstance(choice, str) and choice in modes:
            config = {"mode": modes[choice]}
        elif isinstance(function, dict) and isinstance(function.get("name"), str):
            config = {"mode": "ANY", "allowedFunctionNames": [function["name"]]}
        else:
            raise bad_request(NAME, f"'tool_choice' {json.dumps(choice)[:80]} is not auto, none, required or a function")
        fields["toolConfig"] = {"functionCallingConfig": config}
    return fields


def _tool_calls(candidate: dict, response_id: str | None, index: int, first: int) -> list[dict]:
    """functionCall parts → OpenAI tool_calls. The id is Gemini's own when it sends one, else made from the
    response id, candidate and position (the same in stream and non-stream). A part's thoughtSignature rides
    in `extra_content.google.thought_signature`, the field Google's own OpenAI endpoint uses
    (https://ai.google.dev/gemini-api/docs/thought-signatures)."""
    calls = []
    for part in (candidate.get("content") or {}).get("parts") or []:
        call = part.get("functionCall") if isinstance(part, dict) else None
        if not isinstance(call, dict):
            continue
        number = first + len(calls)
        entry = {"index": number, "id": call.get("id") or f"call_{(response_id or new_id()).removeprefix('chatcmpl-')}_{index}_{number}",
                 "type": "function", "function": {"name": call.get("name"),
                                                  "arguments": json.dumps(call.get("args") or {}, ensure_ascii=False)}}
        if part.get("thoughtSignature"):
            entry["extra_content"] = {"google": {"thought_signature": part["thoughtSignature"]}}
        calls.append(entry)
    return calls


def _logprobs(result: dict) -> dict:
    """logprobsResult → OpenAI choice.logprobs. https://ai.google.dev/api/generate-content#LogprobsResult"""
    chosen = result.get("chosenCandidates") or []
    tops = result.get("topCandidates") or []
    content = []
    for position, token in enumerate(chosen):
        top = tops[position].get("candidates") or [] if position < len(tops) else []
        content.append({"token": token.get("token"), "logprob": token.get("logProbability"), "bytes": None,
                        "top_logprobs": [{"token": t.get("token"), "logprob": t.get("logProbability"), "bytes": None}
                                         for t in top]})
    return {"content": content}


def _contents(messages: list) -> tuple[str, list[dict]]:
    """OpenAI messages → (system text, Gemini contents with roles user/model). A tool result is a user turn
    of functionResponse parts named after the call it answers, found by its id in the assistant's tool_calls."""
    names = {call.get("id"): (call.get("function") or {}).get("name")
             for message in messages if message.get("role") == "assistant"
             for call in message.get("tool_calls") or [] if isinstance(call, dict)}
    return turns(NAME, messages, assistant="model", key="parts", parts=lambda m: _message_parts(m, names))


def _message_parts(message: dict, names: dict) -> list[dict]:
    role = message.get("role")
    if role == "tool":
        call_id = message.get("tool_call_id")
        if names.get(call_id) is None:
            raise bad_request(NAME, f"the 'tool' message for {call_id!r} answers no tool call of an earlier "
                                    "assistant message (Gemini needs the function's name)")
        content = message.get("content")
        if isinstance(content, list) and any(not isinstance(p, dict) or p.get("type") != "text" for p in content):
            # functionResponse.response is JSON: an image or file in a tool's result has nowhere to go.
            raise unsupported(NAME, "messages", f"the 'tool' message for {call_id!r} holds parts other than text")
        text = content if isinstance(content, str) else "".join(part.get("text") or "" for part in content or [])
        try:
            result = json.loads(text)
        except ValueError:
            result = text
        # functionResponse.response is an object; other results go under "result" (function-calling docs).
        response = result if isinstance(result, dict) else {"result": result}
        return [{"functionResponse": {"id": call_id, "name": names[call_id], "response": response}}]
    if role not in ("user", "assistant"):
        raise unsupported(NAME, "messages", f"a message with role {role!r} cannot be sent (user, assistant, tool, "
                                            "system)")
    parts = _parts(message.get("content"))
    for call in message.get("tool_calls") or [] if role == "assistant" else []:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict):
            raise bad_request(NAME, f"'tool_calls' entry {str(call)[:80]} has no function")
        try:
            args = json.loads(function.get("arguments") or "{}")
        except ValueError:
            raise bad_request(NAME, f"tool call {call.get('id')!r} has arguments that are not JSON") from None
        part = {"functionCall": {"id": call.get("id"), "name": function.get("name"), "args": args}}
        signature = ((call.get("extra_content") or {}).get("google") or {}).get("thought_signature")
        if signature:
            part["thoughtSignature"] = signature  # Gemini 3 refuses a function-calling history without it
        parts.append(part)
    return parts


def _parts(content) -> list[dict]:
    if not isinstance(content, list):
        return map_parts(NAME, content, lambda text: {"text": text}, _inline_data)
    parts = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "file":
            file = part.get("file") if isinstance(part.get("file"), dict) else {}
            inline = data_url(NAME, file["file_data"]) if isinstance(file.get("file_data"), str) else None
            if inline is None:
                raise unsupported(NAME, "messages", "a 'file' part needs 'file_data' as a data: URL ('file_id' "
                                                    "refers to "
                                        "OpenAI's storage)")
            parts.append(_inline_data("", inline))
        elif kind == "input_audio":
            audio = part.get("input_audio") if isinstance(part.get("input_audio"), dict) else {}
            if audio.get("format") not in AUDIO_TYPES or not isinstance(audio.get("data"), str):
                raise unsupported(NAME, "messages",
                                  f"'input_audio' needs base64 'data' and a 'format' of {', '.join(AUDIO_TYPES)}")
            parts.append(_inline_data("", (AUDIO_TYPES[audio["format"]], audio["data"])))
        else:
            parts += map_parts(NAME, [part], lambda text: {"text": text}, _inline_data)
    return parts


def _inline_data(url: str, inline: tuple[str, str] | None) -> dict:
    # https://ai.google.dev/api/caching#Blob: inlineData {mimeType, data (base64)}.
    if inline is None:
        # fileData takes uploaded files (Files API URIs); other URLs are refused by Google with its own message.
        return {"fileData": {"fileUri": url}}
    media_type, data = inline
    return {"inlineData": {"mimeType": media_type, "data": data}}


WIRE = GoogleWire()
