"""Pure: monthly budgets, their state, and the worst case a request could cost.

A budget (llms.json `budget`, normalized by config.py) is the overall `monthly_usd`, a provider's
`providers.<id>` or a named token's `tokens.<name>`; it is a cap when its key path is in `budget.hard`. Its state is
the highest threshold this month's spend has reached: 50 % ("notice"), 80 % ("warning"), 100 % ("reached").

A hard cap holds without a check-then-spend race: before the call the request reserves its worst-case cost in every
cap it counts towards (`worst_case_usd`), and is refused when that could pass a cap (`refused_by`); after it, the
reservation is settled to the real cost. tests/vectors/budgets.json holds the cases both languages compute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from llms.pricing.cost import cost_for, format_usd
from llms.pricing.energy import energy_usd

__all__ = ["THRESHOLDS", "STATES", "Budget", "budgets_of", "applies", "threshold_of", "state_of", "crossed",
           "prompt_token_bound", "max_output_tokens", "worst_case_usd", "refused_by", "FALLBACK_OUTPUT_TOKENS",
           "ALL_PROVIDERS", "usd"]

THRESHOLDS = (50, 80, 100)
STATES = {0: "ok", 50: "notice", 80: "warning", 100: "reached"}
ALL_PROVIDERS = "All providers"
# A model whose output limit we do not know, asked without max_tokens: the longest output current models allow
# (Claude and GPT-5 families: 128k). A worst case must not be smaller than what can happen.
FALLBACK_OUTPUT_TOKENS = 128_000


@dataclass(frozen=True)
class Budget:
    key: str  # its key path under llms.json `budget`: "monthly_usd", "providers.openai", "tokens.alice"
    label: str  # as a person reads it: "All providers", "openai", "token alice"
    cap_usd: float
    hard: bool
    provider: str | None = None  # counts only this provider's requests
    token: str | None = None  # counts only this named token's requests


def usd(amount: float) -> str:
    """An amount of a budget as people read it: "$16.02", "$0.0038"."""
    return format_usd(amount, "computed")


def budgets_of(budget: dict) -> list[Budget]:
    """Every budget of config.budget, overall first, then providers and tokens in file order."""
    hard = set(budget.get("hard", ()))
    found = []
    if "monthly_usd" in budget:
        found.append(Budget("monthly_usd", ALL_PROVIDERS, budget["monthly_usd"], "monthly_usd" in hard))
    for provider, amount in budget.get("providers", {}).items():
        key = f"providers.{provider}"
        found.append(Budget(key, provider, amount, key in hard, provider=provider))
    for token, amount in budget.get("tokens", {}).items():
        key = f"tokens.{token}"
        found.append(Budget(key, f"token {token}", amount, key in hard, token=token))
    return found


def applies(budget: Budget, provider: str | None, token: str | None) -> bool:
    """Whether a request served by `provider` with named token `token` (None: none) counts towards `budget`."""
    return ((budget.provider is None or budget.provider == provider)
            and (budget.token is None or budget.token == token))


def threshold_of(spent_usd: float, cap_usd: float) -> int:
    """The highest of THRESHOLDS that `spent_usd` has reached (0 below the first); a $0 budget is reached at once."""
    return max((t for t in THRESHOLDS if spent_usd * 100 >= cap_usd * t), default=0)


def state_of(spent_usd: float, cap_usd: float) -> str:
    return STATES[threshold_of(spent_usd, cap_usd)]


def crossed(before_usd: float, after_usd: float, cap_usd: float) -> int | None:
    """The threshold a spend going from `before_usd` to `after_usd` has just reached, or None (one alert per
    crossing: a request that jumps from 40 % to 90 % alerts once, at 80 %)."""
    before, after = threshold_of(before_usd, cap_usd), threshold_of(after_usd, cap_usd)
    return after if after > before else None


def prompt_token_bound(body: dict) -> int:
    """At most how many prompt tokens a request body holds: its bytes as UTF-8 JSON.

    A token is at least one byte of text (BPE vocabularies are byte sequences: OpenAI's tiktoken, Anthropic's and
    Gemini's tokenizers alike), so no prompt has more tokens than its JSON has bytes; the JSON's quotes and braces
    stand in for the chat template's few tokens per message. The ~4 characters per token estimate
    (pricing.estimate_tokens) undercounts code and non-Latin text by up to 4×, so a cap must not rest on it.
    """
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def max_output_tokens(body: dict, context_window: int | None) -> int:
    """The most output tokens a request can be billed: what it asked for (max_completion_tokens, OpenAI's current
    name, or max_tokens: https://platform.openai.com/docs/api-reference/chat/create; Anthropic's required
    max_tokens; the Responses API's max_output_tokens), else the model's context window (output cannot be longer),
    else FALLBACK_OUTPUT_TOKENS."""
    for name in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        asked = body.get(name)
        if type(asked) is int and asked > 0:
            return asked
    return context_window or FALLBACK_OUTPUT_TOKENS


def worst_case_usd(prompt_tokens: int, output_tokens: int, price: dict | None, *, energy: dict | None = None,
                   longest_ms: float = 0.0, service_tier: str | None = None) -> float:
    """The most a request could cost at `price`: every prompt token at its dearest input rate (a cache write can
    cost more than plain input: Anthropic's 1.25× and 2×) and `output_tokens` out, priced by pricing.cost_for (the
    tier it would fall in included), at the standard rates or those of the `service_tier` asked for, whichever are
    dearer (a provider may serve it at either). Energy-priced: the machine's draw for `longest_ms`. Unpriced or a
    variable price: 0, as such a request adds nothing to what is counted spent (its cost is unknown, never $0)."""
    if energy is not None:
        return energy_usd(longest_ms, energy)
    if price is None:
        return 0.0
    costs = []
    for written, written_1h in ((0, 0), (prompt_tokens, 0), (prompt_tokens, prompt_tokens)):
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": output_tokens,
                 "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": written,
                                           "cache_write_1h_tokens": written_1h}}
        costs += [cost_for(usage, price)["cost_usd"], cost_for(usage, price, service_tier=service_tier)["cost_usd"]]
    known = [cost for cost in costs if cost is not None]
    return max(known, default=0.0)


def refused_by(budgets: list[Budget], spent: dict[str, float], reserved: dict[str, float],
               amounts: dict[str, float]) -> Budget | None:
    """The first hard cap that `amounts` ({budget key: worst case}) would push past its cap, counting what is spent
    and what other requests in flight have reserved; None when the request fits every cap."""
    for budget in budgets:
        if budget.hard and budget.key in amounts:
            if spent.get(budget.key, 0.0) + reserved.get(budget.key, 0.0) + amounts[budget.key] > budget.cap_usd:
                return budget
    return None
