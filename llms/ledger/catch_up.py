"""The index kept up with the ledger off the event loop: one thread per ledger, woken by each append, catches the
index up from the ledger position it covers to the end of the files, many lines per SQLite transaction.

The line itself is written where the request ends (ledger/writer.py: one `os.write`, a few µs), so it is in the file
when the client has its answer; the index work (parse, check, price the cache savings, merge three cells, record
the offset: milliseconds a line) moves here, and `LINGER_S` after a wake lets a busy server index many lines in one
transaction (bench/ledger_append.py). Nothing is trusted to this thread alone: every reader's `refresh` compares the
index with the files and catches up or rebuilds first, so a line this thread has not reached yet (or never reached:
a crash, a reader holding the index) is read from the file, never left out. `caught_up` tells when the lines
written so far are indexed, so a reader seldom has them to index itself; `close` indexes the rest (the server's
cleanup). The thread's first catch-up is the server's start-up one (a rebuild when the index is missing or stale,
with progress lines), so no second rebuild ever runs beside it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from llms.ledger.index import IndexUnusable, LedgerIndex

__all__ = ["IndexCatchUp", "LINGER_S", "ROTATION_WAIT_S"]

log = logging.getLogger("llms.ledger")
LINGER_S = 0.02
RETRY_S = 1.0  # after a catch-up that failed (a file renamed mid-rotation, the index locked past its wait)
ROTATION_WAIT_S = 1.0  # how long a rotation waits for a catch-up to finish listing the files (milliseconds)


class IndexCatchUp:
    """The thread that catches the index of the ledger at `ledger` up after appends (`wake`); its first catch-up (the
    start-up's, a rebuild when the index is missing or stale) tells `progress` how it goes."""

    def __init__(self, ledger: Path, *, linger_s: float = LINGER_S, progress: Callable[[str], None] | None = None):
        self.ledger = ledger
        self.linger_s = linger_s
        self.progress = progress
        self.errors = 0
        self._changed = threading.Condition()
        self._woken = 0  # wakes so far
        self._done = 0  # wakes the last finished catch-up covered
        self._waiting: list[tuple[int, Future]] = []  # (wakes it waits for, future) of `caught_up`
        self._stopping = False
        self._thread: threading.Thread | None = None
        # Held while a catch-up lists, stat-s and opens the files (never while it waits for SQLite's lock); the
        # writer's rotation (renames) holds it, so a listing taken mid-rename never reads a file as gone and
        # rebuilds the index, and a rotation never waits on the index.
        self.reading = threading.Lock()

    def wake(self) -> None:
        """Lines were appended: index them soon (the thread starts on the first wake)."""
        with self._changed:
            if self._stopping:
                return
            self._woken += 1
            if self._thread is None:
                # A daemon: a process that ends without cleanup leaves its last lines to the next reader's refresh.
                self._thread = threading.Thread(target=self._serve, name=f"index {self.ledger.name}", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def caught_up(self) -> Future:
        """A future done when the lines appended before this call are indexed (or the catch-up of them failed)."""
        future: Future = Future()
        with self._changed:
            if self._thread is None or self._done >= self._woken:
                future.set_result(None)
            else:
                self._waiting.append((self._woken, future))
        return future

    def flush(self, timeout_s: float | None = None) -> None:
        self.caught_up().result(timeout_s)

    def close(self) -> None:
        """Index what is left, then stop the thread."""
        with self._changed:
            self._stopping = True
            thread = self._thread
            self._changed.notify_all()
        if thread is not None:
            thread.join()

    def _serve(self) -> None:
        index = None
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._woken > self._done or self._stopping)
                    if self._stopping and self._woken == self._done:
                        return
                    first = self._done == 0
                    if not first:  # more lines come meanwhile: one transaction for them all (`close` cuts it short)
                        self._changed.wait_for(lambda: self._stopping, self.linger_s)
                    covered = self._woken
                index = self._caught_up(index, say=self.progress if first else None)
                self._finish(covered)
        finally:
            if index is not None:
                index.close()
            # One locked block: a wake between the two would start a new thread, and its waiters would be
            # answered here before their lines are indexed.
            with self._changed:
                self._thread = None
                finished = self._covered(self._woken)
            _resolve(finished)

    def _finish(self, covered: int) -> None:
        """The catch-up of the first `covered` wakes is done: so are the futures waiting for them."""
        with self._changed:
            finished = self._covered(covered)
        _resolve(finished)

    def _covered(self, covered: int) -> list[Future]:
        """Record that the first `covered` wakes are indexed; the futures that waited for them (hold `_changed`)."""
        self._done = covered
        finished = [future for wanted, future in self._waiting if wanted <= covered]
        self._waiting = [(wanted, future) for wanted, future in self._waiting if wanted > covered]
        return finished

    def _caught_up(self, index: LedgerIndex | None, say: Callable[[str], None] | None) -> LedgerIndex | None:
        """One catch-up (a rebuild when the index cannot be trusted); the connection to keep, None after a failure."""
        try:
            index = index or LedgerIndex(self.ledger, listing=self.reading)
            index.refresh(say)
            return index
        except (OSError, IndexUnusable, sqlite3.Error) as exc:
            self.errors += 1
            if self.errors == 1:  # once: readers catch up themselves, so nothing is answered wrongly meanwhile
                log.warning("keeping the ledger index up to date failed (%s); readers index the new lines "
                            "themselves (llms --reindex rebuilds it)", exc)
            if index is not None:
                index.close()
            time.sleep(RETRY_S)
            return None


def _resolve(futures: list[Future]) -> None:
    for future in futures:
        if future.set_running_or_notify_cancel():  # False: its waiter went away (a request cancelled)
            future.set_result(None)
