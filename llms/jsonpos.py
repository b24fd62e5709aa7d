"""Pure: where each value sits in a JSON text, so config errors can say file:line:col.

`json` tells where a syntax error is but not where a valid value is; this walks a text that
`json.loads` already accepted and records the (line, column) of every value by key path.
"""

from __future__ import annotations

import json
import re

__all__ = ["value_positions", "line_col"]

_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def value_positions(text: str) -> dict[tuple, tuple[int, int]]:
    """Map each key path (tuple of keys and list indexes) to its value's (line, col)."""
    offsets: dict[tuple, int] = {}
    _value(text, _skip(text, 0), (), offsets)
    return {path: line_col(text, offset) for path, offset in offsets.items()}


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()


def _value(text: str, i: int, path: tuple, out: dict) -> int:
    out[path] = i
    ch = text[i]
    if ch == "{":
        return _object(text, i + 1, path, out)
    if ch == "[":
        return _array(text, i + 1, path, out)
    match = _STRING.match(text, i) if ch == '"' else _SCALAR.match(text, i)
    return match.end()


def _object(text: str, i: int, path: tuple, out: dict) -> int:
    i = _skip(text, i)
    if text[i] == "}":
        return i + 1
    while True:
        key_match = _STRING.match(text, i)
        key = json.loads(key_match.group())
        i = _skip(text, key_match.end())
        i = _skip(text, i + 1)  # the colon
        i = _skip(text, _value(text, i, path + (key,), out))
        if text[i] == "}":
            return i + 1
        i = _skip(text, i + 1)  # the comma


def _array(text: str, i: int, path: tuple, out: dict) -> int:
    i = _skip(text, i)
    if text[i] == "]":
        return i + 1
    index = 0
    while True:
        i = _skip(text, _value(text, i, path + (index,), out))
        index += 1
        if text[i] == "]":
            return i + 1
        i = _skip(text, i + 1)
