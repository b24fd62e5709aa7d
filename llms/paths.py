"""Where the packaged files are: inside the wheel (llms/ui, llms/llms.json) or in a source checkout."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["UI_DIR", "TEMPLATES_DIR", "STATIC_DIR", "DEFAULT_CONFIG", "user_config"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _packaged_or_checkout(name: str) -> Path:
    # A wheel carries ui/ and llms.json inside the package; a source checkout keeps them at the top.
    inside = _PACKAGE / name
    return inside if inside.exists() else _CHECKOUT / name


UI_DIR = _packaged_or_checkout("ui")
TEMPLATES_DIR = UI_DIR / "templates"
STATIC_DIR = UI_DIR / "static"
DEFAULT_CONFIG = _packaged_or_checkout("llms.json")


def user_config(environ: Mapping[str, str]) -> Path:
    """The person's own config, ~/.llms/llms.json ($HOME from `environ`, so tests can point it elsewhere)."""
    return Path(environ.get("HOME", "~")).expanduser() / ".llms" / "llms.json"
