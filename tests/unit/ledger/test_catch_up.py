"""ledger/catch_up.py: a server's writer leaves the index to a thread, which indexes the lines in batches; a reader
that comes before the thread still answers from every line, and closing indexes what is left."""

import json
import linecache
import sqlite3
import sys
import threading
import time
from datetime import timedelta

from llms.ledger.analytics import parse_query
from llms.ledger.catch_up import IndexCatchUp
from llms.ledger.index import LedgerIndex, aggregate_ledger, index_path, scan_ledger
from llms.ledger.writer import LedgerWriter
from tests.unit.ledger.test_index import DAYS, _line


def _indexed_requests(path) -> int:
    index = LedgerIndex(path)
    try:
        return index.db.execute("SELECT coalesce(sum(requests), 0) FROM cells WHERE level = 0").fetchone()[0]
    finally:
        index.close()


def _results(path):
    query = parse_query({"granularity": "hour", "tz": "Europe/Berlin"})
    indexed, _ = aggregate_ledger(path, query, lambda message: None)
    scanned, _ = scan_ledger(path, query, lambda message: None)
    return indexed.result(), scanned.result()


def test_lines_written_through_the_catch_up_thread_are_indexed_in_batches_and_answer_as_the_scan(tmp_path):
    path = tmp_path / "usage.jsonl"
    catch_up = IndexCatchUp(path)
    writer = LedgerWriter(path, 60_000, catch_up=catch_up)
    catch_ups = []
    real = catch_up._caught_up  # counted, to show many lines share one transaction
    catch_up._caught_up = lambda index, say: catch_ups.append(1) or real(index, say)
    for i in range(300):
        writer.append(_line(i, DAYS[1] + timedelta(minutes=7 * i)))
    catch_up.flush()
    assert _indexed_requests(path) == 300
    assert len(list(tmp_path.glob("usage.jsonl.*"))) > 1  # rotated on the way
    assert len(catch_ups) < 300
    indexed, scanned = _results(path)
    assert indexed == scanned and indexed["summary"]["requests"] == 300
    writer.close()
    catch_up.close()


def test_a_reader_before_the_thread_has_run_answers_from_every_line(tmp_path):
    path = tmp_path / "usage.jsonl"
    catch_up = IndexCatchUp(path)
    held = threading.Event()
    real = catch_up._caught_up

    def held_back(index, say):
        held.wait()
        return real(index, say)

    catch_up._caught_up = held_back
    writer = LedgerWriter(path, 10**9, catch_up=catch_up)
    for i in range(20):
        writer.append(_line(i, DAYS[0] + timedelta(minutes=7 * i)))
    indexed, scanned = _results(path)  # the thread has indexed nothing yet: the reader catches up itself
    assert indexed == scanned and indexed["summary"]["requests"] == 20
    held.set()
    catch_up.flush()
    assert _indexed_requests(path) == 20
    writer.close()
    catch_up.close()


def test_closing_indexes_the_lines_the_thread_had_not_reached(tmp_path):
    path = tmp_path / "usage.jsonl"
    catch_up = IndexCatchUp(path, linger_s=60.0)  # it would wait a minute for more lines
    writer = LedgerWriter(path, 10**9, catch_up=catch_up)
    writer.append(_line(0, DAYS[2]))
    catch_up.flush()  # the first catch-up (the start-up one) does not linger
    for i in range(1, 6):
        writer.append(_line(i, DAYS[2] + timedelta(minutes=i)))
    writer.close()
    catch_up.close()  # does not wait out the linger
    assert _indexed_requests(path) == 6


def test_caught_up_is_done_at_once_with_nothing_written(tmp_path):
    catch_up = IndexCatchUp(tmp_path / "usage.jsonl")
    assert catch_up.caught_up().done()
    catch_up.close()


def _waiting_for_the_index_lock(thread: threading.Thread) -> bool:
    """Whether `thread` is in a catch-up's BEGIN IMMEDIATE (waiting for SQLite's write lock)."""
    frame = sys._current_frames().get(thread.ident)
    return (frame is not None and frame.f_code.co_name == "_catch_up"
            and "BEGIN IMMEDIATE" in linecache.getline(frame.f_code.co_filename, frame.f_lineno))


def test_a_rotation_never_waits_for_a_catch_up_that_waits_for_the_index_lock(tmp_path):
    path = tmp_path / "usage.jsonl"
    lines = [_line(i, DAYS[1] + timedelta(minutes=i)) for i in range(3)]
    sizes = [len(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()) + 1 for line in lines]
    catch_up = IndexCatchUp(path)
    writer = LedgerWriter(path, sizes[0] + sizes[1], catch_up=catch_up)  # the third line rotates
    writer.append(lines[0])
    catch_up.flush()
    other = sqlite3.connect(index_path(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing the index: the next catch-up waits for it
    try:
        writer.append(lines[1])
        for _ in range(100_000):  # bounded: the thread reaches the wait in a few ms
            if _waiting_for_the_index_lock(catch_up._thread):
                break
            time.sleep(0.001)
        else:
            raise AssertionError("the catch-up never waited for the index lock")
        assert catch_up.reading.acquire(blocking=False)  # free while the catch-up waits for SQLite
        catch_up.reading.release()
        writer.append(lines[2])
        assert (tmp_path / "usage.jsonl.1").exists()
    finally:
        other.execute("COMMIT")
        other.close()
    catch_up.flush()
    assert _indexed_requests(path) == 3
    indexed, scanned = _results(path)
    assert indexed == scanned and indexed["summary"]["requests"] == 3
    writer.close()
    catch_up.close()


class _EndHooked(threading.Condition):
    """A Condition that runs `hook` once, in the catch-up thread, right after the locked block in which that thread
    cleared itself (`_thread = None`): where a wake from elsewhere could come in."""

    def __init__(self, owner: IndexCatchUp, hook):
        super().__init__()
        self.owner, self.hook = owner, hook

    def __exit__(self, *exc):
        result = super().__exit__(*exc)
        in_thread = threading.current_thread().name.startswith("index")
        if self.hook is not None and self.owner._thread is None and in_thread:
            hook, self.hook = self.hook, None
            hook()
        return result


def test_a_wake_as_the_thread_ends_is_answered_only_once_its_lines_are_indexed(tmp_path):
    path = tmp_path / "usage.jsonl"
    catch_up = IndexCatchUp(path)
    writer = LedgerWriter(path, 10**9, catch_up=catch_up)
    held, real, calls, waiting, ending = threading.Event(), catch_up._caught_up, [], [], []

    def failing_then_held(index, say):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a catch-up that fails unexpectedly ends its thread")
        held.wait()
        return real(index, say)

    def wake_meanwhile():  # a line appended as the thread ends: a new thread starts, its waiter waits for it
        writer.append(_line(1, DAYS[1]))
        waiting.append(catch_up.caught_up())
        ending.append(threading.current_thread())

    catch_up._caught_up = failing_then_held
    catch_up._changed = _EndHooked(catch_up, wake_meanwhile)
    ended = threading.excepthook
    threading.excepthook = lambda args: None  # the RuntimeError above, expected
    try:
        writer.append(_line(0, DAYS[1]))
        for _ in range(100_000):  # bounded: the first thread ends in a few ms
            if waiting:
                break
            time.sleep(0.001)
        assert waiting
        ending[0].join()  # the first thread has answered its own waiters and ended
        assert not waiting[0].done()  # the new line is not indexed yet: the new thread is held
        held.set()
        waiting[0].result(60)
        assert _indexed_requests(path) == 2
    finally:
        threading.excepthook = ended
        held.set()
        writer.close()
        catch_up.close()
