"""Gemini generateContent / streamGenerateContent: https://ai.google.dev/api/generate-content

Pure: builds the upstream request and translates replies into OpenAI's shapes; `transport.py`
does the I/O. Tool calling is not translated: `tools` stay with OpenAI-compatible providers.
"""

from __future__ import annotations

import time
import urllib.parse

from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.providers.shapes import (chunk, completion, error_text, final_chunk, load_json, malformed, map_parts,
                                   new_id, turns, usage_or_malformed)
from llms.providers.usage import normalized, token_count

__all__ = ["WIRE", "GoogleWire", "GeminiStream", "GENERATION_CONFIG", "normalize_usage",
           "TYPES", "USAGE_FORMAT", "PRICE_DATA_IDS"]

NAME = "google"
# For the registry (llms/providers/registry.py): llms.json types, usage shape, genai-prices ids that differ from ours.
TYPES = ("google",)
USAGE_FORMAT = "gemini"
PRICE_DATA_IDS = {"gemini": "google"}

# OpenAI request field → GenerationConfig field. https://ai.google.dev/api/generate-content#generationconfig
GENERATION_CONFIG = {"temperature": "temperature", "top_p": "topP", "top_k": "topK", "n": "candidateCount",
                     "presence_penalty": "presencePenalty", "frequency_penalty": "frequencyPenalty",
                     "seed": "seed"}

# https://ai.google.dev/api/generate-content#FinishReason
FILTERED = {"SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}


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
        system, contents = _contents(body.get("messages") or [])
        payload: dict = {"contents": contents}
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
        for position, candidate in enumerate(_candidates(response)):
            texts, thoughts = _texts(candidate)
            message = {"role": "assistant", "content": texts}
            if thoughts:
                message["reasoning_content"] = thoughts
            choices.append({"index": candidate.get("index", position), "message": message,
                            "finish_reason": _finish_reason(candidate.get("finishReason")) or "stop"})
        usage = usage_or_malformed(NAME, normalize_usage, response.get("usageMetadata"))
        return completion(_id(response), int(time.time()), model, choices, usage)

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
        self.blocked = False

    def feed(self, event: str, data: str) -> list[dict]:
        response = _response(load_json(NAME, "stream chunk", data), "stream chunk")
        self.id = self.id or _id(response)
        if response.get("usageMetadata") is not None:
            usage_or_malformed(NAME, normalize_usage, response["usageMetadata"])  # refuse bad counts now
            self.raw_usage = response["usageMetadata"]
        choices = []
        if _blocked(response):
            self.blocked = True
            choices.append({"index": 0, "delta": {"role": "assistant"}, "finish_reason": "content_filter"})
        choices += [choice for position, candidate in enumerate(_candidates(response))
                    if (choice := self._choice(position, candidate))]
        return [chunk(self.id, self.created, self.model, choices)] if choices else []

    def finish(self) -> dict:
        if not self.blocked and (not self.started or self.finished != self.started):
            raise ProviderError("cut", 502, f"{NAME} ended the stream before a finishReason")
        return final_chunk(self.id, self.created, self.model, usage_or_malformed(NAME, normalize_usage, self.raw_usage))

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
        if finish_reason:
            self.finished.add(index)
        if not delta and not finish_reason:
            return None
        return {"index": index, "delta": delta, "finish_reason": finish_reason}


def _response(data, what: str) -> dict:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise malformed(NAME, what, f"expected an object, got {str(data)[:120]}")
    if "error" in data:
        error = data["error"]
        code = error.get("code") if isinstance(error, dict) else None
        status = code if isinstance(code, int) and 400 <= code <= 599 else 502
        raise ProviderError("http", status, WIRE.error_message(status, data))
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
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
    return config


def _contents(messages: list) -> tuple[str, list[dict]]:
    """OpenAI messages → (system text, Gemini contents with roles user/model)."""
    return turns(NAME, messages, assistant="model", key="parts", parts=lambda m: _parts(m.get("content")))


def _parts(content) -> list[dict]:
    return map_parts(NAME, content, lambda text: {"text": text}, _inline_data)


def _inline_data(url: str, inline: tuple[str, str] | None) -> dict:
    # https://ai.google.dev/api/caching#Blob: inlineData {mimeType, data (base64)}.
    if inline is None:
        # fileData takes uploaded files (Files API URIs); other URLs are refused by Google with its own message.
        return {"fileData": {"fileUri": url}}
    media_type, data = inline
    return {"inlineData": {"mimeType": media_type, "data": data}}


WIRE = GoogleWire()
