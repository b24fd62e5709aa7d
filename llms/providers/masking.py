"""Pure: the secrets of a provider call, and any value with them hidden.

A provider (or a proxy in front of it) may echo the key back, in an error or in a 200 answer, so
everything a call returns is masked before it reaches a client, the ledger or the terminal.
"""

from __future__ import annotations

import re
import urllib.parse

__all__ = ["MASK", "call_secrets", "config_secrets", "masked", "url_shown"]

MASK = "***"
# Header names that carry a credential: their values are secrets whatever their length.
_CREDENTIAL_NAME = re.compile(r"auth|key|token|secret|cookie|password", re.IGNORECASE)
MIN_PLAIN_HEADER_CHARS = 8  # another configured header's value is hidden only from this length (not "1", "json")


def _url_secrets(url: str) -> list[str | None]:
    """The userinfo and the query values of a URL (`https://user:pass@host/v1?key=…`)."""
    parts = urllib.parse.urlsplit(url)
    # `user:password@` hides the password; a lone `token@` is the credential itself.
    found = [parts.password or parts.username]
    found += [value for _, value in urllib.parse.parse_qsl(parts.query)]
    return found


def _header_secrets(headers: dict[str, str], *, plain_too: bool) -> list[str]:
    found = []
    for name, value in headers.items():
        if _CREDENTIAL_NAME.search(name):
            found.append(value.removeprefix("Bearer "))  # the scheme word itself is no secret
        elif plain_too and len(value) >= MIN_PLAIN_HEADER_CHARS:
            found.append(value)
    return found


def _ordered(found: list[str | None]) -> tuple[str, ...]:
    # Longest first, so a secret that contains another is hidden whole.
    return tuple(sorted({value for value in found if value and value.strip()}, key=len, reverse=True))


def call_secrets(api_key: str | None, configured: dict[str, str], sent: dict[str, str], urls: tuple[str, ...]) -> tuple[str, ...]:
    """Everything of one call to hide: the key (any length), the configured headers' values, the credential
    headers actually sent (Authorization, x-api-key, x-goog-api-key), and secrets in the URLs."""
    found = [api_key, *_header_secrets(configured, plain_too=True), *_header_secrets(sent, plain_too=False)]
    for url in urls:
        found += _url_secrets(url)
    return _ordered(found)


def config_secrets(providers) -> tuple[str, ...]:
    """Every configured provider's secrets (for what is written without a call at hand: the ledger)."""
    found: list[str | None] = []
    for provider in providers:
        found += [provider.api_key, *_header_secrets(dict(provider.headers), plain_too=True),
                  *_url_secrets(provider.base_url)]
    return _ordered(found)


def masked(value, secrets: tuple[str, ...]):
    """`value` (str, or JSON-shaped dicts and lists of them) with every secret replaced by MASK in its strings.

    Object keys are the shape's own names (`role`, `content`), never a provider's text: they stay as they are."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {key: masked(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, secrets) for item in value]
    return value


def url_shown(url: str) -> str:
    """A URL as it may be shown: userinfo and query values replaced by MASK."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    query = "&".join(f"{name}={MASK}" for name, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
