"""Database text shown literally: Rich markup is not interpreted, control characters and
bidi overrides are made visible (``\\x1b``, ``\\u202e``) instead of reaching the terminal."""

from __future__ import annotations

from rich.text import Text

from balance_tui.domain.text import visible

__all__ = ["literal", "one_line", "visible"]


def literal(text: object, style: str = "") -> Text:
    """A Rich ``Text`` that shows ``text`` exactly as stored: no markup, no escapes."""
    return Text(visible(text), style=style)


def one_line(text: object, width: int = 60, *, whole_words: bool = False) -> str:
    """A single visible line for table cells: newlines as spaces, cut with an ellipsis.

    ``whole_words``: cut between words, so a figure inside the text ("tried -111,692.47")
    is shown whole or not at all, never as "-111,6…"."""
    flat = visible(text).replace("\n", " ").replace("\t", " ")
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    if whole_words and " " in cut:
        cut = cut[: cut.rindex(" ")].rstrip(" ,;:")
    return cut + "…"
