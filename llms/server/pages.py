"""The browser app's pages: `/` (the app shell) and the fragments rendered from the config (ui/static/js/fragments.js)."""

from __future__ import annotations

from aiohttp import web

from llms import __version__
from llms.pricing.cost import format_price
from llms.server.html import html_response
from llms.server.installed_models import served
from llms.server.keys import TEMPLATES
from llms.server.readiness import default_model

__all__ = ["add_routes", "energy_text", "model_groups", "price_text"]

def add_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/fragments/models", models_fragment)


async def index(request: web.Request) -> web.Response:
    return html_response(request.app[TEMPLATES].get_template("index.html").render(version=__version__))


def _fragment(request: web.Request, name: str, **context) -> web.Response:
    """One macro of _fragments.html, rendered alone: the partials fragments.js puts in the page."""
    macro = getattr(request.app[TEMPLATES].get_template("_fragments.html").module, name)
    return html_response(str(macro(**context)))


def price_text(entry: dict | None, field: str) -> str:
    """A price per 1M tokens as the selector shows it: "$2.50", "$0.00" when free, "—" when unknown or variable."""
    return format_price(entry.get(field) if entry else None)


def energy_text(energy: dict | None) -> str | None:
    """A model priced by electricity (pricing/energy.py) shows its rates, not "$0.00 in · $0.00 out": "⚡ 65 W at
    $0.30/kWh"."""
    if not energy:
        return None
    rate = energy["usd_per_kwh"]
    rate_text = f"{rate:.2f}" if round(rate, 2) == rate else f"{rate:g}"  # $0.30, as prices read; $0.123 whole
    return f"⚡ {energy['watts']:g} W at ${rate_text}/kWh"


def model_groups(config, prices) -> list[dict]:
    """Enabled providers with their models and prices, the default model marked (readiness.default_model: the
    first provider serving defaults.model, else the first ready model)."""
    groups, default = [], default_model(config).value
    for provider in config.providers:
        if not provider.enabled:
            continue
        models = []
        for alias in provider.models:
            entry = prices.get(provider.id, {}).get(alias)
            value = f"{provider.id}/{alias}"
            models.append({"alias": alias, "value": value, "selected": value == default,
                           "input": price_text(entry, "input"), "output": price_text(entry, "output"),
                           "energy": energy_text(provider.energy)})
        groups.append({"provider": provider.id, "models": models})
    return groups


async def models_fragment(request: web.Request) -> web.Response:
    config, prices = await served(request.app)  # Ollama's models as installed now
    disabled = [p for p in config.providers if not p.enabled]
    return _fragment(request, "models", groups=model_groups(config, prices), disabled=disabled,
                     default_note=default_model(config).note)
