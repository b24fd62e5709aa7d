"""The ledger writer: one JSON line per proxied request, appended when it ends.

A line is built by `schema.ledger_line` (docs/architecture.md, "Ledger"): priced when written, so a later
price change never rewrites history. Message text only with `"prompts": true`; never a key (the recorder's
record carries none).

Writes are one `os.write` of a whole line on an O_APPEND descriptor: the OS puts it at the end in
one piece, a crash loses at most that line, and nothing is buffered in this process. Rotation by
size renames `usage.jsonl` → `usage.jsonl.1` (older files move up: `.1` → `.2` …); nothing is deleted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from llms.ledger.location import rotated_files

__all__ = ["LedgerWriter"]


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
        for number, older in sorted(rotated_files(self.path), reverse=True):
            older.rename(self.path.with_name(f"{self.path.name}.{number + 1}"))
        self.path.rename(self.path.with_name(f"{self.path.name}.1"))
        self._open()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
