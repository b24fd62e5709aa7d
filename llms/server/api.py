"""/api/config and /health: what the browser app needs to know, never a key; GET /v1/models/{id}."""

from __future__ import annotations

import re

from aiohttp import web

from llms import __version__
from llms.pricing.version import price_version
from llms.providers.registry import usage_format_for
from llms.providers.routing import Candidate, UnknownModel, candidates_for
from llms.server import ledger_recorder
from llms.server.access import TOKEN_COOKIE, token_ok
from llms.server.errors import error_response
from llms.server.installed_models import served
from llms.server.keys import BUDGETS, CONFIG, SETTINGS

__all__ = ["add_routes", "public_config", "model_object", "reasons"]

# The models that think before they answer and take `reasoning_effort` (the browser offers the choice for these),
# by wire format, matched on the model id's last path segment (OpenRouter's `openai/o3` is o3):
# OpenAI o-series and gpt-5 (https://platform.openai.com/docs/guides/reasoning), Claude 3.7 and 4.x with extended
# thinking (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#supported-models), Gemini 2.5
# and 3 (https://ai.google.dev/gemini-api/docs/thinking#supported-models).
REASONING_MODELS = {
    "openai-compatible": re.compile(r"^(o[134](-|$)|gpt-5)"),
    "anthropic": re.compile(r"^claude-(3-7-|(opus|sonnet|haiku)-4|4)"),
    "google": re.compile(r"^gemini-(2\.5|3)"),
}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/config", config_view)
    app.router.add_get("/health", health)
    # `.+`: a name may hold a slash (`groq/llama-3.3-70b` pins a provider; provider ids like `openai/gpt-oss-120b`),
    # sent as is or as %2F (the openai SDKs quote it).
    app.router.add_get("/v1/models/{model_id:.+}", model_view)


def public_config(config, prices) -> dict:
    """The config as the browser may see it: providers, models, merged prices; no key, no header."""
    return {
        "version": __version__,
        "providers": [
            {"id": p.id, "type": p.type, "usage_format": usage_format_for(p.type), "enabled": p.enabled,
             "disabled_reason": p.disabled_reason, "energy": p.energy,
             "models": [{"alias": alias, "provider_model": model, "reasoning": reasons(p.type, model)}
                        for alias, model in p.models.items()]}
            for p in config.providers
        ],
        "pricing": {provider_id: dict(models) for provider_id, models in prices.items()},
        "price_version": price_version(config.providers),
        "defaults": {"model": config.defaults.model},
        "budget": config.budget,
    }


def reasons(provider_type: str, provider_model: str) -> bool:
    """Whether the model reasons and takes `reasoning_effort` (REASONING_MODELS)."""
    pattern = REASONING_MODELS.get(provider_type)
    return bool(pattern and pattern.match(provider_model.rsplit("/", 1)[-1]))


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


def model_object(name: str, candidates: list[Candidate]) -> dict:
    """OpenAI's Model object (https://platform.openai.com/docs/api-reference/models/object) for a name a client
    may ask for; `owned_by` lists the providers that would serve it, in the order they are tried."""
    owners = dict.fromkeys(candidate.provider.id for candidate in candidates)
    return {"id": name, "object": "model", "created": 0, "owned_by": ",".join(owners)}


async def model_view(request: web.Request) -> web.Response:
    config, _ = await served(request.app)  # Ollama's models as installed now, like the routing
    name = request.match_info["model_id"]
    try:
        candidates = candidates_for(config, name)
    except UnknownModel as exc:
        # As OpenAI answers an unknown model: 404, invalid_request_error, model_not_found.
        return error_response(404, str(exc), code="model_not_found", param="model", error_type="invalid_request_error")
    return web.json_response(model_object(name, candidates))
