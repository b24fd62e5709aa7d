import json
from pathlib import Path

import pytest

from llms.pricing.savings import CacheSavings, Repricing, documented, request_savings

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "savings.json").read_text(encoding="utf-8"))


def close(actual, expected):
    """Amounts within 1e-12 (as tests/vectors/pricing.json), zero and everything else exactly."""
    if isinstance(expected, float) and expected != 0:
        return actual == pytest.approx(expected, abs=1e-12, rel=0)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            close(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(close, actual, expected))
    return actual == expected


@pytest.mark.parametrize("case", VECTORS["requests"], ids=[c["name"] for c in VECTORS["requests"]])
def test_request_vector(case):
    assert close(request_savings(case["usage"], case["price"]), case["expected"])


@pytest.mark.parametrize("case", VECTORS["groups"], ids=[c["name"] for c in VECTORS["groups"]])
def test_group_vector(case):
    savings = CacheSavings()
    for record in case["records"]:
        savings.add(record)
    assert close(savings.result(), case["expected"])


def test_the_tier_doubles_the_saving_of_the_same_cached_tokens():
    price = VECTORS["requests"][2]["price"]
    usage = {"prompt_tokens": 150_000, "completion_tokens": 0,
             "prompt_tokens_details": {"cached_tokens": 100_000, "cache_write_tokens": 0}}
    below = request_savings(usage, price)["read_saved_usd"]
    above = request_savings(usage | {"prompt_tokens": 250_000}, price)["read_saved_usd"]
    assert below == pytest.approx(0.27, abs=1e-12)  # 100,000 × (3 − 0.3) / 1e6
    assert above == pytest.approx(0.54, abs=1e-12)  # the whole request at the tier: 100,000 × (6 − 0.6) / 1e6


def test_the_documented_names_are_the_analytics_api_camel_case():
    savings = CacheSavings()
    savings.add({"provider": "openai", "model": "gpt-4o", "prices": {"input": 2.5, "output": 10, "cached_input": 1.25},
                 "usage": {"prompt_tokens": 2000, "completion_tokens": 0,
                           "prompt_tokens_details": {"cached_tokens": 1500, "cache_write_tokens": 0}}})
    shown = documented(savings.result())
    assert shown["summary"] == {"calls": 1, "inputTokens": 2000, "cachedTokens": 1500, "cacheWriteTokens": 0,
                                "cacheWrite1hTokens": 0, "readSavedUsd": 0.001875, "writeExtra5mUsd": 0.0,
                                "writeExtra1hUsd": 0.0, "netSavedUsd": 0.001875, "hitRate": 0.75, "unpricedCalls": 0}
    assert [row["provider"] for row in shown["byProvider"]] == ["openai"]
    assert [(row["provider"], row["model"]) for row in shown["byModel"]] == [("openai", "gpt-4o")]



def test_an_index_cells_sums_count_as_its_lines_do():
    # The two Claude lines of the group vector, once line by line and once as one cell of two requests.
    claude = [r for r in VECTORS["groups"][0]["records"] if r["provider"] == "anthropic"]
    by_line, by_cell = CacheSavings(), CacheSavings()
    for record in claude:
        by_line.add(record)
    saved = [request_savings(r["usage"], r["prices"]) for r in claude]
    by_cell.add_sums("anthropic", "claude-sonnet-4-5", requests=2, unpriced=0,
                     tokens=(1300 + 2200, 1000 + 2000, 200, 50),
                     amounts=tuple(saved[0][name] + saved[1][name] for name in saved[0]))
    assert close(by_cell.result(), by_line.result())
    assert by_cell.result()["summary"]["read_saved_usd"] == pytest.approx(0.0081, abs=1e-12)


WHATIF = json.loads((Path(__file__).parents[2] / "vectors" / "whatif.json").read_text(encoding="utf-8"))


def repriced(price_for) -> dict:
    repricing = Repricing(price_for)
    for record in WHATIF["records"]:
        repricing.add(record)
    return repricing.result()


def test_whatif_vector_every_record_at_the_target_model():
    assert close(repriced(lambda record: WHATIF["on_model"]["target"]), WHATIF["on_model"]["expected"])


def test_whatif_vector_every_record_at_todays_price_of_its_own_provider_and_alias():
    # The vector's records were asked for by alias, so today's price is the table's entry under it (the browser
    # finds it with record.js priceOf over /api/config, the server in its price table).
    pricing = WHATIF["todays_prices"]["config"]["pricing"]
    price_for = lambda record: pricing.get(record["provider"] or "", {}).get(record["model"])  # noqa: E731
    assert close(repriced(price_for), WHATIF["todays_prices"]["expected"])
