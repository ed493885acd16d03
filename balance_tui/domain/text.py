"""Text from the book made harmless for a terminal or a spreadsheet. Pure functions.

Control characters (ESC starts terminal escape sequences) and the Unicode bidirectional
overrides (U+202A-U+202E, U+2066-U+2069, which can make "1,000" read as "000,1") are shown
as ``\\xNN`` / ``\\uNNNN`` instead of acting on the display.
"""

from __future__ import annotations

import re

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
#: Everything but newline and tab.
_UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}]")
#: Including newline and tab: for one-line output.
_UNSAFE_ONE_LINE = re.compile(f"[\x09\x0a{_CONTROLS}{_BIDI}]")
#: A cell a spreadsheet would run as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?", re.ASCII)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """Controls and bidi overrides escaped; newlines and tabs kept."""
    return _UNSAFE.sub(_escape, str(text))


def visible_line(text: object) -> str:
    """Like :func:`visible`, with newlines and tabs escaped too (one line)."""
    return _UNSAFE_ONE_LINE.sub(_escape, str(text))


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula, with controls escaped.

    Text starting with ``= + - @`` (or tab/CR) gets a leading apostrophe, as OWASP
    recommends; numbers ("-50.00", "-3") are left as they are.
    """
    if not isinstance(value, str):
        return value
    text = visible(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
