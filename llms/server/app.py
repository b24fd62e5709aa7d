"""create_app(): routes, the request guard, and app-wide state under typed keys."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

from aiohttp import web

from llms import paths
from llms.budget import enforcer
from llms.budget.refusal import budget_refusals
from llms.config import Config
from llms.files import EXIT_OK, EXIT_USAGE
from llms.pricing.table import warn_unpriced_models
from llms.providers import transport
from llms.server import (analytics_api, analytics_pages, api, ledger_recorder, messages, pages, providers_view, proxy,
                         request_log, responses)
from llms.server.errors import error_response
from llms.server.html import Templates
from llms.server.access import TOKEN_COOKIE, ServerSettings, refusal, token_name
from llms.server.compression import compress_responses
from llms.server.connections import ConnectionGuard, GuardedSite, Limits, connection_cap, raise_fd_limit
from llms.server.installed_models import InstalledModels, served
from llms.server.keys import (BUDGETS, CONFIG, CONNECTIONS, HTTP, INSTALLED, LEDGER, PRICES, RECORDERS, SETTINGS,
                              TEMPLATES, TOKEN_NAME)
from llms.server.readiness import startup_lines
from llms.server.price_cache import LazyPriceTable
from llms.telemetry import observer as telemetry

__all__ = ["create_app", "run", "serve", "PortInUse"]

MAX_BODY_BYTES = 32 * 1024 * 1024  # room for a few images in a chat request
_OPEN_PATHS = ("/static/", "/health")  # nothing secret: served without the token
PRICE_WARM_DELAY_S = 0.5
SHUTDOWN_TIMEOUT_S = 5.0
LINGER_S = 1.0  # on Ctrl-C / SIGTERM, answers in progress get this long to finish
log = logging.getLogger("llms.server")


class PortInUse(Exception):
    pass


@web.middleware
async def connection_tracking(request: web.Request, handler):
    """Tells the connection guard a request is in progress, so its connection is neither timed out nor evicted."""
    guard = request.app.get(CONNECTIONS)
    if guard is None:
        return await handler(request)
    guard.started(request.protocol)
    try:
        return await handler(request)
    finally:
        guard.ended(request.protocol)


@web.middleware
async def errors_as_json(request: web.Request, handler):
    """Our own bugs answer as OpenAI-shaped 500s and are logged; the server keeps serving."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, f"{exc.reason}: {request.method} {request.path}")
    except asyncio.CancelledError:
        raise
    except ConnectionResetError:
        # The client left (Stop, a reload, a closed tab): normal, not a fault. This response is never sent;
        # returning it keeps aiohttp from logging a traceback for a connection that is already gone.
        log.debug("client left during %s %s", request.method, request.path)
        return web.Response(status=499, text="client closed the connection")
    except Exception:
        log.exception("error while handling %s %s", request.method, request.path)
        return error_response(500, f"internal error while handling {request.method} {request.path}; "
                                   "see the server log", code="internal_error")


@web.middleware
async def access_check(request: web.Request, handler):
    settings: ServerSettings = request.app[SETTINGS]
    reason = refusal(request.headers.get("Host"), request.headers.get("Origin"), settings)
    if reason:
        return error_response(403, reason, code="forbidden")
    if settings.tokens and not request.path.startswith(_OPEN_PATHS):
        offered = request.query.get("token") if request.path == "/" else None
        if offered and token_name(settings, f"Bearer {offered}", None):
            response = await handler(request)
            response.set_cookie(TOKEN_COOKIE, offered, httponly=True, samesite="Strict")
            return response
        name = token_name(settings, _authorization(request), request.cookies.get(TOKEN_COOKIE))
        if name is None:
            return error_response(401, "missing or wrong token: send 'Authorization: Bearer <token>'",
                                  code="unauthorized")
        request[TOKEN_NAME] = name  # the ledger records which token a request came with
    return await handler(request)


@web.middleware
async def body_deadline(request: web.Request, handler):
    """A body trickled in a byte at a time would keep its connection busy for good: it must arrive in time.
    Read here (after the access check), it is kept by aiohttp, so the route's own read returns it at once."""
    guard = request.app.get(CONNECTIONS)
    # A body already whole (a chat request usually comes in one segment with its headers) has nothing to wait
    # for: asyncio.wait_for's task and timer would cost more than the rest of the middlewares together.
    if guard is not None and request.body_exists and not request.content.is_eof():
        try:
            await asyncio.wait_for(request.read(), guard.limits.body_timeout_s)
        except asyncio.TimeoutError:
            response = error_response(408, f"the request body did not arrive within {guard.limits.body_timeout_s:g}s",
                                      code="request_timeout")
            response.force_close()  # the rest of the body may still come: this connection is done
            return response
    return await handler(request)


def _authorization(request: web.Request) -> str | None:
    # Anthropic clients (Claude Code, the SDKs) send their key as x-api-key (https://docs.anthropic.com/en/api/overview).
    api_key = request.headers.get("x-api-key")
    return request.headers.get("Authorization") or (f"Bearer {api_key}" if api_key else None)


def create_app(config: Config, settings: ServerSettings) -> web.Application:
    app = web.Application(middlewares=[connection_tracking, compress_responses, errors_as_json, access_check,
                                       body_deadline, budget_refusals],
                          client_max_size=MAX_BODY_BYTES)
    app[CONFIG] = config
    app[SETTINGS] = settings
    app[PRICES] = LazyPriceTable(config.providers)
    app[INSTALLED] = InstalledModels(config)
    app[RECORDERS] = []
    app[TEMPLATES] = Templates()
    enforcer.install(app)  # before the ledger, which settles each request with it
    ledger_recorder.install(app)
    app[RECORDERS].append(app[BUDGETS].unsettled)  # after the ledger: a request it could not settle keeps its worst case
    if settings.verbose:
        request_log.install(app)  # one log line per request (--verbose)
    telemetry.install(app)  # /metrics; OpenTelemetry when `otel` is on
    app.cleanup_ctx.append(_http_session)
    app.on_startup.append(_warm_prices)
    proxy.add_routes(app)
    messages.add_routes(app)
    responses.add_routes(app)
    api.add_routes(app)
    analytics_api.add_routes(app)
    pages.add_routes(app)
    analytics_pages.add_routes(app)
    providers_view.add_routes(app)
    app.router.add_static("/static/", paths.STATIC_DIR, append_version=False)
    return app


async def _http_session(app: web.Application):
    async with transport.new_session() as session:
        app[HTTP] = session
        yield


async def _warm_prices(app: web.Application) -> None:
    # Built in a thread shortly after start-up: loading genai-prices competes for the interpreter, so it
    # waits until the server has answered its first requests; a page that needs prices sooner builds them.
    loop = asyncio.get_running_loop()

    def start() -> None:
        loop.run_in_executor(None, _build_prices, app).add_done_callback(_log_failure)

    loop.call_later(PRICE_WARM_DELAY_S, start)


def _build_prices(app: web.Application) -> None:
    """The price table; then, ledger on or off, one warning per enabled model without a price, worded as the LLM
    proxy cost-tracking guide's (docs/contracts.md)."""
    app[PRICES].warm()
    warn_unpriced_models(app[CONFIG].enabled_providers, app[PRICES].price_for, log.warning)


def _log_failure(future: asyncio.Future) -> None:
    # The table is built again on first use, where the same error reaches the caller.
    if not future.cancelled() and future.exception() is not None:
        log.error("building the price table failed: %r", future.exception())


def _loop_factory():
    """uvloop's event loop where it is installed (pyproject: every platform but Windows): about 45 µs less per
    proxied request here (docs/benchmarks.md); else asyncio's own."""
    try:
        import uvloop
    except ImportError:  # Windows, or an install without it: asyncio's loop serves the same, a little slower
        return None
    return uvloop.new_event_loop


async def serve(app: web.Application, settings: ServerSettings, limits: Limits, stop: asyncio.Event,
                on_listening=lambda: None) -> None:
    """Serve `app` until `stop` is set; PortInUse when the port is taken (before `on_listening` is called)."""
    guard = ConnectionGuard(limits, connection_cap(limits, raise_fd_limit()))
    app[CONNECTIONS] = guard
    # handler_cancellation: when the client leaves, its handler is cancelled at once, so an upstream call waiting
    # in silence is closed and recorded as aborted then, not at the provider's read timeout (a 504 it never was).
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT_S,
                           handler_cancellation=True)
    await runner.setup()
    try:
        # lingering_time: how long the unread rest of a refused body is drained before closing (aiohttp: 10 s).
        site = GuardedSite(runner, settings.host, settings.port, guard, access_log=None,
                           keepalive_timeout=limits.keepalive_s, lingering_time=LINGER_S)
        try:
            await site.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(settings.port) from None
            raise
        on_listening()
        await stop.wait()
    finally:
        await runner.cleanup()


def run(config: Config, settings: ServerSettings, print_fn=print, limits: Limits = Limits()) -> int:
    """Serve until Ctrl-C or SIGTERM; the exit code (EXIT_USAGE when the port is in use)."""
    app = create_app(config, settings)
    if LEDGER in app:
        writer = app[LEDGER].writer
        try:
            writer.open()
        except OSError as exc:
            print(f"llms: the ledger {writer.path} cannot be written: {exc.strerror or exc}; fix the path or "
                  "set ledger.enabled to false in llms.json", file=sys.stderr)
            return EXIT_USAGE
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    first_secret = next(iter(settings.tokens.values()), None)
    token_part = f"/?token={first_secret}" if first_secret else "/"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def announce() -> None:
        live, _ = await served(app)  # Ollama asked now (its timeout is short), so the summary says what is served
        for line in startup_lines(live):
            print_fn(line)
        sys.stdout.flush()  # a terminal or a log file shows the summary now, not at exit

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        announcing = []  # the task is kept here: the loop holds only a weak reference to it

        def listening() -> None:
            print_fn(f"llms serving {config.path} on http://{shown}:{settings.port}{token_part}")
            announcing.append(loop.create_task(announce()))

        await serve(app, settings, limits, stop, listening)

    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(main())
    except PortInUse:
        print(f"llms: port {settings.port} is in use: pick another with --serve PORT", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
