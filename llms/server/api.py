"""/api/config and /health: what the browser app needs to know, never a key."""

from __future__ import annotations

from aiohttp import web

from llms import __version__
from llms.providers.registry import usage_format_for
from llms.server import ledger_recorder
from llms.server.access import TOKEN_COOKIE, token_ok
from llms.server.installed_models import served
from llms.server.keys import BUDGETS, CONFIG, SETTINGS

__all__ = ["add_routes", "public_config"]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/config", config_view)
    app.router.add_get("/health", health)


def public_config(config, prices) -> dict:
    """The config as the browser may see it: providers, models, merged prices; no key, no header."""
    return {
        "version": __version__,
        "providers": [
            {"id": p.id, "type": p.type, "usage_format": usage_format_for(p.type), "enabled": p.enabled,
             "disabled_reason": p.disabled_reason,
             "models": [{"alias": alias, "provider_model": model} for alias, model in p.models.items()]}
            for p in config.providers
        ],
        "pricing": {provider_id: dict(models) for provider_id, models in prices.items()},
        "defaults": {"model": config.defaults.model},
        "budget": config.budget,
    }


async def config_view(request: web.Request) -> web.Response:
    return web.json_response(public_config(*await served(request.app)))  # Ollama's models as installed now


async def health(request: web.Request) -> web.Response:
    # The LLM proxy cost-tracking guide's shape (docs/contracts.md): "healthy" and whether the ledger is on.
    status = {"status": "healthy", "version": __version__,
              "features": {"cost_tracking": bool(request.app[CONFIG].ledger["enabled"])}}
    # /health is open (no token needed); what was spent is shown only to those who may use the server.
    if token_ok(request.app[SETTINGS], request.headers.get("Authorization"), request.cookies.get(TOKEN_COOKIE)):
        status |= await ledger_recorder.health_fields(request.app)
        status |= request.app[BUDGETS].health_fields()
    return web.json_response(status)
