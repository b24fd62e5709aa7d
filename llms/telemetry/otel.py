"""OpenTelemetry out: a span and the GenAI client metrics per proxied request, sent over OTLP/HTTP (protobuf).

Imported only when `otel` is on (config.py): the SDK costs ~35 ms of start-up, paid by those who export.
Spans go through a BatchSpanProcessor (a bounded queue, exported from its own thread: a collector that is down or
slow never slows or fails a chat; when the queue is full, new spans are dropped and the SDK logs it), metrics
through a PeriodicExportingMetricReader (OTEL_METRIC_EXPORT_INTERVAL, 60 s by default). The exporter's retries
stop at EXPORT_TIMEOUT_S. Providers are this server's own, never the process-global ones.

The span is written when the request has ended, with its real start and end times, from its `Measure`
(measure.py holds the attribute names and their sources); it carries no prompt, answer or error text.
"""

from __future__ import annotations

import logging
import threading
import time

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from llms import __version__
from llms.telemetry.measure import (DURATION_BUCKETS_S, TOKEN_BUCKETS, Measure, metric_attributes, span_attributes,
                                    span_name)

__all__ = ["OtelExport"]

log = logging.getLogger("llms.telemetry")
EXPORT_TIMEOUT_S = 5.0  # per export, retries included (the SDK's default is 10 s)
CLOSE_TIMEOUT_S = 3.0  # at shutdown, the last spans and metrics get this long; a collector that is down gets no more
MAX_QUEUE_SPANS = 2048  # the BatchSpanProcessor's bound; past it spans are dropped, never waited for
SCOPE = "llms"


class OtelExport:
    """The OpenTelemetry sink of telemetry/observer.py, built from config.otel."""

    def __init__(self, settings: dict):
        resource = Resource.create({"service.name": settings["service_name"], "service.version": __version__})
        base = settings["endpoint"]  # None: the SDK reads OTEL_EXPORTER_OTLP_(TRACES_|METRICS_)ENDPOINT
        headers = settings["headers"]  # None: the SDK reads OTEL_EXPORTER_OTLP_HEADERS
        spans = OTLPSpanExporter(endpoint=base and base + "/v1/traces", headers=headers, timeout=EXPORT_TIMEOUT_S)
        self.tracer_provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        self.tracer_provider.add_span_processor(BatchSpanProcessor(spans, max_queue_size=MAX_QUEUE_SPANS))
        metrics = OTLPMetricExporter(endpoint=base and base + "/v1/metrics", headers=headers, timeout=EXPORT_TIMEOUT_S)
        self.meter_provider = MeterProvider([PeriodicExportingMetricReader(metrics)], resource=resource,
                                            shutdown_on_exit=False)
        self.tracer = self.tracer_provider.get_tracer(SCOPE, __version__)
        meter = self.meter_provider.get_meter(SCOPE, __version__)
        # https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/: names, units and advised buckets.
        self.token_usage = meter.create_histogram("gen_ai.client.token.usage", "{token}",
                                                  "Number of input and output tokens used.",
                                                  explicit_bucket_boundaries_advisory=TOKEN_BUCKETS)
        self.duration = meter.create_histogram("gen_ai.client.operation.duration", "s", "GenAI operation duration.",
                                               explicit_bucket_boundaries_advisory=DURATION_BUCKETS_S)
        self.time_to_first_chunk = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk", "s",
            "Time to receive the first chunk, from the request's start.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS_S)

    def observe(self, measure: Measure) -> None:
        span = self.tracer.start_span(span_name(measure), kind=SpanKind.CLIENT, start_time=measure.start_ns,
                                      attributes=span_attributes(measure))
        if measure.status == "error":
            span.set_status(Status(StatusCode.ERROR))
        span.end(end_time=measure.start_ns + int(measure.duration_s * 1e9))
        attributes = metric_attributes(measure)
        self.duration.record(measure.duration_s, attributes)
        if measure.ttft_s is not None:
            self.time_to_first_chunk.record(measure.ttft_s, attributes)
        if measure.tokens:
            # gen_ai.token.type: "input" or "output" (the conventions' two values); cache and reasoning are on the span.
            self.token_usage.record(measure.tokens["input"], attributes | {"gen_ai.token.type": "input"})
            self.token_usage.record(measure.tokens["output"], attributes | {"gen_ai.token.type": "output"})

    def close(self) -> None:
        """Send what is queued, spans and metrics side by side, for at most CLOSE_TIMEOUT_S: a collector that is
        down would otherwise hold the server's exit for an export timeout per signal. What is not sent by then is
        dropped with the process (the threads are daemons)."""
        threads = [threading.Thread(target=provider.shutdown, name=f"otel-{name}-shutdown", daemon=True)
                   for name, provider in (("traces", self.tracer_provider), ("metrics", self.meter_provider))]
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in threads):
            log.warning("OpenTelemetry: the last spans and metrics were not sent within %gs of shutdown "
                        "(is the collector down?)", CLOSE_TIMEOUT_S)
