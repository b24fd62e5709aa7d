"""The ledger's index: rollup cells in SQLite beside the JSONL ledger, so aggregates read cells, not lines.

The JSONL ledger stays the source of truth; the index (`usage.index.sqlite` beside `usage.jsonl`, mode 0600,
WAL) can always be rebuilt from it (`llms --reindex`) and is never trusted blindly:
- `files` records, per ledger file identity (device + inode: a rotation renames a file, its identity stays),
  the byte offset indexed (always just after a newline), the number of lines before it (numbered as
  `reader.read_records` numbers them), the length and SHA-256 of the last line indexed and the file's mtime.
- Before every answer (`refresh`): a file indexed but gone, shorter than its offset, no longer ending its
  indexed part with that last line, or the same size with another mtime (edited in place) means the index
  cannot be trusted: it is rebuilt from every file. A file grown past its offset is caught up from there;
  a file not seen yet (the new `usage.jsonl` after a rotation) is indexed from its start.
- `cells`: per 15-minute UTC slot (level 0), per UTC hour (level 1) and per UTC day (level 2), the same lines
  at each level (a long range reads the largest cells that lie whole in it and in one of its buckets) × provider × model × provider model × client × client_app × token × status ×
  endpoint: `Cell`'s counts, token sums, exact cost and time sums (`analytics.ExactSum` partials) and
  response/TTFT histograms (analytics.histogram_bucket: 8 buckets per doubling, so a percentile read from
  cells is a bucket's midpoint, within 4.4 % of the line-level value, and equal to what the line scan reports).
- `spans`: per slot and file, the bytes holding that slot's lines, so a range edge that is not on a
  15-minute boundary reads those lines only (`aggregate_ledger`).
- `problems`: the first `MAX_WARNINGS_PER_FILE` bad lines of each file, with their warning text.

The writer (`LedgerWriter`) indexes each line in the same step as its append, inside the index's write
transaction (`record_append`); when another process holds that transaction (a reader catching up), the
writer does not wait: the line is past the recorded offset and the next refresh reads it. Several writers and
readers are safe: every change is "from the recorded offset to the end", made inside one SQLite transaction.
A running server's writer leaves the index to its catch-up thread instead (ledger/catch_up.py: `refresh` after
each append, many lines per transaction, off the event loop), whose first catch-up is the start-up one.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from array import array
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


from llms.ledger.analytics import (SLOT_MS, Aggregator, ExactSum, Query, Totals, bucket_start, epoch_ms_of,
                                   histogram_bucket)
from llms.ledger.location import ledger_files
from llms.ledger.reader import MAX_WARNINGS_PER_FILE, parsed_line, read_records, stamp_ms_of
from llms.pricing import savings
from llms.pricing.savings import CacheSavings, request_savings

__all__ = ["LedgerIndex", "IndexUnusable", "Cell", "index_path", "aggregate_ledger", "scan_ledger", "reindex",
           "checked_lines",
           "SCHEMA_VERSION", "HOUR_MS"]

# The cells hold the lines the line check accepts, so a change of that check is a new format (rebuilt on start):
# 3 = token counts bounded by schema.MAX_TOKENS.
SCHEMA_VERSION = "3"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
SPANS = (SLOT_MS, HOUR_MS, DAY_MS)  # of the cells of level 0, 1, 2
DIMENSIONS = ("provider", "model", "provider_model", "client", "client_app", "token", "status", "endpoint")
PROGRESS_BYTES = 8 * 1024 * 1024  # a smaller ledger is indexed in well under a second: no progress line
PROGRESS_EVERY_S = 2.0
BUSY_WAIT_S = 30.0  # a reader waits this long for another reader's catch-up or rebuild
MAX_ATTEMPTS = 3
MAX_APPEND_READ = 1 << 20  # what a writer reads on the event loop to catch the index up, at most
_READ_CHUNK = 1 << 20
SAVINGS_AMOUNTS = ("read_saved_usd", "write_extra_5m_usd", "write_extra_1h_usd")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL,
  indexed_bytes INTEGER NOT NULL, lines INTEGER NOT NULL, tail_bytes INTEGER NOT NULL, tail_sha BLOB NOT NULL,
  mtime_ns INTEGER NOT NULL, bad_lines INTEGER NOT NULL, UNIQUE (dev, ino));
CREATE TABLE IF NOT EXISTS cells (level INTEGER NOT NULL, start_ms INTEGER NOT NULL, dims TEXT NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, aborted INTEGER NOT NULL, unpriced INTEGER NOT NULL,
  estimated INTEGER NOT NULL, timed INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL, cost_usd BLOB NOT NULL, input_cost BLOB NOT NULL, output_cost BLOB NOT NULL,
  response_ms BLOB NOT NULL, response_histogram BLOB NOT NULL, ttft_histogram BLOB NOT NULL,
  first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, cache_requests INTEGER NOT NULL, cache_unpriced INTEGER NOT NULL,
  read_saved_usd BLOB NOT NULL, write_extra_5m_usd BLOB NOT NULL, write_extra_1h_usd BLOB NOT NULL,
  PRIMARY KEY (level, start_ms, dims)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spans (start_ms INTEGER NOT NULL, file_id INTEGER NOT NULL, first_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL, PRIMARY KEY (start_ms, file_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS problems (file_id INTEGER NOT NULL, line INTEGER NOT NULL, stamp_ms INTEGER,
  message TEXT NOT NULL, PRIMARY KEY (file_id, line)) WITHOUT ROWID;
"""
_CELL_COLUMNS = ("requests", "errors", "aborted", "unpriced", "estimated", "timed", "input_tokens", "output_tokens",
                 "cached_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens", "cost_usd",
                 "input_cost", "output_cost", "response_ms", "response_histogram", "ttft_histogram", "first_ms",
                 "last_ms", "cache_requests", "cache_unpriced", "read_saved_usd", "write_extra_5m_usd",
                 "write_extra_1h_usd")
_INSERT_CELL = (f"INSERT OR REPLACE INTO cells (level, start_ms, dims, {', '.join(_CELL_COLUMNS)}) "
                f"VALUES ({', '.join('?' * (len(_CELL_COLUMNS) + 3))})")


class IndexUnusable(Exception):
    """The index cannot answer (it cannot be opened or written, or the files keep changing under it)."""


def _busy(exc: sqlite3.OperationalError) -> bool:
    # Another connection holds the write lock (the primary code is the low byte of an extended one).
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def index_path(ledger: Path) -> Path:
    """`usage.jsonl` → `usage.index.sqlite`: beside the ledger, and outside a `usage.jsonl*` glob."""
    return ledger.with_name(ledger.stem + ".index.sqlite")


# ---- a cell: what a group of lines adds up to ------------------------------------------------------------

class Cell(Totals):
    """The analytics totals of some lines, plus what the index keeps beyond them: 1-hour cache writes, input
    and output cost, a TTFT histogram, the earliest and latest instants, and the cache savings
    (pricing/savings.request_savings of each line: lines with usage, those unpriced, the three amounts)."""

    __slots__ = ("cache_write_1h", "input_cost", "output_cost", "ttft_histogram", "first_ms", "last_ms",
                 "cache_requests", "cache_unpriced", "cache_amounts")

    def __init__(self):
        super().__init__()
        self.cache_write_1h = self.cache_requests = self.cache_unpriced = 0
        self.input_cost, self.output_cost = ExactSum(), ExactSum()
        self.cache_amounts = (ExactSum(), ExactSum(), ExactSum())  # read saved, 5-minute and 1-hour write extra
        self.ttft_histogram: dict[int, int] = {}
        self.first_ms = self.last_ms = None

    def add_line(self, line: dict, epoch_ms: int) -> None:
        self.add(line)
        usage = line.get("usage")
        details = (usage or {}).get("prompt_tokens_details") or {}
        self.cache_write_1h += details.get("cache_write_1h_tokens") or 0
        for name, total in (("input_cost", self.input_cost), ("output_cost", self.output_cost)):
            if line.get(name) is not None:
                total.add(line[name])
        ttft_ms = line.get("ttft_ms")
        if ttft_ms is not None:
            bucket = histogram_bucket(ttft_ms)
            self.ttft_histogram[bucket] = self.ttft_histogram.get(bucket, 0) + 1
        if usage:
            self._add_savings(usage, line.get("prices"), details)
        self._seen(epoch_ms, epoch_ms)

    def _add_savings(self, usage: dict, prices: dict | None, details: dict) -> None:
        self.cache_requests += 1
        saved = request_savings(usage, prices)
        if saved is None:
            self.cache_unpriced += (details.get("cached_tokens") or 0) + (details.get("cache_write_tokens") or 0) > 0
            return
        for total, name in zip(self.cache_amounts, SAVINGS_AMOUNTS):
            total.add(saved[name])

    def merge_cell(self, other: "Cell") -> None:
        self.merge(other)
        self.cache_write_1h += other.cache_write_1h
        self.input_cost.merge(other.input_cost)
        self.output_cost.merge(other.output_cost)
        _merge_histogram(self.ttft_histogram, other.ttft_histogram)
        self._seen(other.first_ms, other.last_ms)
        self.cache_requests += other.cache_requests
        self.cache_unpriced += other.cache_unpriced
        for total, more in zip(self.cache_amounts, other.cache_amounts):
            total.merge(more)

    def _seen(self, first_ms: int, last_ms: int) -> None:
        self.first_ms = first_ms if self.first_ms is None else min(self.first_ms, first_ms)
        self.last_ms = last_ms if self.last_ms is None else max(self.last_ms, last_ms)

    def row(self) -> tuple:
        input_tokens, output_tokens, cached, cache_write, reasoning = self.tokens
        return (self.requests, self.errors, self.aborted, self.unpriced, self.estimated, self.timed, input_tokens,
                output_tokens, cached, cache_write, self.cache_write_1h, reasoning, _sum_blob(self.cost_usd),
                _sum_blob(self.input_cost), _sum_blob(self.output_cost), _sum_blob(self.response_ms),
                _histogram_blob(self.histogram), _histogram_blob(self.ttft_histogram), self.first_ms, self.last_ms,
                self.cache_requests, self.cache_unpriced, *map(_sum_blob, self.cache_amounts))

    @classmethod
    def from_row(cls, row) -> "Cell":
        cell = cls()
        (cell.requests, cell.errors, cell.aborted, cell.unpriced, cell.estimated, cell.timed, input_tokens,
         output_tokens, cached, cache_write, cell.cache_write_1h, reasoning, cost, input_cost, output_cost,
         response_ms, histogram, ttft_histogram, cell.first_ms, cell.last_ms, cell.cache_requests,
         cell.cache_unpriced, *amounts) = row
        cell.tokens = [input_tokens, output_tokens, cached, cache_write, reasoning]
        cell.cost_usd, cell.input_cost = _blob_sum(cost), _blob_sum(input_cost)
        cell.output_cost, cell.response_ms = _blob_sum(output_cost), _blob_sum(response_ms)
        cell.histogram, cell.ttft_histogram = _blob_histogram(histogram), _blob_histogram(ttft_histogram)
        cell.cache_amounts = tuple(map(_blob_sum, amounts))
        return cell


def _merge_histogram(into: dict[int, int], other: dict[int, int]) -> None:
    for bucket, count in other.items():
        into[bucket] = into.get(bucket, 0) + count


def _sum_blob(total: ExactSum) -> bytes:
    return array("d", total.partials).tobytes()


def _blob_sum(blob: bytes) -> ExactSum:
    return ExactSum(array("d", blob))


def _histogram_blob(histogram: dict[int, int]) -> bytes:
    return array("i", [n for bucket in sorted(histogram) for n in (bucket, histogram[bucket])]).tobytes()


def _blob_histogram(blob: bytes) -> dict[int, int]:
    pairs = array("i", blob)
    return dict(zip(pairs[::2], pairs[1::2]))


def _dims_of(line: dict) -> str:
    return json.dumps([line.get(name) for name in DIMENSIONS], ensure_ascii=False, separators=(",", ":"))


# ---- what one pass over some bytes of a file adds ---------------------------------------------------------

@dataclass
class _FileState:
    """One ledger file as the index knows it."""
    file_id: int
    indexed_bytes: int
    lines: int
    tail_bytes: int
    tail_sha: bytes
    bad_lines: int
    problems: int  # stored in `problems` (at most MAX_WARNINGS_PER_FILE)


class _Batch:
    """Cells, spans and problems gathered from lines, written to the database in one go."""

    def __init__(self):
        self.cells: dict[tuple[int, str], Cell] = {}  # (slot start, dims)
        self.spans: dict[tuple[int, int], list[int]] = {}
        self.problems: list[tuple[int, int, int | None, str]] = []

    def add_bytes(self, state: _FileState, data: bytes, offset: int) -> int:
        """Index the complete lines of `data` (which starts at byte `offset` of the file); the bytes used."""
        end = data.rfind(b"\n") + 1
        position = 0
        while position < end:
            stop = data.index(b"\n", position) + 1
            self._add_line(state, data[position:stop], offset + position, offset + stop)
            position = stop
        if end:
            last_start = data.rfind(b"\n", 0, end - 1) + 1
            state.tail_bytes, state.tail_sha = end - last_start, _sha(data[last_start:end])
            state.indexed_bytes = offset + end
        return end

    def _add_line(self, state: _FileState, raw: bytes, start: int, stop: int) -> None:
        state.lines += 1
        if raw == b"\n":
            return  # the newline that ends a torn line (see LedgerWriter._open), as the reader skips it
        line, problem = parsed_line(raw)
        if problem is not None:
            state.bad_lines += 1
            if state.problems < MAX_WARNINGS_PER_FILE:
                state.problems += 1
                self.problems.append((state.file_id, state.lines, stamp_ms_of(raw), problem))
            return
        epoch_ms = epoch_ms_of(line["timestamp"])
        slot_ms = epoch_ms - epoch_ms % SLOT_MS
        key = (slot_ms, _dims_of(line))
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = Cell()
        cell.add_line(line, epoch_ms)
        span = self.spans.get((slot_ms, state.file_id))
        if span is None:
            self.spans[(slot_ms, state.file_id)] = [start, stop]
        else:
            span[0], span[1] = min(span[0], start), max(span[1], stop)

    def _levels(self) -> dict[tuple[int, int, str], Cell]:
        """The slot cells, and the hour and day cells made of them."""
        cells = {}
        for (slot_ms, dims), cell in self.cells.items():
            cells[(0, slot_ms, dims)] = cell
            for level in (1, 2):
                key = (level, slot_ms - slot_ms % SPANS[level], dims)
                larger = cells.get(key)
                if larger is None:
                    larger = cells[key] = Cell()
                larger.merge_cell(cell)
        return cells

    def write(self, db: sqlite3.Connection, *, fresh: bool) -> None:
        """Add the batch to the database (`fresh`: the tables are empty, nothing to merge with)."""
        rows = []
        for key, cell in self._levels().items():
            if not fresh:
                found = db.execute(f"SELECT {', '.join(_CELL_COLUMNS)} FROM cells WHERE level = ? AND start_ms = ? "
                                   "AND dims = ?", key).fetchone()
                if found is not None:
                    merged = Cell.from_row(found)
                    merged.merge_cell(cell)
                    cell = merged
            rows.append((*key, *cell.row()))
        db.executemany(_INSERT_CELL, rows)
        db.executemany("INSERT INTO spans VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                       "first_offset = min(first_offset, excluded.first_offset), "
                       "end_offset = max(end_offset, excluded.end_offset)",
                       [(*key, *span) for key, span in self.spans.items()])
        db.executemany("INSERT OR REPLACE INTO problems VALUES (?, ?, ?, ?)", self.problems)


def _index_file(batch: _Batch, state: _FileState, file, on_read: Callable[[int], None] = lambda size: None) -> None:
    """Index the complete lines from the file's position (state.indexed_bytes) to its end, telling `on_read`
    the size of each chunk read. A line's unfinished end stays past state.indexed_bytes."""
    pending = b""
    while chunk := file.read(_READ_CHUNK):
        data = pending + chunk  # starts at state.indexed_bytes: the start of a line
        pending = data[batch.add_bytes(state, data, state.indexed_bytes):]
        on_read(len(chunk))


class _Progress:
    """A progress line every PROGRESS_EVERY_S while a rebuild reads."""

    def __init__(self, say: Callable[[str], None] | None, total: int):
        self.say, self.total, self.done, self.last = say, total, 0, time.monotonic()

    def read(self, size: int) -> None:
        self.done += size
        if self.say and time.monotonic() - self.last >= PROGRESS_EVERY_S:
            self.last = time.monotonic()
            self.say(f"indexing the ledger: {self.done / self.total:.0%} "
                     f"({self.done / 1e6:,.0f} of {self.total / 1e6:,.0f} MB)")


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _save_state(db: sqlite3.Connection, state: _FileState, mtime_ns: int) -> None:
    db.execute("UPDATE files SET indexed_bytes = ?, lines = ?, tail_bytes = ?, tail_sha = ?, mtime_ns = ?, "
               "bad_lines = ? WHERE id = ?", (state.indexed_bytes, state.lines, state.tail_bytes, state.tail_sha,
                                              mtime_ns, state.bad_lines, state.file_id))


# ---- the database ------------------------------------------------------------------------------------------

class LedgerIndex:
    """The index of the ledger at `ledger` (its current file's path). One connection, one thread. `listing` is
    held while the files are listed, stat-ed and opened, never while SQLite is waited for: a rotation (renames)
    holding it is never seen half done, and never waits on the index's lock (ledger/catch_up.py)."""

    def __init__(self, ledger: Path, *, wait_s: float = BUSY_WAIT_S, writer: bool = False,
                 listing: AbstractContextManager | None = None):
        self.ledger = ledger
        self.path = index_path(ledger)
        self.listing = listing or nullcontext()
        self.db = self._connect(wait_s)
        if writer:
            self.db.execute("PRAGMA busy_timeout = 0")  # an append never waits for a reader

    def _connect(self, wait_s: float) -> sqlite3.Connection:
        try:
            if not self.path.exists():
                # 0600 like the ledger (it holds what you spent); SQLite gives its -wal and -shm the same mode.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            db = sqlite3.connect(self.path, timeout=wait_s, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a commit does not wait for the disk; a power cut may lose the last commits, which
            # then leaves the index behind its files (caught up) or ahead of a shortened file (rebuilt).
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnusable(f"{self.path}: {exc}") from exc
        return db

    def close(self) -> None:
        self.db.close()

    # -- keeping up with the files --

    def record_append(self, fd: int, write: Callable[[], None]) -> str | None:
        """Call `write` (which appends a line to the ledger file open read-write at `fd`) inside the index's
        write transaction, then index what the file holds past its indexed offset: that line, and any line
        another writer appended. When another connection holds the index, `write` runs without waiting (its
        next refresh reads the line). Raises what `write` raises; an index that fails after the line is
        written is rolled back and said (the returned text), never raised."""
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            write()
            return None if _busy(exc) else f"{self.path}: {exc}"
        try:
            write()
        except BaseException:
            db.execute("ROLLBACK")
            raise
        try:
            self._index_fd(fd)
            db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            db.execute("ROLLBACK")
            return f"{self.path}: {exc}"
        return None

    def _index_fd(self, fd: int) -> None:
        info = os.fstat(fd)
        state = self._state(info) or self._new_file(info)
        behind = info.st_size - state.indexed_bytes
        if 0 < behind <= MAX_APPEND_READ:  # further behind: lines written while the index was busy, for a reader
            batch = _Batch()
            batch.add_bytes(state, os.pread(fd, behind, state.indexed_bytes), state.indexed_bytes)
            batch.write(self.db, fresh=False)
            _save_state(self.db, state, info.st_mtime_ns)

    def refresh(self, progress: Callable[[str], None] | None = None) -> None:
        """Make the index cover every line of the ledger's files: catch up, or rebuild when it cannot be
        trusted (see the module docstring). Raises IndexUnusable when the files keep changing under it."""
        for _ in range(MAX_ATTEMPTS):
            reason = self._catch_up()
            if reason is None:
                return
            self.rebuild(progress, reason)
        raise IndexUnusable(f"{self.path}: the ledger changed during {MAX_ATTEMPTS} rebuilds ({reason})")

    def _catch_up(self) -> str | None:
        """Index what the files gained; or, untouched, the reason the index must be rebuilt. The write lock is
        taken only when there is something to index, so a writer is rarely made to leave its line for later."""
        db = self.db
        db.execute("BEGIN")
        try:
            reason = self._stale_reason()
            behind = reason is None and self._behind()
        finally:
            db.execute("COMMIT")
        if reason is not None or not behind:
            return reason
        db.execute("BEGIN IMMEDIATE")
        try:
            reason = self._stale_reason()
            if reason is None:
                with self.listing:
                    opened = [path.open("rb") for path in ledger_files(self.ledger)]
                try:
                    for file in opened:  # through descriptors: a rename meanwhile changes nothing read
                        self._catch_up_file(file)
                finally:
                    for file in opened:
                        file.close()
            db.execute("COMMIT" if reason is None else "ROLLBACK")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return reason

    def stale_reason(self) -> str | None:
        """Why the index must be rebuilt before it can answer (None: a catch-up at most). Reads only: it never waits
        for a connection that is writing (a rebuild swapping its cells in)."""
        self.db.execute("BEGIN")
        try:
            return self._stale_reason()
        finally:
            self.db.execute("COMMIT")

    def _stale_reason(self) -> str | None:
        version = self.db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            return "no index yet" if version is None else f"index format {version[0]}, this llms reads {SCHEMA_VERSION}"
        indexed_files = self.db.execute(
            "SELECT dev, ino, indexed_bytes, tail_bytes, tail_sha, mtime_ns FROM files").fetchall()
        with self.listing:
            return _changed_file(ledger_files(self.ledger), indexed_files)

    def _behind(self) -> bool:
        """Whether a file holds bytes past what is indexed of it (or is not indexed yet)."""
        with self.listing:
            infos = [path.stat() for path in ledger_files(self.ledger)]
        for info in infos:
            state = self._state(info)
            if state is None or info.st_size > state.indexed_bytes:
                return True
        return False

    def _catch_up_file(self, file) -> None:
        info = os.fstat(file.fileno())
        state = self._state(info) or self._new_file(info)
        if info.st_size <= state.indexed_bytes:
            return
        file.seek(state.indexed_bytes)
        batch = _Batch()
        _index_file(batch, state, file)
        batch.write(self.db, fresh=False)
        _save_state(self.db, state, info.st_mtime_ns)

    def _state(self, info: os.stat_result) -> _FileState | None:
        row = self.db.execute("SELECT id, indexed_bytes, lines, tail_bytes, tail_sha, bad_lines, "
                              "(SELECT count(*) FROM problems WHERE file_id = files.id) FROM files "
                              "WHERE dev = ? AND ino = ?", (info.st_dev, info.st_ino)).fetchone()
        return None if row is None else _FileState(*row)

    def _new_file(self, info: os.stat_result) -> _FileState:
        cursor = self.db.execute("INSERT INTO files (dev, ino, indexed_bytes, lines, tail_bytes, tail_sha, mtime_ns, "
                                 "bad_lines) VALUES (?, ?, 0, 0, 0, x'', 0, 0)", (info.st_dev, info.st_ino))
        return _FileState(cursor.lastrowid, 0, 0, 0, b"", 0, 0)

    def rebuild(self, progress: Callable[[str], None] | None = None, reason: str = "--reindex") -> None:
        """Index every line of every ledger file anew, then swap it in whole in one transaction (a writer
        appending meanwhile is caught up from the offsets this records)."""
        with self.listing:
            opened = [path.open("rb") for path in ledger_files(self.ledger)]
        try:
            total = sum(os.fstat(file.fileno()).st_size for file in opened)
            say = progress if progress is not None and total >= PROGRESS_BYTES else None
            if say:
                say(f"indexing the ledger ({reason}): {total / 1e6:,.0f} MB in {len(opened)} file(s) into {self.path}")
            batch, states, started = _Batch(), [], time.monotonic()
            counter = _Progress(say, total)
            for file_id, file in enumerate(opened, start=1):
                info = os.fstat(file.fileno())
                state = _FileState(file_id, 0, 0, 0, b"", 0, 0)
                _index_file(batch, state, file, counter.read)
                states.append((state, info))
            self._swap_in(batch, states)
            self._give_back_space()
            if say:
                lines = sum(state.lines for state, _ in states)
                say(f"indexed {lines:,} lines in {time.monotonic() - started:.1f} s")
        finally:
            for file in opened:
                file.close()

    def _give_back_space(self) -> None:
        """After a rebuild the old cells' pages are free: when they are a third of the file or more, hand them back."""
        (pages,), = self.db.execute("PRAGMA page_count")
        (free,), = self.db.execute("PRAGMA freelist_count")
        if free * 3 > pages:
            try:
                self.db.execute("VACUUM")
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
                # another connection is writing: the free pages are reused by the next cells instead

    def _swap_in(self, batch: _Batch, states: list[tuple[_FileState, os.stat_result]]) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for table in ("cells", "spans", "problems", "files", "meta"):
                db.execute(f"DELETE FROM {table}")
            db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(s.file_id, i.st_dev, i.st_ino, s.indexed_bytes, s.lines, s.tail_bytes, s.tail_sha,
                             i.st_mtime_ns, s.bad_lines) for s, i in states])
            batch.write(db, fresh=True)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- answering --

    def aggregate(self, aggregator: Aggregator, warn: Callable[[str], None], cache: CacheSavings | None = None) -> None:
        """Feed `aggregator` (and `cache`, the same records' cache savings) the index's cells inside the
        query's range and, at an edge that is not on a 15-minute boundary, that slot's lines read from the
        files. Call `refresh` first."""
        query = aggregator.query
        db = self.db
        db.execute("BEGIN")  # one snapshot: cells, spans and files agree
        try:
            paths = self._paths()
            plan = _Plan(query)
            for start_ms in plan.edges:
                for record in self._slot_lines(start_ms, paths):
                    if aggregator.add(record) and cache is not None:
                        cache.add(record)
            self._read_cells(aggregator, cache, plan, len(SPANS) - 1, plan.slot_low, plan.slot_high)
            self._warn(paths, query, warn)
        finally:
            db.execute("COMMIT")

    def _read_cells(self, aggregator: Aggregator, cache: CacheSavings | None, plan: "_Plan", level: int,
                    low: int, high: int) -> None:
        """Add the cells covering [low, high) (whole slots): of `level` where one lies whole in the range and in
        one bucket of the query, else of the level below."""
        span = SPANS[level]
        if level == 0:
            for row in self.db.execute(_SELECT_TOTALS + "WHERE level = 0 AND start_ms >= ? AND start_ms < ?",
                                       (low, high)):
                _add_row(aggregator, cache, plan, row)
            return
        first, last = -(-low // span) * span, high // span * span
        if first >= last:
            self._read_cells(aggregator, cache, plan, level - 1, low, high)
            return
        self._read_cells(aggregator, cache, plan, level - 1, low, first)
        self._read_cells(aggregator, cache, plan, level - 1, last, high)
        split = []
        for row in self.db.execute(_SELECT_TOTALS + "WHERE level = ? AND start_ms >= ? AND start_ms < ?",
                                   (level, first, last)):
            if plan.whole(row[0], span):
                _add_row(aggregator, cache, plan, row)
            elif not split or split[-1] != row[0]:
                split.append(row[0])
        for start_ms in split:
            self._read_cells(aggregator, cache, plan, level - 1, start_ms, start_ms + span)

    def checked(self) -> dict[Path, tuple[int, frozenset[int]]]:
        checked = {}
        for file_id, path in self._paths().items():
            (indexed, bad_lines), = self.db.execute("SELECT indexed_bytes, bad_lines FROM files WHERE id = ?", (file_id,))
            failed = frozenset(line for line, in self.db.execute("SELECT line FROM problems WHERE file_id = ?", (file_id,)))
            if len(failed) == bad_lines:
                checked[path] = (indexed, failed)
        return checked

    def _paths(self) -> dict[int, Path]:
        ids = {(dev, ino): file_id for file_id, dev, ino in self.db.execute("SELECT id, dev, ino FROM files")}
        paths = {}
        for path in ledger_files(self.ledger):
            info = path.stat()
            if (info.st_dev, info.st_ino) in ids:
                paths[ids[(info.st_dev, info.st_ino)]] = path
        return paths

    def _slot_lines(self, start_ms: int, paths: dict[int, Path]):
        for file_id, first, end in self.db.execute(
                "SELECT file_id, first_offset, end_offset FROM spans WHERE start_ms = ? ORDER BY file_id",
                (start_ms,)):
            data = _read_at(paths[file_id], first, end - first)
            for raw in data.splitlines(keepends=True):
                stamp = stamp_ms_of(raw)
                if stamp is not None and not start_ms <= stamp < start_ms + SLOT_MS:
                    continue  # another slot's line, counted in its own cell
                line, problem = parsed_line(raw)
                if problem is None and start_ms <= epoch_ms_of(line["timestamp"]) < start_ms + SLOT_MS:
                    yield line

    def _warn(self, paths: dict[int, Path], query: Query, warn: Callable[[str], None]) -> None:
        """The warnings a scan of the lines in range gives: bad lines (those dated before the range are
        skipped unread, as the reader skips them), "N more", and an unfinished last line."""
        for file_id, path in sorted(paths.items()):
            (bad_lines, indexed, lines), = self.db.execute(
                "SELECT bad_lines, indexed_bytes, lines FROM files WHERE id = ?", (file_id,))
            if query.start_ms is not None and path.stat().st_mtime * 1000 < query.start_ms:
                continue  # the scan leaves out a file last written before the range
            shown = 0
            for line, stamp, message in self.db.execute(
                    "SELECT line, stamp_ms, message FROM problems WHERE file_id = ? ORDER BY line", (file_id,)):
                if stamp is None or query.start_ms is None or stamp >= query.start_ms:
                    shown += 1
                    warn(f"{path}:{line}: {message}; skipped")
            if query.start_ms is None and bad_lines > MAX_WARNINGS_PER_FILE:
                warn(f"{path}: {bad_lines - MAX_WARNINGS_PER_FILE} more bad lines skipped")
            rest = _read_at(path, indexed, MAX_APPEND_READ)
            if rest and b"\n" not in rest:  # past the last newline: a torn line (or one being written)
                warn(f"{path}:{lines + 1}: incomplete last line (the writer stopped mid-line); skipped")


_SELECT_TOTALS = ("SELECT start_ms, dims, requests, errors, aborted, unpriced, estimated, timed, input_tokens, "
                  "output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, cost_usd, response_ms, "
                  "response_histogram, first_ms, last_ms, cache_requests, cache_unpriced, cache_write_1h_tokens, "
                  "read_saved_usd, write_extra_5m_usd, write_extra_1h_usd FROM cells ")


def _add_row(aggregator: Aggregator, cache: CacheSavings | None, plan: "_Plan", row) -> None:
    (start_ms, dims, requests, errors, aborted, unpriced, estimated, timed, input_tokens, output_tokens, cached,
     cache_write, reasoning, cost, response_ms, histogram, first_ms, last_ms, cache_requests, cache_unpriced,
     cache_write_1h, *amounts) = row
    totals = Totals()
    totals.requests, totals.errors, totals.aborted, totals.unpriced = requests, errors, aborted, unpriced
    totals.estimated, totals.timed = estimated, timed
    totals.tokens = [input_tokens, output_tokens, cached, cache_write, reasoning]
    totals.cost_usd, totals.response_ms = _blob_sum(cost), _blob_sum(response_ms)
    totals.histogram = _blob_histogram(histogram)
    dims = plan.dims(dims)
    if aggregator.add_totals(dims, start_ms, totals, first_ms, last_ms) and cache is not None and cache_requests:
        tokens = (input_tokens, cached, cache_write, cache_write_1h)
        _add_savings(cache, dims, cache_requests, cache_unpriced, tokens, [_blob_sum(a).value for a in amounts])


def _add_savings(cache: CacheSavings, dims: dict, requests: int, unpriced: int, tokens: tuple, amounts: list) -> None:
    """A cell's cache savings into CacheSavings' groups, as its `add` puts one line's (pricing/savings.py)."""
    provider = dims["provider"] or savings.NO_PROVIDER
    for group in (cache.summary, savings._group(cache.by_provider, provider),  # noqa: SLF001 (its group rule)
                  savings._group(cache.by_model, (provider, dims["model"]))):  # noqa: SLF001
        group.requests += requests
        group.unpriced += unpriced
        group.tokens = [a + b for a, b in zip(group.tokens, tokens)]
        group.amounts = [a + b for a, b in zip(group.amounts, amounts)]


def _changed_file(paths: list[Path], indexed_files: list[tuple]) -> str | None:
    """Why the ledger files at `paths` no longer hold what `indexed_files` (rows of `files`) say was indexed."""
    on_disk = {}
    for path in paths:
        info = path.stat()
        on_disk[(info.st_dev, info.st_ino)] = (path, info)
    for dev, ino, indexed, tail_bytes, tail_sha, mtime_ns in indexed_files:
        if (dev, ino) not in on_disk:
            return "a ledger file indexed before is gone or was replaced"
        path, info = on_disk[(dev, ino)]
        if info.st_size < indexed:
            return f"{path.name} is shorter than the part indexed"
        if info.st_size == indexed and info.st_mtime_ns != mtime_ns:
            return f"{path.name} was changed in place"
        if tail_bytes and _read_at(path, indexed - tail_bytes, tail_bytes, sha=True) != tail_sha:
            return f"{path.name} no longer holds the lines indexed"
    return None


def _read_at(path: Path, offset: int, size: int, *, sha: bool = False):
    with path.open("rb") as file:
        file.seek(offset)
        data = file.read(size)
    return _sha(data) if sha else data


class _Plan:
    """A query's [start, end) cut on the 15-minute grid: the whole slots [slot_low, slot_high), read from cells,
    and the slots the range only partly covers (`edges`), read from the lines."""

    _FAR = (1 << 62) // DAY_MS * DAY_MS  # an open end: a whole number of days away

    def __init__(self, query: Query):
        self.query = query
        low = -self._FAR if query.start_ms is None else query.start_ms
        high = self._FAR if query.end_ms is None else query.end_ms
        self.slot_low, self.slot_high = -(-low // SLOT_MS) * SLOT_MS, high // SLOT_MS * SLOT_MS
        if self.slot_low > self.slot_high:  # the range lies inside one slot
            self.edges = [low - low % SLOT_MS] if low < high else []
            self.slot_high = self.slot_low
        else:
            self.edges = ([self.slot_low - SLOT_MS] if low < self.slot_low else []) + \
                         ([self.slot_high] if self.slot_high < high else [])
        self._whole: dict[tuple[int, int], bool] = {}
        self._dims: dict[str, dict] = {}  # a cell's dims text, decoded once per query

    def dims(self, text: str) -> dict:
        dims = self._dims.get(text)
        if dims is None:
            dims = self._dims[text] = dict(zip(DIMENSIONS, json.loads(text)))
        return dims

    def whole(self, start_ms: int, span_ms: int) -> bool:
        """Whether [start_ms, start_ms + span_ms) lies in one bucket of the query: its first and last slots do
        (buckets are runs of whole slots, so every slot between them does too)."""
        whole = self._whole.get((start_ms, span_ms))
        if whole is None:
            granularity, tz = self.query.granularity, self.query.tz
            whole = self._whole[(start_ms, span_ms)] = (
                bucket_start(start_ms, granularity, tz) == bucket_start(start_ms + span_ms - SLOT_MS, granularity, tz))
        return whole


# ---- the entry points --------------------------------------------------------------------------------------

def aggregate_ledger(ledger: Path, query: Query, warn: Callable[[str], None], *, with_savings: bool = False,
                     progress: Callable[[str], None] | None = None,
                     into: Callable[[Query], Aggregator] = Aggregator) -> tuple[Aggregator, CacheSavings | None]:
    """The ledger's records in `query` aggregated (into a new `into(query)`: an Aggregator, or one that groups
    otherwise, ledger/grouped.py), and (`with_savings`) their cache savings: from the index, caught up or rebuilt
    first; or, when the index cannot be used (an unwritable folder, a ledger changing faster than it can be
    indexed), from the lines, with a warning saying why."""
    if not ledger_files(ledger):
        return into(query), CacheSavings() if with_savings else None
    try:
        index = LedgerIndex(ledger)
        try:
            index.refresh(progress)
            aggregator, cache = into(query), CacheSavings() if with_savings else None
            index.aggregate(aggregator, warn, cache)
        finally:
            index.close()
    except (IndexUnusable, sqlite3.Error) as exc:
        warn(f"the ledger index cannot be used ({exc}); reading every line instead")
        return scan_ledger(ledger, query, warn, with_savings=with_savings, into=into)
    return aggregator, cache


def scan_ledger(ledger: Path, query: Query, warn: Callable[[str], None], *, with_savings: bool = False,
                into: Callable[[Query], Aggregator] = Aggregator) -> tuple[Aggregator, CacheSavings | None]:
    """The same from the lines alone (what the index is checked against, and its fallback)."""
    aggregator, cache = into(query), CacheSavings() if with_savings else None
    since = None if query.start_ms is None else datetime.fromtimestamp(query.start_ms / 1000, timezone.utc)
    files = ledger_files(ledger, modified_since=None if since is None else since.timestamp())
    for record in read_records(files, warn, since=since):
        if aggregator.add(record) and cache is not None:
            cache.add(record)
    return aggregator, cache


def checked_lines(ledger: Path) -> dict[Path, tuple[int, frozenset[int]]]:
    """Per ledger file, the bytes the index checked (`schema.line_problem`) and the numbers of the lines that
    failed, for `read_records(checked=…)`; only files whose every failed line is on record. Empty when the
    index cannot be used (then every line is checked as it is read)."""
    try:
        index = LedgerIndex(ledger)
        try:
            index.refresh()
            return index.checked()
        finally:
            index.close()
    except (IndexUnusable, sqlite3.Error):
        return {}  # the reader checks every line itself: slower, never wrong


def reindex(ledger: Path, progress: Callable[[str], None]) -> int:
    """`llms --reindex`: rebuild the index from every ledger file; the number of lines indexed."""
    index = LedgerIndex(ledger)
    try:
        index.rebuild(progress)
        return index.db.execute("SELECT coalesce(sum(lines), 0) FROM files").fetchone()[0]
    finally:
        index.close()
