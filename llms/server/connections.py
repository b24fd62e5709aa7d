"""The server's connections: a bound on the time to send a request's headers and to sit idle, a cap on how
many are open (below the process's file-descriptor limit), and an overload logged once per interval.

aiohttp waits for a request's headers as long as a client keeps the socket open, and each open socket is a
file descriptor: a few hundred half-open connections (slowloris) used to exhaust the limit, after which
every accept failed with a traceback and /health went dark. Here a connection that has not started a
request within `header_timeout_s` (or within `keepalive_s + header_timeout_s` after its last one) is
closed, and at the cap the oldest connection with no request in progress makes room for the new one.

A request counts from the moment aiohttp has parsed its head, not from when its handler first runs: on a
busy machine the loop can be seconds behind, and a 1,000-stream wave at load 25 had connections closed at
the header timeout whose whole request had been waiting in aiohttp's queue for seconds (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

__all__ = ["Limits", "ConnectionGuard", "raise_fd_limit", "connection_cap", "FD_RESERVE"]

log = logging.getLogger("llms.server")
FD_RESERVE = 64  # descriptors kept for the ledger, static files, the price data and the listening socket
OVERLOAD_LOG_INTERVAL_S = 60.0


@dataclass(frozen=True)
class Limits:
    header_timeout_s: float = 10.0  # from connecting (or the last answer's keep-alive end) to a whole request head
    keepalive_s: float = 15.0  # an idle connection is closed after this
    body_timeout_s: float = 60.0  # a request body (at most app.MAX_BODY_BYTES) must arrive within this
    max_connections: int = 1000  # open client connections; lowered to fit the descriptor limit


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit where allowed; the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as exc:  # not allowed here (a container, a sandbox): keep the soft limit
            log.info("could not raise the file-descriptor limit from %d: %s", soft, exc)
    return soft


def connection_cap(limits: Limits, fd_limit: int) -> int:
    """Client connections that fit: each may hold an upstream connection too, so two descriptors apiece."""
    return max(1, min(limits.max_connections, (fd_limit - FD_RESERVE) // 2))


class ConnectionGuard:
    """Tracks open connections (aiohttp RequestHandlers): `opened`/`closed` from the protocol,
    `started`/`ended` around each request (the middleware in app.py)."""

    def __init__(self, limits: Limits, cap: int, clock=time.monotonic):
        self.limits = limits
        self.cap = cap
        self._clock = clock
        self._timers: dict[web.RequestHandler, asyncio.TimerHandle | None] = {}  # insertion order: oldest first
        self._busy: set[web.RequestHandler] = set()
        self._shed = 0
        self._last_logged = -OVERLOAD_LOG_INTERVAL_S

    def opened(self, handler: web.RequestHandler) -> None:
        if len(self._timers) >= self.cap and not self._make_room():
            self._overloaded()
            handler.force_close()
            handler.transport.close()
            return
        self._timers[handler] = None
        self._arm(handler, self.limits.header_timeout_s)

    def closed(self, handler: web.RequestHandler) -> None:
        timer = self._timers.pop(handler, None)
        if timer is not None:
            timer.cancel()
        self._busy.discard(handler)

    def started(self, handler: web.RequestHandler) -> None:
        if handler in self._timers:
            self._arm(handler, None)
            self._busy.add(handler)

    def ended(self, handler: web.RequestHandler) -> None:
        if handler in self._timers:
            self._busy.discard(handler)
            self._arm(handler, self.limits.keepalive_s + self.limits.header_timeout_s)

    @property
    def open_count(self) -> int:
        return len(self._timers)

    def _arm(self, handler: web.RequestHandler, after_s: float | None) -> None:
        timer = self._timers.get(handler)
        if timer is not None:
            timer.cancel()
        self._timers[handler] = None if after_s is None else \
            asyncio.get_running_loop().call_later(after_s, self._expire, handler)

    def _expire(self, handler: web.RequestHandler) -> None:
        if handler not in self._busy:
            self._drop(handler)

    def _make_room(self) -> bool:
        idle = next((handler for handler in self._timers if handler not in self._busy), None)
        if idle is None:
            return False
        self._drop(idle)
        self._overloaded()
        return True

    def _drop(self, handler: web.RequestHandler) -> None:
        self.closed(handler)
        transport = handler.transport
        if transport is not None:
            transport.abort()  # nothing of ours is pending on a connection without a request: free it now

    def _overloaded(self) -> None:
        self._shed += 1
        now = self._clock()
        if now - self._last_logged >= OVERLOAD_LOG_INTERVAL_S:
            log.warning("overloaded: %d connection(s) closed to stay within %d open (slow or idle clients)",
                        self._shed, self.cap)
            self._last_logged, self._shed = now, 0


class GuardedHandler(web.RequestHandler):
    """aiohttp's connection protocol, telling the guard when it opens and closes."""

    def __init__(self, guard: ConnectionGuard, manager: web.Server, **kwargs):
        super().__init__(manager, **kwargs)
        self._guard = guard

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._guard.opened(self)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._guard.closed(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # aiohttp queues each request whose head it has parsed in `_messages` (RequestHandler, 3.x; a bad head is
        # queued too, as the 400 to send) until its task takes it: from then on the client has done its part.
        if self._messages:
            self._guard.started(self)

    def log_exception(self, *args, **kwargs) -> None:
        exc = kwargs.get("exc_info")
        if isinstance(exc, HttpProcessingError):
            # A request line or header we cannot parse: the client gets its 400; a traceback per such request
            # would only let anyone fill the console.
            self.logger.debug("bad request from a client: %s", exc.message)
            return
        super().log_exception(*args, **kwargs)


class GuardedSite(web.BaseSite):
    """A TCP site whose connections are GuardedHandlers."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, guard: ConnectionGuard, **handler_kwargs):
        super().__init__(runner)
        self._host, self._port, self._guard, self._handler_kwargs = host, port, guard, handler_kwargs

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        server = self._runner.server

        def protocol() -> GuardedHandler:
            return GuardedHandler(self._guard, server, loop=loop, **self._handler_kwargs)

        # backlog: a burst of as many connections as the guard lets in waits in the kernel's queue (asyncio's
        # default is 100: a wave of 1,000 clients at once saw connections refused or its SYNs retried after 1 s).
        self._server = await loop.create_server(protocol, self._host, self._port, reuse_address=True,
                                                backlog=max(100, self._guard.cap))
