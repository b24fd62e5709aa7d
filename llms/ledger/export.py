"""Pure: the CSV of requests, one column list and one cell rule, for `llms --report csv` and the browser's
Export CSV (ui/static/js/rules/files/export.js); both pass tests/vectors/csv.json.

- Columns: CSV_COLUMNS, in that order; rows end in CRLF (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180).
- A cell: null → empty; a number as JavaScript writes it (schema.number_text); a text that starts with
  `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet shows it instead of running it as a
  formula (https://owasp.org/www-community/attacks/CSV_Injection); then a cell holding the separator, a
  quote, CR or LF is quoted, its quotes doubled.
- From a ledger line: input/output/cached/cache-write/reasoning tokens from its usage (empty without usage,
  0 for a detail the usage leaves out); `error` its
  message; `prompt_preview` the last user message's text (string content) cut to PROMPT_PREVIEW_CHARS
  code points when the line has `messages`, else empty; `tokens_per_s` = completion tokens per second
  of response time, null unless both are > 0 (metrics.js tokensPerSecond).
- Float noise is not written (`7.899999999906868`): a cost to 1e-12 USD (far below any price step), a time to
  1e-3 ms (below performance.now()'s resolution), tokens whole (half up); `rounded` is the rule, ROUNDING its places.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from llms.ledger.analytics import tokens_of
from llms.ledger.schema import number_text

__all__ = ["CSV_COLUMNS", "PROMPT_PREVIEW_CHARS", "ROUNDING", "csv_cell", "csv_line", "csv_values", "csv_lines",
           "prompt_preview", "rounded", "tokens_per_second"]

CSV_COLUMNS = ("timestamp", "request_id", "client", "provider", "model", "provider_model", "status", "finish_reason",
               "prompt_preview", "input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens",
               "reasoning_tokens", "cost_usd", "cost_provenance", "response_ms", "ttft_ms", "tokens_per_s", "error")
# Decimal places a column's numbers are written with (ui/static/js/rules/files/export.js ROUNDING); others as computed.
ROUNDING = {"cost_usd": 12, "response_ms": 3, "ttft_ms": 3, "input_tokens": 0, "output_tokens": 0, "cached_tokens": 0,
            "cache_write_tokens": 0, "reasoning_tokens": 0}
PROMPT_PREVIEW_CHARS = 200  # ui/static/js/rules/record.js PROMPT_PREVIEW_CHARS
SEPARATOR = ","
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ";" too: a spreadsheet set to split on semicolons would otherwise cut a cell and could read a formula after it.
_NEEDS_QUOTES = (SEPARATOR, ";", '"', "\r", "\n")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        return number_text(value)
    else:
        text = str(value)
        if text.startswith(_FORMULA_STARTS):
            text = "'" + text
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(mark in text for mark in _NEEDS_QUOTES) else text


def rounded(column: str, value):
    """`value` of `column` to ROUNDING's places: round() and JS toFixed both round the exact binary value, so the
    two languages write the same digits; whole numbers half up, as Math.round."""
    places = ROUNDING.get(column)
    if places is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return math.floor(value + 0.5) if places == 0 else round(value, places)


def csv_line(values: Iterable) -> str:
    return SEPARATOR.join(csv_cell(value) for value in values) + "\r\n"


def tokens_per_second(completion_tokens: int | None, response_ms: float | None) -> float | None:
    """Output tokens per second over the whole response (llms.py's speed); None when either is unknown or 0."""
    if completion_tokens is None or response_ms is None or completion_tokens <= 0 or response_ms <= 0:
        return None
    return completion_tokens / (response_ms / 1000)


def prompt_preview(messages) -> str:
    if not isinstance(messages, list):
        return ""
    last_user = next((m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), None)
    content = last_user.get("content") if last_user else None
    return content[:PROMPT_PREVIEW_CHARS] if isinstance(content, str) else ""


def csv_values(line: dict) -> tuple:
    """A ledger line's values in CSV_COLUMNS order, rounded."""
    error, usage = line.get("error"), line.get("usage")
    tokens = tokens_of(usage) if usage is not None else (None,) * 5  # no usage: counts unknown, not 0
    values = (line.get("timestamp"), line.get("request_id"), line.get("client"), line.get("provider"), line.get("model"),
            line.get("provider_model"), line.get("status"), line.get("finish_reason"),
            prompt_preview(line.get("messages")), *tokens, line.get("cost_usd"), line.get("cost_provenance"),
            line.get("response_ms"), line.get("ttft_ms"), tokens_per_second(tokens[1], line.get("response_ms")),
            error.get("message") if isinstance(error, dict) else None)
    return tuple(rounded(column, value) for column, value in zip(CSV_COLUMNS, values, strict=True))


def csv_lines(lines: Iterable[dict]) -> Iterator[str]:
    """The header, then one CSV line per ledger line."""
    yield csv_line(CSV_COLUMNS)
    for line in lines:
        yield csv_line(csv_values(line))
