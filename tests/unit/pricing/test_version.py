from dataclasses import dataclass
from importlib import metadata

from llms.pricing.version import config_prices_hash, price_version


@dataclass
class _Provider:
    id: str
    pricing: dict
    default_pricing: dict | None = None
    energy: dict | None = None


def test_the_version_names_genai_prices_and_hashes_our_prices():
    providers = [_Provider("openai", {"gpt-4o": {"input": 2.5, "output": 10}})]
    version = price_version(providers)
    assert version.startswith(f"genai-prices {metadata.version('genai-prices')}+llms.json.")
    assert len(version.rsplit(".", 1)[1]) == 12


def test_the_hash_changes_with_a_price_and_not_with_key_order():
    one = [_Provider("openai", {"gpt-4o": {"input": 2.5, "output": 10}})]
    same = [_Provider("openai", {"gpt-4o": {"output": 10, "input": 2.5}})]
    dearer = [_Provider("openai", {"gpt-4o": {"input": 2.75, "output": 10}})]
    local = [_Provider("openai", {"gpt-4o": {"input": 2.5, "output": 10}}, energy={"watts": 65, "usd_per_kwh": 0.3})]
    assert config_prices_hash(one) == config_prices_hash(same)
    assert len({config_prices_hash(p) for p in (one, dearer, local)}) == 3
