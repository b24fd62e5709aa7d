"""Pricing: the cost rule (cost.py, pure) and the price table (table.py: genai-prices + llms.json)."""

from llms.pricing.cost import cost_for, format_usd, sum_costs

__all__ = ["cost_for", "format_usd", "sum_costs"]
