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
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

__all__ = [
    "ledger_path", "LedgerWriter", "ledger_line", "ledger_files", "read_records", "warn_unpriced_models",
    "RECORD_FIELDS", "PROMPT_FIELDS",
]

log = logging.getLogger("llms.ledger")

RECORD_FIELDS = (
    "timestamp", "request_id", "client", "provider", "model", "provider_model", "endpoint", "is_streaming",
    "status", "error", "finish_reason", "usage", "cost_usd", "cost_provenance", "prices", "response_ms", "ttft_ms",
)
PROMPT_FIELDS = ("messages", "output_text")  # only with "prompts": true
MAX_WARNINGS_PER_FILE = 10
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
    """Every record in `files`, in order; a corrupted line or a torn last line is skipped with a
    warning naming file and line number. With `since` (aware), older records are left out (most
    without being parsed: a line written by LedgerWriter starts with its timestamp)."""
    for path in files:
        yield from _read_file(path, warn, since)


def _read_file(path: Path, warn: Callable[[str], None], since: datetime | None) -> Iterator[dict]:
    bad = 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            if since is not None and _older_than(raw, since):
                continue
            problem = None
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
                    stamp = _timestamp(record)
                    if stamp is not None:
                        if since is None or stamp >= since:
                            yield record
                        continue
                    problem = "not a ledger record (expected an object with an ISO 8601 timestamp with offset)"
            bad += 1
            if bad <= MAX_WARNINGS_PER_FILE:
                warn(f"{path}:{number}: {problem}; skipped")
    if bad > MAX_WARNINGS_PER_FILE:
        warn(f"{path}: {bad - MAX_WARNINGS_PER_FILE} more bad lines skipped")


def _timestamp(value) -> datetime | None:
    """The record's aware timestamp; None when it is not a ledger record."""
    if not isinstance(value, dict) or not isinstance(value.get("timestamp"), str):
        return None
    try:
        stamp = datetime.fromisoformat(value["timestamp"])
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


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
