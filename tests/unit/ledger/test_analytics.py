"""llms/ledger/analytics.py against the vectors the browser's aggregate.js also passes (under /api/analytics/llm's
documented names: Aggregator.documented_result), plus the rules by name."""

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from llms.ledger.analytics import Aggregator, QueryError, bucket_label, local_midnight, parse_query

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "analytics.json").read_text())


@pytest.mark.parametrize("vector", VECTORS["cases"], ids=[v["name"] for v in VECTORS["cases"]])
def test_aggregate_matches_vector(vector):
    aggregator = Aggregator(parse_query(vector["query"]))
    for record in vector["records"]:
        aggregator.add(record)
    assert aggregator.documented_result() == vector["expected"]


@pytest.mark.parametrize("vector", VECTORS["errors"], ids=[v["name"] for v in VECTORS["errors"]])
def test_bad_query_names_the_parameter(vector):
    with pytest.raises(QueryError) as caught:
        parse_query(vector["query"])
    assert caught.value.param == vector["param"]
    assert str(caught.value).startswith(vector["param"] + ": ")


def _case(name_start: str) -> dict:
    return next(v for v in VECTORS["cases"] if v["name"].startswith(name_start))


def test_spring_forward_day_has_23_hourly_buckets_without_2am():
    buckets = [b["bucket"] for b in _case("hourly buckets on the spring-forward")["expected"]["byTime"]]
    assert len(buckets) == 23
    assert buckets[1:3] == ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]


def test_fall_back_day_has_25_hourly_buckets_with_1am_twice():
    buckets = [b["bucket"] for b in _case("hourly buckets on the fall-back")["expected"]["byTime"]]
    assert len(buckets) == 25
    assert buckets[1:3] == ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"]


def test_percentile_is_the_nearest_rank_bucket_midpoint():
    # 90, 800, 1200, 2000, 3000 ms: the 3rd value (1200) is in bucket floor(8·log2 1200) = 81 → 2^(81.5/8).
    summary = _case("hourly buckets on the spring-forward")["expected"]["summary"]
    assert summary["p50Ms"] == 1166.1
    assert summary["totalCostUsd"] == 0.875 and summary["unpricedCalls"] == 1 and summary["errors"] == 1


def test_skipped_midnight_starts_the_day_at_the_change():
    santiago = ZoneInfo("America/Santiago")
    assert bucket_label(local_midnight(date(2026, 9, 6), santiago), santiago) == "2026-09-06T01:00:00-03:00"


def test_a_date_as_to_includes_that_whole_local_day():
    query = parse_query({"from": "2026-03-29", "to": "2026-03-29", "tz": "Europe/Berlin"})
    assert (query.end_ms - query.start_ms) == 23 * 3600 * 1000
