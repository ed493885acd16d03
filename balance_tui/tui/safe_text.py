"""Database text shown literally: Rich markup is not interpreted, control characters are
made visible (``\\x1b``) instead of reaching the terminal."""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: object) -> str:
    """The text with control characters replaced by ``\\xNN`` (newlines and tabs kept)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def literal(text: object, style: str = "") -> Text:
    """A Rich ``Text`` that shows ``text`` exactly as stored: no markup, no escapes."""
    return Text(visible(text), style=style)


def one_line(text: object, width: int = 60) -> str:
    """A single visible line for table cells: newlines as spaces, cut with an ellipsis."""
    flat = visible(text).replace("\n", " ").replace("\t", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"
