"""OpenAI-compatible chat completions: OpenAI, Groq, OpenRouter, Mistral, DeepSeek, Ollama /v1, any base_url.

Pure: builds the upstream request and translates replies; `transport.py` does the I/O.
https://platform.openai.com/docs/api-reference/chat/create

The OpenAI shapes every wire format hands back (`chunk`, `completion`) and the small parsing
helpers the other adapters share (`load_json`, `usage_or_malformed`, `data_url`) live here too,
since they are OpenAI's shapes.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import uuid

from llms.providers.base import ProviderError, Target, UpstreamRequest
from llms.usage import normalize_openai

__all__ = ["WIRE", "OpenAIWire", "OpenAIStream", "FORWARDED_FIELDS", "chunk", "completion", "new_id", "load_json",
           "usage_or_malformed", "malformed", "bad_request", "data_url", "text_of", "error_text"]

NAME = "openai-compatible provider"

# Whitelist: only these client fields go upstream. Anything that could change where a call goes or
# which key it uses (base_url, api_key, headers, extra_body, provider routing...) never passes.
# `model`, `stream` and `stream_options` are set by us.
FORWARDED_FIELDS = (
    "messages", "temperature", "top_p", "n", "stop", "max_tokens", "max_completion_tokens",
    "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "user",
    "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "modalities",
    "audio", "prediction", "verbosity", "web_search_options",
    # Sampling fields that OpenRouter, Groq, vLLM and Ollama accept beyond OpenAI's list.
    "top_k", "min_p", "repetition_penalty", "reasoning",
)


# ---- shapes and helpers shared by every adapter -------------------------------------------------

def chunk(id_: str, created: int, model: str, choices: list[dict]) -> dict:
    """An OpenAI `chat.completion.chunk` (no usage: that travels in `finish()`)."""
    return {"id": id_, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices}


def completion(id_: str, created: int, model: str, choices: list[dict], usage: dict | None) -> dict:
    return {"id": id_, "object": "chat.completion", "created": created, "model": model, "choices": choices,
            "usage": usage}


def new_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex


def load_json(who: str, what: str, text: str):
    try:
        return json.loads(text)
    except ValueError:
        raise ProviderError("malformed", 502, f"{who} sent a malformed {what}: not JSON: {text[:120]!r}") from None


def usage_or_malformed(who: str, normalizer, raw) -> dict | None:
    if raw is not None and not isinstance(raw, dict):
        raise ProviderError("malformed", 502, f"{who} sent a malformed usage: expected an object, got {raw!r}")
    try:
        return normalizer(raw)
    except ValueError as exc:
        raise ProviderError("malformed", 502, f"{who} sent a malformed usage: {exc}") from None


def malformed(who: str, what: str, detail: str) -> ProviderError:
    return ProviderError("malformed", 502, f"{who} sent a malformed {what}: {detail}")


def bad_request(who: str, detail: str) -> ProviderError:
    # The request cannot be expressed in this wire format: the client's fault, never retried elsewhere.
    return ProviderError("http", 400, f"{who} cannot take this request: {detail}")


def data_url(who: str, url: str) -> tuple[str, str] | None:
    """`data:<media type>[;base64],<data>` → (media type, base64 data); None for other URLs.

    https://www.rfc-editor.org/rfc/rfc2397
    """
    if not url.startswith("data:"):
        return None
    header, comma, payload = url[len("data:"):].partition(",")
    if not comma:
        raise bad_request(who, f"the data: URL {url[:40]!r}... has no comma before its data")
    media_type = header.split(";")[0] or "text/plain"
    if ";base64" in header:
        return media_type, payload
    return media_type, base64.b64encode(urllib.parse.unquote_to_bytes(payload)).decode("ascii")


def reasoning_of(delta: dict) -> str:
    """The reasoning text of a delta or message: reasoning_content (DeepSeek, and our Anthropic/Gemini
    translations) or reasoning (OpenRouter)."""
    text = delta.get("reasoning_content") or delta.get("reasoning") or ""
    return text if isinstance(text, str) else ""


def map_parts(who: str, content, text, image) -> list[dict]:
    """A message's content (a string or OpenAI content parts) → another wire format's parts.

    `text(t)` builds a text part (empty texts are dropped: Anthropic refuses empty text blocks);
    `image(url, inline)` builds an image part, `inline` being (media type, base64 data) for a
    data: URL and None for any other URL.
    """
    if content is None:
        return []
    if isinstance(content, str):
        return [text(content)] if content else []
    if not isinstance(content, list):
        raise bad_request(who, f"message content must be a string or a list of parts, got {content!r}"[:200])
    parts = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            if part.get("text"):
                parts.append(text(part["text"]))
        elif kind == "image_url":
            image_url = part.get("image_url")
            url = image_url.get("url") if isinstance(image_url, dict) else image_url
            if not isinstance(url, str):
                raise bad_request(who, f"image_url {image_url!r} has no url"[:200])
            parts.append(image(url, data_url(who, url)))
        else:
            raise bad_request(who, f"content part {str(part)[:80]} is not text or image_url")
    return parts


def text_of(who: str, content) -> str:
    """A message's text: a string, or the text parts of a content-part list joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise bad_request(who, f"message content must be a string or a list of parts, got {content!r}")
    texts = []
    for part in content:
        if not isinstance(part, dict) or part.get("type") != "text":
            raise bad_request(who, f"only text parts are allowed here, got {part!r}"[:200])
        texts.append(str(part.get("text") or ""))
    return "\n".join(texts)


def error_text(status: int, data: object) -> str:
    """The fallback for an error body without a recognizable message: its text, or the status."""
    if isinstance(data, str) and data.strip():
        return data.strip()[:500]
    if data not in (None, "", {}, []):
        return json.dumps(data)[:500]
    return f"HTTP {status}"


# ---- the OpenAI-compatible wire format ----------------------------------------------------------

class OpenAIWire:
    def build_request(self, target: Target, body: dict, stream: bool) -> UpstreamRequest:
        payload = {name: body[name] for name in FORWARDED_FIELDS if name in body}
        payload["model"] = target.provider_model
        if stream:
            # Usage arrives only when asked for; we always record it, whatever the client asked.
            # https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
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
                      usage=usage_or_malformed(NAME, normalize_openai, data.get("usage")))
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
            self.usage = usage_or_malformed(NAME, normalize_openai, payload["usage"])
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
        return {"id": self.id or new_id(), "object": "chat.completion.chunk",
                "created": self.created or int(time.time()), "model": self.model, "choices": [],
                "usage": self.usage}


def _check_choices(choices: list, part: str, what: str) -> None:
    """Every choice an object whose `message`/`delta` is an object: the proxy and clients rely on it."""
    for index, choice in enumerate(choices):
        if not isinstance(choice, dict) or not isinstance(choice.get(part, {}), dict):
            raise malformed(NAME, what, f"choices[{index}] is not an object with a '{part}' object: {choice!r:.120}")


def _upstream_error(payload: dict) -> ProviderError:
    error = payload.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code <= 599 else 502
    return ProviderError("http", status, WIRE.error_message(status, payload))


WIRE = OpenAIWire()
