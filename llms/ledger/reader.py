"""The ledger reader: every usable line of the ledger's files, in order; a line that fails the one check
(`schema.line_problem`), a line that is not JSON or a torn last line is skipped with a warning
`path:line: what is wrong; skipped`, never stopping the lines after it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from llms.ledger.schema import line_problem

__all__ = ["read_records", "MAX_WARNINGS_PER_FILE"]

MAX_WARNINGS_PER_FILE = 10
_TIMESTAMP_PREFIX = b'{"timestamp":"'


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
