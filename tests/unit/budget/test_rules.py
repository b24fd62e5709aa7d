import json
from pathlib import Path

import pytest

from llms.budget.rules import (Budget, applies, budgets_of, crossed, max_output_tokens, prompt_token_bound,
                               refused_by, state_of, threshold_of, worst_case_usd)

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "budgets.json").read_text(encoding="utf-8"))


def _ids(cases):
    return [case["name"] for case in cases]


@pytest.mark.parametrize("case", VECTORS["thresholds"], ids=_ids(VECTORS["thresholds"]))
def test_threshold_and_state(case):
    assert threshold_of(case["spent_usd"], case["cap_usd"]) == case["threshold"]
    assert state_of(case["spent_usd"], case["cap_usd"]) == case["state"]


@pytest.mark.parametrize("case", VECTORS["crossings"], ids=_ids(VECTORS["crossings"]))
def test_a_crossing_alerts_once(case):
    assert crossed(case["before_usd"], case["after_usd"], case["cap_usd"]) == case["crossed"]


@pytest.mark.parametrize("case", VECTORS["worst_cases"], ids=_ids(VECTORS["worst_cases"]))
def test_worst_case(case):
    assert worst_case_usd(case["prompt_tokens"], case["output_tokens"], case["price"]) == pytest.approx(
        case["worst_case_usd"], rel=1e-12, abs=0)


@pytest.mark.parametrize("case", VECTORS["max_output_tokens"], ids=_ids(VECTORS["max_output_tokens"]))
def test_max_output_tokens(case):
    assert max_output_tokens(case["body"], case["context_window"]) == case["output_tokens"]


@pytest.mark.parametrize("case", VECTORS["prompt_bounds"], ids=_ids(VECTORS["prompt_bounds"]))
def test_prompt_bound_is_the_body_s_bytes(case):
    assert prompt_token_bound(case["body"]) == case["prompt_tokens"]


@pytest.mark.parametrize("case", VECTORS["refusals"], ids=_ids(VECTORS["refusals"]))
def test_refusal(case):
    cap = Budget("monthly_usd", "All providers", case["cap_usd"], True)
    refused = refused_by([cap], {"monthly_usd": case["spent_usd"]}, {"monthly_usd": case["reserved_usd"]},
                         {"monthly_usd": case["worst_case_usd"]})
    assert (refused is cap) == case["refused"]


def test_the_worst_case_of_a_service_tier_is_the_dearer_of_its_rates_and_the_standard_ones():
    price = {"input": 2, "output": 8, "service_tiers": {"priority": {"input": 4, "output": 16},
                                                        "flex": {"input": 1, "output": 4}}}
    assert worst_case_usd(1000, 100, price, service_tier="priority") == pytest.approx(5600 / 1e6, rel=1e-12)
    assert worst_case_usd(1000, 100, price, service_tier="flex") == pytest.approx(2800 / 1e6, rel=1e-12)
    assert worst_case_usd(1000, 100, price) == pytest.approx(2800 / 1e6, rel=1e-12)


def test_energy_worst_case_is_the_draw_for_the_longest_answer():
    # 120 s × 65 W = 7,800 J = 0.0021666… kWh, × $0.30 = $0.00065
    assert worst_case_usd(1000, 500, None, energy={"watts": 65, "usd_per_kwh": 0.30},
                          longest_ms=120_000) == pytest.approx(0.00065, rel=1e-12)


def test_budgets_of_a_config_with_every_kind_and_their_caps():
    budgets = budgets_of({"monthly_usd": 50, "providers": {"openai": 20}, "tokens": {"alice": 5},
                          "hard": ["providers.openai", "tokens.alice"]})
    assert budgets == [Budget("monthly_usd", "All providers", 50, False),
                       Budget("providers.openai", "openai", 20, True, provider="openai"),
                       Budget("tokens.alice", "token alice", 5, True, token="alice")]
    overall, openai, alice = budgets
    assert applies(overall, "groq", None) and applies(openai, "openai", "bob") and not applies(openai, "groq", None)
    assert applies(alice, "groq", "alice") and not applies(alice, "groq", None)


def test_a_soft_budget_never_refuses():
    soft = Budget("monthly_usd", "All providers", 1, False)
    assert refused_by([soft], {"monthly_usd": 5}, {}, {"monthly_usd": 1}) is None
