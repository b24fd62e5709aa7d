from llms.pricing.drift import UPDATE_HINT, PriceCheck


def _line(model, reported, computed, version="genai-prices 0.2.3+llms.json.abc"):
    return {"provider": "openrouter", "model": model, "cost_usd": reported, "cost_provenance": "reported",
            "computed_cost_usd": computed, "price_version": version}


def test_drift_per_model_names_stale_prices_past_one_percent():
    check = PriceCheck()
    check.add(_line("claude", 0.0100, 0.0102))  # 0.0200 reported, 0.0206 computed: +3 %
    check.add(_line("claude", 0.0100, 0.0104))
    check.add(_line("llama", 0.0040, 0.00402))  # +0.5 %: fresh
    check.add({"provider": "openai", "model": "gpt-4o", "cost_usd": 0.01, "cost_provenance": "computed",
               "computed_cost_usd": None})  # ours only: nothing to compare
    claude, llama = check.rows()
    assert (claude["model"], claude["calls"]) == ("claude", 2)
    assert claude["reportedCostUsd"] == 0.02 and abs(claude["computedCostUsd"] - 0.0206) < 1e-15
    assert abs(claude["drift"] - 0.03) < 1e-12 and claude["stale"] and claude["hint"] == UPDATE_HINT
    assert claude["priceVersions"] == ["genai-prices 0.2.3+llms.json.abc"]
    assert abs(llama["drift"] - 0.005) < 1e-12 and not llama["stale"] and llama["hint"] is None


def test_a_model_reported_free_but_computed_dear_is_stale():
    check = PriceCheck()
    check.add(_line("free-model", 0.0, 0.001))
    (row,) = check.rows()
    assert row["drift"] is None and row["stale"]
