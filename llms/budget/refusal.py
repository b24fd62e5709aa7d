"""A request a hard cap refuses: HTTP 429 naming the budget, its spend and its cap, in the shape of the API asked.

OpenAI's own answer to a spent quota is a 429 with type `insufficient_quota`
(https://platform.openai.com/docs/guides/error-codes): SDK clients raise RateLimitError for it and do not retry a
quota that will not come back within the call. /v1/messages answers as Anthropic does (its 429 `rate_limit_error`),
so Anthropic SDKs raise their own class. Both carry `budget` {name, spend_usd, reserved_usd, cap_usd} beside the
message, and code `budget_exceeded`.
"""

from __future__ import annotations

from aiohttp import web

from llms.budget.rules import usd
from llms.providers.anthropic_messages import error_body as anthropic_error_body
from llms.server.errors import error_body

__all__ = ["BudgetExceeded", "budget_refusals", "CODE"]

CODE = "budget_exceeded"
STATUS = 429
ANTHROPIC_PATHS = ("/v1/messages",)


class BudgetExceeded(Exception):
    """Raised by BudgetEnforcer.reserve; the middleware turns it into the 429."""

    def __init__(self, budget, spent_usd: float, reserved_usd: float, worst_case_usd: float):
        in_flight = f" (+{usd(reserved_usd)} reserved by requests in progress)" if reserved_usd else ""
        self.message = (f"budget {budget.key} ({budget.label}) is capped at {usd(budget.cap_usd)} a month: "
                        f"{usd(spent_usd)} spent this month{in_flight}, and this request could cost up to "
                        f"{usd(worst_case_usd)}. Raise budget.{budget.key} in llms.json, lower max_tokens, or wait "
                        "for next month")
        super().__init__(self.message)
        self.details = {"name": budget.key, "label": budget.label, "spend_usd": spent_usd,
                        "reserved_usd": reserved_usd, "request_worst_case_usd": worst_case_usd,
                        "cap_usd": budget.cap_usd}

    def response(self, path: str) -> web.Response:
        if path in ANTHROPIC_PATHS:
            body = anthropic_error_body(STATUS, self.message)
        else:
            body = error_body(STATUS, self.message, code=CODE, error_type="insufficient_quota")
        body["error"] |= {"code": CODE, "budget": self.details}
        return web.json_response(body, status=STATUS)


@web.middleware
async def budget_refusals(request: web.Request, handler):
    """The refusal leaves the route through its `finally` (the request is recorded as a 429) and is answered here."""
    try:
        return await handler(request)
    except BudgetExceeded as refusal:
        return refusal.response(request.path)
