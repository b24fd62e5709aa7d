"""The ledger writer: one JSON line per proxied request, appended when it ends.

A line is built by `schema.ledger_line` (docs/architecture.md, "Ledger"): priced when written, so a later
price change never rewrites history. Message text only with `"prompts": true`; never a key (the recorder's
record carries none).

Writes are one `os.write` of a whole line on an O_APPEND descriptor: the OS puts it at the end in
one piece, a crash loses at most that line, and nothing is buffered in this process. Rotation by
size renames `usage.jsonl` → `usage.jsonl.1` (older files move up: `.1` → `.2` …); nothing is deleted.

The index beside the ledger (ledger/index.py) is updated in the same step: the line is written inside the
index's write transaction and indexed before it commits. When a reader holds that transaction (catching up or
rebuilding), the line is written without waiting and the reader's next refresh indexes it; an index that
cannot be written is warned about once and left to readers, who rebuild or scan: the request is never failed.
On a running server (`catch_up` given) the index is not touched here at all: the line is written and the
catch-up thread (ledger/catch_up.py) woken, which indexes it off the event loop with the lines around it.

Every record is written: configured secrets are masked (a provider may echo a key into any text), a lone
surrogate (which UTF-8 cannot encode) becomes U+FFFD. A write that fails (disk full, a read-only file) is
cut back to the last whole line, counted in `write_errors` and warned about once; the request it records
was served, so the failure never reaches the person's request.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from llms.ledger.catch_up import ROTATION_WAIT_S, IndexCatchUp
from llms.ledger.index import IndexUnusable, LedgerIndex
from llms.ledger.location import rotated_files
from llms.providers.masking import masked

__all__ = ["LedgerWriter"]

log = logging.getLogger("llms.ledger")
_SURROGATE = re.compile("[\ud800-\udfff]")
OPEN_WAIT_S = 2.0  # at start-up, for a reader's transaction to end; an append itself never waits


class LedgerWriter:
    """Appends lines to `path`, rotating it when the next line would pass `max_bytes`."""

    def __init__(self, path: Path, max_bytes: int, secrets: tuple[str, ...] = (), *,
                 catch_up: IndexCatchUp | None = None):
        self.path = path
        self.catch_up = catch_up
        self.max_bytes = max_bytes
        self.secrets = secrets
        self.write_errors = 0
        self.last_error: str | None = None
        self.index_errors = 0
        self._fd: int | None = None
        self._size = 0
        self._index: LedgerIndex | None = None

    def append(self, line: dict) -> None:
        text = json.dumps(masked(line, self.secrets), ensure_ascii=False, separators=(",", ":"))
        data = _SURROGATE.sub("\ufffd", text).encode() + b"\n"
        try:
            if self._fd is None:
                self._open()
            if self._size > 0 and self._size + len(data) > self.max_bytes:
                self._rotate()
            self._append_indexed(data)
        except OSError as exc:
            self._failed(exc)

    def _append_indexed(self, data: bytes) -> None:
        if self.catch_up is not None:
            self._write(data)
            self.catch_up.wake()
            return
        if self._index is None:
            self._write(data)
            return
        problem = self._index.record_append(self._fd, lambda: self._write(data))
        if problem is not None:
            self._index_failed(problem)

    def _index_failed(self, problem: str) -> None:
        self.index_errors += 1
        if self.index_errors == 1:
            log.warning("the ledger index cannot be written (%s); lines are still appended, and reports read "
                        "them from the ledger (llms --reindex rebuilds the index)", problem)
        if self._index is not None:
            self._index.close()
        self._index = None

    def open(self) -> None:
        """Open (and create) the file now: at start-up, so a ledger that cannot be written is said before serving."""
        if self._fd is None:
            self._open()

    def _failed(self, exc: OSError) -> None:
        self.write_errors += 1
        self.last_error = f"{self.path}: {exc.strerror or exc}"
        if self.write_errors == 1:  # once: a full disk would otherwise warn on every request
            log.warning("the ledger cannot be written (%s); requests are served but not recorded "
                        "until it can (see /health ledger.write_errors)", self.last_error)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # 0o600: the ledger may hold prompts, and always holds what you spent. Read-write: the index reads
        # back what it has not indexed yet (os.pread) through the same descriptor.
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        self._size = os.fstat(self._fd).st_size
        if self._size and not _ends_with_newline(self.path):
            # A torn line from a crash: end it here, so the next line is not glued onto it.
            self._write(b"\n")
        if self._index is None and self.index_errors == 0 and self.catch_up is None:
            try:
                self._index = LedgerIndex(self.path, wait_s=OPEN_WAIT_S, writer=True)
            except IndexUnusable as exc:
                self._index_failed(str(exc))

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError:
            self._cut_back()
            raise
        self._size += len(data)

    def _cut_back(self) -> None:
        """A partial line would have the next line glued onto it: end the file at the last whole line."""
        try:
            os.ftruncate(self._fd, self._size)
        except OSError:
            # Cannot cut (the file went away, a read-only mount): reopening checks for a torn end and ends it.
            self.close()

    def _rotate(self) -> None:
        # Not while the catch-up thread lists the files (a few ms: it reads them through descriptors opened then,
        # and waits for SQLite without it); past ROTATION_WAIT_S the rename goes ahead all the same.
        held = self.catch_up is not None and self.catch_up.reading.acquire(timeout=ROTATION_WAIT_S)
        try:
            os.close(self._fd)
            self._fd = None
            for number, older in sorted(rotated_files(self.path), reverse=True):
                older.rename(self.path.with_name(f"{self.path.name}.{number + 1}"))
            self.path.rename(self.path.with_name(f"{self.path.name}.1"))
            self._open()
        finally:
            if held:
                self.catch_up.reading.release()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
