"""Pure: check a client's chat-completions body before anything is sent upstream."""

from __future__ import annotations

from llms import untrusted_json
from llms.providers.base import ROUTING_FIELDS

__all__ = ["parse_chat_body", "wants_usage_chunk", "BadRequest", "FORBIDDEN_FIELDS"]

FORBIDDEN_FIELDS = ROUTING_FIELDS  # refused here, before any wire format sees the body


class BadRequest(Exception):
    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param


def parse_chat_body(raw: bytes) -> dict:
    try:
        body = untrusted_json.loads(raw or b"")
    except untrusted_json.UntrustedJSON as exc:  # invalid, NaN/Infinity, or nested past MAX_DEPTH: never sent on
        raise BadRequest(f"request body {exc.message}") from None
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    for name in FORBIDDEN_FIELDS:
        if name in body:
            raise BadRequest(f"{name!r} may not be set in a request: providers and keys come from llms.json", name)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("'model' is required and must be a model name", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list", "messages")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise BadRequest(f"messages[{index}] must be an object with a 'role'", f"messages[{index}].role")
        content = message.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise BadRequest(f"messages[{index}].content must be a string or a list of parts",
                             f"messages[{index}].content")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise BadRequest("'stream' must be true or false", "stream")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and not (
            isinstance(stop, list) and all(isinstance(item, str) for item in stop)):
        raise BadRequest("'stop' must be a string or a list of strings", "stop")
    return body


def wants_usage_chunk(body: dict, client_header: str | None) -> bool:
    """OpenAI sends the usage chunk only when asked (stream_options.include_usage); our app always asks."""
    options = body.get("stream_options")
    return client_header == "app" or (isinstance(options, dict) and options.get("include_usage") is True)
