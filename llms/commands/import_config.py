"""`llms --import-config PATH`: an llms.py `llms.json` → ours, printing every change; the original is never touched.

llms.py (2.0.x) differs from us in three ways that change values, not just names:
- `type` is a Python class name: OpenAiProvider, GoogleProvider, GoogleOpenAiProvider, OllamaProvider.
- `base_url` has no version path: llms.py appends `/v1/chat/completions` unless the URL already ends in
  `/v<digits>` (llms/main.py, OpenAiProvider.__init__); Google's URL is built in.
- prices are USD per token as strings ("0.0000025"); ours are USD per 1M tokens as numbers.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from llms.config import ConfigError, parse_config
from llms.files import EXIT_FAIL, EXIT_OK, EXIT_USAGE, write_atomically

__all__ = ["convert", "run_import", "ImportProblem"]

GOOGLE_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
ANTHROPIC_HOST = "api.anthropic.com"
_VERSIONED = re.compile(r"/v\d+$")
_KEPT = ("enabled", "api_key", "models", "headers")  # same meaning on both sides
_HANDLED = _KEPT + ("type", "base_url", "pricing", "default_pricing")


class ImportProblem(ValueError):
    """The file cannot be converted; the message says where."""


def _show(value) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def _kind(value) -> str:
    """What a value is, without the value: fields left out may hold secrets (auth.github.client_secret)."""
    return {dict: "an object", list: "a list", str: "a text", bool: "true or false", type(None): "null"}.get(
        type(value), "a number")


def convert(source: dict) -> tuple[dict, list[str]]:
    """(our config, the changes made, one line each). Unknown or unsupported fields are listed, not dropped
    silently: by key path only, never their values, which may be secrets (auth, tokens, passwords)."""
    if not isinstance(source, dict) or not isinstance(source.get("providers"), dict):
        raise ImportProblem("expected an llms.py llms.json: an object with a \"providers\" object")
    changes: list[str] = []
    providers = {}
    for provider_id, raw in source["providers"].items():
        converted = _provider(provider_id, raw, changes)
        if converted is not None:
            providers[provider_id] = converted
    result: dict = {}
    defaults = _defaults(source.get("defaults"), providers, changes)
    if defaults:
        result["defaults"] = defaults
    result["providers"] = providers
    for key in source:
        if key not in ("providers", "defaults"):
            changes.append(f"{key}: not an llms setting, left out")
    return result, changes


def _defaults(raw, providers: dict, changes: list[str]) -> dict:
    if not isinstance(raw, dict):
        return {}
    defaults = {}
    model = (raw.get("text") or {}).get("model") if isinstance(raw.get("text"), dict) else None
    if model and any(model in p["models"] for p in providers.values()):
        defaults["model"] = model
        changes.append(f"defaults.text.model → defaults.model: {_show(model)}")
    elif model:
        changes.append(f"defaults.text.model: {_show(model)} is not a model of any provider here, left out")
    for key in raw:
        if key != "text":
            changes.append(f"defaults.{key}: not an llms setting, left out")
    for key in raw.get("text") or {}:
        if key != "model":
            changes.append(f"defaults.text.{key}: not an llms setting, left out")
    return defaults


def _provider(provider_id: str, raw, changes: list[str]) -> dict | None:
    at = f"providers.{provider_id}"
    if not isinstance(raw, dict):
        changes.append(f"{at}: expected an object, got {_kind(raw)}; left out")
        return None
    kind, base_url = _type_and_url(raw.get("type"), raw.get("base_url"))
    if kind is None:
        changes.append(f"{at}.type: {_show(raw.get('type'))} is not an llms.py provider type we know; provider left out")
        return None
    out = {key: raw[key] for key in _KEPT if key in raw}
    out["type"] = kind
    changes.append(f"{at}.type: {_show(raw.get('type'))} → {_show(kind)}")
    out["base_url"] = base_url
    if base_url != raw.get("base_url"):
        changes.append(f"{at}.base_url: {_show(raw.get('base_url'))} → {_show(base_url)}")
    out.setdefault("models", {})
    for field in ("pricing", "default_pricing"):
        if field in raw and raw[field] is not None:
            converted = _prices(f"{at}.{field}", raw[field], nested=field == "pricing", changes=changes)
            if converted is not None:
                out[field] = converted
    for key in raw:
        if key not in _HANDLED:
            changes.append(f"{at}.{key}: not an llms setting, left out")
    if not out["models"]:
        changes.append(f"{at}.models: none listed, so llms shows this provider as disabled (add models to use it)")
    return out


def _type_and_url(kind, base_url) -> tuple[str | None, str | None]:
    if kind in ("GoogleProvider", "GoogleOpenAiProvider"):
        return "google", GOOGLE_BASE_URL
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        return None, None
    root = base_url.rstrip("/")
    if kind == "OllamaProvider":
        return "ollama", root
    if kind == "OpenAiProvider":
        versioned = root if _VERSIONED.search(root) else root + "/v1"
        # llms.py reaches Anthropic through its OpenAI-compatible endpoint; we speak Messages, which reports cache tokens.
        return ("anthropic" if ANTHROPIC_HOST in root else "openai-compatible"), versioned
    return None, None


def _prices(at: str, raw, *, nested: bool, changes: list[str]) -> dict | None:
    if nested:
        if not isinstance(raw, dict):
            changes.append(f"{at}: expected an object, got {_kind(raw)}; left out")
            return None
        entries = {model: _price_entry(f"{at}.{model}", entry, changes) for model, entry in raw.items()}
        return {model: entry for model, entry in entries.items() if entry is not None}
    return _price_entry(at, raw, changes)


def _price_entry(at: str, raw, changes: list[str]) -> dict | None:
    if not isinstance(raw, dict):
        changes.append(f"{at}: expected {{\"input\": …, \"output\": …}}, got {_kind(raw)}; left out")
        return None
    entry = {}
    for field, value in raw.items():
        if field not in ("input", "output"):
            changes.append(f"{at}.{field}: not an llms price field, left out")
            continue
        try:
            per_million = Decimal(str(value)) * 1_000_000
        except InvalidOperation:
            changes.append(f"{at}.{field}: {_show(value)} is not a number; left out")
            continue
        number = int(per_million) if per_million == per_million.to_integral_value() else float(per_million)
        entry[field] = number
        changes.append(f"{at}.{field}: {_show(value)} USD/token → {number} USD/1M tokens")
    return entry


def run_import(source_path: Path, output_path: Path | None, force: bool, out: TextIO, err: TextIO) -> int:
    target = output_path or source_path.with_name(f"{source_path.stem}.converted.json")
    if target.resolve() == source_path.resolve():
        print(f"llms: --output {target} is the file being imported; the original is never modified", file=err)
        return EXIT_USAGE
    if target.exists() and not force:
        print(f"llms: {target} exists; use --force to overwrite it or --output to choose another file", file=err)
        return EXIT_USAGE
    try:
        source = json.loads(source_path.read_text(encoding="utf-8"))
        converted, changes = convert(source)
    except FileNotFoundError:
        print(f"llms: {source_path}: no such file", file=err)
        return EXIT_USAGE
    except json.JSONDecodeError as exc:
        print(f"llms: {source_path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}", file=err)
        return EXIT_USAGE
    except ImportProblem as exc:
        print(f"llms: {source_path}: {exc}", file=err)
        return EXIT_USAGE
    text = json.dumps(converted, indent=2, ensure_ascii=False) + "\n"
    try:
        parse_config(text, target, {})  # keys stay "$ENV" references: unset ones only disable providers
    except ConfigError as exc:
        print(f"llms: the converted config does not load, nothing written (please report this): {exc}", file=err)
        return EXIT_FAIL
    for change in changes:
        print(change, file=out)
    write_atomically(target, text)
    print(f"wrote {target} ({len(converted['providers'])} providers); {source_path} is unchanged", file=out)
    print(f"use it with: llms --config {target} --serve", file=out)
    return EXIT_OK
