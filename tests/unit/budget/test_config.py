import json
from pathlib import Path

import pytest

from llms.config import ConfigError, parse_config

PROVIDERS = {"openai": {"type": "openai-compatible", "base_url": "https://api.openai.com/v1", "models": {"m": "m"}},
             "ollama": {"type": "ollama", "base_url": "http://127.0.0.1:11434", "models": {"l": "l"}}}
LEDGER = {"enabled": True, "path": "/tmp/usage.jsonl"}


def parsed(budget: dict | None = None, ledger: dict | None = LEDGER, **ollama):
    raw = {"providers": {**PROVIDERS, "ollama": PROVIDERS["ollama"] | ollama}, "budget": budget or {}}
    if ledger is not None:
        raw["ledger"] = ledger
    return parse_config(json.dumps(raw, indent=2), Path("llms.json"), {})


def error_of(*args, **kwargs) -> str:
    with pytest.raises(ConfigError) as caught:
        parsed(*args, **kwargs)
    return str(caught.value)


def test_entries_are_amounts_and_hard_names_the_caps():
    config = parsed({"monthly_usd": 50, "providers": {"openai": {"usd": 20, "hard": True}}, "tokens": {"alice": 5}})
    assert config.budget == {"providers": {"openai": 20}, "tokens": {"alice": 5}, "hard": ["providers.openai"],
                             "monthly_usd": 50}


def test_hard_true_caps_every_budget_unless_an_entry_says_otherwise():
    config = parsed({"hard": True, "monthly_usd": 50, "tokens": {"alice": 5, "bob": {"usd": 9, "hard": False}}})
    assert config.budget["hard"] == ["monthly_usd", "tokens.alice"]


def test_hard_caps_without_the_ledger_name_the_key_that_made_them():
    assert "budget.hard: hard caps need the ledger" in error_of({"hard": True, "monthly_usd": 5}, ledger=None)
    assert "budget.providers.openai.hard: hard caps need the ledger" in error_of(
        {"providers": {"openai": {"usd": 5, "hard": True}}}, ledger=None)
    assert parsed({"monthly_usd": 5}, ledger=None).budget["hard"] == []  # soft budgets need no ledger


@pytest.mark.parametrize(("budget", "problem"), [
    ({"tokens": {"alice": "5"}}, 'budget.tokens.alice: expected a number of USD or {"usd": 20, "hard": true}, got "5"'),
    ({"tokens": {"alice": {"hard": True}}}, "budget.tokens.alice: usd is missing"),
    ({"tokens": {"alice": {"usd": 5, "cap": True}}}, "budget.tokens.alice.cap: unknown key (expected one of: usd, hard)"),
    ({"monthly_usd": {"usd": -1}}, "budget.monthly_usd.usd: expected a number ≥ 0, got -1"),
    ({"hard": "yes"}, 'budget.hard: expected true or false, got "yes"'),
])
def test_a_wrong_budget_entry_is_refused_with_its_key_path(budget, problem):
    assert problem in error_of(budget)


def test_energy_is_read_and_checked():
    assert parsed(energy={"watts": 65, "usd_per_kwh": 0.3}).provider("ollama").energy == {"watts": 65,
                                                                                          "usd_per_kwh": 0.3}
    assert parsed().provider("ollama").energy is None
    assert "providers.ollama.energy: usd_per_kwh is missing" in error_of(energy={"watts": 65})
    assert "providers.ollama.energy.watts: expected a number ≥ 0, got -5" in error_of(
        energy={"watts": -5, "usd_per_kwh": 0.3})
    assert "providers.ollama.energy.volts: unknown key" in error_of(energy={"watts": 5, "usd_per_kwh": 1, "volts": 2})
