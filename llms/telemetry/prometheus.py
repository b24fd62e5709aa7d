"""GET /metrics: the proxied requests' counts, tokens, cost and times in Prometheus text exposition.

Each finished request (a `Measure`) is counted here in plain dicts, a few additions per request on the event loop.
prometheus-client (~25 ms to import) is loaded on the first scrape, which registers one collector reading these
tallies in a registry of this server's own (`Tallies.registry`), never prometheus-client's global one.
Behind the token like every route when tokens are on (server/app.py access_check).

Metrics (https://prometheus.io/docs/practices/naming/: base units, `_total` counters):
- llms_requests_total{provider,model,status,client_app}
- llms_tokens_total{provider,model,kind}: kind one of measure.TOKEN_KINDS (cached and cache_write are parts of
  input, reasoning a part of output)
- llms_cost_usd_total{provider,model}: known costs only; an unpriced request adds nothing
- llms_request_duration_seconds{provider,model,status}, llms_time_to_first_token_seconds{provider,model}: histograms
- llms_ledger_write_errors_total: ledger lines that could not be written (0 with the ledger off)
`model` is the alias a request was priced under, as in the ledger; a missing provider or client_app is "".
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Callable

from aiohttp import web

from llms.telemetry.measure import DURATION_BUCKETS_S, Measure

__all__ = ["Tallies", "add_routes"]

# Prometheus' text format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/): read by every
# Prometheus server version.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Histogram:
    __slots__ = ("counts", "sum", "count")

    def __init__(self):
        self.counts = [0] * (len(DURATION_BUCKETS_S) + 1)  # per bucket, not cumulative; the last is +Inf
        self.sum = 0.0
        self.count = 0

    def add(self, value: float) -> None:
        self.counts[bisect_left(DURATION_BUCKETS_S, value)] += 1  # le: a value on a bound counts in that bucket
        self.sum += value
        self.count += 1

    def buckets(self) -> list[tuple[str, int]]:
        running, cumulative = 0, []
        for bound, count in zip((*(repr(b) for b in DURATION_BUCKETS_S), "+Inf"), self.counts):
            running += count
            cumulative.append((bound, running))
        return cumulative


class Tallies:
    """The counts since the server started; `write_errors` tells the ledger's failed writes at scrape time."""

    def __init__(self, write_errors: Callable[[], int]):
        self.write_errors = write_errors
        self.requests: dict[tuple[str, str, str, str], int] = {}
        self.tokens: dict[tuple[str, str, str], int] = {}
        self.cost_usd: dict[tuple[str, str], float] = {}
        self.duration: dict[tuple[str, str, str], _Histogram] = {}
        self.ttft: dict[tuple[str, str], _Histogram] = {}
        self._registry = None

    def observe(self, measure: Measure) -> None:
        provider = measure.provider or ""
        key = (provider, measure.model)
        counted = (provider, measure.model, measure.status, measure.client_app or "")
        self.requests[counted] = self.requests.get(counted, 0) + 1
        for kind, count in measure.tokens.items():
            self.tokens[key + (kind,)] = self.tokens.get(key + (kind,), 0) + count
        if measure.cost_usd is not None:
            self.cost_usd[key] = self.cost_usd.get(key, 0.0) + measure.cost_usd
        timed = key + (measure.status,)
        (self.duration.get(timed) or self.duration.setdefault(timed, _Histogram())).add(measure.duration_s)
        if measure.ttft_s is not None:
            (self.ttft.get(key) or self.ttft.setdefault(key, _Histogram())).add(measure.ttft_s)

    @property
    def registry(self):
        """A prometheus-client registry holding one collector of these tallies, made on the first scrape."""
        if self._registry is None:
            from prometheus_client import CollectorRegistry

            self._registry = CollectorRegistry(auto_describe=False)
            self._registry.register(_Collector(self))
        return self._registry

    def families(self):
        from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

        requests = CounterMetricFamily("llms_requests", "Proxied requests, by how they ended.",
                                       labels=("provider", "model", "status", "client_app"))
        for labels, count in self.requests.items():
            requests.add_metric(labels, count)
        tokens = CounterMetricFamily("llms_tokens", "Tokens of proxied requests, by kind.",
                                     labels=("provider", "model", "kind"))
        for labels, count in self.tokens.items():
            tokens.add_metric(labels, count)
        cost = CounterMetricFamily("llms_cost_usd", "Known cost of proxied requests in USD.",
                                   labels=("provider", "model"))
        for labels, usd in self.cost_usd.items():
            cost.add_metric(labels, usd)
        duration = HistogramMetricFamily("llms_request_duration_seconds", "Proxied request duration, start to end.",
                                         labels=("provider", "model", "status"))
        for labels, histogram in self.duration.items():
            duration.add_metric(labels, histogram.buckets(), histogram.sum)
        ttft = HistogramMetricFamily("llms_time_to_first_token_seconds", "Time to the first streamed token.",
                                     labels=("provider", "model"))
        for labels, histogram in self.ttft.items():
            ttft.add_metric(labels, histogram.buckets(), histogram.sum)
        errors = CounterMetricFamily("llms_ledger_write_errors", "Ledger lines that could not be written.")
        errors.add_metric((), self.write_errors())
        return requests, tokens, cost, duration, ttft, errors


class _Collector:
    """prometheus-client's custom collector protocol: `collect()` yields metric families."""

    def __init__(self, tallies: Tallies):
        self.tallies = tallies

    def collect(self):
        yield from self.tallies.families()


def add_routes(app: web.Application, tallies: Tallies) -> None:
    async def metrics(request: web.Request) -> web.Response:
        from prometheus_client import generate_latest

        return web.Response(body=generate_latest(tallies.registry), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/metrics", metrics)
