"""GET /metrics of the real server after real requests to the mock provider: parsed with prometheus-client's own
text parser, every number equal to the requests' usage, cost and the ledger's lines; behind the token."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.ledger_file import written_lines
from tests.server_process import ServerProcess, free_port

TOKEN = "metrics-t0ken"
MESSAGES = [{"role": "user", "content": "Say hello"}]


@pytest.fixture(scope="module")
def served(mock_provider, tmp_path_factory):
    """A server of its own (its counts start at zero) with the ledger on and a token, after four requests."""
    folder = tmp_path_factory.mktemp("metrics")
    config = mock_config(mock_provider) | {"ledger": {"enabled": True, "path": str(folder / "usage.jsonl")}}
    (folder / "llms.json").write_text(json.dumps(config))
    server = ServerProcess(folder / "llms.json", "--token", TOKEN, env=MOCK_KEY_ENV)
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=TOKEN, max_retries=0, timeout=20)
    try:
        client.chat.completions.create(model="shape-openai", messages=MESSAGES)
        client.chat.completions.create(model="shape-openai", messages=MESSAGES)
        list(client.chat.completions.create(model="shape-anthropic", messages=MESSAGES, stream=True,
                                            stream_options={"include_usage": True}))
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="fault-500", messages=MESSAGES)
        yield server, folder / "usage.jsonl"
    finally:
        server.stop()


def scrape(url: str) -> tuple[dict, str]:
    """{(sample name, sorted labels): value} of /metrics, and its content type."""
    request = urllib.request.Request(url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text, content_type = response.read().decode(), response.headers["Content-Type"]
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, content_type


def labels(**pairs: str) -> tuple:
    return tuple(sorted(pairs.items()))


def test_metrics_need_the_token_when_tokens_are_on(served):
    server, _ = served
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/metrics", timeout=10)
    assert refused.value.code == 401


def test_request_counts_by_provider_model_status_and_client_app(served):
    samples, content_type = scrape(served[0].url)
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    counts = {key: value for key, value in samples.items() if key[0] == "llms_requests_total"}
    assert counts == {
        ("llms_requests_total", labels(provider="openai", model="shape-openai", status="ok",
                                       client_app="openai-python")): 2,
        ("llms_requests_total", labels(provider="anthropic", model="shape-anthropic", status="ok",
                                       client_app="openai-python")): 1,
        ("llms_requests_total", labels(provider="openai", model="fault-500", status="error",
                                       client_app="openai-python")): 1,
    }


def test_tokens_by_kind_are_the_sums_of_the_normalized_usage(served):
    samples, _ = scrape(served[0].url)
    tokens = {dict(key[1])["kind"]: value for key, value in samples.items()
              if key[0] == "llms_tokens_total" and dict(key[1])["model"] == "shape-openai"}
    # Two shape-openai answers: 1200 in (1000 cache reads), 340 out (120 reasoning) each.
    assert tokens == {"input": 2400, "cached": 2000, "cache_write": 0, "output": 680, "reasoning": 240}
    tokens = {dict(key[1])["kind"]: value for key, value in samples.items()
              if key[0] == "llms_tokens_total" and dict(key[1])["model"] == "shape-anthropic"}
    # Anthropic's 100 uncached + 1000 cache reads + 200 cache writes in, 340 out, as normalized.
    assert tokens == {"input": 1300, "cached": 1000, "cache_write": 200, "output": 340, "reasoning": 0}


def test_cost_and_times_equal_the_ledger_lines(served):
    server, ledger = served
    samples, _ = scrape(server.url)
    lines = written_lines(ledger)
    assert len(lines) == 4
    # shape-openai at 1.25 / 10 / 0.125 per 1M: (200 × 1.25 + 1000 × 0.125 + 340 × 10) / 1e6 = 0.003775 each.
    assert samples[("llms_cost_usd_total", labels(provider="openai", model="shape-openai"))] == pytest.approx(
        2 * 0.003775, rel=1e-12)
    for model, provider in (("shape-openai", "openai"), ("shape-anthropic", "anthropic")):
        ledger_cost = sum(line["cost_usd"] for line in lines if line["model"] == model)
        assert samples[("llms_cost_usd_total", labels(provider=provider, model=model))] == pytest.approx(
            ledger_cost, rel=1e-12)
    assert ("llms_cost_usd_total", labels(provider="openai", model="fault-500")) not in samples  # no usage, no cost
    for line in lines:
        named = {"provider": line["provider"], "model": line["model"], "status": line["status"]}
        count = sum(1 for other in lines if (other["model"], other["status"]) == (line["model"], line["status"]))
        assert samples[("llms_request_duration_seconds_count", labels(**named))] == count
        assert samples[("llms_request_duration_seconds_bucket", labels(**named, le="+Inf"))] == count
    anthropic = next(line for line in lines if line["model"] == "shape-anthropic")
    ttft = labels(provider="anthropic", model="shape-anthropic")
    assert samples[("llms_time_to_first_token_seconds_count", ttft)] == 1
    assert samples[("llms_time_to_first_token_seconds_sum", ttft)] == pytest.approx(anthropic["ttft_ms"] / 1000)
    openai_sum = sum(line["response_ms"] for line in lines if line["model"] == "shape-openai") / 1000
    assert samples[("llms_request_duration_seconds_sum",
                    labels(provider="openai", model="shape-openai", status="ok"))] == pytest.approx(openai_sum)
    assert samples[("llms_ledger_write_errors_total", ())] == 0


PROMETHEUS = shutil.which("prometheus")


@pytest.mark.skipif(PROMETHEUS is None, reason="Debian's `prometheus` server is not installed "
                                               "(apt-get install prometheus); the text is still checked by "
                                               "prometheus-client's parser above")
def test_a_prometheus_server_scrapes_the_metrics_with_the_token(served):
    server, _ = served
    folder = Path(tempfile.mkdtemp(prefix="llms-prometheus-"))
    port = free_port()
    (folder / "token").write_text(TOKEN)
    (folder / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: llms\n    authorization: {{credentials_file: {folder / 'token'}}}\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{server.port}']}}]\n")
    log = (folder / "prometheus.log").open("w")
    process = subprocess.Popen([PROMETHEUS, f"--config.file={folder / 'prometheus.yml'}",
                                f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        query = urllib.parse.quote('llms_tokens_total{model="shape-openai",kind="input"}')
        deadline = time.monotonic() + 30
        result = []
        while time.monotonic() < deadline and not result:
            time.sleep(0.5)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query={query}", timeout=5) as r:
                    result = json.loads(r.read())["data"]["result"]
            except OSError:
                continue  # Prometheus is still starting
        assert result, (folder / "prometheus.log").read_text()
        assert result[0]["value"][1] == "2400"
        assert result[0]["metric"]["job"] == "llms"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
