from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price, types
from genai_prices.data_snapshot import DataSnapshot, get_snapshot

from llms import paths
from llms.config import load_config
from llms.pricing.table import build_price_table, genai_entry, warn_unpriced_models
from tests.unit.ledger.lines import PRICE, Prices, make_config
from llms.pricing.cost import cost_for

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class FakeProvider:
    id: str
    models: dict
    pricing: dict = field(default_factory=dict)
    default_pricing: dict | None = None


def model(model_id: str, prices) -> types.ModelInfo:
    return types.ModelInfo(id=model_id, match=types.ClauseEquals(equals=model_id), prices=prices)


def snapshot(provider_id: str, *models: types.ModelInfo) -> DataSnapshot:
    provider = types.Provider(id=provider_id, name=provider_id, api_pattern=f"https://{provider_id}", models=list(models))
    return DataSnapshot(providers=[provider], from_auto_update=False)


def tiered(base: str, above: int, price: str) -> types.TieredPrices:
    return types.TieredPrices(base=Decimal(base), tiers=[types.Tier(start=above, price=Decimal(price))])


PLAIN = snapshot("openai", model("gpt-4o", types.ModelPrice(
    input_mtok=Decimal("2.5"), output_mtok=Decimal("10"), cache_read_mtok=Decimal("1.25"),
    web_searches_kcount=Decimal("10"))))


def test_genai_prices_become_our_entry_and_tool_prices_are_left_out():
    table = build_price_table([FakeProvider("openai", {"4o": "gpt-4o"})], snapshot=PLAIN, at=NOON)
    assert table == {"openai": {"4o": {"input": 2.5, "output": 10, "cached_input": 1.25}}}


def test_llms_json_overrides_defaults_field_by_field():
    provider = FakeProvider("openai", {"4o": "gpt-4o"}, pricing={"4o": {"input": 2, "cached_input": 0.5}})
    assert build_price_table([provider], snapshot=PLAIN, at=NOON)["openai"]["4o"] == {
        "input": 2, "output": 10, "cached_input": 0.5}


def test_an_override_may_be_keyed_by_the_provider_model_id_and_the_alias_wins():
    by_model = FakeProvider("openai", {"4o": "gpt-4o"}, pricing={"gpt-4o": {"output": 8}})
    assert build_price_table([by_model], snapshot=PLAIN, at=NOON)["openai"]["4o"]["output"] == 8
    both = FakeProvider("openai", {"4o": "gpt-4o"}, pricing={"gpt-4o": {"output": 8}, "4o": {"output": 9}})
    assert build_price_table([both], snapshot=PLAIN, at=NOON)["openai"]["4o"]["output"] == 9


def test_a_model_genai_prices_does_not_know_falls_back_to_default_pricing_then_unpriced():
    with_default = FakeProvider("openai", {"mine": "my-finetune"}, default_pricing={"input": 1, "output": 2})
    without = FakeProvider("openai", {"mine": "my-finetune"})
    assert build_price_table([with_default], snapshot=PLAIN, at=NOON)["openai"]["mine"] == {"input": 1, "output": 2}
    assert build_price_table([without], snapshot=PLAIN, at=NOON)["openai"]["mine"] is None


def test_local_models_are_free_only_when_llms_json_says_so():
    free = FakeProvider("ollama", {"llama3.2": "llama3.2"}, default_pricing={"input": 0, "output": 0})
    unsaid = FakeProvider("ollama", {"llama3.2": "llama3.2"})
    assert build_price_table([free], snapshot=PLAIN, at=NOON)["ollama"]["llama3.2"] == {"input": 0, "output": 0}
    assert build_price_table([unsaid], snapshot=PLAIN, at=NOON)["ollama"]["llama3.2"] is None


def test_a_partial_override_with_nothing_under_it_is_unpriced():
    provider = FakeProvider("acme", {"small": "small-1"}, pricing={"small": {"input": 0.5}})
    assert build_price_table([provider], snapshot=PLAIN, at=NOON)["acme"]["small"] is None


def test_providers_match_by_id_never_by_a_name_that_looks_alike():
    assert build_price_table([FakeProvider("my-openai", {"4o": "gpt-4o"})], snapshot=PLAIN, at=NOON) == {
        "my-openai": {"4o": None}}


def test_our_provider_ids_map_to_genai_prices_ids():
    gemini = snapshot("google", model("gemini-2.5-flash", types.ModelPrice(input_mtok=Decimal("0.3"), output_mtok=Decimal("2.5"))))
    assert genai_entry(gemini, "gemini", "gemini-2.5-flash", NOON) == {"input": 0.3, "output": 2.5}
    assert genai_entry(gemini, "google", "gemini-2.5-flash", NOON) == {"input": 0.3, "output": 2.5}


def test_tiered_prices_become_whole_request_tiers_with_every_tiered_field():
    data = snapshot("anthropic", model("claude", types.ModelPrice(
        input_mtok=tiered("3", 200000, "6"), output_mtok=tiered("15", 200000, "22.5"),
        cache_read_mtok=tiered("0.3", 200000, "0.6"), cache_write_mtok=tiered("3.75", 200000, "7.5"),
        cache_write_1h_mtok=tiered("6", 200000, "12"))))
    assert genai_entry(data, "anthropic", "claude", NOON) == {
        "input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75, "cache_write_1h": 6,
        "tiers": [{"above": 200000, "input": 6, "output": 22.5, "cached_input": 0.6, "cache_write": 7.5,
                   "cache_write_1h": 12}]}


def test_fields_tiered_at_different_starts_carry_their_price_into_each_tier():
    data = snapshot("acme", model("m", types.ModelPrice(
        input_mtok=tiered("1", 1000, "2"), output_mtok=tiered("10", 5000, "20"))))
    assert genai_entry(data, "acme", "m", NOON) == {
        "input": 1, "output": 10,
        "tiers": [{"above": 1000, "input": 2, "output": 10}, {"above": 5000, "input": 2, "output": 20}]}


def test_one_hour_cache_writes_without_their_own_price_cost_the_cache_write_price():
    data = snapshot("openrouter", model("anthropic/claude", types.ModelPrice(
        input_mtok=Decimal("3"), output_mtok=Decimal("15"), cache_write_mtok=Decimal("3.75"))))
    assert genai_entry(data, "openrouter", "anthropic/claude", NOON) == {
        "input": 3, "output": 15, "cache_write": 3.75, "cache_write_1h": 3.75}


def test_prices_we_cannot_express_leave_the_model_to_llms_json():
    data = snapshot("acme", model("per-request", types.ModelPrice(
        input_mtok=Decimal("1"), output_mtok=Decimal("2"), requests_kcount=Decimal("5"))))
    assert genai_entry(data, "acme", "per-request", NOON) is None


def test_date_dependent_prices_are_the_ones_in_force_on_the_day():
    data = snapshot("openrouter", model("m", [
        types.ConditionalPrice(prices=types.ModelPrice(input_mtok=Decimal("0.21"), output_mtok=Decimal("0.79"))),
        types.ConditionalPrice(constraint=types.StartDateConstraint(start_date=date(2026, 11, 3)),
                               prices=types.ModelPrice(input_mtok=Decimal("0.55"), output_mtok=Decimal("1.65")))]))
    assert genai_entry(data, "openrouter", "m", datetime(2026, 11, 2, 23, tzinfo=UTC)) == {"input": 0.21, "output": 0.79}
    assert genai_entry(data, "openrouter", "m", datetime(2026, 11, 3, 0, tzinfo=UTC)) == {"input": 0.55, "output": 1.65}


def test_a_time_of_day_window_counts_as_in_force_whatever_the_hour():
    data = snapshot("deepseek", model("deepseek-chat", [
        types.ConditionalPrice(prices=types.ModelPrice(input_mtok=Decimal("0.135"), output_mtok=Decimal("0.55"))),
        types.ConditionalPrice(constraint=types.TimeOfDateConstraint(start_time=time(0, 30, tzinfo=UTC),
                                                                     end_time=time(16, 30, tzinfo=UTC)),
                               prices=types.ModelPrice(input_mtok=Decimal("0.27"), output_mtok=Decimal("1.1")))]))
    for hour in (3, 12, 20):
        at = datetime(2026, 11, 20, hour, tzinfo=UTC)
        assert genai_entry(data, "deepseek", "deepseek-chat", at) == {"input": 0.27, "output": 1.1}


# ---- the cross-check: our rule on our table equals genai_prices.calc_price on its data ----

# Normalized usages: plain, cached, cache writes of both TTLs, reasoning, past every 200k/272k tier.
USAGES = [
    (1000, 500, 0, 0, 0),
    (10000, 700, 6000, 0, 0),
    (8010, 200, 5000, 3000, 2000),
    (2000, 5000, 0, 0, 0),
    (300000, 3000, 50000, 10000, 4000),
]


def default_config_models() -> list[tuple[str, str, str]]:
    config = load_config(paths.DEFAULT_CONFIG, {})
    return [(p.id, alias, provider_model) for p in config.providers for alias, provider_model in p.models.items()]


def test_every_default_model_but_local_ones_has_a_genai_prices_default():
    unknown = [(provider_id, alias) for provider_id, alias, provider_model in default_config_models()
               if genai_entry(get_snapshot(), provider_id, provider_model, NOON) is None]
    assert unknown == [("ollama", "llama3.2"), ("ollama", "qwen3"), ("ollama", "gemma3")]


def test_our_cost_equals_genai_prices_calc_price_for_every_default_model_it_knows():
    config = load_config(paths.DEFAULT_CONFIG, {})
    at = datetime.now(UTC).replace(hour=12, minute=0)  # inside DeepSeek's standard-price window
    table = build_price_table(config.providers, at=at)
    checked = 0
    for provider_id, alias, provider_model in default_config_models():
        if genai_entry(get_snapshot(), provider_id, provider_model, at) is None:
            continue
        for prompt, completion, cached, cache_write, cache_write_1h in USAGES:
            usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                     "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write,
                                               "cache_write_1h_tokens": cache_write_1h}}
            ours = cost_for(usage, table[provider_id][alias])
            theirs = calc_price(Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=cached,
                                      cache_write_tokens=cache_write, cache_write_1h_tokens=cache_write_1h),
                                provider_model, provider_id={"gemini": "google"}.get(provider_id, provider_id),
                                genai_request_timestamp=at)
            assert ours["provenance"] == "computed"
            assert ours["cost_usd"] == pytest.approx(float(theirs.total_price), abs=1e-9, rel=0), (
                provider_id, alias, usage)
        checked += 1
    assert checked == len(default_config_models()) - 3


def test_each_model_without_a_price_is_warned_about_once(tmp_path):
    config = make_config(tmp_path)
    warnings = []
    warn_unpriced_models(config.enabled_providers, Prices(openai={"gpt-4o": PRICE}).price_for, warnings.append)
    assert warnings == ["Cost: Not calculated (no pricing configured) for openai/mini: "
                        "add providers.openai.pricing.mini to llms.json"]


def variant(tier: str, prices: types.ModelPrice, starts: date | None = None) -> types.PriceVariant:
    constraint = types.StartDateConstraint(start_date=starts) if starts else None
    return types.PriceVariant(when={"service_tier": tier}, prices=prices, constraint=constraint)


def test_service_tier_prices_become_whole_entries_and_standard_ones_are_left_out():
    info = model("gpt-x", types.ModelPrice(input_mtok=tiered("2", 272000, "4"), output_mtok=Decimal("10")))
    info.price_variants = [
        variant("default", types.ModelPrice()),
        variant("flex", types.ModelPrice(input_mtok=tiered("1", 272000, "2"), output_mtok=Decimal("5"))),
        variant("priority", types.ModelPrice(input_mtok=Decimal("3.5"), output_mtok=Decimal("14"))),
        variant("scale", types.ModelPrice(input_mtok=Decimal("9"), output_mtok=Decimal("9")), starts=date(2027, 1, 1)),
        types.PriceVariant(when={"processing": "batch"}, prices=types.ModelPrice(input_mtok=Decimal("1"))),
    ]
    assert genai_entry(snapshot("openai", info), "openai", "gpt-x", NOON) == {
        "input": 2, "output": 10, "tiers": [{"above": 272000, "input": 4}],
        "service_tiers": {"flex": {"input": 1, "output": 5, "tiers": [{"above": 272000, "input": 2}]},
                          "priority": {"input": 3.5, "output": 14, "tiers": []}}}


def test_a_service_tier_priced_by_what_an_entry_cannot_express_is_unknown():
    info = model("gpt-x", types.ModelPrice(input_mtok=Decimal("2"), output_mtok=Decimal("10")))
    info.price_variants = [variant("flex", types.ModelPrice(requests_kcount=Decimal("1")))]
    entry = genai_entry(snapshot("openai", info), "openai", "gpt-x", NOON)
    assert entry["service_tiers"] == {"flex": {"input": -1, "output": -1}}


def test_our_cost_at_each_service_tier_equals_genai_prices_calc_price_for_every_model_that_has_one():
    at = datetime.now(UTC).replace(hour=12, minute=0)
    checked = 0
    for provider in get_snapshot().providers:
        ours_id = {"google": "gemini"}.get(provider.id, provider.id)
        for info in provider.models:
            entry = genai_entry(get_snapshot(), ours_id, info.id, at)
            for tier in (entry or {}).get("service_tiers", ()):
                for prompt, completion, cached, cache_write, _ in USAGES:
                    usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion,
                             "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write}}
                    ours = cost_for(usage, entry, service_tier=tier)
                    theirs = calc_price(Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=cached,
                                              cache_write_tokens=cache_write), info.id, provider_id=provider.id,
                                        genai_request_timestamp=at, price_context={"service_tier": tier})
                    assert ours["cost_usd"] == pytest.approx(float(theirs.total_price), abs=1e-9, rel=0), (
                        provider.id, info.id, tier, usage)
                checked += 1
    assert checked >= 70, checked  # 73 in genai-prices 0.2.3: OpenAI's flex, priority, fast


def test_llms_json_service_tiers_replace_genai_prices_ones_as_one_field():
    info = model("gpt-x", types.ModelPrice(input_mtok=Decimal("2"), output_mtok=Decimal("10")))
    info.price_variants = [variant("flex", types.ModelPrice(input_mtok=Decimal("1"), output_mtok=Decimal("5"))),
                           variant("priority", types.ModelPrice(input_mtok=Decimal("4"), output_mtok=Decimal("20")))]
    data = snapshot("openai", info)
    kept = FakeProvider("openai", {"x": "gpt-x"}, pricing={"x": {"input": 1.8}})
    assert build_price_table([kept], snapshot=data, at=NOON)["openai"]["x"] == {
        "input": 1.8, "output": 10, "service_tiers": {"flex": {"input": 1, "output": 5},
                                                      "priority": {"input": 4, "output": 20}}}
    ours = FakeProvider("openai", {"x": "gpt-x"}, pricing={"x": {"service_tiers": {"flex": {"input": 0.9}}}})
    entry = build_price_table([ours], snapshot=data, at=NOON)["openai"]["x"]
    assert entry["service_tiers"] == {"flex": {"input": 0.9}}
    usage = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}
    assert cost_for(usage, entry, service_tier="flex")["cost_usd"] == pytest.approx((900 + 1000) / 1e6, abs=1e-15)
    assert cost_for(usage, entry, service_tier="priority")["cost_usd"] == pytest.approx(3000 / 1e6, abs=1e-15)
