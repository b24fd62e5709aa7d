"""OpenAI-shaped error bodies, so SDK clients raise their usual exceptions."""

from __future__ import annotations

from aiohttp import web

__all__ = ["error_body", "error_response"]

_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "not_found_error", 429: "rate_limit_error"}


def error_body(status: int, message: str, *, code: str | None = None, param: str | None = None,
               provider: str | None = None) -> dict:
    error = {"message": message, "type": _TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error"),
             "code": code, "param": param}
    if provider is not None:
        error["provider"] = provider
    return {"error": error}


def error_response(status: int, message: str, **details) -> web.Response:
    return web.json_response(error_body(status, message, **details), status=status)
