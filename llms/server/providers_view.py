"""/providers: every provider of the config, ready or off and why (the variable to set), with its models and prices;
POST /providers/{id}/check asks each of its models as `llms --check` does (commands/check.py's probe, not a copy).

The same facts /api/config gives the browser (api.public_config), rendered on the server: no script needed to
learn why the model picker is empty. The check runs behind the access check of every route (Origin, Host, token):
a foreign page cannot make this server spend a key.
"""

from __future__ import annotations

import logging

from aiohttp import web

from llms import __version__
from llms.commands.check import CheckResult, check_models, refusal_for
from llms.server.api import public_config
from llms.server.errors import error_response
from llms.server.html import html_response
from llms.server.installed_models import served
from llms.server.keys import CONFIG, HTTP, RECORDERS, TEMPLATES
from llms.server.pages import price_text

__all__ = ["add_routes", "provider_rows", "check_result"]

log = logging.getLogger("llms.server")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/providers", providers_page)
    app.router.add_post("/providers/{provider_id}/check", check_provider)


def provider_rows(public: dict) -> list[dict]:
    """public_config's providers, each with its models priced as the model picker shows them."""
    rows = []
    for provider in public["providers"]:
        prices = public["pricing"].get(provider["id"], {})
        models = [m | {"input": price_text(prices.get(m["alias"]), "input"),
                       "output": price_text(prices.get(m["alias"]), "output")} for m in provider["models"]]
        rows.append(provider | {"models": models})
    return rows


async def providers_page(request: web.Request) -> web.Response:
    config, prices = await served(request.app)  # Ollama's models as installed now, or why it is off
    public = public_config(config, prices)
    rows = provider_rows(public)
    template = request.app[TEMPLATES].get_template("providers.html")
    return html_response(template.render(version=__version__, providers=rows,
                                         ready=sum(1 for p in rows if p["enabled"]), config_path=request.app[CONFIG].path))


def check_result(result: CheckResult) -> dict:
    """One model's check as the page shows it: answered or the plain reason, in whole milliseconds."""
    return {"model": result.model, "ok": result.ok, "reason": result.reason, "latency_ms": round(result.latency_ms),
            "input_tokens": result.input_tokens, "output_tokens": result.output_tokens,
            "tokens_per_s": result.tokens_per_s}


def _hand_to_recorders(app: web.Application, record: dict) -> None:
    for recorder in app[RECORDERS]:
        try:
            recorder(record)
        except Exception:  # as exchange.finish: a broken recorder must not fail the check; it is logged
            log.exception("recorder %r failed for a check of %s", recorder, record["provider"])


async def check_provider(request: web.Request) -> web.Response:
    provider_id = request.match_info["provider_id"]
    provider = (await served(request.app))[0].provider(provider_id)
    if provider is None:
        return error_response(404, f"no provider {provider_id!r} in {request.app[CONFIG].path}", code="not_found")
    refused = refusal_for(provider)
    if refused:
        return error_response(409, refused, code="provider_off", provider=provider_id)
    # Each model asked is a request like any other: handed to the recorders (the ledger), sent by the app.
    results = await check_models(request.app[HTTP], provider, list(provider.models), client="app",
                                 record=lambda record: _hand_to_recorders(request.app, record))
    return web.json_response({"provider": provider_id, "results": [check_result(r) for r in results]})
