"""Pure: JSON from outside (a client's body, a provider's reply) kept within what we can carry.

Python's json accepts NaN and Infinity, which no JSON reader downstream takes (JSON.parse, the providers),
and nests as deep as its recursion limit, past which re-encoding the value raises. Both are refused here
with a message naming the problem, before the value goes anywhere.
"""

from __future__ import annotations

import json
import math

__all__ = ["MAX_DEPTH", "UntrustedJSON", "loads", "problem"]

MAX_DEPTH = 100  # chat bodies nest ~8 deep, tool JSON schemas a few dozen; a reply's shapes under 10


class UntrustedJSON(ValueError):
    """JSON we do not take: `message` says why, after a subject ("request body …")."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _no_constant(name: str):
    raise UntrustedJSON(f"has {name}, which is not a JSON number (use null or a finite number)")


def loads(text: str | bytes):
    """json.loads without NaN/Infinity and within MAX_DEPTH; UntrustedJSON otherwise (also for invalid JSON)."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise UntrustedJSON(f"is nested deeper than {MAX_DEPTH} levels") from None
    except UntrustedJSON:
        raise
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        raise UntrustedJSON(f"is not valid JSON: {exc}") from None
    found = problem(value)
    if found:
        raise UntrustedJSON(found)
    return value


def problem(value) -> str | None:
    """Why a decoded value cannot be carried ("is nested deeper …", "has inf, …"), or None. Iterative: any depth."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return f"has {item}, which is not a JSON number (use null or a finite number)"
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                return f"is nested deeper than {MAX_DEPTH} levels"
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None
