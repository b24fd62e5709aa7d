"""A real OTLP/HTTP receiver on 127.0.0.1: POST /v1/traces and /v1/metrics bodies decoded with opentelemetry-proto.

    receiver = OtlpReceiver.start_in_thread()
    receiver.endpoint                  # http://127.0.0.1:PORT, as llms.json's otel.endpoint
    receiver.wait_for_spans(3)         # [Span(name, kind, attributes, start_ns, end_ns, status, resource), …]
    receiver.metric_points("gen_ai.client.token.usage")   # [{"attributes", "count", "sum", "unit"}, …]
    receiver.stop()

Requests are decoded as the OTLP/HTTP spec says (https://opentelemetry.io/docs/specs/otlp/#otlphttp): binary
protobuf (`application/x-protobuf`), answered with an empty Export…ServiceResponse. The headers of every export are
kept (`headers`), so a test can check what the exporter sent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from aiohttp import web
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (ExportMetricsServiceRequest,
                                                                          ExportMetricsServiceResponse)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (ExportTraceServiceRequest,
                                                                      ExportTraceServiceResponse)

from tests.loopback import HOST, LoopbackServer

__all__ = ["OtlpReceiver", "Span"]

PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class Span:
    name: str
    kind: int  # opentelemetry.proto.trace.v1.Span.SpanKind: 3 = CLIENT
    attributes: dict
    start_ns: int
    end_ns: int
    status_code: int  # Status.StatusCode: 0 unset, 1 ok, 2 error
    resource: dict
    scope: str


def _value(any_value):
    """An OTLP AnyValue as Python: str, bool, int, float, or a tuple of those for an array."""
    which = any_value.WhichOneof("value")
    if which == "array_value":
        return tuple(_value(item) for item in any_value.array_value.values)
    return getattr(any_value, which)


def _attributes(key_values) -> dict:
    return {item.key: _value(item.value) for item in key_values}


class OtlpReceiver(LoopbackServer):
    THREAD_NAME = "OTLP receiver"

    def __init__(self):
        super().__init__()
        self.spans: list[Span] = []
        self.metrics: list = []  # decoded ExportMetricsServiceRequest messages, in arrival order
        self.headers: list[dict] = []
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def _traces(self, request: web.Request) -> web.Response:
        message = ExportTraceServiceRequest.FromString(await self._body(request))
        with self._lock:
            for resource_spans in message.resource_spans:
                resource = _attributes(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.spans.append(Span(span.name, span.kind, _attributes(span.attributes),
                                               span.start_time_unix_nano, span.end_time_unix_nano, span.status.code,
                                               resource, scope_spans.scope.name))
        return web.Response(body=ExportTraceServiceResponse().SerializeToString(), content_type=PROTOBUF)

    async def _metrics(self, request: web.Request) -> web.Response:
        message = ExportMetricsServiceRequest.FromString(await self._body(request))
        with self._lock:
            self.metrics.append(message)
        return web.Response(body=ExportMetricsServiceResponse().SerializeToString(), content_type=PROTOBUF)

    async def _body(self, request: web.Request) -> bytes:
        if request.content_type != PROTOBUF:
            raise web.HTTPUnsupportedMediaType(text=f"expected {PROTOBUF}, got {request.content_type}")
        with self._lock:
            self.headers.append(dict(request.headers))
        return await request.read()

    def wait_for_spans(self, count: int, timeout_s: float = 20.0) -> list[Span]:
        """The spans received, once there are at least `count` (an AssertionError naming what came otherwise)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.spans) >= count:
                    return list(self.spans)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} spans within {timeout_s:g}s, got {len(self.spans)}: {self.spans}")

    def metric_points(self, name: str) -> list[dict]:
        """The histogram data points of metric `name` in the last export that had it (cumulative temporality, the
        SDK's default: the last export holds the totals), each as its attributes, count, sum and unit."""
        points = []
        with self._lock:
            for message in self.metrics:
                found = [{"attributes": _attributes(point.attributes), "count": point.count, "sum": point.sum,
                          "unit": metric.unit}
                         for resource_metrics in message.resource_metrics
                         for scope_metrics in resource_metrics.scope_metrics
                         for metric in scope_metrics.metrics if metric.name == name
                         for point in metric.histogram.data_points]
                points = found or points
        return points

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/traces", self._traces)
        app.router.add_post("/v1/metrics", self._metrics)
        return app
