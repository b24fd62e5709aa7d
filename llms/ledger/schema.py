"""Pure: the one Python definition of a request record on its way to the ledger, and the line check.

- `RECORDER_FIELDS`: the record a finished proxied request hands every recorder (server/exchange.py).
- `RECORD_FIELDS` (+ `PROMPT_FIELDS` with `"prompts": true`): a ledger line, in the order it is written;
  `ledger_line` builds one from a recorder record and its price, cutting texts to the limits below so
  the writer never writes a line its readers refuse.
- `line_problem(line)`: what makes a line unusable, or None. Every reader (analytics, --report,
  /health, /api/ledger) relies on it and never checks again; the browser's check of a ledger line
  (ui/static/js/rules/record.js) gives the same answer and the same text: both pass tests/vectors/records.json.

The rules, in the order they are checked (the first problem found is the one reported):
- the line is an object (else `not a ledger record (expected a JSON object, got …)`) holding
  timestamp, request_id, status and model (else `not a ledger record (it has no status, model)`,
  naming the missing ones in that order); then each field in RECORD_FIELDS order. Any other absent
  field counts as null, except `usage.total_tokens` and `usage.cost`, which may be absent but not null.
- timestamp: `YYYY-MM-DDTHH:MM:SS[.1-9 digits](Z|±HH:MM)`, a real calendar date and time (month 1–12,
  day within the month, hour ≤ 23, minute and second ≤ 59, offset hours ≤ 23 and minutes ≤ 59),
  year 1970–8999.
- request_id: `[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}`, a text (never a number).
- texts (TEXT_LIMITS): a string of at most N characters, counted in code points; null where allowed.
- status: one of STATUSES; cost_provenance: one of COST_PROVENANCES or null.
- error: null or an object; its message and type texts or null; its status a whole number ≥ 0 or null.
- usage: null or an object; prompt_tokens and completion_tokens whole numbers from 0 to MAX_TOKENS (5.0 is
  whole, true is not a number), total_tokens (their sum) from 0 to MAX_TOTAL_TOKENS when present; each *_details
  null or an object of whole numbers from 0 to MAX_TOKENS or null; cost, when present, a number ≥ 0.
- cost_usd a number from 0 to MAX_COST_USD or null; response_ms and ttft_ms numbers from 0 to MAX_DURATION_MS
  or null.
- user_id (`token:<name>` or `local`) and ip_address texts or null; input_tokens and output_tokens whole numbers
  from 0 to MAX_TOKENS, total_tokens to MAX_TOTAL_TOKENS, or null; input_cost, output_cost, total_cost numbers from 0
  to MAX_COST_USD or null (all may be absent: lines written before them lack them).
- computed_cost_usd (ours from the prices in force, beside a cost the provider reported) a number from 0 to
  MAX_COST_USD or null; energy (the rates an energy-priced request was costed at) null or an object with watts and
  usd_per_kwh numbers ≥ 0; price_version (pricing/version.py) a text of at most 200 characters or null. All may be
  absent (lines written before them lack them).
- tool_calls (the names of the tools the answer called, one per call, in order) null or a list of at most
  MAX_TOOL_CALLS texts of at most MAX_TOOL_NAME_CHARS characters; service_tier (the tier the provider served it at,
  else the one asked for) a text of at most 100 characters or null. Both may be absent (lines written before them).
- prices: null or an object; each price field a number ≥ 0, -1 (variable) or null; `tiers` a list of at
  most MAX_TIERS objects, each with `above` a number ≥ 0 and price fields as above.
Numbers are finite (JSON parsers read 1e999 as infinity, and JavaScript's an integer past the largest double too,
so Python reads such an integer as infinite). A problem reads
`<field path>: expected <what>, got <value>`, the value as compact JSON (`json_text`), cut to its first
57 characters and "…" when longer than 60.
"""

from __future__ import annotations

import json
import math
import re
import sys
from decimal import Decimal

from llms.pricing.cost import PRICE_FIELDS, PROVENANCES, output_usd
from llms.pricing.energy import ENERGY_FIELDS

__all__ = ["RECORDER_FIELDS", "RECORDER_OPTIONAL", "MAX_TOOL_CALLS", "MAX_TOOL_NAME_CHARS",
           "RECORD_FIELDS", "PROMPT_FIELDS", "REQUIRED_FIELDS", "FLAT_COUNTS", "FLAT_COSTS",
           "LOCAL_USER", "STATUSES", "COST_PROVENANCES", "TEXT_LIMITS", "MAX_ERROR_CHARS", "MAX_DURATION_MS",
           "MAX_TIERS", "MAX_COST_USD", "MAX_TOKENS", "MAX_TOTAL_TOKENS",
           "recorder_record", "ledger_line", "line_problem", "json_text", "number_text"]

RECORDER_FIELDS = (
    "request_id", "timestamp", "client", "client_app", "token", "ip_address", "provider", "model", "alias",
    "provider_model", "endpoint", "is_streaming", "status", "http_status", "error", "finish_reason", "usage",
    "response_ms", "ttft_ms", "messages", "output_text", "reasoning_text", "tool_calls", "service_tier",
)
# What the answer said about itself, known where an answer was read (server/exchange.py); a builder without one
# leaves them out and they are null.
RECORDER_OPTIONAL = ("tool_calls", "service_tier")
RECORD_FIELDS = (
    "timestamp", "request_id", "client", "client_app", "token", "provider", "model", "provider_model", "endpoint",
    "is_streaming", "status", "error", "finish_reason", "usage", "cost_usd", "cost_provenance", "prices",
    "response_ms", "ttft_ms", *("user_id", "ip_address"), *("input_tokens", "output_tokens", "total_tokens"),
    *("input_cost", "output_cost", "total_cost"), *("computed_cost_usd", "energy", "price_version"),
    *("tool_calls", "service_tier"),
)
# The flat fields of the LLM proxy cost-tracking guide's line (docs/contracts.md); lines written before them lack
# them, and every reader takes such a line.
FLAT_COUNTS = ("input_tokens", "output_tokens", "total_tokens")
FLAT_COSTS = ("input_cost", "output_cost", "total_cost")
LOCAL_USER = "local"  # user_id of a request without a named token
PROMPT_FIELDS = ("messages", "output_text")  # only with "prompts": true
STATUSES = ("ok", "error", "aborted")
COST_PROVENANCES = PROVENANCES  # a ledger line's costs are ours (never "imported", a browser-side llms.py cost)
# (field, most characters, may be null)
TEXT_LIMITS = (("client", 200, True), ("client_app", 200, True), ("token", 200, True), ("provider", 200, True),
               ("model", 200, False), ("provider_model", 300, True), ("endpoint", 200, True),
               ("finish_reason", 100, True), ("user_id", 206, True), ("ip_address", 100, True),
               ("price_version", 200, True), ("service_tier", 100, True))
# An answer's tool calls: OpenAI caps a function name at 64 characters and no answer makes a thousand calls; a
# longer list is cut to this many names (a reader still sees it is long).
MAX_TOOL_CALLS, MAX_TOOL_NAME_CHARS = 1000, 200
MAX_ERROR_CHARS, MAX_ERROR_TYPE_CHARS = 10_000, 200
CUT_MARK = "… [truncated]"
# No request lasts a week; the bound keeps readers' time arithmetic (timestamp + response_ms) in range.
MAX_DURATION_MS = 7 * 24 * 3_600_000
# No request costs $100,000 (a million output tokens at the dearest price listed is a few hundred dollars): a larger
# cost is a malformed line. The bound keeps every sum finite: a billion lines add up to at most 1e14.
MAX_COST_USD = 100_000
# No request counts 10**12 tokens of any kind: the largest context windows hold about 10**7 tokens, and an answer or a
# cache write is smaller still, so the bound is 100,000 times the largest prompt any model takes. A larger count is a
# malformed line. A total is the sum of two counts: at most twice that. The bounds keep every sum finite (a billion
# lines add up to at most 2e21) and each count exact in a JavaScript number (below 2**53).
MAX_TOKENS = 10 ** 12
MAX_TOTAL_TOKENS = 2 * MAX_TOKENS
MAX_TIERS = 20
# Far from datetime's year 1 and 9999: a reader's time-zone conversions and bucket steps stay in range.
EARLIEST_YEAR, LATEST_YEAR = 1970, 8999
SHOWN_CHARS = 60

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")  # the browser stores a record under it
# ASCII digits only, as the browser's check reads them (\d alone would take "２０２６").
_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))", re.ASCII)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_USAGE_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens")
_USAGE_DETAILS = (("prompt_tokens_details", ("cached_tokens", "cache_write_tokens", "cache_write_1h_tokens")),
                  ("completion_tokens_details", ("reasoning_tokens",)))
_COUNT = "a whole number ≥ 0"
_TOKENS = f"a whole number from 0 to {MAX_TOKENS}"
_TOTAL_TOKENS = f"a whole number from 0 to {MAX_TOTAL_TOKENS}"
# The smallest integer that rounds to infinity as a double (halfway from the largest double to 2**1024, which rounds
# up): JavaScript's JSON.parse reads such an integer as Infinity, and float() of it overflows.
_INFINITE_INT = 2 ** 1024 - 2 ** 970
REQUIRED_FIELDS = ("timestamp", "request_id", "status", "model")
_REQUIRED_SET = frozenset(REQUIRED_FIELDS)


def recorder_record(**fields) -> dict:
    """The record for recorders, refused when a field is missing or unknown (so every builder keeps to it); only
    RECORDER_OPTIONAL may be left out."""
    fields |= {name: None for name in RECORDER_OPTIONAL if name not in fields}  # the last fields: order kept
    if tuple(fields) != RECORDER_FIELDS:
        missing = [name for name in RECORDER_FIELDS if name not in fields]
        unknown = [name for name in fields if name not in RECORDER_FIELDS]
        raise TypeError(f"a recorder record has exactly RECORDER_FIELDS in order; missing {missing}, unknown {unknown}")
    return fields


def ledger_line(record: dict, cost: dict, usage: dict | None, model: str, *, prompts: bool,
                computed_cost_usd: float | None = None, energy: dict | None = None,
                price_version: str | None = None) -> dict:
    """The line written for one recorder record, already priced (`cost` is pricing.cost_for's result, or
    energy.energy_cost's at the `energy` rates); `computed_cost_usd` is ours beside a cost the provider reported."""
    if cost["cost_usd"] is not None and not cost["cost_usd"] <= MAX_COST_USD:  # NaN too
        # Only an absurd price gives this (llms.json's, per 1M tokens): the cost is unknown, and the line stays one
        # its readers take.
        cost = cost | {"cost_usd": None, "provenance": "unpriced"}
    error = record["error"]
    line = {
        "timestamp": record["timestamp"],
        "request_id": record["request_id"],
        "client": record["client"],
        "client_app": record["client_app"],
        "token": record["token"],
        "provider": record["provider"],
        "model": model,
        "provider_model": record["provider_model"],
        "endpoint": record["endpoint"],
        "is_streaming": record["is_streaming"],
        "status": record["status"],
        # A provider's error text has no bound of its own: cut, so the line stays one every reader takes.
        "error": {"message": _fit(error, MAX_ERROR_CHARS), "status": record["http_status"]} if error else None,
        "finish_reason": _cut(record["finish_reason"], "finish_reason"),
        "usage": usage,
        "cost_usd": cost["cost_usd"],
        "cost_provenance": cost["provenance"],
        "prices": cost["prices"],
        "response_ms": record["response_ms"],
        "ttft_ms": record["ttft_ms"],
        "user_id": f"token:{record['token']}" if record["token"] else LOCAL_USER,
        "ip_address": _cut(record["ip_address"], "ip_address"),
        **_flat_counts(usage),
        **_flat_costs(cost, usage),
        "computed_cost_usd": computed_cost_usd,
        "energy": energy,
        "price_version": price_version,
        "tool_calls": None if record["tool_calls"] is None else [
            _fit(name, MAX_TOOL_NAME_CHARS) for name in record["tool_calls"][:MAX_TOOL_CALLS]],
        "service_tier": _cut(record["service_tier"], "service_tier"),
    }
    if prompts:
        line["messages"] = record["messages"]
        line["output_text"] = record["output_text"]
    return line


def _flat_counts(usage: dict | None) -> dict:
    """input_tokens is the whole prompt, cache reads and writes included (they are parts of prompt_tokens)."""
    if usage is None:
        return dict.fromkeys(FLAT_COUNTS)
    prompt, completion = usage["prompt_tokens"], usage["completion_tokens"]
    return {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}


def _flat_costs(cost: dict, usage: dict | None) -> dict:
    """total_cost is cost_usd (null when unpriced, never 0); input_cost (uncached, cached and cache-write input)
    and output_cost add up to it exactly. A cost the provider reported (OpenRouter's usage.cost) has no split."""
    total = cost["cost_usd"]
    if total is None or cost["provenance"] == "reported" or cost["prices"] is None:
        return {"input_cost": None, "output_cost": None, "total_cost": total}
    output = output_usd(usage, cost["prices"]) if usage is not None else 0.0
    output = min(output, total)
    net = total - output
    # total - output rounds; step the input part by whole floats until the two parts add up to total exactly
    # (at most a step or two: the rounding error is within one unit in the last place of total).
    for _ in range(4):
        if net + output == total:
            break
        net = math.nextafter(net, math.inf if net + output < total else -math.inf)
    return {"input_cost": max(net, 0.0), "output_cost": output, "total_cost": total}


def _cut(text: str | None, field: str) -> str | None:
    most = next(limit for name, limit, _ in TEXT_LIMITS if name == field)
    return text if text is None else _fit(text, most)


def _fit(text: str, most: int) -> str:
    """`text` in at most `most` code points; a cut one ends in CUT_MARK, so a reader sees it was cut."""
    return text if len(text) <= most else text[:most - len(CUT_MARK)] + CUT_MARK


# ---- the line check ----------------------------------------------------------------------------

def line_problem(line) -> str | None:
    """What makes a parsed ledger line unusable, as `field: expected …, got …`; None when every reader can use it."""
    if type(line) is not dict:
        return f"not a ledger record (expected a JSON object, got {_shown(line)})"
    if not line.keys() >= _REQUIRED_SET:
        return f"not a ledger record (it has no {', '.join(name for name in REQUIRED_FIELDS if name not in line)})"
    get = line.get
    return (_timestamp_problem(get("timestamp"))
            or _id_problem(get("request_id"))
            or _texts_problem(line, ("client", "client_app", "token", "provider", "model", "provider_model",
                                     "endpoint"))
            or _one_of_problem("status", get("status"), STATUSES, nullable=False)
            or _error_problem(get("error"))
            or _texts_problem(line, ("finish_reason",))
            or _usage_problem(get("usage"))
            or _amount_problem("cost_usd", get("cost_usd"), MAX_COST_USD)
            or _one_of_problem("cost_provenance", get("cost_provenance"), COST_PROVENANCES, nullable=True)
            or _prices_problem("prices", get("prices"))
            or _amount_problem("response_ms", get("response_ms"), MAX_DURATION_MS)
            or _amount_problem("ttft_ms", get("ttft_ms"), MAX_DURATION_MS)
            or _texts_problem(line, ("user_id", "ip_address"))
            or next(filter(None, (_tokens_problem(name, get(name)) for name in FLAT_COUNTS)), None)
            or next(filter(None, (_amount_problem(name, get(name), MAX_COST_USD) for name in FLAT_COSTS)), None)
            or _amount_problem("computed_cost_usd", get("computed_cost_usd"), MAX_COST_USD)
            or _energy_problem(get("energy"))
            or _texts_problem(line, ("price_version",))
            or _tool_calls_problem(get("tool_calls"))
            or _texts_problem(line, ("service_tier",)))


def _tool_calls_problem(names) -> str | None:
    if names is None or (type(names) is list and len(names) <= MAX_TOOL_CALLS and all(
            type(name) is str and len(name) <= MAX_TOOL_NAME_CHARS for name in names)):
        return None
    return _expected("tool_calls", f"a list of at most {MAX_TOOL_CALLS} tool names (texts of at most "
                                   f"{MAX_TOOL_NAME_CHARS} characters) or null", names)


def _energy_problem(energy) -> str | None:
    if energy is None:
        return None
    if type(energy) is not dict:
        return _expected("energy", "an object or null", energy)
    for name in ENERGY_FIELDS:
        if not _is_amount(energy.get(name), sys.float_info.max):
            return _expected(f"energy.{name}", "a number ≥ 0", energy.get(name))
    return None


def _tokens_problem(field: str, value) -> str | None:
    total = field == "total_tokens"
    if value is None or _is_tokens(value, MAX_TOTAL_TOKENS if total else MAX_TOKENS):
        return None
    return _expected(field, (_TOTAL_TOKENS if total else _TOKENS) + " or null", value)


def _shown(value) -> str:
    text = json_text(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "…"


def _expected(field: str, what: str, value) -> str:
    return f"{field}: expected {what}, got {_shown(value)}"


def _is_number(value) -> bool:
    # JSON has no bool among its numbers (Python has: hence `type(…) is`, not isinstance). An integer is compared,
    # never converted: math.isfinite(10**400) raises OverflowError.
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is int and -_INFINITE_INT < value < _INFINITE_INT


def _is_count(value) -> bool:
    return _is_number(value) and value >= 0 and value == int(value)


def _is_tokens(value, most: int = MAX_TOKENS) -> bool:
    return _is_count(value) and value <= most


def _is_amount(value, most: float) -> bool:
    return _is_number(value) and 0 <= value <= most


def _timestamp_problem(value) -> str | None:
    match = _TIMESTAMP.fullmatch(value) if type(value) is str else None
    if match is None or not _real_time(*(int(part or 0) for part in match.groups())):
        return _expected("timestamp", "an ISO 8601 time with its offset like 2026-11-23T10:00:00.000+01:00", value)
    return None


def _real_time(year, month, day, hour, minute, second, offset_hours, offset_minutes) -> bool:
    if not (EARLIEST_YEAR <= year <= LATEST_YEAR and 1 <= month <= 12):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = _DAYS_IN_MONTH[month - 1] + (1 if month == 2 and leap else 0)
    return 1 <= day <= days and hour <= 23 and minute <= 59 and second <= 59 and offset_hours <= 23 \
        and offset_minutes <= 59


def _id_problem(value) -> str | None:
    if type(value) is not str or not _ID.fullmatch(value):
        return _expected("request_id", "an id of letters, digits and _.:@- (at most 128)", value)
    return None


def _text_problem(field: str, value, most: int, nullable: bool) -> str | None:
    if (value is None and nullable) or (type(value) is str and len(value) <= most):
        return None
    return _expected(field, f"a text of at most {most} characters{' or null' if nullable else ''}", value)


def _texts_problem(line: dict, fields: tuple[str, ...]) -> str | None:
    for name, most, nullable in TEXT_LIMITS:
        if name in fields and (problem := _text_problem(name, line.get(name), most, nullable)):
            return problem
    return None


def _one_of_problem(field: str, value, allowed: tuple[str, ...], *, nullable: bool) -> str | None:
    if value in allowed and type(value) is str or (nullable and value is None):
        return None
    return _expected(field, "one of " + ", ".join(map(json.dumps, allowed)) + (" or null" if nullable else ""), value)


def _amount_problem(field: str, value, most: float) -> str | None:
    if value is None or _is_amount(value, most):
        return None
    what = "a number ≥ 0" if most == sys.float_info.max else f"a number from 0 to {most}"
    return _expected(field, what + " or null", value)


def _error_problem(error) -> str | None:
    if error is None:
        return None
    if type(error) is not dict:
        return _expected("error", "an object or null", error)
    return (_text_problem("error.message", error.get("message"), MAX_ERROR_CHARS, True)
            or _text_problem("error.type", error.get("type"), MAX_ERROR_TYPE_CHARS, True)
            or (None if error.get("status") is None or _is_count(error["status"])
                else _expected("error.status", _COUNT + " or null", error["status"])))


def _usage_problem(usage) -> str | None:
    if usage is None:
        return None
    if type(usage) is not dict:
        return _expected("usage", "an object or null", usage)
    for name in _USAGE_COUNTS:
        if name == "total_tokens" and name not in usage:
            continue  # a total may be left out (the browser adds it up)
        total = name == "total_tokens"
        if not _is_tokens(usage.get(name), MAX_TOTAL_TOKENS if total else MAX_TOKENS):
            return _expected(f"usage.{name}", _TOTAL_TOKENS if total else _TOKENS, usage.get(name))
    for name, fields in _USAGE_DETAILS:
        details = usage.get(name)
        if details is None:
            continue
        if type(details) is not dict:
            return _expected(f"usage.{name}", "an object or null", details)
        for field in fields:
            count = details.get(field)
            if count is not None and not _is_tokens(count):
                return _expected(f"usage.{name}.{field}", _TOKENS, count)
    if "cost" in usage and not _is_amount(usage["cost"], sys.float_info.max):
        return _expected("usage.cost", "a number ≥ 0", usage["cost"])
    return None


def _prices_problem(at: str, prices) -> str | None:
    if prices is None:
        return None
    if type(prices) is not dict:
        return _expected(at, "an object or null", prices)
    for name in PRICE_FIELDS:
        price = prices.get(name)
        if price is not None and price != -1 and not _is_amount(price, sys.float_info.max):
            return _expected(f"{at}.{name}", "a price ≥ 0 (or -1: variable)", price)
    if "tiers" not in prices:
        return None
    tiers = prices["tiers"]
    if type(tiers) is not list or len(tiers) > MAX_TIERS:
        return _expected(f"{at}.tiers", f"a list of at most {MAX_TIERS} tiers", tiers)
    for number, tier in enumerate(tiers):
        where = f"{at}.tiers[{number}]"
        if type(tier) is not dict:
            return _expected(where, "an object", tier)
        if not _is_amount(tier.get("above"), sys.float_info.max):
            return _expected(f"{where}.above", "a number ≥ 0", tier.get("above"))
        if problem := _prices_problem(where, {name: tier.get(name) for name in PRICE_FIELDS}):
            return problem
    return None


# ---- JSON text as the browser writes it ---------------------------------------------------------

def json_text(value) -> str:
    """Compact JSON as JavaScript's JSON.stringify writes it (numbers by `number_text`), so a message or a
    CSV cell reads the same in both languages; a non-finite number reads Infinity, -Infinity or NaN."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(json_text(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def number_text(number: int | float) -> str:
    """A number as JavaScript's String(number) writes it (ECMA-262 Number::toString): 5.0 → "5",
    1e-7 → "1e-7", 0.00001 → "0.00001", 1e21 → "1e+21"."""
    if type(number) is float and 1e-4 <= abs(number) < 1e16:
        # The exact rule's result, sooner (a CSV writes millions): in this range repr writes the same shortest
        # digits in fixed notation, as JavaScript does; only a whole number's ".0" differs.
        text = repr(number)
        return text[:-2] if text.endswith(".0") else text
    return _exact_number_text(number)


def _exact_number_text(number: int | float) -> str:
    """number_text by the rule itself: repr's shortest digits placed as Number::toString places them."""
    if isinstance(number, int) and abs(number) < 2 ** 53:
        return str(number)
    if isinstance(number, int) and abs(number) >= _INFINITE_INT:
        return "Infinity" if number > 0 else "-Infinity"  # as JavaScript reads the integer; float() would overflow
    number = float(number)
    if not math.isfinite(number):
        return "NaN" if math.isnan(number) else "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    text, k = "".join(map(str, digits)), len(digits)
    n = exponent + k  # number = 0.<text> × 10^n
    prefix = "-" if number < 0 else ""
    if k <= n <= 21:
        return prefix + text + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + text[:n] + "." + text[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * -n + text
    e = n - 1
    mantissa = text if k == 1 else text[0] + "." + text[1:]
    return f"{prefix}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"
