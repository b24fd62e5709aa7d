"""Where the ledger is: its path from llms.json, and its files, rotated ones included, oldest first."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["ledger_path", "ledger_files", "rotated_files"]

_ROTATED = re.compile(r"\.(\d+)$")


def ledger_path(config) -> Path:
    """`ledger.path` with `~` expanded; a relative path is taken from the config file's folder."""
    path = Path(config.ledger["path"]).expanduser()
    return path if path.is_absolute() else config.path.parent / path


def rotated_files(path: Path) -> list[tuple[int, Path]]:
    found = []
    for candidate in path.parent.glob(f"{path.name}.*"):
        match = _ROTATED.search(candidate.name)
        if match and candidate.name == f"{path.name}.{match.group(1)}":
            found.append((int(match.group(1)), candidate))
    return found


def ledger_files(path: Path, *, modified_since: float | None = None) -> list[Path]:
    """The ledger's files oldest first (`.N` … `.1`, then the current one); those last written before
    `modified_since` (epoch seconds) are left out: every line in a file is older than its mtime."""
    files = [p for _, p in sorted(rotated_files(path), reverse=True)]
    if path.exists():
        files.append(path)
    if modified_since is not None:
        files = [p for p in files if p.stat().st_mtime >= modified_since]
    return files
