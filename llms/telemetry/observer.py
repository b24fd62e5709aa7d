"""Telemetry as a recorder (server/exchange.py): each finished request priced once, its Measure given to each sink.

Sinks: Prometheus' tallies (always; GET /metrics) and, when `otel` is on, the OpenTelemetry export (imported only
then). The price is the ledger's rule (`ledger_recorder.priced`), so /metrics, spans and the ledger agree.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from llms.server.keys import CONFIG, LEDGER, PRICES, RECORDERS, TELEMETRY
from llms.server.ledger_recorder import priced
from llms.telemetry import prometheus
from llms.telemetry.measure import measure_of

__all__ = ["Telemetry", "install"]

log = logging.getLogger("llms.telemetry")


class Telemetry:
    def __init__(self, config, prices, tallies: prometheus.Tallies):
        self.config = config
        self.prices = prices
        self.tallies = tallies
        self.export = None  # the OtelExport when otel is on

    def __call__(self, record: dict) -> None:
        # Run once the answer is written (the route finishes a request before aiohttp sends it): its client does not
        # wait for its telemetry. Callbacks made ready now run before the loop reads sockets again, so a later
        # request, a scrape of /metrics included, always sees this one counted.
        asyncio.get_running_loop().call_soon(self.observe, record)

    def observe(self, record: dict) -> None:
        try:
            measure = measure_of(record, *priced(record, self.config, self.prices))
            self.tallies.observe(measure)
            if self.export is not None:
                self.export.observe(measure)
        except Exception:  # a telemetry fault must not end the loop's callback; logged, the request was served
            log.exception("telemetry failed for request %s", record["request_id"])


def install(app: web.Application) -> None:
    """Register telemetry as a recorder and serve /metrics; start the OpenTelemetry export when `otel` is on."""
    config = app[CONFIG]
    tallies = prometheus.Tallies(lambda: app[LEDGER].writer.write_errors if LEDGER in app else 0)
    telemetry = Telemetry(config, app[PRICES], tallies)
    if config.otel is not None:
        from llms.telemetry.otel import OtelExport

        telemetry.export = OtelExport(config.otel)
        app.on_cleanup.append(_close_export)
    app[TELEMETRY] = telemetry
    app[RECORDERS].append(telemetry)
    prometheus.add_routes(app, tallies)


async def _close_export(app: web.Application) -> None:
    # Off the event loop: the last export may wait on a slow collector (bounded by otel.CLOSE_TIMEOUT_S).
    await asyncio.get_running_loop().run_in_executor(None, app[TELEMETRY].export.close)
