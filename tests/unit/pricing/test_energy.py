import json
from pathlib import Path

import pytest

from llms.pricing.energy import energy_cost

CASES = json.loads((Path(__file__).parents[2] / "vectors" / "energy.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_energy_vector(case):
    cost = energy_cost(case["response_ms"], case["energy"])
    assert cost == {"cost_usd": case["cost_usd"], "provenance": case["provenance"], "prices": None,
                    "energy": case["energy"]}
