"""/providers: every provider of the config, ready or off and why (the variable to set), with its models and prices.

The same facts /api/config gives the browser (api.public_config), rendered on the server: no script needed to
learn why the model picker is empty.
"""

from __future__ import annotations

from aiohttp import web

from llms import __version__
from llms.server.api import public_config
from llms.server.html import html_response
from llms.server.keys import CONFIG, PRICES, TEMPLATES
from llms.server.pages import price_text

__all__ = ["add_routes", "provider_rows"]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/providers", providers_page)


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
    public = public_config(request.app[CONFIG], request.app[PRICES])
    rows = provider_rows(public)
    template = request.app[TEMPLATES].get_template("providers.html")
    return html_response(template.render(version=__version__, providers=rows,
                                         ready=sum(1 for p in rows if p["enabled"]), config_path=request.app[CONFIG].path))
