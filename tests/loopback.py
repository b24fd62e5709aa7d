"""A real aiohttp server on 127.0.0.1 for tests: `async with`, or `start_in_thread()` / `stop()` from sync tests.

A subclass builds its routes in `make_app()`; the mock provider and the OTLP receiver are two.
"""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

__all__ = ["HOST", "LoopbackServer"]

HOST = "127.0.0.1"


class LoopbackServer:
    THREAD_NAME = "loopback-server"

    def __init__(self, port: int = 0):
        self.port = port  # 0: a free port, known once started
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def make_app(self) -> web.Application:
        raise NotImplementedError(f"{type(self).__name__} builds its routes in make_app()")

    async def start(self):
        self._runner = web.AppRunner(self.make_app(), shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, self.port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    @classmethod
    def start_in_thread(cls, *args, **kwargs):
        """Runs the server on its own event loop in a daemon thread (for sync tests); `stop()` ends it."""
        server = cls(*args, **kwargs)
        ready, failures = threading.Event(), []

        def run() -> None:
            loop = asyncio.new_event_loop()
            server._loop = loop
            try:
                loop.run_until_complete(server.start())
            except BaseException as exc:  # handed to the starting thread, which raises it
                failures.append(exc)
                loop.close()
                return
            finally:
                ready.set()
            loop.run_forever()
            loop.run_until_complete(server.close())
            loop.close()

        server._thread = threading.Thread(target=run, name=cls.THREAD_NAME, daemon=True)
        server._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"the {cls.THREAD_NAME} did not start within 10s")
        if failures:
            raise failures[0]
        return server

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            raise RuntimeError("stop() is for a server started with start_in_thread(); use `async with` otherwise")
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
