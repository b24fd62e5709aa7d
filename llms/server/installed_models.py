"""Ollama's installed models: asked at GET {root}/api/tags with a short timeout and kept a few seconds.

When Ollama answers, what is installed is offered as it is, free (a model of llms.json keeps its alias when it is
installed); when it does not, its models are not offered and the provider says why. Every other provider is the
file's. The picker, /api/config, the Providers view and the proxy's routing read the config through `current`,
so what is offered is what is served. https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass

import aiohttp

from llms import untrusted_json
from llms.config import Config, Provider
from llms.server.keys import HTTP, INSTALLED, PRICES

__all__ = ["Installed", "InstalledModels", "ServedPrices", "parse_tags", "with_installed", "live_prices", "tags_url", "served"]

TAGS_TIMEOUT_S = 1.5  # a local Ollama answers in milliseconds; one that is off must not hold a page up
KEEP_S = 10.0  # a model pulled or removed shows within this long
MAX_TAGS_BYTES = 4 * 1024 * 1024
FREE = {"input": 0, "output": 0}  # a local model costs nothing per token


@dataclass(frozen=True)
class Installed:
    """What one Ollama said: its model names, or (names None) why it could not be asked."""

    names: tuple[str, ...] | None
    problem: str | None = None


def tags_url(provider: Provider) -> str:
    # base_url is Ollama's root, or its OpenAI API at {root}/v1 (providers/failover.target_for accepts both).
    return provider.base_url.removesuffix("/v1") + "/api/tags"


def parse_tags(data: object) -> tuple[str, ...]:
    """/api/tags' body → the installed model names, in Ollama's order; ValueError when it is not that shape."""
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, list) or not all(isinstance(m, dict) and isinstance(m.get("name"), str) for m in models):
        raise ValueError('expected {"models": [{"name": …}, …]}')
    return tuple(m["name"] for m in models)


async def ask_tags(session: aiohttp.ClientSession, provider: Provider) -> Installed:
    url = tags_url(provider)
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=TAGS_TIMEOUT_S)) as response:
            if response.status != 200:
                return Installed(None, f"{url} answered {response.status}")
            body = await response.content.read(MAX_TAGS_BYTES)
        return Installed(parse_tags(untrusted_json.loads(body)))
    except asyncio.TimeoutError:
        return Installed(None, f"no answer from {url} within {TAGS_TIMEOUT_S:g} s")
    except aiohttp.ClientError as exc:
        return Installed(None, f"{url}: {exc.__class__.__name__}: {exc}")
    except ValueError as exc:  # untrusted_json's errors are ValueErrors too
        return Installed(None, f"{url} did not list models: {exc}")


def _offered(provider: Provider, names: tuple[str, ...]) -> dict[str, str]:
    """alias → installed name: llms.json's aliases of installed models (Ollama adds ":latest" to a bare name),
    then every other installed model under its own name."""
    models: dict[str, str] = {}
    for alias, model in provider.models.items():
        found = next((n for n in (model, f"{model}:latest") if n in names), None)
        if found is not None:
            models[alias] = found
    taken = set(models.values())
    return models | {name: name for name in names if name not in taken and name not in models}


def with_installed(config: Config, installed: dict[str, Installed]) -> Config:
    """Pure: `config` with each asked Ollama provider's models as installed, or off with the reason."""
    providers = []
    for provider in config.providers:
        found = installed.get(provider.id)
        if found is None:
            providers.append(provider)
        elif found.names is None:
            providers.append(dataclasses.replace(provider, enabled=False, models={},
                                                 disabled_reason=f"Ollama is not answering at {provider.base_url} ({found.problem})"))
        elif not found.names:
            providers.append(dataclasses.replace(provider, enabled=False, models={}, disabled_reason=(
                f"Ollama at {provider.base_url} has no model installed (ollama pull llama3.2)")))
        else:
            providers.append(dataclasses.replace(provider, models=_offered(provider, found.names)))
    return dataclasses.replace(config, providers=tuple(providers))


def live_prices(prices, live: Config, installed: dict[str, Installed]) -> dict[str, dict]:
    """The price table with each installed model priced: as llms.json (or genai-prices) prices its alias, else
    the provider's default_pricing, else free."""
    table = {provider_id: dict(models) for provider_id, models in prices.items()}
    for provider in live.providers:
        if provider.id in installed:
            known = table.get(provider.id, {})
            table[provider.id] = {alias: known.get(alias) or provider.default_pricing or FREE for alias in provider.models}
    return table


class ServedPrices:
    """`price_for` of the price table as served now: the file's table (LazyPriceTable), with each Ollama's models
    as it last listed them; what the ledger prices a finished request by (it was routed by the same answer)."""

    def __init__(self, installed: "InstalledModels", table):
        self._installed = installed
        self._table = table

    def price_for(self, provider_id: str, alias: str) -> dict | None:
        live = self._installed.last_prices
        if live is not None and provider_id in live:
            return live[provider_id].get(alias)
        return self._table.price_for(provider_id, alias)


class InstalledModels:
    """The live config of a running server: the file's, with each enabled Ollama provider as it answers now."""

    def __init__(self, config: Config, clock=time.monotonic):
        self.config = config
        self._ollamas = [p for p in config.providers if p.type == "ollama" and p.enabled]
        self._clock = clock
        self._asked: dict[str, tuple[float, Installed]] = {}
        self._lock = asyncio.Lock()
        self.last_prices: dict | None = None  # the Ollama providers' part of the last live table

    async def installed(self, session: aiohttp.ClientSession) -> dict[str, Installed]:
        """Each Ollama's answer, asked again once it is older than KEEP_S (all at once, one asking at a time)."""
        async with self._lock:
            now = self._clock()
            stale = [p for p in self._ollamas if p.id not in self._asked or now - self._asked[p.id][0] > KEEP_S]
            answers = await asyncio.gather(*(ask_tags(session, p) for p in stale))
            for provider, answer in zip(stale, answers):
                self._asked[provider.id] = (now, answer)
            return {provider_id: answer for provider_id, (_, answer) in self._asked.items()}

    @property
    def asks(self) -> bool:
        """Whether there is an Ollama to ask (else the file's config is the one served)."""
        return bool(self._ollamas)

    async def current(self, session: aiohttp.ClientSession, prices) -> tuple[Config, dict]:
        """(the config as served now, its price table)."""
        installed = await self.installed(session)
        live = with_installed(self.config, installed)
        table = live_prices(prices, live, installed)
        self.last_prices = {provider_id: table[provider_id] for provider_id in installed}
        return live, table


async def served(app) -> tuple[Config, dict]:
    """The config and price table a running server offers and routes by now; no request without an Ollama."""
    installed = app[INSTALLED]
    if not installed.asks:
        return installed.config, app[PRICES]
    return await installed.current(app[HTTP], app[PRICES])
