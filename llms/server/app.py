"""create_app(): routes, the request guard, and app-wide state under typed keys."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from llms import paths
from llms.config import Config
from llms.providers import transport
from llms.server import analytics_api, analytics_pages, api, ledger_recorder, pages, proxy
from llms.server.errors import error_response
from llms.server.html import Templates
from llms.server.access import TOKEN_COOKIE, ServerSettings, refusal, token_name
from llms.server.keys import CONFIG, HTTP, PRICES, RECORDERS, SETTINGS, TEMPLATES, TOKEN_NAME
from llms.server.price_cache import LazyPriceTable

__all__ = ["create_app", "run"]

MAX_BODY_BYTES = 32 * 1024 * 1024  # room for a few images in a chat request
_OPEN_PATHS = ("/static/", "/health")  # nothing secret: served without the token
PRICE_WARM_DELAY_S = 0.5
log = logging.getLogger("llms.server")


@web.middleware
async def errors_as_json(request: web.Request, handler):
    """Our own bugs answer as OpenAI-shaped 500s and are logged; the server keeps serving."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, f"{exc.reason}: {request.method} {request.path}")
    except (asyncio.CancelledError, ConnectionResetError):
        raise
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
        name = token_name(settings, request.headers.get("Authorization"), request.cookies.get(TOKEN_COOKIE))
        if name is None:
            return error_response(401, "missing or wrong token: send 'Authorization: Bearer <token>'",
                                  code="unauthorized")
        request[TOKEN_NAME] = name  # the ledger records which token a request came with
    return await handler(request)


def create_app(config: Config, settings: ServerSettings) -> web.Application:
    app = web.Application(middlewares=[errors_as_json, access_check], client_max_size=MAX_BODY_BYTES)
    app[CONFIG] = config
    app[SETTINGS] = settings
    app[PRICES] = LazyPriceTable(config.providers)
    app[RECORDERS] = []
    app[TEMPLATES] = Templates()
    ledger_recorder.install(app)
    app.cleanup_ctx.append(_http_session)
    app.on_startup.append(_warm_prices)
    proxy.add_routes(app)
    api.add_routes(app)
    analytics_api.add_routes(app)
    pages.add_routes(app)
    analytics_pages.add_routes(app)
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
        loop.run_in_executor(None, app[PRICES].warm).add_done_callback(_log_failure)

    loop.call_later(PRICE_WARM_DELAY_S, start)


def _log_failure(future: asyncio.Future) -> None:
    # The table is built again on first use, where the same error reaches the caller.
    if not future.cancelled() and future.exception() is not None:
        log.error("building the price table failed: %r", future.exception())


def run(config: Config, settings: ServerSettings, print_fn=print) -> None:
    app = create_app(config, settings)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    first_secret = next(iter(settings.tokens.values()), None)
    token_part = f"/?token={first_secret}" if first_secret else "/"
    print_fn(f"llms serving {config.path} on http://{shown}:{settings.port}{token_part}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None,
                handle_signals=True)
