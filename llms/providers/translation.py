"""Pure: what the two client-API translations (from_messages.py, from_responses.py) share.

A client speaking Anthropic's Messages API or OpenAI's Responses API to a provider of another kind has its
request turned into our chat shape (OpenAI chat completions plus reasoning_content, thinking_blocks and
cache_control: providers/shapes.py), which every wire format takes. A field with no equivalent there is
refused by name (`Refused`), never dropped.
"""

from __future__ import annotations

import json
import uuid
from typing import Callable

from llms import untrusted_json
from llms.providers.base import ROUTING_FIELDS, ProviderError

__all__ = ["Refused", "client_body", "refuse_unknown", "new_id", "arguments_object", "listed", "tool_text",
           "signed_id", "unsigned_id", "carried_or_none"]



class Refused(Exception):
    """A client request that cannot be carried: `param` names the field (a JSON path such as `input[2].type`)
    when one is at fault; `status` 400, or 404 for a model nobody serves."""

    def __init__(self, param: str | None, message: str, status: int = 400):
        self.message = f"{param}: {message}" if param else message
        super().__init__(self.message)
        self.param, self.status = param, status


def client_body(raw: bytes) -> dict:
    """A client's JSON body: an object with a model name and, if any, a boolean `stream`; Refused otherwise."""
    try:
        body = untrusted_json.loads(raw or b"")
    except untrusted_json.UntrustedJSON as exc:  # invalid, NaN/Infinity, or nested too deep: never sent on
        raise Refused(None, f"the request body {exc.message}") from None
    if not isinstance(body, dict):
        raise Refused(None, "the request body must be a JSON object")
    for name in ROUTING_FIELDS:  # providers and keys come from llms.json only, as on the chat route
        if name in body:
            raise Refused(name, "may not be set in a request: providers and keys come from llms.json")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise Refused("model", "Field required (one of our model names, see GET /v1/models)")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise Refused("stream", f"expected true or false, got {json.dumps(body['stream'])[:60]}")
    return body


def refuse_unknown(obj: dict, known, where: str, api: str) -> None:
    """Refused for the first key of `obj` (a request, a block) outside `known`; null counts as absent."""
    for name, value in obj.items():
        if value is not None and name not in known:
            raise Refused(f"{where}{name}", f"not carried to this model's provider by llms' {api} translation "
                                            "(docs/wire-formats.md); leave it out")


def carried_or_none(translate: Callable[[dict], dict], body: dict) -> dict | None:
    """`translate(body)`, or None when it refuses: for failing over from a pass-through to the providers it
    translates for, where a request only the pass-through carries keeps the pass-through's own fault."""
    try:
        return translate(body)
    except Refused:  # deliberately: what the pass-through carries and the others cannot stays the first's answer
        return None


def listed(obj: dict, name: str, where: str = "") -> list:
    value = obj.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Refused(f"{where}{name}", f"expected a list, got {json.dumps(value)[:60]}")
    return value


def tool_text(parts: list, where: str, kinds: tuple[str, ...]) -> str:
    """A tool result's parts as the one text a chat `tool` message carries: the texts joined by newlines; a part
    of another kind (an image) is Refused, naming it."""
    texts = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict) or part.get("type") not in kinds:
            raise Refused(f"{where}[{index}]", "chat tool messages carry text only")
        texts.append(str(part.get("text") or ""))
    return "\n".join(texts)


# Gemini signs its function calls (thoughtSignature; in our chat shape extra_content.google.thought_signature) and
# Gemini 3 refuses a function-calling history without the signatures (https://ai.google.dev/gemini-api/docs/thought-signatures).
# Anthropic's tool_use and Responses' function_call have no field for it, but clients send a call's id back verbatim
# (with its result too): so the signature rides in the id, base64url after this marker, and comes off on the way back.
SIGNATURE_MARK = "__ts_"


def signed_id(call: dict) -> str:
    """A chat tool call's id as the client's API gives it: with the call's thought signature, when it has one."""
    call_id = call.get("id") or new_id("call_")
    signature = ((call.get("extra_content") or {}).get("google") or {}).get("thought_signature")
    if not isinstance(signature, str) or not signature:
        return call_id
    return call_id + SIGNATURE_MARK + signature.replace("+", "-").replace("/", "_").rstrip("=")


def unsigned_id(call_id) -> tuple[str, dict | None]:
    """(the chat tool call's id, its extra_content with the thought signature or None) of an id `signed_id` gave."""
    if not isinstance(call_id, str) or SIGNATURE_MARK not in call_id:
        return call_id, None
    plain, _, signature = call_id.partition(SIGNATURE_MARK)
    standard = signature.replace("-", "+").replace("_", "/")
    return plain, {"google": {"thought_signature": standard + "=" * (-len(standard) % 4)}}


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def arguments_object(who: str, arguments) -> dict:
    """A chat tool call's `arguments` (JSON text) as the object Anthropic's tool_use `input` must be;
    a provider that sent anything else sent a malformed reply."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        raise ProviderError("malformed", 502, f"{who} sent tool-call arguments that are not JSON: "
                                              f"{str(arguments)[:120]!r}") from None
    if not isinstance(value, dict):
        raise ProviderError("malformed", 502, f"{who} sent tool-call arguments that are not an object: "
                                              f"{str(arguments)[:120]!r}")
    return value
