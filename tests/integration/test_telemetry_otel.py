"""OpenTelemetry out of the real server: a real OTLP/HTTP receiver on loopback decodes the protobuf the SDK's
exporter sends, and each span's attributes are the GenAI conventions' (tokens, cache, reasoning, finish reasons,
error.type) with our cost and request id; the gen_ai.client metrics add up; no key in any attribute; a collector
that is down never slows or fails a chat; with otel off the SDK is never imported."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import openai
import pytest

from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.mock_provider import KEYS
from tests.otlp_receiver import OtlpReceiver
from tests.server_process import ROOT, ServerProcess, free_port

MESSAGES = [{"role": "user", "content": "Say hello"}]
COLLECTOR_SECRET = "collector-secret-123"
# The SDK's variables: export a batch every 100 ms and metrics every 200 ms, so a test does not wait 5 s / 60 s.
FAST_EXPORT = {"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "200"}
CLIENT = 3  # opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT
STATUS_ERROR = 2


def write_config(folder, mock_provider, otel: dict) -> object:
    path = folder / "llms.json"
    path.write_text(json.dumps(mock_config(mock_provider) | {"otel": otel}))
    return path


@pytest.fixture(scope="module")
def exported(mock_provider, tmp_path_factory):
    """Three requests (answered, streamed, failed) through a server exporting to the receiver; the server is
    stopped before the tests read, so its last metrics were flushed at shutdown."""
    receiver = OtlpReceiver.start_in_thread()
    folder = tmp_path_factory.mktemp("otel")
    config = write_config(folder, mock_provider, {"endpoint": receiver.endpoint, "service_name": "llms-test",
                                                  "headers": {"x-collector-token": COLLECTOR_SECRET}})
    server = ServerProcess(config, env=MOCK_KEY_ENV | FAST_EXPORT)
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)
    try:
        answered = client.chat.completions.create(model="shape-openai", messages=MESSAGES)
        streamed = list(client.chat.completions.create(model="shape-anthropic", messages=MESSAGES, stream=True,
                                                       stream_options={"include_usage": True}))
        with pytest.raises(openai.InternalServerError) as failed:
            client.chat.completions.create(model="fault-500", messages=MESSAGES)
        receiver.wait_for_spans(3)
    finally:
        server.stop()
    ids = {"shape-openai": answered.model_extra["llms"]["request_id"],
           "shape-anthropic": streamed[-1].model_extra["llms"]["request_id"],
           "fault-500": failed.value.response.headers["X-LLMS-Request-Id"]}
    yield receiver, ids, streamed[-1].model_extra["llms"]
    receiver.stop()


def span_of(receiver: OtlpReceiver, request_id: str):
    (span,) = [span for span in receiver.spans if span.attributes["llms.request_id"] == request_id]
    return span


def test_an_answered_request_is_a_client_span_with_the_genai_usage_and_our_cost(exported):
    receiver, ids, _ = exported
    span = span_of(receiver, ids["shape-openai"])
    assert (span.name, span.kind, span.scope) == ("chat shape-openai", CLIENT, "llms")
    assert span.resource["service.name"] == "llms-test"
    assert span.attributes == {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "shape-openai",
        "gen_ai.response.model": "shape-openai",
        "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 340,
        "gen_ai.usage.cache_read.input_tokens": 1000, "gen_ai.usage.reasoning.output_tokens": 120,
        "gen_ai.response.finish_reasons": ("stop",),
        "llms.request_id": ids["shape-openai"], "llms.provider": "openai", "llms.model": "shape-openai",
        "llms.status": "ok", "llms.streaming": False, "llms.client_app": "openai-python",
        # (200 × 1.25 + 1000 × 0.125 + 340 × 10) / 1e6 at shape-openai's prices (tests/conftest.py PRICES)
        "llms.cost_usd": pytest.approx(0.003775, rel=1e-12), "llms.cost_provenance": "computed",
    }
    assert 0 < span.end_ns - span.start_ns < 10e9
    assert span.status_code == 0


def test_a_streamed_request_has_cache_writes_and_its_time_to_first_chunk(exported):
    receiver, ids, meta = exported
    span = span_of(receiver, ids["shape-anthropic"])
    assert span.attributes["gen_ai.usage.input_tokens"] == 1300  # cache reads and writes included
    assert span.attributes["gen_ai.usage.cache_read.input_tokens"] == 1000
    assert span.attributes["gen_ai.usage.cache_creation.input_tokens"] == 200
    assert "gen_ai.usage.reasoning.output_tokens" not in span.attributes  # zero: left out
    assert span.attributes["gen_ai.usage.output_tokens"] == 340
    assert span.attributes["gen_ai.provider.name"] == "anthropic"
    assert span.attributes["gen_ai.response.time_to_first_chunk"] == pytest.approx(meta["ttft_ms"] / 1000)
    assert span.attributes["llms.streaming"] is True
    # (100 × 3 + 1000 × 0.3 + 150 × 3.75 + 50 × 6 + 340 × 15) / 1e6: 5-minute and 1-hour cache writes apart
    assert span.attributes["llms.cost_usd"] == pytest.approx(0.0065625, rel=1e-12)


def test_a_failed_request_has_error_type_and_an_error_status(exported):
    receiver, ids, _ = exported
    span = span_of(receiver, ids["fault-500"])
    assert span.attributes["error.type"] == "500"
    assert span.attributes["llms.status"] == "error"
    assert span.status_code == STATUS_ERROR
    assert not any(name.startswith("gen_ai.usage.") for name in span.attributes)
    assert "llms.cost_usd" not in span.attributes


def test_no_key_reaches_an_attribute_and_the_collector_headers_are_sent(exported):
    receiver, _, _ = exported
    exported_text = repr([(span.attributes, span.resource) for span in receiver.spans])
    for secret in (*KEYS.values(), COLLECTOR_SECRET):
        assert secret not in exported_text
    assert all(headers.get("x-collector-token") == COLLECTOR_SECRET for headers in receiver.headers)


def test_the_genai_client_metrics_add_up_to_the_requests(exported):
    receiver, _, meta = exported
    usage = {(p["attributes"]["gen_ai.request.model"], p["attributes"]["gen_ai.token.type"]): (p["count"], p["sum"])
             for p in receiver.metric_points("gen_ai.client.token.usage")}
    assert usage == {("shape-openai", "input"): (1, 1200), ("shape-openai", "output"): (1, 340),
                     ("shape-anthropic", "input"): (1, 1300), ("shape-anthropic", "output"): (1, 340)}
    assert {p["unit"] for p in receiver.metric_points("gen_ai.client.token.usage")} == {"{token}"}
    durations = {p["attributes"]["gen_ai.request.model"]: p for p in
                 receiver.metric_points("gen_ai.client.operation.duration")}
    assert set(durations) == {"shape-openai", "shape-anthropic", "fault-500"}
    assert durations["fault-500"]["attributes"]["error.type"] == "500"
    assert all(p["count"] == 1 and p["unit"] == "s" for p in durations.values())
    (first_chunk,) = receiver.metric_points("gen_ai.client.operation.time_to_first_chunk")
    assert first_chunk["attributes"]["gen_ai.request.model"] == "shape-anthropic"
    assert first_chunk["sum"] == pytest.approx(meta["ttft_ms"] / 1000)


def test_a_collector_that_is_down_never_slows_or_fails_a_chat(mock_provider, tmp_path):
    closed = free_port()  # nothing listens there: every export is refused
    server = ServerProcess(write_config(tmp_path, mock_provider, {"endpoint": f"http://127.0.0.1:{closed}"}),
                           env=MOCK_KEY_ENV | FAST_EXPORT)
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)
    try:
        # The first chat builds the price table (the ledger's rule prices each request): not the collector's doing.
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        times_s = []
        for number in range(30):
            started = time.perf_counter()
            if number % 2:
                pieces = list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
                assert pieces
            else:
                answer = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
                assert answer.choices[0].message.content
            times_s.append(time.perf_counter() - started)
            time.sleep(0.02)  # let batches be exported (and refused) between chats
        # An export waiting on the collector would hold chats for its retry backoff (1 s, then 2 s, …) or its
        # timeout (5 s): the typical chat stays far below, and none waits as long as a whole export would.
        assert sorted(times_s)[len(times_s) // 2] < 0.5, (times_s, server.output())
        assert max(times_s) < 4.0, (times_s, server.output())
    finally:
        stopped = time.perf_counter()
        server.stop()
    assert server.process.returncode == 0, server.output()
    assert time.perf_counter() - stopped < 8, "the last export held the shutdown past otel.CLOSE_TIMEOUT_S"


def test_with_otel_off_the_sdk_is_never_imported(mock_config_path):
    script = ("import sys; from llms.config import load_config; from llms.server.app import create_app; "
              "from llms.server.access import ServerSettings; "
              f"create_app(load_config(__import__('pathlib').Path({str(mock_config_path)!r}), {{}}), "
              "ServerSettings('127.0.0.1', 1)); "
              "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry', 'prometheus_client'))))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
