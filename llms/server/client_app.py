"""Pure: the client application a request came from, named from its User-Agent (`client_app` of a record).

Coding agents and SDKs name themselves in the first product token of their User-Agent
(https://www.rfc-editor.org/rfc/rfc9110#name-user-agent). The names we know are mapped to stable app names,
so the ledger can be grouped by app; any other client is named by its product token, lowercased.
"""

from __future__ import annotations

import re

__all__ = ["KNOWN_APPS", "client_app"]

MAX_APP_CHARS = 64
# (product token, app): the token is the part before the first "/", compared without case.
KNOWN_APPS = (
    ("claude-cli", "claude-code"),        # Claude Code: "claude-cli/2.0.14 (external, cli)"
    ("codex_cli_rs", "codex"),            # Codex CLI: "codex_cli_rs/0.46.0 (Ubuntu 24.4.0; x86_64) ..."
    ("codex_exec", "codex"),              # `codex exec` names its originator codex_exec
    ("anthropic/python", "anthropic-sdk-python"),  # the anthropic SDK: "Anthropic/Python 0.69.0"
    ("anthropic/js", "anthropic-sdk-js"),
    ("openai/python", "openai-python"),   # the openai SDK: "OpenAI/Python 1.109.1"
    ("openai/js", "openai-js"),
)
_PRODUCT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def client_app(user_agent: str | None) -> str | None:
    """The app named by a User-Agent: a known one's name, else its first product token lowercased; None without one."""
    if not user_agent or not user_agent.strip():
        return None
    text = user_agent.strip().lower()
    for token, app in KNOWN_APPS:
        if _starts_with_token(text, token):
            return app
    found = _PRODUCT.match(text)
    return found.group(0)[:MAX_APP_CHARS] if found else None


def _starts_with_token(text: str, token: str) -> bool:
    # "claude-cli/2.0.14" and "anthropic/python 0.69.0" name their app; "claude-cliff/1" does not.
    return text.startswith(token) and text[len(token):len(token) + 1] in ("", " ", "/", "(")
