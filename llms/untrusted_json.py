"""Pure: JSON from outside (a client's body, a provider's reply) kept within what we can carry.

Python's json accepts NaN and Infinity, which no JSON reader downstream takes (JSON.parse, the providers),
and nests as deep as its recursion limit, past which re-encoding the value raises. Both are refused here
with a message naming the problem, before the value goes anywhere.
"""

from __future__ import annotations

import json
import math
import re

__all__ = ["MAX_DEPTH", "UntrustedJSON", "loads", "problem", "problem_at"]

MAX_DEPTH = 100  # chat bodies nest ~8 deep, tool JSON schemas a few dozen; a reply's shapes under 10
# The tokens problem_at looks at: strings (skipped whole, so a "[" or a NaN inside one is text), brackets and numbers.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?Infinity|NaN|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?', re.S)


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


def problem_at(text: str) -> tuple[int, str] | None:
    """Where a JSON text has what `loads` refuses, before it is parsed (json.loads recurses, so a deep text
    fails there without a position): (character offset, "has NaN, …" or "is nested deeper …"), or None."""
    depth = 0
    for token in _TOKEN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return token.start(), f"is nested deeper than {MAX_DEPTH} levels"
        elif first in "]}":
            depth -= 1
        elif first != '"' and not math.isfinite(float(token.group())):  # NaN, ±Infinity, 1e999
            return token.start(), f"has {token.group()}, which is not a JSON number (use null or a finite number)"
    return None
