"""Pure: the OpenAI shapes every wire format hands back, and the parsing helpers the adapters share.

Every adapter translates into OpenAI's chat.completion / chat.completion.chunk, so those shapes, the
usage chunk that ends a stream, and the small helpers for reading a provider's reply and a client's
messages are written here once.
https://platform.openai.com/docs/api-reference/chat/object
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
import urllib.parse
import uuid

from llms.providers.base import ProviderError

__all__ = ["chunk", "completion", "final_chunk", "new_id", "load_json", "usage_or_malformed", "malformed",
           "refuse_untranslatable", "bad_request", "unsupported", "error_fields", "data_url", "reasoning_of",
           "map_parts", "text_of", "turns", "error_text", "message_hints", "retry_after_of"]


def chunk(id_: str, created: int, model: str, choices: list[dict]) -> dict:
    """An OpenAI `chat.completion.chunk` (no usage: that travels in the final chunk)."""
    return {"id": id_, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices}


def final_chunk(id_: str | None, created: int | None, model: str, usage: dict | None) -> dict:
    """The last chunk of a stream, `choices: []` and the normalized usage (None when the provider sent none).

    https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
    """
    return {**chunk(id_ or new_id(), created or int(time.time()), model, []), "usage": usage}


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


def unsupported(who: str, param: str, detail: str) -> ProviderError:
    # The request is fine but this wire format cannot carry `param`: failover tries the next candidate, whose
    # wire format may (failover.py); when none can, the client gets a 400 naming the field and the providers.
    return ProviderError("unsupported", 400, f"{who} cannot take this request: {detail}", param=param)


def refuse_untranslatable(who: str, body: dict, carried, neutral_values: dict, api: str, doc_url: str) -> None:
    """Refuse (`unsupported`) the first field a wire format cannot carry (never a silent drop): a field is fine
    when it is null, in `carried` (translated, or dropped on purpose), or at the value that means "as if absent"."""
    for name, value in body.items():
        if value is None or name in carried:
            continue
        if name in neutral_values and value == neutral_values[name]:
            continue
        raise unsupported(who, name, f"'{name}' ({json.dumps(value)[:60]}) has no equivalent in {api} ({doc_url}); "
                                     "leave it out or use a model served by an OpenAI-compatible provider")


MAX_ERROR_FIELD_CHARS = 200  # an upstream's type/code/param is a short name; anything longer is cut


def error_fields(data: object) -> dict:
    """An upstream error body's type, code and param, as ProviderError keywords (only those it sent as text).

    OpenAI: {"error": {"message", "type", "param", "code"}} (https://platform.openai.com/docs/guides/error-codes);
    Mistral: the same fields at the top level; Anthropic: {"type": "error", "error": {"type", "message"}}
    (https://docs.anthropic.com/en/api/errors); Gemini: {"error": {"code": 429, "message", "status"}}, a list of
    one when streaming, whose `status` (RESOURCE_EXHAUSTED, ...) is the code a client can act on
    (https://ai.google.dev/gemini-api/docs/troubleshooting). A numeric `code` (Gemini, OpenRouter) is the HTTP
    status, which the client gets anyway.
    """
    if isinstance(data, list) and data:
        data = data[0]
    if not isinstance(data, dict):
        return {}
    error = data["error"] if isinstance(data.get("error"), dict) else data
    code = error.get("code") if isinstance(error.get("code"), str) else error.get("status")
    found = {"error_type": error.get("type"), "code": code, "param": error.get("param")}
    return {key: value[:MAX_ERROR_FIELD_CHARS] for key, value in found.items() if isinstance(value, str) and value}


def message_hints(body: dict, wanted: tuple[str, ...]) -> list[str]:
    """Which of the hints inside a body's messages and tools it uses, in `wanted`'s order: "messages[].name" (a
    participant's name), "image_url.detail" (other than auto), "cache_control" (on a message, a part or a tool)."""
    found = set()
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        if message.get("name"):
            found.add("messages[].name")
        parts = message.get("content") if isinstance(message.get("content"), list) else []
        for item in (message, *parts):
            if not isinstance(item, dict):
                continue
            if item.get("cache_control"):
                found.add("cache_control")
            image = item.get("image_url")
            if isinstance(image, dict) and image.get("detail") not in (None, "auto"):
                found.add("image_url.detail")
    if any(isinstance(tool, dict) and tool.get("cache_control") for tool in body.get("tools") or []):
        found.add("cache_control")
    return [name for name in wanted if name in found]


def retry_after_of(data: object) -> dict[str, str]:
    """A Retry-After header for an error body that says when to retry: Gemini's google.rpc.RetryInfo detail
    (`"retryDelay": "7s"`, a protobuf Duration: https://ai.google.dev/gemini-api/docs/rate-limits), in whole
    seconds rounded up; {} when the body says nothing of it."""
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    for detail in details if isinstance(details, list) else []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        if isinstance(delay, str) and re.fullmatch(r"\d{1,9}(\.\d{1,9})?s", delay):
            return {"retry-after": str(math.ceil(float(delay[:-1])))}
    return {}


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
            raise unsupported(who, "messages", f"content part {str(part)[:80]} is not text or image_url")
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


def turns(who: str, messages: list, *, assistant: str, key: str, parts) -> tuple[str, list[dict]]:
    """OpenAI messages → (system text, turns of another wire format with same-role neighbours merged).

    Anthropic and Gemini both take the system prompt apart and expect alternating turns: a turn is
    `{"role": user|<assistant>, <key>: parts(message)}`; system and developer messages become the
    system text; any other role (a tool result) is a user turn. A message without parts is left out,
    since both refuse empty turns (e.g. an assistant message that only had tool_calls).
    """
    system: list[str] = []
    found: list[dict] = []
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(text_of(who, message.get("content")))
            continue
        role = assistant if role == "assistant" else "user"
        converted = parts(message)
        if not converted:
            continue
        if found and found[-1]["role"] == role:
            found[-1][key].extend(converted)
        else:
            found.append({"role": role, key: converted})
    return "\n\n".join(part for part in system if part), found


def error_text(status: int, data: object) -> str:
    """The fallback for an error body without a recognizable message: its text, or the status."""
    if isinstance(data, str) and data.strip():
        return data.strip()[:500]
    if data not in (None, "", {}, []):
        return json.dumps(data)[:500]
    return f"HTTP {status}"
