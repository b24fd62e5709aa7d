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
import re
from collections.abc import Iterable, Iterator

from llms.ledger.analytics import tokens_of
from llms.ledger.schema import number_text

__all__ = ["CSV_COLUMNS", "PROMPT_PREVIEW_CHARS", "ROUNDING", "csv_cell", "csv_line", "csv_values", "csv_lines",
           "csv_rows", "prompt_preview", "rounded", "tokens_per_second"]

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
    if type(value) is float or type(value) is int:  # the common case first (bool is neither)
        return number_text(value)
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
    """The header, then one CSV line per ledger line: `csv_line(csv_values(line))`, sooner (`_Rows`)."""
    yield csv_line(CSV_COLUMNS)
    rows = _Rows()
    for line in lines:
        yield rows.line(line)


def csv_rows(lines: Iterable[dict]) -> str:
    """The rows of csv_lines, without the header, as one text (a part of the export: ledger/parallel.py)."""
    return "".join(map(_Rows().line, lines))


# Two texts (timestamp and request id, joined by NUL) that csv_cell writes as they are: no formula start, nothing
# that needs quotes; a NUL inside either, or an empty one, is not matched (the rule's path takes them).
_PLAIN_PAIR = re.compile(r'[^=+\-@\t\r,;"\n\0][^,;"\r\n\0]*\0[^=+\-@\t\r,;"\n\0][^,;"\r\n\0]*')
_MOST_REMEMBERED = 10_000
_WHOLE_EXACTLY = 2 ** 52  # below it, an int is its own rounded("…_tokens", n): n + 0.5 is exact
_TOKEN_COLUMNS = CSV_COLUMNS[9:14]


def _round_free_below(places: int) -> float:
    """The power of two below which a float's spacing is finer than 10^-places: there, a float whose shortest
    digits have at most `places` decimals is the nearest float to a decimal of `places` places, less than half
    a step from it, so round(value, places) gives it back."""
    exponent = -1074
    while math.ulp(2.0 ** exponent) < 10.0 ** -places:
        exponent += 1
    return 2.0 ** exponent


# A rounded float column: (its places, the bound below which rounding may give a float back unchanged).
_COST, _RESPONSE_MS, _TTFT_MS = ((ROUNDING[column], _round_free_below(ROUNDING[column]))
                                 for column in ("cost_usd", "response_ms", "ttft_ms"))


class _Rows:
    """csv_line(csv_values(line)) with fewer steps per line (a million lines is a million of them): the cells of
    the texts that repeat from line to line (client … finish_reason, cost_provenance) are remembered per export,
    timestamp and request id are matched once against _PLAIN_PAIR, a whole count is str(n), a float that
    rounding would give back is not rounded. Anything else takes the rule's own path; tests/unit/ledger/
    test_export.py compares both on the vectors and on random lines."""

    __slots__ = ("repeated",)

    def __init__(self):
        self.repeated: dict = {}

    def line(self, line: dict) -> str:
        get = line.get
        usage, response_ms, error, messages = get("usage"), get("response_ms"), get("error"), get("messages")
        if usage is None:
            tokens, completion = ",,,,", None
        else:
            counts = prompt, completion, cached, written, reasoning = tokens_of(usage)
            if type(prompt) is type(completion) is type(cached) is type(written) is type(reasoning) is int \
                    and 0 <= prompt | completion | cached | written | reasoning < _WHOLE_EXACTLY:  # each in [0, 2^52)
                tokens = f"{prompt},{completion},{cached},{written},{reasoning}"
            else:
                tokens = ",".join([csv_cell(rounded(column, n)) for column, n in zip(_TOKEN_COLUMNS, counts)])
        speed = tokens_per_second(completion, response_ms)
        texts, provenance = self.remembered((get("client"), get("provider"), get("model"), get("provider_model"),
                                             get("status"), get("finish_reason"), get("cost_provenance")))
        return (f"{self.stamp_and_id(get('timestamp'), get('request_id'))},{texts},"
                f"{'' if messages is None else csv_cell(prompt_preview(messages))},{tokens},"
                f"{self.number('cost_usd', get('cost_usd'), _COST)},{provenance},"
                f"{self.number('response_ms', response_ms, _RESPONSE_MS)},"
                f"{self.number('ttft_ms', get('ttft_ms'), _TTFT_MS)},"
                f"{'' if speed is None else number_text(speed)},"
                f"{'' if error is None else csv_cell(error.get('message') if isinstance(error, dict) else None)}\r\n")

    @staticmethod
    def stamp_and_id(timestamp, request_id) -> str:
        if type(timestamp) is str and type(request_id) is str:
            pair = f"{timestamp}\0{request_id}"
            if _PLAIN_PAIR.fullmatch(pair):
                return f"{timestamp},{request_id}"
        return f"{csv_cell(timestamp)},{csv_cell(request_id)}"

    @staticmethod
    def number(column: str, value, rounding: tuple[int, float]) -> str:
        """The cell of csv_cell(rounded(column, value)); `rounding` is the column's (places, round-free bound)."""
        places, round_free_below = rounding
        if type(value) is float and places:
            text = repr(value)
            if 1e-4 <= abs(value) < round_free_below and len(text) - text.index(".") - 1 <= places:
                # round() gives it back; and number_text writes repr's fixed notation here, without a whole ".0"
                return text[:-2] if text.endswith(".0") else text
            return number_text(round(value, places))  # rounded()'s step for a float to places
        return csv_cell(rounded(column, value))

    def remembered(self, values: tuple) -> tuple[str, str]:
        """The cells of client … finish_reason joined, and of cost_provenance."""
        try:
            cells = self.repeated.get(values)
        except TypeError:  # a list or an object among them (a line that was not checked) is no key
            cells = None
        if cells is None:
            cells = SEPARATOR.join(map(csv_cell, values[:-1])), csv_cell(values[-1])
            # Texts and nulls only as keys (1 == 1.0 == True would share one), so a hit is the same values.
            if len(self.repeated) < _MOST_REMEMBERED and all(type(v) is str or v is None for v in values):
                self.repeated[values] = cells
        return cells
