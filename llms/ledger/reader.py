"""The usage ledger: one JSON line per proxied request, appended when it ends; and its reader.

A line is the browser's request record (docs/architecture.md, "Ledger") plus who asked and how:
priced when written, so a later price change never rewrites history. Message text only with
`"prompts": true`; never a key (the recorder's record carries none).

Writes are one `os.write` of a whole line on an O_APPEND descriptor: the OS puts it at the end in
one piece, a crash loses at most that line, and nothing is buffered in this process. Rotation by
size renames `usage.jsonl` → `usage.jsonl.1` (older files move up: `.1` → `.2` …); nothing is deleted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from llms.pricing.cost import PROVENANCES

__all__ = [
    "ledger_path", "LedgerWriter", "ledger_line", "ledger_files", "read_records", "warn_unpriced_models",
    "RECORD_FIELDS", "PROMPT_FIELDS", "STATUSES", "line_problem",
]

log = logging.getLogger("llms.ledger.reader")

RECORD_FIELDS = (
    "timestamp", "request_id", "client", "token", "provider", "model", "provider_model", "endpoint", "is_streaming",
    "status", "error", "finish_reason", "usage", "cost_usd", "cost_provenance", "prices", "response_ms", "ttft_ms",
)
PROMPT_FIELDS = ("messages", "output_text")  # only with "prompts": true
STATUSES = ("ok", "error", "aborted")
MAX_WARNINGS_PER_FILE = 10
# No request lasts a week; the bound keeps readers' time arithmetic (timestamp + response_ms) in range.
MAX_DURATION_MS = 7 * 24 * 3_600_000
# Far from datetime's year 1 and 9999: a reader's time-zone conversions and bucket steps stay in range.
_EARLIEST_YEAR, _LATEST_YEAR = 1970, 8999
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")  # io.js's ID: the browser stores a record under it
_REQUIRED = ("timestamp", "request_id", "status", "model")
_REQUIRED_SET = frozenset(_REQUIRED)
_PRICE_FIELDS = ("input", "output", "cached_input", "cache_write", "cache_write_1h")
_MAX_TIERS = 20
_NUMBER, _MAX_FLOAT = (int, float), sys.float_info.max
_ROTATED = re.compile(r"\.(\d+)$")
_TIMESTAMP_PREFIX = b'{"timestamp":"'


def ledger_path(config) -> Path:
    """`ledger.path` with `~` expanded; a relative path is taken from the config file's folder."""
    path = Path(config.ledger["path"]).expanduser()
    return path if path.is_absolute() else config.path.parent / path


def ledger_line(record: dict, cost: dict, usage: dict | None, model: str, *, prompts: bool) -> dict:
    """The line written for one recorder record, already priced (`cost` is pricing.cost_for's result)."""
    line = {
        "timestamp": record["timestamp"],
        "request_id": record["request_id"],
        "client": record["client"],
        "token": record.get("token"),
        "provider": record["provider"],
        "model": model,
        "provider_model": record["provider_model"],
        "endpoint": record["endpoint"],
        "is_streaming": record["is_streaming"],
        "status": record["status"],
        "error": {"message": record["error"], "status": record["http_status"]} if record["error"] else None,
        "finish_reason": record["finish_reason"],
        "usage": usage,
        "cost_usd": cost["cost_usd"],
        "cost_provenance": cost["provenance"],
        "prices": cost["prices"],
        "response_ms": record["response_ms"],
        "ttft_ms": record["ttft_ms"],
    }
    if prompts:
        line["messages"] = record["messages"]
        line["output_text"] = record["output_text"]
    return line


class LedgerWriter:
    """Appends lines to `path`, rotating it when the next line would pass `max_bytes`."""

    def __init__(self, path: Path, max_bytes: int):
        self.path = path
        self.max_bytes = max_bytes
        self._fd: int | None = None
        self._size = 0

    def append(self, line: dict) -> None:
        data = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        if self._fd is None:
            self._open()
        if self._size > 0 and self._size + len(data) > self.max_bytes:
            self._rotate()
        self._write(data)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # 0o600: the ledger may hold prompts, and always holds what you spent.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._size = os.fstat(self._fd).st_size
        if self._size and not _ends_with_newline(self.path):
            # A torn line from a crash: end it here, so the next line is not glued onto it.
            self._write(b"\n")

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._size += len(data)

    def _rotate(self) -> None:
        self.close()
        for number, older in sorted(_rotated_files(self.path), reverse=True):
            older.rename(self.path.with_name(f"{self.path.name}.{number + 1}"))
        self.path.rename(self.path.with_name(f"{self.path.name}.1"))
        self._open()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"


def _rotated_files(path: Path) -> list[tuple[int, Path]]:
    found = []
    for candidate in path.parent.glob(f"{path.name}.*"):
        match = _ROTATED.search(candidate.name)
        if match and candidate.name == f"{path.name}.{match.group(1)}":
            found.append((int(match.group(1)), candidate))
    return found


def ledger_files(path: Path, *, modified_since: float | None = None) -> list[Path]:
    """The ledger's files oldest first (`.N` … `.1`, then the current one); those last written before
    `modified_since` (epoch seconds) are left out: every line in a file is older than its mtime."""
    files = [p for _, p in sorted(_rotated_files(path), reverse=True)]
    if path.exists():
        files.append(path)
    if modified_since is not None:
        files = [p for p in files if p.stat().st_mtime >= modified_since]
    return files


def read_records(files: Iterable[Path], warn: Callable[[str], None], *,
                 since: datetime | None = None) -> Iterator[dict]:
    """Every record in `files`, in order; a corrupted line, a line with a field of the wrong type (see
    `line_problem`) or a torn last line is skipped with a warning naming file, line number and what is wrong.
    With `since` (aware), older records are left out (most without being parsed: a line written by
    LedgerWriter starts with its timestamp)."""
    for path in files:
        yield from _read_file(path, warn, since)


def _read_file(path: Path, warn: Callable[[str], None], since: datetime | None) -> Iterator[dict]:
    bad = 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            if since is not None and _older_than(raw, since):
                continue
            if raw == b"\n":
                continue  # the newline that ends a torn line (see LedgerWriter._open)
            if not raw.endswith(b"\n"):
                problem = "incomplete last line (the writer stopped mid-line)"
            else:
                try:
                    record = json.loads(raw)
                except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
                    problem = f"not valid JSON ({exc})"
                else:
                    problem = line_problem(record)
                    if problem is None:
                        if since is None or datetime.fromisoformat(record["timestamp"]) >= since:
                            yield record
                        continue
            bad += 1
            if bad <= MAX_WARNINGS_PER_FILE:
                warn(f"{path}:{number}: {problem}; skipped")
    if bad > MAX_WARNINGS_PER_FILE:
        warn(f"{path}: {bad - MAX_WARNINGS_PER_FILE} more bad lines skipped")


def line_problem(value) -> str | None:
    """What makes a parsed line unusable, as `field: expected …, got …`; None when every reader can use it.

    The one check between a ledger file and its readers (analytics, --report, /health, /api/ledger): they
    rely on these types and never check again. The rules are io.js's checkRecord for the fields a ledger
    line has, so every record /api/ledger hands the browser is one it imports; durations are bounded too.
    """
    if type(value) is not dict:
        return f"not a ledger record (expected a JSON object, got {_shown(value)})"
    if not value.keys() >= _REQUIRED_SET:
        return f"not a ledger record (it has no {', '.join(name for name in _REQUIRED if name not in value)})"
    return (_scalar_problem(value) or _error_problem(value.get("error")) or _usage_problem(value.get("usage"))
            or _prices_problem("prices", value.get("prices")))


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _expected(field: str, what: str, value) -> str:
    return f"{field}: expected {what}, got {_shown(value)}"


def _is_amount(value, most: float = _MAX_FLOAT) -> bool:
    # JSON has no bool among its numbers (Python has: hence `type(…) in`, not isinstance); a finite bound
    # keeps out the NaN and Infinity that json.loads reads.
    return type(value) in _NUMBER and 0 <= value <= most


def _is_count(value) -> bool:
    return type(value) is int and value >= 0


def _is_text(value, max_chars: int) -> bool:
    return type(value) is str and len(value) <= max_chars


def _is_timestamp(value) -> bool:
    try:
        stamp = datetime.fromisoformat(value) if type(value) is str else None
    except ValueError:
        return False
    return stamp is not None and stamp.tzinfo is not None and _EARLIEST_YEAR <= stamp.year <= _LATEST_YEAR


def _scalar_problem(record: dict) -> str | None:
    get = record.get
    if not _is_timestamp(record["timestamp"]):
        return _expected("timestamp", "an ISO 8601 time with its offset like 2026-11-23T10:00:00.000+01:00",
                         record["timestamp"])
    if type(record["request_id"]) is not str or not _ID.fullmatch(record["request_id"]):
        return _expected("request_id", "an id of letters, digits and _.:@- (at most 128)", record["request_id"])
    if record["status"] not in STATUSES:
        return _expected("status", "one of " + ", ".join(map(json.dumps, STATUSES)), record["status"])
    if get("cost_provenance") is not None and get("cost_provenance") not in PROVENANCES:
        return _expected("cost_provenance", "one of " + ", ".join(map(json.dumps, PROVENANCES)) + " or null",
                         get("cost_provenance"))
    for name, max_chars, nullable in _TEXTS:
        text = get(name)
        if not _is_text(text, max_chars) and not (nullable and text is None):
            return _expected(name, f"a text of at most {max_chars} characters{' or null' if nullable else ''}", text)
    for name, most in _AMOUNTS:
        amount = get(name)
        if amount is not None and not _is_amount(amount, most):
            what = "a number ≥ 0" if most == _MAX_FLOAT else f"a number from 0 to {most}"
            return _expected(name, what + " or null", amount)
    return None


_TEXTS = (("model", 200, False), ("provider", 200, True), ("provider_model", 300, True), ("client", 200, True),
          ("token", 200, True), ("endpoint", 200, True), ("finish_reason", 100, True))  # (field, most characters, may be null)
_AMOUNTS = (("cost_usd", _MAX_FLOAT), ("response_ms", MAX_DURATION_MS), ("ttft_ms", MAX_DURATION_MS))  # or null
_COUNT = "a whole number ≥ 0"
_USAGE_DETAILS = (("prompt_tokens_details", ("cached_tokens", "cache_write_tokens", "cache_write_1h_tokens")),
                  ("completion_tokens_details", ("reasoning_tokens",)))


def _usage_problem(usage) -> str | None:
    if usage is None:
        return None
    if type(usage) is not dict:
        return _expected("usage", "an object or null", usage)
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        if name == "total_tokens" and name not in usage:
            continue  # a total may be left out (the browser adds it up)
        if not _is_count(usage.get(name)):
            return _expected(f"usage.{name}", _COUNT, usage.get(name))
    for name, fields in _USAGE_DETAILS:
        details = usage.get(name)
        if details is None:
            continue
        if type(details) is not dict:
            return _expected(f"usage.{name}", "an object or null", details)
        for field in fields:
            count = details.get(field)
            if count is not None and not _is_count(count):
                return _expected(f"usage.{name}.{field}", _COUNT, count)
    if "cost" in usage and not _is_amount(usage["cost"]):
        return _expected("usage.cost", "a number ≥ 0", usage["cost"])
    return None


def _error_problem(error) -> str | None:
    if error is None:
        return None
    if type(error) is not dict:
        return _expected("error", "an object or null", error)
    for name, max_chars in (("message", 10_000), ("type", 200)):
        if error.get(name) is not None and not _is_text(error[name], max_chars):
            return _expected(f"error.{name}", f"a text of at most {max_chars} characters or null", error[name])
    if error.get("status") is not None and not _is_count(error["status"]):
        return _expected("error.status", _COUNT + " or null", error["status"])
    return None


def _prices_problem(at: str, prices) -> str | None:
    if prices is None:
        return None
    if type(prices) is not dict:
        return _expected(at, "an object or null", prices)
    for name in _PRICE_FIELDS:
        price = prices.get(name)
        if price is not None and price != -1 and not _is_amount(price):
            return _expected(f"{at}.{name}", "a price ≥ 0 (or -1: variable)", price)
    if "tiers" not in prices:
        return None
    tiers = prices["tiers"]
    if type(tiers) is not list or len(tiers) > _MAX_TIERS:
        return _expected(f"{at}.tiers", f"a list of at most {_MAX_TIERS} tiers", tiers)
    for number, tier in enumerate(tiers):
        if type(tier) is not dict:
            return _expected(f"{at}.tiers[{number}]", "an object", tier)
        if not _is_amount(tier.get("above")):
            return _expected(f"{at}.tiers[{number}].above", "a number ≥ 0", tier.get("above"))
        problem = _prices_problem(f"{at}.tiers[{number}]", {name: tier.get(name) for name in _PRICE_FIELDS})
        if problem:
            return problem
    return None


def _older_than(raw: bytes, since: datetime) -> bool:
    # Lines start {"timestamp":"…": compare the time without parsing the whole line.
    if not raw.startswith(_TIMESTAMP_PREFIX):
        return False
    end = raw.find(b'"', len(_TIMESTAMP_PREFIX))
    try:
        stamp = datetime.fromisoformat(raw[len(_TIMESTAMP_PREFIX):end].decode())
    except ValueError:
        return False  # not a time: let the full parse report the line
    return stamp.tzinfo is not None and stamp < since


def warn_unpriced_models(providers, price_for: Callable[[str, str], dict | None],
                         warn: Callable[[str], None]) -> list[str]:
    """Warn once per enabled model without a price; returns the `provider/alias` names warned about."""
    unpriced = []
    for provider in providers:
        for alias in provider.models:
            if price_for(provider.id, alias) is None:
                unpriced.append(f"{provider.id}/{alias}")
                warn(f"no pricing configured for {provider.id}/{alias}: costs will show as unknown")
    return unpriced
