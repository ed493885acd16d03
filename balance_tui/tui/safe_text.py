"""Database text shown literally: Rich markup is not interpreted, control characters and
bidi overrides are made visible (``\\x1b``, ``\\u202e``) instead of reaching the terminal."""

from __future__ import annotations

from rich.text import Text

from balance_tui.domain.text import visible

__all__ = ["literal", "one_line", "visible"]


def literal(text: object, style: str = "") -> Text:
    """A Rich ``Text`` that shows ``text`` exactly as stored: no markup, no escapes."""
    return Text(visible(text), style=style)


def one_line(text: object, width: int = 60) -> str:
    """A single visible line for table cells: newlines as spaces, cut with an ellipsis."""
    flat = visible(text).replace("\n", " ").replace("\t", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"
