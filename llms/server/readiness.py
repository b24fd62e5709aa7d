"""Pure: which providers are ready, the default model a page starts with, and the start-up summary saying both.

The default is `defaults.model` at the first ready provider serving it; when none is ready, the first model of
the first ready provider, and the summary and the model picker say so (a message to a model that is off would fail).
"""

from __future__ import annotations

from dataclasses import dataclass

from llms.config import Config

__all__ = ["DefaultModel", "default_model", "startup_lines"]


@dataclass(frozen=True)
class DefaultModel:
    value: str | None  # "provider/alias" as the model picker's option value; None when nothing is ready
    note: str | None = None  # why it is not defaults.model


def _why_off(config: Config, alias: str) -> str:
    reasons = [f"{p.id}: {p.disabled_reason}" for p in config.providers if not p.enabled and alias in p.models]
    return "; ".join(reasons) or "no provider serves it now"


def default_model(config: Config) -> DefaultModel:
    asked = config.defaults.model
    ready = config.enabled_providers
    serving = next((p for p in ready if asked in p.models), None) if asked else None
    if serving is not None:
        return DefaultModel(f"{serving.id}/{asked}")
    first = next((p for p in ready if p.models), None)
    if first is None:
        return DefaultModel(None)
    alias = next(iter(first.models))
    note = None if asked is None else (f"defaults.model {asked} is not ready ({_why_off(config, asked)}): "
                                       f"using {alias} ({first.id})")
    return DefaultModel(f"{first.id}/{alias}", note)


def startup_lines(config: Config) -> list[str]:
    """What the terminal says after the serving line: how many providers are ready, why the others are off
    (the variable to set), where the config is, and the default model's fallback."""
    ready = config.enabled_providers
    total = len(config.providers)
    head = f"{len(ready)} of {total} provider{'' if total == 1 else 's'} ready"
    lines = [head + (f": {', '.join(p.id for p in ready)}" if ready else ": no message can be sent yet")]
    off = [p for p in config.providers if not p.enabled]
    width = max((len(p.id) for p in off), default=0)
    lines += [f"  off  {p.id.ljust(width)}  {p.disabled_reason}" for p in off]
    if off:
        lines.append(f"set a key's variable and restart, or edit the providers in {config.path}")
    else:
        lines.append(f"config: {config.path}")
    note = default_model(config).note
    if note:
        lines.append(note)
    if not ready:
        lines.append("to explore the analytics without a key: open the page and press Load demo data")
    return lines
