"""telemetry/prometheus.py: the tallies of finished requests, exposed and read back with prometheus-client's parser."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from llms.telemetry.measure import Measure
from llms.telemetry.prometheus import Tallies


def measure(**changes) -> Measure:
    fields = dict(request_id="r1", start_ns=0, duration_s=0.32, ttft_s=0.08, provider="openai", model="gpt-4o",
                  request_model="gpt-4o", response_model="gpt-4o-2024", status="ok", error_type=None,
                  client_app=None, streaming=True, finish_reason="stop",
                  tokens={"input": 10, "cached": 4, "cache_write": 0, "output": 3, "reasoning": 1},
                  cost_usd=0.5, cost_provenance="computed")
    return Measure(**(fields | changes))


def samples(tallies: Tallies) -> dict:
    text = generate_latest(tallies.registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def labels(**pairs: str) -> tuple:
    return tuple(sorted(pairs.items()))


def test_counts_tokens_and_costs_add_up_by_their_labels():
    tallies = Tallies(lambda: 3)
    tallies.observe(measure())
    tallies.observe(measure(cost_usd=0.25, client_app="codex"))
    tallies.observe(measure(status="error", error_type="500", tokens={}, cost_usd=None, ttft_s=None))
    got = samples(tallies)
    base = {"model": "gpt-4o", "provider": "openai"}
    assert got[("llms_requests_total", labels(**base, status="ok", client_app=""))] == 1
    assert got[("llms_requests_total", labels(**base, status="ok", client_app="codex"))] == 1
    assert got[("llms_requests_total", labels(**base, status="error", client_app=""))] == 1
    assert got[("llms_tokens_total", labels(**base, kind="input"))] == 20
    assert got[("llms_tokens_total", labels(**base, kind="cached"))] == 8
    assert got[("llms_tokens_total", labels(**base, kind="reasoning"))] == 2
    assert got[("llms_cost_usd_total", labels(**base))] == 0.75
    assert got[("llms_ledger_write_errors_total", ())] == 3


def test_histogram_buckets_are_cumulative_and_a_value_on_a_bound_counts_in_it():
    tallies = Tallies(lambda: 0)
    for seconds in (0.32, 0.32, 0.5, 100.0):
        tallies.observe(measure(duration_s=seconds))
    got = samples(tallies)
    timed = {"model": "gpt-4o", "provider": "openai", "status": "ok"}

    def bucket(le: str) -> float:
        return got[("llms_request_duration_seconds_bucket", labels(**timed, le=le))]

    assert (bucket("0.16"), bucket("0.32"), bucket("0.64"), bucket("81.92"), bucket("+Inf")) == (0, 2, 3, 3, 4)
    assert got[("llms_request_duration_seconds_count", labels(**timed))] == 4
    assert got[("llms_request_duration_seconds_sum", labels(**timed))] == 101.14
    assert got[("llms_time_to_first_token_seconds_count", labels(model="gpt-4o", provider="openai"))] == 4


def test_each_tallies_has_a_registry_of_its_own():
    first, second = Tallies(lambda: 0), Tallies(lambda: 0)
    first.observe(measure())
    assert first.registry is not second.registry
    assert not any(name == "llms_requests_total" for name, _ in samples(second))
