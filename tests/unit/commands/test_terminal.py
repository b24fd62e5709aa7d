"""The terminal rule: a provider's text printed without escape sequences or control characters."""

from llms.commands.terminal import MAX_HELD_CHARS, PrintableStream, printable, printable_line
from tests.hostile_provider import ESCAPES_TEXT


def test_escape_sequences_and_controls_are_removed_newlines_and_tabs_kept():
    assert printable(ESCAPES_TEXT) == "red link fakereal end."
    assert printable("a\tb\nc\x00d\x1bce\x85f") == "a\tb\ncdef"  # NUL, ESC c (reset), C1 NEL
    assert printable("cut \x1b]8;;http://x") == "cut "  # an OSC the text ends inside


def test_one_line_turns_newlines_and_tabs_into_spaces():
    assert printable_line("first\n\tsecond\x1b[2J") == "first second"


def test_a_sequence_cut_between_pieces_is_held_until_whole_wherever_the_cut():
    for first in range(len(ESCAPES_TEXT) + 1):
        for second in range(first, len(ESCAPES_TEXT) + 1):
            stream = PrintableStream()
            pieces = ESCAPES_TEXT[:first], ESCAPES_TEXT[first:second], ESCAPES_TEXT[second:]
            assert "".join(stream.feed(p) for p in pieces) + stream.finish() == "red link fakereal end."


def test_a_stream_holds_back_at_most_a_bounded_tail():
    stream = PrintableStream()
    shown = stream.feed("a\x1b]8;;" + "x" * MAX_HELD_CHARS)
    assert shown.startswith("a") and len(shown) > MAX_HELD_CHARS and "\x1b" not in shown
    assert stream.feed("\x1b]0;unfinished") == "" and stream.finish() == ""
