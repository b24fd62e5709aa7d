import json
import math
import random
from pathlib import Path

import pytest

from llms.pricing.cost import (_exact_usd, _quick_usd, cost_for, estimate_tokens, format_price, format_usd, output_usd,
                               price_at_tier, sum_costs)
from llms.providers.registry import normalizers

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "pricing.json").read_text(encoding="utf-8"))["cases"]


def test_the_vectors_cover_at_least_forty_cases_with_unique_names():
    names = [case["name"] for case in VECTORS]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_vector(case):
    usage = normalizers()[case["format"]](case["raw"])
    assert usage == case["usage"]
    cost = cost_for(usage, case["price"], estimated=case.get("estimated", False))
    if case["cost_usd"] is None:
        assert cost["cost_usd"] is None
    else:
        assert cost["cost_usd"] == pytest.approx(case["cost_usd"], abs=1e-12, rel=0)
    assert cost["provenance"] == case["provenance"]
    assert cost["prices"] == case["price"]
    assert format_usd(cost["cost_usd"], cost["provenance"]) == case["display"]


def test_cost_keeps_the_price_entry_it_was_computed_with():
    price = {"input": 2.5, "output": 10}
    usage = {"prompt_tokens": 1000, "completion_tokens": 0, "total_tokens": 1000}
    assert cost_for(usage, price) == {"cost_usd": 0.0025, "provenance": "computed", "prices": price}


def test_a_variable_price_keeps_the_entry_so_the_reason_shows():
    price = {"input": -1, "output": -1}
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    assert cost_for(usage, price) == {"cost_usd": None, "provenance": "unpriced", "prices": price}


def test_usage_that_does_not_add_up_is_an_error_not_a_negative_cost():
    usage = {"prompt_tokens": 10, "completion_tokens": 0, "total_tokens": 10,
             "prompt_tokens_details": {"cached_tokens": 20, "cache_write_tokens": 0}}
    with pytest.raises(ValueError, match="prompt_tokens 10 < cached 20"):
        cost_for(usage, {"input": 1, "output": 1})


def test_a_price_entry_without_output_is_an_error():
    with pytest.raises(ValueError, match="needs input and output"):
        cost_for({"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}, {"input": 1})


def test_format_usd_rules():
    assert format_usd(None, "unpriced") == "—"
    assert format_usd(None, "estimated") == "—"
    assert format_usd(0, "computed") == "$0.00"
    assert format_usd(0.0, "estimated") == "~$0.00"
    assert format_usd(0.000123, "computed") == "$0.00012"
    assert format_usd(0.0001, "computed") == "$0.0001"
    assert format_usd(1.5e-9, "computed") == "$0.0000000015"
    assert format_usd(0.0031, "estimated") == "~$0.0031"
    assert format_usd(0.009996, "computed") == "$0.01"
    assert format_usd(0.014, "computed") == "$0.01"
    assert format_usd(0.015, "computed") == "$0.02"
    assert format_usd(12.345, "reported") == "$12.35"
    assert format_usd(1234567.891, "computed") == "$1,234,567.89"


def test_format_usd_drops_float_noise_before_rounding():
    assert 0.1 + 0.2 == 0.30000000000000004
    assert format_usd(0.1 + 0.2, "computed") == "$0.30"
    assert format_usd(0.0072499999999999995, "computed") == "$0.0073"


# Half-up ties before and after the noise is dropped, cent and power-of-ten edges, the quick path's range ends.
USD_EDGES = [0.005, 0.0049999, 0.0049999999999999, 0.004999999999999999, 0.0050000000000001, 0.00499999999999995,
             1e-12, 1.5e-12, 0.01, 0.0099999999999999, 0.00999, 0.009995, 0.0099949999999, 0.015, 0.125, 1.005, 2.675,
             0.045, 1234.565, 12345.0049999999, 999999.995, 999999.994999, 1e6, 1e6 - 1e-9, 2e6 + 0.005, 1e15 + 0.5, 1e20, 9.87654321e24,
             0.001, 0.000999999999999999, 0.00095, 0.000995, 9.5e-5, 3.25e-05, 0.0072499999999999995, 1e-19, 1e-20,
             1.0000000000000001e-20, 9.99999e-21, 5e-324, 0.1 + 0.2, 0.30000000000000004, 0.0, 5e-3 * (1 + 2 ** -52)]


def _usd_floats(rng: random.Random) -> list[float]:
    """Floats over every magnitude, decimals with few digits (costs of whole tokens at round prices) and ones a
    hair from a half, where the quick path must step aside."""
    floats = []
    for _ in range(40_000):
        floats.append(10 ** rng.uniform(-22, 8))
        floats.append(rng.randint(1, 10 ** 6) / 10 ** rng.randint(0, 12))
        tie = (rng.randint(1, 10 ** rng.randint(1, 8)) + 0.5) / 10 ** rng.randint(1, 12)
        # Off the half by less than the noise dropped (13th digit and past) and by more (11th).
        off = rng.choice([-1, 1]) * rng.choice([1e-11, 1e-13, 1e-14])
        floats += [tie, math.nextafter(tie, 0), math.nextafter(tie, 1), tie * (1 + off)]
    return floats


def test_the_quick_usd_text_is_the_exact_rules_on_edges_and_random_floats():
    amounts = USD_EDGES + _usd_floats(random.Random(11))
    quick = {amount: _quick_usd(amount) for amount in amounts}
    assert {amount: text for amount, text in quick.items() if text is not None} == \
        {amount: _exact_usd(amount) for amount, text in quick.items() if text is not None}
    assert sum(text is not None for text in quick.values()) > 0.8 * len(quick)  # the common case is the quick one
    assert [format_usd(amount, "estimated") for amount in USD_EDGES] == ["~" + _exact_usd(amount) for amount in USD_EDGES]


def test_format_usd_rejects_a_negative_cost():
    with pytest.raises(ValueError, match="got -0.5"):
        format_usd(-0.5, "computed")


def test_format_price_shows_prices_per_million_without_losing_digits():
    assert format_price(2.5) == "$2.50"
    assert format_price(15) == "$15.00"
    assert format_price(0.075) == "$0.075"
    assert format_price(0.0375) == "$0.0375"
    assert format_price(0.0833333333333333) == "$0.0833333"
    assert format_price(0) == "$0.00"
    assert format_price(-1) == "—"
    assert format_price(None) == "—"


def test_estimate_tokens_is_characters_over_four_rounded_up():
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("x" * 4000) == 1000
    assert estimate_tokens("😀😀😀😀😀") == 2  # code points, not UTF-16 units


def test_sum_costs_of_known_rows():
    rows = [{"cost_usd": 0.1, "provenance": "computed"}, {"cost_usd": 0.2, "provenance": "reported"}]
    assert sum_costs(rows) == {"cost_usd": 0.30000000000000004, "has_unpriced": False, "has_estimated": False,
                               "provenance": "computed"}
    assert format_usd(sum_costs(rows)["cost_usd"], "computed") == "$0.30"


def test_sum_costs_says_when_unpriced_or_estimated_rows_are_in_the_total():
    rows = [{"cost_usd": 0.5, "provenance": "computed"}, {"cost_usd": None, "provenance": "unpriced"},
            {"cost_usd": 0.25, "cost_provenance": "estimated"}]
    total = sum_costs(rows)
    assert total == {"cost_usd": 0.75, "has_unpriced": True, "has_estimated": True, "provenance": "estimated"}
    assert format_usd(total["cost_usd"], total["provenance"]) == "~$0.75"


def test_sum_costs_of_only_unpriced_rows_is_unknown_and_of_no_rows_zero():
    assert sum_costs([{"cost_usd": None, "provenance": "unpriced"}]) == {
        "cost_usd": None, "has_unpriced": True, "has_estimated": False, "provenance": "unpriced"}
    assert sum_costs([]) == {"cost_usd": 0.0, "has_unpriced": False, "has_estimated": False, "provenance": "computed"}


def test_estimated_usage_is_normalized_usage_from_text():
    from llms.pricing.cost import estimated_usage

    assert estimated_usage("y" * 401, "x" * 40) == {
        "prompt_tokens": 101, "completion_tokens": 10, "total_tokens": 111,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0}}


TIER_VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "service_tiers.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TIER_VECTORS["cases"], ids=[case["name"] for case in TIER_VECTORS["cases"]])
def test_service_tier_vector(case):
    cost = cost_for(case["usage"], case["price"], service_tier=case["service_tier"])
    if case["cost_usd"] is None:
        assert cost["cost_usd"] is None
    else:
        assert cost["cost_usd"] == pytest.approx(case["cost_usd"], abs=1e-12, rel=0)
    assert (cost["provenance"], cost["prices"]) == (case["provenance"], case["prices"])
    assert price_at_tier(case["price"], case["service_tier"]) == case["prices"]
    assert format_usd(cost["cost_usd"], cost["provenance"]) == case["display"]


def test_the_ledger_split_of_a_flex_request_is_at_flex_rates():
    case = next(c for c in TIER_VECTORS["cases"] if c["name"] == "flex_is_charged_at_flex_rates")
    cost = cost_for(case["usage"], case["price"], service_tier="flex")
    assert output_usd(case["usage"], cost["prices"]) == 500 * 5 / 1_000_000
