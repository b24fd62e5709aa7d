"""Pure: normalized usage + a price entry → the request's cost in USD with its provenance; USD display.

The rules (docs/architecture.md, "Price entry"); ui/static/js/pricing.js keeps the same ones and both
pass tests/vectors/pricing.json:

- Prices are USD per 1M tokens. Usage is normalized (llms/usage.py): prompt_tokens counts ALL input,
  cache reads and writes included; completion_tokens ALL output, reasoning/thinking included.
- cost = ( (prompt − cached − cache_write) × input
         + cached × cached_input
         + (cache_write − cache_write_1h) × cache_write
         + cache_write_1h × cache_write_1h
         + completion × output ) / 1,000,000
  A missing cached_input, cache_write or cache_write_1h costs the input price.
- A tier applies to the whole request when prompt_tokens > above (the highest such tier); the fields
  it omits come from the base entry.
- A request served at a service tier the entry prices (`service_tiers`: OpenAI's flex / priority, ...) is charged
  at that tier's entry: its fields over the base entry's (`tiers` as one field). The tier is the one the answer
  says served it, else the one asked for (providers/answer.served_tier); an unknown tier is charged as standard.
- Provenance: "reported" (the provider billed usage.cost itself), "computed" (our prices), "estimated"
  (tokens estimated from the text: the stream ended before its usage), "unpriced" (cost unknown: no
  price, a variable price, or no usage). Unknown is None, never 0; a price of 0 is free.
- Nothing is rounded before display; format_usd rounds for people.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["cost_for", "price_at_tier", "estimate_tokens", "estimated_usage", "format_usd", "format_price", "sum_costs",
           "PROVENANCES", "PRICE_FIELDS", "CACHE_PRICE_FIELDS", "check_prompt_parts",
           "is_priced", "output_usd", "computed_beside_reported"]

PROVENANCES = ("reported", "computed", "estimated", "unpriced")
TOKENS_PER_PRICE_UNIT = 1_000_000
CHARS_PER_TOKEN = 4
CACHE_PRICE_FIELDS = ("cached_input", "cache_write", "cache_write_1h")
PRICE_FIELDS = ("input", "output", *CACHE_PRICE_FIELDS)  # a price entry's rates; `tiers`, `service_tiers` besides

# Display: first drop float noise (0.1 + 0.2 → 0.30000000000000004) at 12 significant digits, then
# round half up at the shown precision, both on the shortest decimal that reads back as the float
# (repr), so Python and JS (String(number)) show the same text for the same number.
_WITHOUT_NOISE = Context(prec=12, rounding=ROUND_HALF_UP)
_TWO_SIGNIFICANT = Context(prec=2, rounding=ROUND_HALF_UP)
_PRICE_SIGNIFICANT = Context(prec=6, rounding=ROUND_HALF_UP)
_CENT = Decimal("0.01")
UNKNOWN = "—"


def cost_for(usage: dict | None, price: dict | None, *, estimated: bool = False,
             service_tier: str | None = None) -> dict:
    """The cost of one request: {"cost_usd": float|None, "provenance": ..., "prices": entry|None}.

    `usage` is normalized usage, or None when the provider sent none. With estimated=True the usage
    was estimated from the text (estimate_tokens); usage None then means nothing to estimate: 0 tokens.
    `service_tier` is the tier that served the request; "prices" is then the entry of that tier (price_at_tier).
    """
    price = price_at_tier(price, service_tier)
    if usage is not None and usage.get("cost") is not None:
        # OpenRouter returns what it billed as usage.cost (USD):
        # https://openrouter.ai/docs/use-cases/usage-accounting. We keep our prices beside it.
        return _cost(float(usage["cost"]), "reported", price)
    if price is None:
        return _cost(None, "unpriced", None)
    if usage is None:
        return _cost(0.0, "estimated", price) if estimated else _cost(None, "unpriced", price)
    rates = _rates(price, usage["prompt_tokens"])
    if any(rate < 0 for rate in rates.values()):
        return _cost(None, "unpriced", price)  # -1: OpenRouter's "variable" price, unknown, never free
    return _cost(_usd(usage, rates), "estimated" if estimated else "computed", price)


def price_at_tier(price: dict | None, service_tier: str | None) -> dict | None:
    """The entry a request served at `service_tier` is charged at, without `service_tiers`: that tier's fields
    over the base entry's (`tiers` as one field) when the entry prices the tier, else the base entry."""
    if price is None or "service_tiers" not in price:
        return price
    base = {name: value for name, value in price.items() if name != "service_tiers"}
    tier = price["service_tiers"].get(service_tier) if isinstance(service_tier, str) else None
    return base if tier is None else {**base, **tier}


def computed_beside_reported(usage: dict | None, cost: dict) -> float | None:
    """Our own cost of a request the provider priced itself (`cost` is cost_for's "reported" result): its usage at
    the prices in force, kept beside what was billed so drift shows (pricing/drift.py). None for any other cost."""
    if cost["provenance"] != "reported" or cost["prices"] is None or usage is None:
        return None
    return cost_for({name: value for name, value in usage.items() if name != "cost"}, cost["prices"])["cost_usd"]


def output_usd(usage: dict, price: dict) -> float:
    """The output part of `_usd` (completion tokens at the output rate of the request's tier), for the ledger's
    input_cost/output_cost split."""
    return usage["completion_tokens"] * _rates(price, usage["prompt_tokens"])["output"] / TOKENS_PER_PRICE_UNIT


def _cost(cost_usd: float | None, provenance: str, price: dict | None) -> dict:
    return {"cost_usd": cost_usd, "provenance": provenance, "prices": price}


def _rates(price: dict, prompt_tokens: int) -> dict:
    """The five rates in force for a request of `prompt_tokens`: its tier's, then the base entry's, then input."""
    if not is_priced(price):
        raise ValueError(f"a price entry needs input and output (USD per 1M tokens), got {price!r}")
    # Tiers price the whole request once its prompt (cache included) is past `above`: Anthropic
    # https://docs.anthropic.com/en/docs/about-claude/pricing#long-context-pricing, Gemini
    # https://ai.google.dev/gemini-api/docs/pricing ("prompts > 200k tokens"), OpenAI's 272k for gpt-5.5.
    passed = [tier for tier in price.get("tiers", ()) if prompt_tokens > tier["above"]]
    tier = max(passed, key=lambda t: t["above"]) if passed else {}
    rates = {name: tier.get(name, price.get(name)) for name in PRICE_FIELDS}
    for name in CACHE_PRICE_FIELDS:
        if rates[name] is None:
            rates[name] = rates["input"]
    return rates


def is_priced(entry: dict) -> bool:
    """Whether a price entry can price a request: it needs both an input and an output price."""
    return "input" in entry and "output" in entry


def check_prompt_parts(prompt: int, cached: int, cache_write: int, cache_write_1h: int) -> None:
    """Cache reads and writes are parts of the prompt, 1-hour writes a part of the writes: parts larger than
    their whole mean a wrong body, and no price could be trusted (pricing.js refuses with the same text)."""
    if cached + cache_write > prompt or cache_write_1h > cache_write:
        raise ValueError(f"usage does not add up: prompt_tokens {prompt} < cached {cached} + cache writes "
                         f"{cache_write}, or 1h writes {cache_write_1h} > cache writes {cache_write}")


def _usd(usage: dict, rates: dict) -> float:
    details = usage.get("prompt_tokens_details") or {}
    prompt = usage["prompt_tokens"]
    cached = details.get("cached_tokens") or 0
    cache_write = details.get("cache_write_tokens") or 0
    cache_write_1h = details.get("cache_write_1h_tokens") or 0
    check_prompt_parts(prompt, cached, cache_write, cache_write_1h)
    uncached = prompt - cached - cache_write
    # One expression in one order, the same as pricing.js, so both sides get the same float.
    token_usd = (uncached * rates["input"]
                 + cached * rates["cached_input"]
                 + (cache_write - cache_write_1h) * rates["cache_write"]
                 + cache_write_1h * rates["cache_write_1h"]
                 + usage["completion_tokens"] * rates["output"])
    return token_usd / TOKENS_PER_PRICE_UNIT


def estimate_tokens(text: str) -> int:
    """Tokens in `text` when the provider never said: ceil(characters / 4).

    OpenAI's rule of thumb for English, "1 token ≈ 4 characters"
    (https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them). Characters are
    code points (pricing.js counts the same). Code and non-Latin scripts run more tokens per character:
    an estimate, always shown as one ("~").
    """
    return -(-len(text) // CHARS_PER_TOKEN)


def estimated_usage(prompt_text: str, answer_text: str) -> dict:
    """Normalized usage estimated from the text sent and received, for a stream that ended before its usage."""
    prompt, completion = estimate_tokens(prompt_text), estimate_tokens(answer_text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0}}


def format_usd(cost_usd: float | None, provenance: str | None) -> str:
    """A cost as people read it.

    "—" when unknown (None); "$0.00" for exactly 0; from $0.01 up, cents rounded half up with
    thousands separators ("$12.35", "$1,234.57"); below $0.01, two significant digits without trailing
    zeros ("$0.00012", "$0.0001"; one that rounds up to a cent shows "$0.01"). Estimated costs get a
    leading "~" ("~$0.0031").
    """
    if cost_usd is None:
        return UNKNOWN
    text = _quick_usd(cost_usd) if type(cost_usd) is float else None
    if text is None:
        text = _exact_usd(cost_usd)
    return "~" + text if provenance == "estimated" else text


def _exact_usd(cost_usd: float) -> str:
    """format_usd's text by the rule itself, on Decimal."""
    amount = _decimal(cost_usd)
    if amount >= _CENT:
        return f"${amount.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
    if amount == 0:
        return "$0.00"
    tiny = _TWO_SIGNIFICANT.plus(amount)
    return "$0.01" if tiny >= _CENT else f"${tiny.normalize():f}"


# _quick_usd's ranges and how far from a rounding tie it must be. Dropping the noise (12 significant digits)
# moves an amount below $1,000,000 by at most 5e-7 USD = 5e-5 cents, and an amount's two leading digits
# (read as 10–99.99…) by at most 5e-10; float products add ~1e-8 cents and ~1e-14. Farther from a half than
# the margins, the exact rule and the float's own correctly rounded digits round to the same side.
_QUICK_CENTS_BELOW = 1e6
_CENTS_TIE_MARGIN = 1e-4
_QUICK_TINY_ABOVE = 1e-20  # 10^(1 - exponent) stays a power of ten that a float holds exactly (up to 10^22)
_DIGITS_TIE_MARGIN = 1e-9


def _quick_usd(amount: float) -> str | None:
    """format_usd's text without Decimal (a detailed report writes a million): for amounts in the common range
    that are not near a rounding tie; None for the others, which take _exact_usd. tests/unit/pricing/
    test_cost.py compares both on edge cases and random floats."""
    if 0.01 <= amount < _QUICK_CENTS_BELOW:
        cents = amount * 100
        if abs(cents - math.floor(cents) - 0.5) > _CENTS_TIE_MARGIN:
            return f"${amount:,.2f}"  # the float's cents, correctly rounded: the same side of the half
        return None
    if not _QUICK_TINY_ABOVE < amount < 0.01:
        return None
    exponent = math.floor(math.log10(amount))  # amount = d.d… × 10^exponent; log10 may be one off at a power
    leading = amount * _POWERS_OF_TEN[1 - exponent]  # 10 ≤ leading < 100: the two digits to round, and the rest
    if leading < 10:
        exponent -= 1
        leading = amount * _POWERS_OF_TEN[1 - exponent]
    elif leading >= 100:
        exponent += 1
        leading = amount * _POWERS_OF_TEN[1 - exponent]
    whole = int(leading)
    if abs(leading - whole - 0.5) <= _DIGITS_TIE_MARGIN:
        return None
    two = whole + (leading - whole > 0.5)  # half up: 10 … 100
    if two % 10:
        return f"$0.{_ZEROS[-exponent - 1]}{two}"  # its last digit at 10^(exponent - 1)
    if two < 100:
        return f"$0.{_ZEROS[-exponent - 1]}{two // 10}"  # a trailing zero dropped (Decimal.normalize)
    # Rounded up to 10^(exponent + 1): a cent (shown as cents), or a 1 after zeros.
    return "$0.01" if exponent == -3 else f"$0.{_ZEROS[-exponent - 2]}1"


_POWERS_OF_TEN = tuple(10.0 ** k for k in range(23))  # exact floats (10^22 is the last one a float holds)
_ZEROS = tuple("0" * k for k in range(23))


def format_price(usd_per_million: float | None) -> str:
    """A price per 1M tokens: "$2.50", "$0.075", "$0.00" (free), "—" when unknown or variable (-1)."""
    if usd_per_million is None or usd_per_million < 0:
        return UNKNOWN
    price = _PRICE_SIGNIFICANT.plus(_decimal(usd_per_million)).normalize()
    if price.as_tuple().exponent > -2:
        price = price.quantize(_CENT)
    return f"${price:,f}"


def _decimal(amount: float) -> Decimal:
    value = Decimal(repr(float(amount)))
    if not value.is_finite() or value < 0:
        raise ValueError(f"expected a cost in USD ≥ 0, got {amount!r}")
    return _WITHOUT_NOISE.plus(value)


def sum_costs(rows) -> dict:
    """The total of rows carrying cost_usd and a provenance (cost_for results, or stored records'
    cost_provenance): {"cost_usd", "has_unpriced", "has_estimated", "provenance"}.

    Unknown costs add nothing and set has_unpriced, so a total can say it is incomplete; cost_usd is
    None only when every row is unknown. `provenance` is the one to show the total with (format_usd).
    """
    total, known, has_unpriced, has_estimated = 0.0, False, False, False
    for row in rows:
        if row.get("cost_usd") is None:
            has_unpriced = True
            continue
        total += row["cost_usd"]  # in row order, as pricing.js does (Python 3.12's sum() compensates)
        known = True
        has_estimated = has_estimated or (row.get("provenance") or row.get("cost_provenance")) == "estimated"
    cost_usd = total if known or not has_unpriced else None
    provenance = "unpriced" if cost_usd is None else "estimated" if has_estimated else "computed"
    return {"cost_usd": cost_usd, "has_unpriced": has_unpriced, "has_estimated": has_estimated,
            "provenance": provenance}
