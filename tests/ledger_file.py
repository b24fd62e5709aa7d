"""Reading the ledger of a server that may be writing it. A line goes out in one write(), but a reader in another
process can still see the first part of it (Linux copies a write into the page cache a page at a time, and a
buffered read does not wait for the rest): such a tail has no newline yet, so it is left for the next read, as
the server's own readers leave it."""

import json
import time
from pathlib import Path


def written_lines(path: Path) -> list[dict]:
    """The complete lines of the ledger at `path` (none when it does not exist yet)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines()]


def line_of(path: Path, request_id: str, wait_s: float = 5.0) -> dict:
    """The request's one ledger line. A stream's line is written when the server's handler ends, which can be
    just after the client read the last byte: so it is waited for, a bounded while."""
    deadline = time.monotonic() + wait_s
    while True:
        lines = written_lines(path)
        found = [line for line in lines if line["request_id"] == request_id]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, lines
            return found[0]
        time.sleep(0.05)
