"""A long read of every ledger line (`llms --report csv` / `detailed`) split between processes: each file is cut
into spans of about SPAN_BYTES at line starts, worker processes turn spans into text (`render(records)`) and the
texts come back in file order, so the output is the one a single process writes, byte for byte.

- Bounded: at most IN_FLIGHT spans are asked for ahead of the one being written, whatever the reader of the
  output does (`| less` holds the pipe: the workers wait, their texts do not pile up).
- Warnings are the single process's: a worker hands back its span's skipped lines (numbered from the span's first
  line, counted here while cutting) and they are warned in order through reader.FileWarnings.
- A worker that fails (an exception, or killed) fails the whole read with SpanFailed, naming the file and bytes;
  no later text is written after it, so a partial output never passes for a whole one.
- Under MIN_PARALLEL_BYTES (tens of thousands of lines, well under a second) nothing is spawned: `rendered`
  reads in this process, as fast as a pool starts.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from llms.ledger.reader import MAX_WARNINGS_PER_FILE, FileWarnings, read_records, read_span

__all__ = ["rendered", "spans", "Span", "SpanFailed", "SPAN_BYTES", "MIN_PARALLEL_BYTES", "IN_FLIGHT"]

SPAN_BYTES = 8 << 20  # about 13,000 ledger lines: a span's text is a few MB, its work ~0.1 s
MIN_PARALLEL_BYTES = 32 << 20  # about 50,000 lines: below it, a pool's start costs more than it saves
IN_FLIGHT = 4  # spans asked for ahead: two per worker keeps both busy while one text is written
LINES_PER_TEXT = 1000  # in-process: lines rendered per write (a write per line costs more than the line)
_NO_CHECKS: tuple[int, frozenset[int]] = (0, frozenset())


class Span(NamedTuple):
    path: Path
    start: int
    end: int  # just after a newline, or the file's end when it was cut
    # The line number of `start`, as read_records numbers lines; None where no line can be skipped (the index
    # checked the whole file and none failed), so no warning needs it: not counted.
    first_number: int | None


class SpanFailed(RuntimeError):
    """A worker could not render a span; the message names the file, its bytes and the cause."""


def rendered(files: list[Path], render: Callable[[Iterator[dict]], str], warn: Callable[[str], None], *,
             since: datetime | None, checked: Mapping[Path, tuple[int, frozenset[int]]],
             workers: int | None = None) -> Iterator[str]:
    """`render` over every record of `files` (read_records' records, warnings and order), as consecutive texts.
    `render` must be picklable (a module-level function or a functools.partial of one) and give, for records
    a + b, render(a) + render(b): its text per record may not depend on the records before it."""
    workers = workers or min(2, os.cpu_count() or 1)
    # Where processes cannot fork (Windows), a worker would re-import llms and more: one process reads it all.
    forks = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or not forks or sum(path.stat().st_size for path in files) < MIN_PARALLEL_BYTES:
        records = read_records(files, warn, since=since, checked=checked)
        while batch := list(islice(records, LINES_PER_TEXT)):
            yield render(iter(batch))  # maybe "" (a filter inside render kept none of them): the next may keep some
        return
    yield from _in_workers(files, render, warn, since, checked, workers)


def _in_workers(files, render, warn, since, checked, workers) -> Iterator[str]:
    # fork: a worker starts as a copy of this process (no re-import, ~ms); the report has no threads running.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    waiting: deque[tuple[Span, Future]] = deque()
    warnings: dict[Path, FileWarnings] = {}

    def ask(span: Span) -> None:
        waiting.append((span, pool.submit(_render_span, span, render, since, checked.get(span.path, _NO_CHECKS))))

    try:
        ahead = spans(files, SPAN_BYTES, checked)
        for span in islice(ahead, IN_FLIGHT):
            ask(span)
        while waiting:
            span, future = waiting.popleft()
            text, problems, bad = _result(span, future)
            for following in islice(ahead, 1):
                ask(following)
            file_warnings = warnings.setdefault(span.path, FileWarnings(span.path, warn))
            for number, problem in problems:
                file_warnings.problem(number, problem)
            file_warnings.bad += bad - len(problems)  # counted, not warned: past the first MAX_WARNINGS_PER_FILE
            yield text
            if not waiting or waiting[0][0].path != span.path:
                file_warnings.close()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on an error or a closed pipe: started spans end, no new one


def _result(span: Span, future: Future) -> tuple[str, list[tuple[int, str]], int]:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise SpanFailed(f"{span.path} bytes {span.start}–{span.end}: a worker process ended unexpectedly "
                         f"({exc}); the output stops before these bytes") from exc
    except Exception as exc:
        raise SpanFailed(f"{span.path} bytes {span.start}–{span.end}: {type(exc).__name__}: {exc}; "
                         "the output stops before these bytes") from exc


def spans(files: Iterable[Path], span_bytes: int,
          checked: Mapping[Path, tuple[int, frozenset[int]]]) -> Iterator[Span]:
    """Each file cut into spans of about `span_bytes`, each ending just after a newline (the last at the end
    of the file as it is now); lazily, one span ahead at a time. Lines are counted (the file read) only in a
    file whose lines may be skipped with a warning: one the index did not check whole, or with failed lines."""
    for path in files:
        checked_bytes, failed = checked.get(path, _NO_CHECKS)
        counted = bool(failed) or checked_bytes < path.stat().st_size
        with path.open("rb") as file:
            start, number = 0, 1
            while end := _span_end(file, start, span_bytes):
                yield Span(path, start, end, number if counted else None)
                if counted:
                    file.seek(start)
                    number += file.read(end - start).count(b"\n")
                start = end


def _span_end(file, start: int, span_bytes: int) -> int:
    """Where the span from `start` ends: after the newline ending the line that holds byte start + span_bytes - 1,
    or at the end of the file; 0 when `start` is the end already."""
    file.seek(start + span_bytes - 1)
    rest = file.readline()  # to the end of the line the cut fell in (or of the file)
    end = start + span_bytes - 1 + len(rest) if rest else file.seek(0, os.SEEK_END)
    return end if end > start else 0


def _render_span(span: Span, render: Callable[[Iterator[dict]], str], since: datetime | None,
                 checked: tuple[int, frozenset[int]]) -> tuple[str, list[tuple[int, str]], int]:
    """In a worker: the span's text, its first MAX_WARNINGS_PER_FILE skipped lines and how many it skipped."""
    problems: list[tuple[int, str]] = []
    bad = 0

    def problem(number: int, what: str) -> None:
        nonlocal bad
        bad += 1
        if len(problems) < MAX_WARNINGS_PER_FILE:
            problems.append((number, what))

    text = render(read_span(span.path, span.start, span.end, span.first_number or 0, problem, since, checked))
    return text, problems, bad
