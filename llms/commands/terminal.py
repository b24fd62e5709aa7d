"""Pure: text from outside (a provider's answer or error) made safe to print on a terminal.

A provider's text can carry terminal control sequences: `ESC [ 2 J` clears the screen, `ESC ] 8 ;; URL` writes a
hidden link, `ESC ] 52` writes the clipboard on some terminals, a carriage return overwrites what was printed
before it on the line. Printed raw, a model's answer or an upstream error could do any of that. So every escape
sequence (CSI, OSC, and the two-character ones) and every other C0 control but newline and tab, DEL and every
C1 control (U+0080–U+009F, which some terminals read as CSI and OSC too) is removed.
"""

from __future__ import annotations

import re

__all__ = ["printable", "printable_line", "PrintableStream"]

_SEQUENCE = (r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"                     # CSI … final byte (ECMA-48 5.4), 7- or 8-bit
             r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC … BEL or ST (ECMA-48 8.3.89)
             r"|\x1b[ -/]*[0-~]")                                      # ESC and a final byte (ESC c resets)
_WHOLE_SEQUENCE = re.compile(_SEQUENCE)
# In a whole text, an OSC never closed is removed to the end too.
_SEQUENCE_OR_CUT = re.compile(r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*\Z|" + _SEQUENCE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The end of a piece that may be the start of a sequence still arriving (an ESC, a CSI without its final byte,
# an OSC without its terminator).
_UNFINISHED = re.compile(r"(?:(?:\x1b\[|\x9b)[0-?]*[ -/]*|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*\x1b?|\x1b[ -/]*)\Z")
# A stream holds back at most this much of a sequence still arriving; anything longer is not a sequence a
# terminal would wait for, and is printed (without its controls).
MAX_HELD_CHARS = 256


def printable(text: str) -> str:
    """`text` without escape sequences or control characters; newlines and tabs are kept."""
    return _CONTROL.sub("", _SEQUENCE_OR_CUT.sub("", text))


def printable_line(text: str) -> str:
    """`printable(text)` on one line: newlines and tabs become spaces (a table cell, a one-line reason)."""
    return " ".join(printable(text).split())


class PrintableStream:
    """`printable` over text that arrives in pieces: a sequence cut between two pieces is held until it is whole,
    so neither half of it reaches the terminal."""

    def __init__(self):
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        self._held = ""
        unfinished = _UNFINISHED.search(text, max(0, len(text) - MAX_HELD_CHARS))
        if unfinished:
            text, self._held = text[:unfinished.start()], unfinished.group()
        return _CONTROL.sub("", _WHOLE_SEQUENCE.sub("", text))

    def finish(self) -> str:
        """What is left at the end: a sequence never finished is dropped."""
        held, self._held = self._held, ""
        return printable(held)
