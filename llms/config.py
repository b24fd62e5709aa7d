"""Load and validate llms.json; every error names file:line:col and the key path.

Search order: --config, $LLMS_CONFIG, ~/.llms/llms.json, the packaged default.
API keys are resolved from `$ENV_VAR` references here and live only on Provider.api_key,
which is left out of repr() so it never reaches a log.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from llms import paths
from llms.jsonpos import line_col, value_positions
from llms.untrusted_json import problem_at
from llms.pricing.cost import PRICE_FIELDS
from llms.pricing.energy import ENERGY_FIELDS
from llms.providers.registry import provider_types

__all__ = [
    "Config", "Defaults", "Provider", "ConfigError", "PROVIDER_TYPES",
    "find_config_path", "load_config", "parse_config",
]

PROVIDER_TYPES = provider_types()  # each wire-format module declares its types (llms/providers/registry.py)
DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_READ_TIMEOUT_S = 120.0


class ConfigError(Exception):
    """A config file is unusable; the message says where and what to do."""


@dataclass(frozen=True)
class Provider:
    id: str
    type: str
    enabled: bool
    disabled_reason: str | None
    base_url: str
    api_key: str | None = field(repr=False)
    models: dict[str, str]
    pricing: dict[str, dict]
    default_pricing: dict | None
    headers: dict[str, str] = field(repr=False)
    connect_timeout_s: float
    read_timeout_s: float
    responses: bool = False  # speaks OpenAI's Responses API: /v1/responses is passed through to it
    energy: dict | None = None  # {"watts", "usd_per_kwh"}: a local model priced by electricity (pricing/energy.py)
    # provider model id → the most output tokens it may write (llms.json max_output_tokens, keyed by alias or id):
    # Anthropic's default max_tokens when a client sends none (providers/anthropic.py)
    max_output_tokens: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Defaults:
    model: str | None
    connect_timeout_s: float
    read_timeout_s: float


@dataclass(frozen=True)
class Config:
    path: Path
    providers: tuple[Provider, ...]
    defaults: Defaults
    budget: dict
    ledger: dict
    otel: dict | None = None  # OpenTelemetry export (llms/telemetry/otel.py); None: off, the SDK never imported

    def provider(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    @property
    def enabled_providers(self) -> tuple[Provider, ...]:
        return tuple(p for p in self.providers if p.enabled)


def find_config_path(cli_path: str | None, environ: Mapping[str, str]) -> Path:
    """The first of --config, $LLMS_CONFIG, ~/.llms/llms.json, the packaged default."""
    if cli_path:
        return Path(cli_path).expanduser()
    if environ.get("LLMS_CONFIG"):
        return Path(environ["LLMS_CONFIG"]).expanduser()
    home = paths.user_config(environ)
    return home if home.exists() else paths.DEFAULT_CONFIG


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (run `llms --init` to write the default config there)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(text, path, os.environ if environ is None else environ)


def parse_config(text: str, path: Path, environ: Mapping[str, str]) -> Config:
    unsafe = problem_at(text)  # NaN, Infinity or deep nesting: before json.loads, which takes the first and
    if unsafe:                 # recurses on the last
        line, col = line_col(text, unsafe[0])
        raise ConfigError(f"{path}:{line}:{col}: the config {unsafe[1]}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    checker = _Checker(path, value_positions(text))
    return checker.config(raw, environ)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return json.dumps(value)


# Any of these set turns OpenTelemetry export on without an "otel" key (the SDK reads them).
OTEL_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                           "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")


class _Checker:
    """Walks the parsed JSON and raises ConfigError at the first wrong value, with its position."""

    def __init__(self, path: Path, positions: dict[tuple, tuple[int, int]]):
        self.path = path
        self.positions = positions

    def fail(self, key_path: tuple, problem: str) -> None:
        line, col = self.positions.get(key_path, (1, 1))
        dotted = ".".join(str(k) for k in key_path) or "(top level)"
        raise ConfigError(f"{self.path}:{line}:{col} {dotted}: {problem}")

    def expect(self, key_path: tuple, value: Any, kind: type | tuple, what: str) -> Any:
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in ((int, float), int, float))
        if not ok:
            self.fail(key_path, f"expected {what}, got {_describe(value)}")
        return value

    def known_keys(self, key_path: tuple, obj: dict, allowed: tuple[str, ...]) -> None:
        for key in obj:
            if key not in allowed:
                self.fail(key_path + (key,), f"unknown key (expected one of: {', '.join(allowed)})")

    def number(self, key_path: tuple, value: Any, *, minimum: float = 0.0, allow_variable: bool = False) -> float:
        self.expect(key_path, value, (int, float), "a number")
        if allow_variable and value == -1:
            return value  # OpenRouter's -1: a variable price, not a free one.
        if value < minimum:
            self.fail(key_path, f"expected a number ≥ {minimum:g}, got {_describe(value)}")
        return value

    def config(self, raw: Any, environ: Mapping[str, str]) -> Config:
        self.expect((), raw, dict, "an object with a \"providers\" key")
        self.known_keys((), raw, ("defaults", "providers", "budget", "ledger", "otel"))
        defaults = self.defaults(raw.get("defaults", {}))
        providers_raw = self.expect(("providers",), raw.get("providers", {}), dict, "an object of providers")
        providers = tuple(
            self.provider(provider_id, value, defaults, environ) for provider_id, value in providers_raw.items()
        )
        if defaults.model is not None and not any(defaults.model in p.models for p in providers):
            self.fail(("defaults", "model"), f"{_describe(defaults.model)} is not a model of any provider")
        budget = self.budget(raw.get("budget", {}), providers_raw)
        ledger = self.ledger(raw.get("ledger", {}), environ)
        self.hard_caps_need_the_ledger(raw.get("budget", {}), budget, ledger)
        return Config(self.path, providers, defaults, budget, ledger, self.otel(raw.get("otel"), environ))

    def defaults(self, raw: Any) -> Defaults:
        at = ("defaults",)
        self.expect(at, raw, dict, "an object")
        self.known_keys(at, raw, ("model", "connect_timeout_s", "read_timeout_s"))
        model = raw.get("model")
        if model is not None:
            self.expect(at + ("model",), model, str, "a model name")
        return Defaults(
            model=model,
            connect_timeout_s=self.timeout(at + ("connect_timeout_s",), raw, DEFAULT_CONNECT_TIMEOUT_S),
            read_timeout_s=self.timeout(at + ("read_timeout_s",), raw, DEFAULT_READ_TIMEOUT_S),
        )

    def timeout(self, key_path: tuple, obj: dict, fallback: float) -> float:
        if key_path[-1] not in obj:
            return fallback
        value = self.number(key_path, obj[key_path[-1]])
        if value == 0:
            self.fail(key_path, "expected a number of seconds > 0, got 0")
        return float(value)

    def provider(self, provider_id: str, raw: Any, defaults: Defaults, environ: Mapping[str, str]) -> Provider:
        at = ("providers", provider_id)
        self.expect(at, raw, dict, "an object")
        self.known_keys(at, raw, ("enabled", "type", "base_url", "api_key", "models", "pricing",
                                  "default_pricing", "headers", "connect_timeout_s", "read_timeout_s", "energy",
                                  "responses", "max_output_tokens"))
        enabled = self.expect(at + ("enabled",), raw.get("enabled", True), bool, "true or false")
        kind = raw.get("type")
        if kind not in PROVIDER_TYPES:
            self.fail(at + ("type",), f"expected one of {', '.join(PROVIDER_TYPES)}, got {_describe(kind)}")
        base_url = self.expect(at + ("base_url",), raw.get("base_url"), str, "a URL like https://api.openai.com/v1")
        if not base_url.startswith(("http://", "https://")):
            self.fail(at + ("base_url",), f"expected an http:// or https:// URL, got {_describe(base_url)}")
        models = self.string_map(at + ("models",), raw.get("models", {}), "a provider model id")
        pricing = self.pricing(at + ("pricing",), raw.get("pricing", {}))
        default_pricing = raw.get("default_pricing")
        if default_pricing is not None:
            default_pricing = self.price_entry(at + ("default_pricing",), default_pricing)
        api_key, key_problem = self.api_key(at + ("api_key",), raw.get("api_key"), environ)
        reason = None if enabled else "disabled in llms.json"
        if enabled and key_problem:
            enabled, reason = False, key_problem
        if enabled and not models:
            enabled, reason = False, "no models configured"
        return Provider(
            id=provider_id, type=kind, enabled=enabled, disabled_reason=reason,
            base_url=base_url.rstrip("/"), api_key=api_key, models=models, pricing=pricing,
            default_pricing=default_pricing,
            headers=self.string_map(at + ("headers",), raw.get("headers", {}), "a header value"),
            connect_timeout_s=self.timeout(at + ("connect_timeout_s",), raw, defaults.connect_timeout_s),
            read_timeout_s=self.timeout(at + ("read_timeout_s",), raw, defaults.read_timeout_s),
            responses=self.responses(at + ("responses",), raw, provider_id, kind),
            energy=self.energy(at + ("energy",), raw.get("energy")),
            max_output_tokens=self.max_output_tokens(at + ("max_output_tokens",), raw.get("max_output_tokens", {}),
                                                     models),
        )

    def max_output_tokens(self, key_path: tuple, raw: Any, models: dict[str, str]) -> dict[str, int]:
        """alias or provider model id → a whole number of tokens > 0, kept by provider model id."""
        self.expect(key_path, raw, dict, "an object like {\"claude-sonnet-4-5\": 64000}")
        limits = {}
        for name, value in raw.items():
            if name not in models and name not in models.values():
                self.fail(key_path + (name,), f"expected a model of this provider's models (an alias or a provider "
                                              f"model id), got {_describe(name)}")
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                self.fail(key_path + (name,), f"expected a whole number of tokens > 0, got {_describe(value)}")
            limits[models.get(name, name)] = value
        return limits

    def energy(self, key_path: tuple, raw: Any) -> dict | None:
        """A local machine's draw while answering and its electricity price (pricing/energy.py)."""
        if raw is None:
            return None
        self.expect(key_path, raw, dict, "an object like {\"watts\": 65, \"usd_per_kwh\": 0.30}")
        self.known_keys(key_path, raw, ENERGY_FIELDS)
        for name in ENERGY_FIELDS:
            if name not in raw:
                self.fail(key_path, f"{name} is missing (both watts and usd_per_kwh are needed)")
        return {name: self.number(key_path + (name,), raw[name]) for name in ENERGY_FIELDS}

    def responses(self, key_path: tuple, raw: dict, provider_id: str, kind: str) -> bool:
        """Whether /v1/responses passes through to this provider: on by default for OpenAI itself (id `openai`),
        the one provider documented to serve it (https://platform.openai.com/docs/api-reference/responses)."""
        if "responses" not in raw:
            return provider_id == "openai" and kind == "openai-compatible"
        value = self.expect(key_path, raw["responses"], bool, "true or false")
        if value and kind != "openai-compatible":
            self.fail(key_path, f"only an openai-compatible provider can speak the Responses API, this one is {kind}")
        return value

    def api_key(self, key_path: tuple, value: Any, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
        """(key, why the provider is unusable). `$NAME` reads the environment variable NAME."""
        if value is None:
            return None, None
        self.expect(key_path, value, str, "a key or \"$ENV_VAR\"")
        if not value.startswith("$"):
            return value, None
        name = value[1:]
        if not name:
            self.fail(key_path, "expected \"$ENV_VAR\", got \"$\"")
        resolved = environ.get(name, "")
        return (resolved, None) if resolved else (None, f"{name} is not set")

    def string_map(self, key_path: tuple, raw: Any, what: str) -> dict[str, str]:
        self.expect(key_path, raw, dict, "an object")
        for key, value in raw.items():
            self.expect(key_path + (key,), value, str, what)
        return dict(raw)

    def pricing(self, key_path: tuple, raw: Any) -> dict[str, dict]:
        self.expect(key_path, raw, dict, "an object of model → prices")
        return {model: self.price_entry(key_path + (model,), entry) for model, entry in raw.items()}

    def price_entry(self, key_path: tuple, raw: Any, *, in_tier: bool = False, in_service_tier: bool = False) -> dict:
        """USD per 1M tokens. Entries in `pricing` may be partial: they override the default prices. A service
        tier's entry (`service_tiers.flex`) is partial too: its fields replace the entry's at that tier."""
        self.expect(key_path, raw, dict, "an object like {\"input\": 2.5, \"output\": 10}")
        allowed = ("above",) if in_tier else ("tiers",) if in_service_tier else ("tiers", "service_tiers")
        self.known_keys(key_path, raw, allowed + PRICE_FIELDS)
        entry = {}
        for name in PRICE_FIELDS:
            if name in raw:
                entry[name] = self.number(key_path + (name,), raw[name], allow_variable=name in ("input", "output"))
        if in_tier:
            if "above" not in raw:
                self.fail(key_path, "a tier needs \"above\": the prompt tokens past which it applies")
            entry["above"] = self.number(key_path + ("above",), raw["above"], minimum=1)
        elif "tiers" in raw:
            tiers = self.expect(key_path + ("tiers",), raw["tiers"], list, "a list of tiers")
            entry["tiers"] = [self.price_entry(key_path + ("tiers", i), t, in_tier=True) for i, t in enumerate(tiers)]
        if "service_tiers" in raw and not in_tier and not in_service_tier:
            at = key_path + ("service_tiers",)
            tiers = self.expect(at, raw["service_tiers"], dict, "an object of service tier → prices, like "
                                "{\"flex\": {\"input\": 0.625, \"output\": 5}}")
            entry["service_tiers"] = {name: self.price_entry(at + (name,), tier, in_service_tier=True)
                                      for name, tier in tiers.items()}
        return entry

    def budget(self, raw: Any, providers_raw: dict) -> dict:
        """{"monthly_usd", "providers", "tokens", "hard"}: amounts as numbers, `hard` the key paths of the caps
        (`"hard": true` caps them all; an entry {"usd": 20, "hard": true} caps only itself)."""
        at = ("budget",)
        self.expect(at, raw, dict, "an object like {\"monthly_usd\": 50, \"providers\": {\"openai\": 20}}")
        self.known_keys(at, raw, ("monthly_usd", "providers", "tokens", "hard"))
        all_hard = self.expect(at + ("hard",), raw.get("hard", False), bool, "true or false")
        budget: dict = {"providers": {}, "tokens": {}, "hard": []}

        def entry(key_path: tuple, value: Any) -> float:
            if isinstance(value, dict):
                self.known_keys(key_path, value, ("usd", "hard"))
                if "usd" not in value:
                    self.fail(key_path, "usd is missing: an entry reads {\"usd\": 20, \"hard\": true}")
                hard = self.expect(key_path + ("hard",), value.get("hard", all_hard), bool, "true or false")
                amount = self.number(key_path + ("usd",), value["usd"])
            else:
                self.expect(key_path, value, (int, float), "a number of USD or {\"usd\": 20, \"hard\": true}")
                hard, amount = all_hard, self.number(key_path, value)
            if hard:
                budget["hard"].append(".".join(key_path[1:]))
            return amount

        if "monthly_usd" in raw:
            budget["monthly_usd"] = entry(at + ("monthly_usd",), raw["monthly_usd"])
        per_provider = self.expect(at + ("providers",), raw.get("providers", {}), dict, "an object of provider → USD")
        for provider_id, amount in per_provider.items():
            if provider_id not in providers_raw:
                self.fail(at + ("providers", provider_id), "not a provider in this file")
            budget["providers"][provider_id] = entry(at + ("providers", provider_id), amount)
        per_token = self.expect(at + ("tokens",), raw.get("tokens", {}), dict, "an object of token name → USD")
        for name, amount in per_token.items():
            budget["tokens"][name] = entry(at + ("tokens", name), amount)
        return budget

    def hard_caps_need_the_ledger(self, raw_budget: Any, budget: dict, ledger: dict) -> None:
        # A cap counts this month's spend from the ledger (llms/budget/enforcer.py): without it every restart would
        # begin the month at $0 and the cap would hold nothing.
        if not budget["hard"] or ledger["enabled"]:
            return
        at = ("budget", "hard") if raw_budget.get("hard") else ("budget", *budget["hard"][0].split("."), "hard")
        self.fail(at, "hard caps need the ledger: set \"ledger\": {\"enabled\": true} in llms.json "
                      "(this month's spend is read from it)")

    def ledger(self, raw: Any, environ: Mapping[str, str]) -> dict:
        at = ("ledger",)
        self.expect(at, raw, dict, "an object")
        self.known_keys(at, raw, ("enabled", "path", "prompts", "max_mb"))
        ledger = {"enabled": False, "path": "~/.llms/usage.jsonl", "prompts": False, "max_mb": 100}
        for name in ("enabled", "prompts"):
            if name in raw:
                ledger[name] = self.expect(at + (name,), raw[name], bool, "true or false")
        if "path" in raw:
            ledger["path"] = self.expect(at + ("path",), raw["path"], str, "a file path")
        if "max_mb" in raw:
            ledger["max_mb"] = self.number(at + ("max_mb",), raw["max_mb"], minimum=1)
        if environ.get("COST_TRACKING_FILE"):
            # The LLM proxy cost-tracking guide's variable: it names the ledger file (from the working folder,
            # as a shell path reads) and turns the ledger on.
            ledger["path"] = str(Path(environ["COST_TRACKING_FILE"]).expanduser().absolute())
            ledger["enabled"] = True
        return ledger

    def otel(self, raw: Any, environ: Mapping[str, str]) -> dict | None:
        """On with an "otel" object or the standard OTLP endpoint variables; OTEL_SDK_DISABLED=true turns it off
        (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). A value left out here
        is the SDK's: OTEL_EXPORTER_OTLP_*_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME, else "llms"."""
        at = ("otel",)
        from_environ = any(environ.get(name) for name in OTEL_ENDPOINT_VARIABLES)
        if raw is None and not from_environ or environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
            return None
        raw = {} if raw is None else raw
        self.expect(at, raw, dict, "an object like {\"endpoint\": \"http://127.0.0.1:4318\"}")
        self.known_keys(at, raw, ("endpoint", "headers", "service_name"))
        otel = {"endpoint": None, "headers": None,
                "service_name": environ.get("OTEL_SERVICE_NAME") or "llms"}
        if "endpoint" in raw:
            endpoint = self.expect(at + ("endpoint",), raw["endpoint"], str, "an http:// or https:// URL")
            if not endpoint.startswith(("http://", "https://")) or len(endpoint.split("://", 1)[1].strip("/")) == 0:
                self.fail(at + ("endpoint",), f"expected an http:// or https:// URL, got {_describe(endpoint)}")
            otel["endpoint"] = endpoint.rstrip("/")
        if "headers" in raw:
            otel["headers"] = self.string_map(at + ("headers",), raw["headers"], "a header value (text)")
        if "service_name" in raw:
            name = self.expect(at + ("service_name",), raw["service_name"], str, "a service name (text)")
            if not name.strip():
                self.fail(at + ("service_name",), "expected a service name, got an empty text")
            otel["service_name"] = name
        return otel
