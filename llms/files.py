"""Writing a file whole or not at all, and the exit codes every command returns."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["EXIT_OK", "EXIT_FAIL", "EXIT_USAGE", "write_atomically"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2  # done; tried and failed; wrong usage (the person must change the call)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file in `path`'s folder, fsync it, then rename it over `path`: a reader
    sees the old file or the new one, never half of one, even after a crash. The file keeps the mode of the
    one it replaces, else 0600: a config may hold API keys. On any failure `path` is untouched."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)  # the original file is untouched; the error goes on to the caller
        raise
