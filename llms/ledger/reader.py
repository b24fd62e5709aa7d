"""The ledger reader: every usable line of the ledger's files, in order; a line that fails the one check
(`schema.line_problem`), a line that is not JSON or a torn last line is skipped with a warning
`path:line: what is wrong; skipped`, never stopping the lines after it.

Lines are parsed with orjson (about 3× the standard library's speed on a ledger line); a line orjson refuses is
parsed again by `json`, which says what is wrong in the words of the warning and takes what orjson does not
(NaN, integers past 64 bits, lone surrogates), so a line is read exactly as `json.loads` reads it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import orjson

from llms.ledger.analytics import epoch_ms
from llms.ledger.schema import line_problem

__all__ = ["read_records", "read_span", "FileWarnings", "parsed_line", "stamp_ms_of", "MAX_WARNINGS_PER_FILE"]

MAX_WARNINGS_PER_FILE = 10
_TIMESTAMP_PREFIX = b'{"timestamp":"'


def read_records(files: Iterable[Path], warn: Callable[[str], None], *, since: datetime | None = None,
                 checked: Mapping[Path, tuple[int, frozenset[int]]] | None = None) -> Iterator[dict]:
    """Every record in `files`, in order; a corrupted line, a line with a field of the wrong type (see
    `line_problem`) or a torn last line is skipped with a warning naming file, line number and what is wrong.
    With `since` (aware), older records are left out (most without being parsed: a line written by
    LedgerWriter starts with its timestamp). `checked` (from the index, ledger/index.checked_lines): per file,
    the bytes whose lines were checked when indexed and the numbers of those that failed; the others are
    parsed without checking them again."""
    for path in files:
        warnings = FileWarnings(path, warn)
        yield from read_span(path, 0, None, 1, warnings.problem, since, (checked or {}).get(path, (0, frozenset())))
        warnings.close()


class FileWarnings:
    """One file's skipped lines as warnings: the first MAX_WARNINGS_PER_FILE by line, then how many more."""

    __slots__ = ("path", "warn", "bad")

    def __init__(self, path: Path, warn: Callable[[str], None]):
        self.path, self.warn, self.bad = path, warn, 0

    def problem(self, number: int, problem: str) -> None:
        self.bad += 1
        if self.bad <= MAX_WARNINGS_PER_FILE:
            self.warn(f"{self.path}:{number}: {problem}; skipped")

    def close(self) -> None:
        if self.bad > MAX_WARNINGS_PER_FILE:
            self.warn(f"{self.path}: {self.bad - MAX_WARNINGS_PER_FILE} more bad lines skipped")


def read_span(path: Path, start: int, end: int | None, first_number: int, problem: Callable[[int, str], None],
              since: datetime | None, checked: tuple[int, frozenset[int]]) -> Iterator[dict]:
    """The records of `path`'s bytes from `start` (a line start, numbered `first_number`) to `end` (just after a
    newline; None: the end of the file), as read_records reads them; a skipped line goes to `problem(number, what)`.
    `checked` is the file's entry of read_records' `checked`."""
    since_ms = None if since is None else epoch_ms(since)
    checked_bytes, failed = checked
    offset = start
    with path.open("rb") as file:
        file.seek(start)
        # A span is read whole (a few MB): iterating it splits at b"\n" only, as iterating the file does.
        lines = file if end is None else io.BytesIO(file.read(end - start))
        for number, raw in enumerate(lines, start=first_number):
            offset += len(raw)
            if since_ms is None and offset <= checked_bytes and raw != b"\n" and number not in failed:
                try:  # checked when indexed (the common case, first): parsed, not through _loads (a call less)
                    record = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    record = json.loads(raw)
                yield record
                continue
            if since_ms is not None and (stamp := stamp_ms_of(raw)) is not None and stamp < since_ms:
                continue
            if raw == b"\n":
                continue  # the newline that ends a torn line (see LedgerWriter._open)
            if offset <= checked_bytes and number not in failed:
                record = _loads(raw)
                if since is None or datetime.fromisoformat(record["timestamp"]) >= since:
                    yield record
                continue
            record, what = parsed_line(raw)
            if what is None:
                if since is None or datetime.fromisoformat(record["timestamp"]) >= since:
                    yield record
                continue
            problem(number, what)


def parsed_line(raw: bytes) -> tuple[dict | None, str | None]:
    """(the record, None) of a usable line, or (None, what is wrong with it)."""
    if not raw.endswith(b"\n"):
        return None, "incomplete last line (the writer stopped mid-line)"
    try:
        record = _loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        return None, f"not valid JSON ({exc})"
    problem = line_problem(record)
    return (record, None) if problem is None else (None, problem)


def _loads(raw: bytes):
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)  # its error says what is wrong; and it takes NaN, big integers, lone surrogates


def stamp_ms_of(raw: bytes) -> int | None:
    """The epoch ms of a line's leading timestamp (lines written by LedgerWriter start with it), read without
    parsing the line; None when it has none or it is not a time with an offset."""
    if not raw.startswith(_TIMESTAMP_PREFIX):
        return None
    end = raw.find(b'"', len(_TIMESTAMP_PREFIX))
    try:
        stamp = datetime.fromisoformat(raw[len(_TIMESTAMP_PREFIX):end].decode())
    except (ValueError, UnicodeDecodeError):
        return None  # not a time: let the full parse report the line
    return epoch_ms(stamp) if stamp.tzinfo is not None else None
