"""App-wide state lives on the aiohttp Application under these typed keys (no module globals): every key, here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from aiohttp import web

if TYPE_CHECKING:
    import aiohttp

    from llms.budget.enforcer import BudgetEnforcer
    from llms.config import Config
    from llms.server.access import ServerSettings
    from llms.server.connections import ConnectionGuard
    from llms.server.html import Templates
    from llms.server.installed_models import InstalledModels
    from llms.server.ledger_recorder import LedgerRecorder
    from llms.server.price_cache import LazyPriceTable
    from llms.telemetry.observer import Telemetry

__all__ = ["CONFIG", "PRICES", "TEMPLATES", "HTTP", "SETTINGS", "RECORDERS", "LEDGER", "TOKEN_NAME", "CONNECTIONS", "INSTALLED",
           "BUDGETS", "TELEMETRY"]

CONFIG: web.AppKey["Config"] = web.AppKey("config")
PRICES: web.AppKey["LazyPriceTable"] = web.AppKey("prices")  # the merged price table, built off the event loop
TEMPLATES: web.AppKey["Templates"] = web.AppKey("templates")  # jinja2, loaded on the first page
HTTP: web.AppKey["aiohttp.ClientSession"] = web.AppKey("http")  # created on start-up
SETTINGS: web.AppKey["ServerSettings"] = web.AppKey("settings")  # host, port, tokens
RECORDERS: web.AppKey["list[Callable[[dict], None]]"] = web.AppKey("recorders")  # given each finished request's record
LEDGER: web.AppKey["LedgerRecorder"] = web.AppKey("ledger")  # only when the ledger is on
BUDGETS: web.AppKey["BudgetEnforcer"] = web.AppKey("budgets")  # this month's spend, caps' reservations (llms/budget)
CONNECTIONS: web.AppKey["ConnectionGuard"] = web.AppKey("connections")  # when served by app.serve (not in tests' clients)
TELEMETRY: web.AppKey["Telemetry"] = web.AppKey("telemetry")  # /metrics' tallies, the OpenTelemetry export when on
INSTALLED: web.AppKey["InstalledModels"] = web.AppKey("installed")  # Ollama's installed models, asked now and then
TOKEN_NAME: web.RequestKey[str] = web.RequestKey("token_name")  # set by the access check when a named token was offered
