"""Telemetry out of a running server: Prometheus' GET /metrics and, opt-in, OpenTelemetry over OTLP/HTTP.

observer.py   the recorder: prices a finished request once, hands its Measure to each sink
measure.py    pure: the Measure of a request; GenAI semantic-convention names, buckets
prometheus.py the tallies and /metrics (prometheus-client loaded on the first scrape)
otel.py       the OpenTelemetry SDK export (imported only when `otel` is on)
"""
