"""OpenAI-shaped error bodies, so SDK clients raise their usual exceptions.

https://platform.openai.com/docs/guides/error-codes: {"error": {"message", "type", "code", "param"}}; the openai
SDKs read `type`, `code` and `param` from it (`e.code`) and Retry-After / retry-after-ms from the headers.
"""

from __future__ import annotations

from aiohttp import web

from llms.providers.base import ProviderError

__all__ = ["error_body", "error_response", "provider_error_body", "provider_error_response"]

_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "not_found_error", 429: "rate_limit_error"}
# OpenAI's code for a parameter a model cannot take ("Unsupported parameter: ..."), for "unsupported" faults.
UNSUPPORTED_CODE = "unsupported_parameter"


def error_body(status: int, message: str, *, code: str | None = None, param: str | None = None,
               provider: str | None = None, error_type: str | None = None) -> dict:
    error = {"message": message,
             "type": error_type or _TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error"),
             "code": code, "param": param}
    if provider is not None:
        error["provider"] = provider
    return {"error": error}


def error_response(status: int, message: str, **details) -> web.Response:
    return web.json_response(error_body(status, message, **details), status=status)


def provider_error_body(error: ProviderError, message: str) -> dict:
    """A provider fault as our error: the upstream's own type, code and param when it sent them (a 429's
    `rate_limit_exceeded`, Gemini's RESOURCE_EXHAUSTED), else the fault's kind as the code (timeout, cut, ...)."""
    if error.kind == "unsupported":
        code = UNSUPPORTED_CODE
    else:
        code = error.code if error.kind == "http" else error.kind
    return error_body(error.status, message, code=code, param=error.param, provider=error.provider_id,
                      error_type=error.error_type)


def provider_error_response(error: ProviderError, message: str) -> web.Response:
    """`provider_error_body` with the upstream's status and its Retry-After / rate-limit headers."""
    response = web.json_response(provider_error_body(error, message), status=error.status)
    response.headers.update(error.headers)
    return response
