"""App-wide state lives on the aiohttp Application under these typed keys (no module globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from llms.config import Config
    from llms.server.pages import Templates

__all__ = ["CONFIG", "PRICES", "TEMPLATES", "HTTP", "SETTINGS", "RECORDERS", "TOKEN_NAME"]

CONFIG: web.AppKey["Config"] = web.AppKey("config")
PRICES: web.AppKey[dict] = web.AppKey("prices")
TEMPLATES: web.AppKey["Templates"] = web.AppKey("templates")  # jinja2, loaded on the first page
HTTP: web.AppKey[object] = web.AppKey("http")  # aiohttp.ClientSession, created on start-up
SETTINGS: web.AppKey[object] = web.AppKey("settings")  # ServerSettings: host, port, token
RECORDERS: web.AppKey[list] = web.AppKey("recorders")  # callables given each finished request's record
TOKEN_NAME: web.RequestKey[str] = web.RequestKey("token_name")  # set by the guard when a named token was offered
