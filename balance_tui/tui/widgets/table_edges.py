"""No figure is ever cut by the edge of a table: what a column cut by an edge shows.

A table wider than the screen scrolls sideways, and the edge of the screen falls where it
falls: "327,228.21 US" at the right, "71" for #25371 at the left after a scroll. A figure
cut so reads as a whole, wrong one. Here a number column cut by an edge is left blank, and
the header shows an arrow there ("→": more to the right, "←": more to the left); a text
column cut by an edge shows an ellipsis where it is cut, so the part shown reads as part.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.strip import Strip

MORE_RIGHT = "→"
MORE_LEFT = "←"
CUT_TEXT = "…"


@dataclass(frozen=True)
class Cut:
    """A column cut by an edge of the visible part: ``at`` is where it is cut, in cells of
    the line shown (the right edge: where the column starts; the left: where it ends)."""

    at: int
    is_number: bool


def edge_cuts(
    widths: list[tuple[int, bool]], scroll_x: int, visible: int
) -> tuple[Cut | None, Cut | None]:
    """The columns (render width, is a number) cut by the left and the right edge of the
    ``visible`` cells from ``scroll_x`` on; None for an edge that falls between columns."""
    left = right = None
    start = 0
    for width, is_number in widths:
        end = start + width
        if start < scroll_x < end:
            left = Cut(end - scroll_x, is_number)
        if start < scroll_x + visible < end:
            right = Cut(start - scroll_x, is_number)
        start = end
    return left, right


def mend_line(strip: Strip, left: Cut | None, right: Cut | None, *, header: bool) -> Strip:
    """The line with its cut columns blanked (numbers) or marked as cut (text)."""
    width = strip.cell_length
    if right is not None and width > 1:
        if right.is_number and 0 < right.at < width:
            strip = _blank(strip, right.at, width, MORE_RIGHT if header else "", at_end=True)
        else:
            strip = _replace(strip, width - 1, CUT_TEXT)
    if left is not None and width > 1:
        if left.is_number and 0 < left.at < width:
            strip = _blank(strip, 0, left.at, MORE_LEFT if header else "", at_end=False)
        else:
            strip = _replace(strip, 0, CUT_TEXT)
    return strip


def _style_at(strip: Strip, x: int) -> object:
    segments = list(strip.crop(x, x + 1))
    return segments[0].style if segments else None


def _blank(strip: Strip, start: int, end: int, marker: str, *, at_end: bool) -> Strip:
    """Cells ``start``..``end`` as spaces in the style they had, ``marker`` at one end."""
    style = _style_at(strip, start)
    room = end - start
    text = (marker.rjust(room) if at_end else marker.ljust(room)) if marker else " " * room
    middle = Strip([Segment(text, style)], room)  # type: ignore[arg-type]
    parts = [strip.crop(0, start), middle, strip.crop(end, strip.cell_length)]
    return Strip.join(part for part in parts if part.cell_length)


def _replace(strip: Strip, x: int, character: str) -> Strip:
    """The cell at ``x`` shows ``character``, in its own style."""
    style = _style_at(strip, x)
    middle = Strip([Segment(character, style)], 1)  # type: ignore[arg-type]
    parts = [strip.crop(0, x), middle, strip.crop(x + 1, strip.cell_length)]
    return Strip.join(part for part in parts if part.cell_length)
