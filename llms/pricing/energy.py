"""Pure: the energy cost of a request to a local model (Ollama, llama.cpp, LM Studio …), whose tokens are free.

A provider with `"energy": {"watts": 65, "usd_per_kwh": 0.30}` in llms.json is priced by the electricity its
machine drew while answering, not by tokens (docs/configuration.md, "Energy"):

    cost_usd = response_ms / 1000 × watts ÷ 3,600,000 × usd_per_kwh

(seconds × watts = joules; 3,600,000 joules = 1 kWh). The machine's draw is the person's estimate, so the cost is
always "estimated" and shown as energy ("⚡ ~$0.000011", ui/static/js/rules/energy.js), never as "$0.00". It is summed
like any other cost. Both languages compute it in this one order, so they get the same float:
tests/vectors/energy.json.
"""

from __future__ import annotations

__all__ = ["ENERGY_FIELDS", "JOULES_PER_KWH", "energy_cost", "energy_usd"]

ENERGY_FIELDS = ("watts", "usd_per_kwh")
JOULES_PER_KWH = 3_600_000


def energy_usd(response_ms: float, energy: dict) -> float:
    """USD of electricity for `response_ms` at the provider's `energy` (watts, usd_per_kwh)."""
    return response_ms / 1000 * energy["watts"] / JOULES_PER_KWH * energy["usd_per_kwh"]


def energy_cost(response_ms: float | None, energy: dict) -> dict:
    """pricing.cost_for's shape for an energy-priced request (no token prices; `energy`, the rates it was costed
    at): estimated, or unpriced when its time is unknown."""
    cost_usd = None if response_ms is None else energy_usd(response_ms, energy)
    return {"cost_usd": cost_usd, "provenance": "unpriced" if cost_usd is None else "estimated", "prices": None,
            "energy": energy}
