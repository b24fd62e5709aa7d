"""The floor: a bare aiohttp pass-through proxy, the least an aiohttp server plus an aiohttp client can cost.

    python bench/floor.py --port 8012 --upstream http://127.0.0.1:8011 [--uvloop]

POST /v1/chat/completions reads the body, posts it upstream on one pooled ClientSession and hands back the
upstream's bytes as they come (a stream chunk by chunk); no JSON parsing, no checks, no record. GET /health
answers 200. `FLOOR` and `FLOOR_UVLOOP` are its bench contenders (bench/contenders.py's Contender): the benches
run it beside llms so "time added" can be read against what our own stack cannot go below. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import ROOT, Contender, Launch, _clean_env  # noqa: E402

__all__ = ["FLOOR", "FLOOR_UVLOOP", "make_app"]


def make_app(upstream: str) -> web.Application:
    async def session_context(app: web.Application):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            app["session"] = session
            yield

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        async with request.app["session"].post(upstream + "/v1/chat/completions", data=body,
                                               headers={"Content-Type": "application/json"}) as reply:
            if reply.content_type != "text/event-stream":
                return web.Response(body=await reply.read(), status=reply.status, content_type=reply.content_type)
            response = web.StreamResponse(status=reply.status, headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            async for chunk in reply.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.cleanup_ctx.append(session_context)
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/health", health)
    return app


def _launch(uvloop: bool):
    def launch(contender: Contender, home: Path, port: int, upstream: str) -> Launch:
        argv = [sys.executable, str(ROOT / "bench" / "floor.py"), "--port", str(port), "--upstream", upstream]
        return Launch(argv + (["--uvloop"] if uvloop else []), _clean_env(home))
    return launch


FLOOR = Contender("aiohttp floor", (), "", "/health", _launch(False))
FLOOR_UVLOOP = Contender("floor+uvloop", (), "", "/health", _launch(True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="the upstream's base URL (bench/upstream.py)")
    parser.add_argument("--uvloop", action="store_true", help="serve on uvloop's event loop")
    args = parser.parse_args()
    if args.uvloop:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    web.run_app(make_app(args.upstream), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
