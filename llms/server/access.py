"""Pure: may this request be served? Origin, Host (DNS rebinding) and token checks; may this --host be bound?

A web page the person visits can make their browser send requests to 127.0.0.1; browsers mark
those with a foreign `Origin`, and a DNS-rebinding page reaches us under a foreign `Host`.
Requests without `Origin` (SDKs, curl) are served.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from dataclasses import dataclass, field

__all__ = ["ServerSettings", "parse_tokens", "refusal", "token_name", "token_ok", "bind_refusal", "TOKEN_COOKIE"]

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
TOKEN_COOKIE = "llms_token"


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    tokens: dict[str, str] = field(default_factory=dict, repr=False)  # name → secret; empty: no token needed
    verbose: bool = False  # --verbose: one log line per request (server/request_log.py)


def parse_tokens(values: list[str]) -> dict[str, str]:
    """`--token` values, `NAME=SECRET` or a bare `SECRET` (named "default") → {name: secret}.

    The name is what the ledger records for requests made with that token (which script, which person).
    """
    tokens: dict[str, str] = {}
    for value in values:
        name, equals, secret = value.partition("=")
        name, secret = (name.strip(), secret) if equals else ("default", value)
        if not name or not secret:
            raise ValueError(f"--token {value!r}: expected NAME=SECRET or SECRET, both non-empty")
        if name in tokens:
            raise ValueError(f"--token {name}=…: the name {name!r} is given twice")
        tokens[name] = secret
    return tokens


def _resolved(host: str, resolve) -> set[str]:
    infos = resolve(host, None, type=socket.SOCK_STREAM)
    return {info[4][0].partition("%")[0] for info in infos}  # an IPv6 scope ("fe80::1%eth0") is no part of it


def bind_refusal(host: str, has_token: bool, resolve=socket.getaddrinfo) -> str | None:
    """Why `--host host` may not be served, or None. Loopback is decided by the addresses the name resolves to,
    never by its text (`127.lan.example` may be a LAN address): every one must be loopback to serve without
    a token; a name that resolves to nothing is refused."""
    if host in WILDCARD_HOSTS:
        addresses = {host or "0.0.0.0"}
    else:
        try:
            addresses = _resolved(host, resolve)
        except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError; an over-long label a UnicodeError
            return f"--host {host} does not resolve to an address ({exc})"
        if not addresses:
            return f"--host {host} does not resolve to an address"
    if has_token or all(ipaddress.ip_address(address).is_loopback for address in addresses):
        return None
    shown = ", ".join(sorted(addresses))
    return f"--host {host} ({shown}) is reachable from other machines: set --token or LLMS_TOKEN"


def _split_host(host_header: str) -> tuple[str, int | None] | None:
    """'[::1]:8000' → ('::1', 8000); 'localhost' → ('localhost', None); junk → None."""
    if host_header.startswith("["):
        name, bracket, rest = host_header[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:]
    else:
        name, _, port_text = host_header.partition(":")
    if port_text and not (port_text.isascii() and port_text.isdigit()):  # "²".isdigit() is True; int("²") raises
        return None
    return name.lower(), int(port_text) if port_text else None


def _host_allowed(host_header: str | None, settings: ServerSettings) -> bool:
    parsed = _split_host(host_header or "")
    if parsed is None:
        return False
    name, port = parsed
    if (port or 80) != settings.port:
        return False
    if settings.host in WILDCARD_HOSTS:
        return bool(name)  # reachable under any name; the token guards it
    return name in LOOPBACK_NAMES or name == settings.host.lower().strip("[]")


def refusal(host_header: str | None, origin: str | None, settings: ServerSettings) -> str | None:
    """Why the request must be refused (403), or None when it may be served."""
    if not _host_allowed(host_header, settings):
        return f"Host {host_header!r} is not this server (refused to guard against DNS rebinding)"
    if origin is not None and origin.lower() not in (f"http://{host_header}".lower(), f"https://{host_header}".lower()):
        return f"Origin {origin!r} is not this server's own page (a foreign web page may not use it)"
    return None


def token_name(settings: ServerSettings, authorization: str | None, cookie: str | None) -> str | None:
    """The name of the token the request offers (Bearer header, else the cookie), or None when none matches."""
    offered = cookie or ""
    if authorization and authorization.startswith("Bearer "):
        offered = authorization[len("Bearer "):]
    found = None
    for name, secret in settings.tokens.items():
        # Every token is compared, in constant time, so timing tells nothing about which one nearly matched.
        # surrogatepass: header bytes that are not UTF-8 arrive as lone surrogates; they compare, unequal, never raise.
        if hmac.compare_digest(offered.encode("utf-8", "surrogatepass"), secret.encode("utf-8", "surrogatepass")):
            found = name
    return found


def token_ok(settings: ServerSettings, authorization: str | None, cookie: str | None) -> bool:
    return not settings.tokens or token_name(settings, authorization, cookie) is not None
