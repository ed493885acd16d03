"""Scrollbars drawn in whole cells.

Textual ends a thumb with the ▁▂▃▄▅▆▇ blocks for a smoother position; beside a chart, in a
plain capture or under NO_COLOR, those read as more bars of the chart. A thumb here starts
and ends on a cell boundary and is drawn in colour only, never with a glyph.
"""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBar, ScrollBarRender


class WholeCellScrollBar(ScrollBarRender):
    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars() -> None:
    """Every scrollbar of the app draws whole cells (call once, before the app runs)."""
    ScrollBar.renderer = WholeCellScrollBar
