"""The tables every screen shows: row cursor, top/bottom keys, sortable headers.

``Home``/``gg`` go to the first row and ``End``/``G`` to the last, as in less, vim, k9s and
lazygit (a plain DataTable scrolls sideways on Home/End). Column labels carry ▲/▼ for the
sort, and columns are laid out again from scratch when the screen asks (on resize), so a
column that was wide at 160 columns does not stay wide at 80.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from balance_tui.tui.widgets.table_edges import edge_cuts, mend_line


class BookTable(DataTable[Any]):
    """A DataTable with the navigation keys an operator expects."""

    BINDINGS = [
        Binding("home", "first_row", "Top", tooltip="First row", show=False),
        Binding("end,G", "last_row", "Bottom", tooltip="Last row", show=False),
        Binding("g", "g_key", "Top (gg)", tooltip="gg: first row", show=False),
    ]

    class GoTo(Message):
        """``g`` on a table that goes to a place (History: an event number or a day)."""

        def __init__(self, table: BookTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> BookTable:
            return self.table

    class Jumped(Message):
        """Home/``gg`` or End/``G``: a screen that shows part of its rows may go to the
        first or the last row of them all."""

        def __init__(self, table: BookTable, to_end: bool) -> None:
            super().__init__()
            self.table = table
            self.to_end = to_end

        @property
        def control(self) -> BookTable:
            return self.table

    def __init__(self, *, go_to: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.go_to = go_to
        self._g_pressed = False
        self._columns: Sequence[tuple[str, str]] = ()
        self._right: frozenset[str] = frozenset()
        self.sort_column: str | None = None
        self.sort_descending = False
        #: Whether rows below the last one are on their way (a screen that pages sets it).
        self.more_below: Callable[[], bool] = lambda: False
        #: ↓ pressed on the last row while more rows were coming: played once they are in.
        self.downs_waiting = 0

    # ------------------------------------------------------------------ navigation

    def on_key(self, event: events.Key) -> None:
        if event.key != "g":
            self._g_pressed = False

    def action_g_key(self) -> None:
        if self.go_to:
            self.post_message(self.GoTo(self))
        elif self._g_pressed:
            self._g_pressed = False
            self.action_first_row()
        else:
            self._g_pressed = True

    def action_cursor_down(self) -> None:
        """↓ on the last row loaded, with more rows coming, is kept (keys typed faster than
        a page loads are not lost at the page boundary) and played by ``rows_added``."""
        if self.row_count and self.cursor_row >= self.row_count - 1 and self.more_below():
            self.downs_waiting += 1
            return
        super().action_cursor_down()

    def rows_added(self) -> None:
        """The rows below came: move on as many rows as ↓ was pressed meanwhile."""
        if self.downs_waiting and self.row_count:
            row = min(self.cursor_row + self.downs_waiting, self.row_count - 1)
            self.downs_waiting = 0
            self.move_cursor(row=row)

    def describe_binding(self, binding: Binding) -> str | None:
        """What a key does on this table, for the keys help (``g`` goes to a place here)."""
        if binding.action == "g_key" and self.go_to:
            return "Go to an event number or a day"
        return None

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)
        self.post_message(self.Jumped(self, to_end=False))

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
        self.post_message(self.Jumped(self, to_end=True))

    def on_resize(self) -> None:
        """The highlighted row stays in view when the table gets shorter (a banner opens
        above it, the terminal shrinks)."""
        if self.row_count:
            self.call_after_refresh(self._keep_cursor_in_view)

    def _keep_cursor_in_view(self) -> None:
        if self.row_count and self.cursor_row < self.row_count:
            self.move_cursor(row=self.cursor_row, scroll=True)

    # ------------------------------------------------------------------ columns

    def define_columns(
        self, columns: Sequence[tuple[str, str]], *, right: Sequence[str] = ()
    ) -> None:
        """The columns (key, label); ``right``: keys of number columns (labels right-aligned)."""
        self._columns = columns
        self._right = frozenset(right)
        self.lay_out_columns()

    def lay_out_columns(self) -> None:
        """Clear rows and columns and add the columns again: widths start from the labels
        (each with room for a ▲/▼, so sorting never shifts the columns)."""
        self.downs_waiting = 0
        self.clear(columns=True)
        for key, label in self._columns:
            width = len(label) + 2
            self.add_column(self._label(key, label), key=key)
            column = self.columns[ColumnKey(key)]
            column.content_width = max(column.content_width, width)

    def show_sort(self, column: str | None, descending: bool) -> None:
        """Mark the sorted column ▲ (ascending) or ▼ (descending) in its label."""
        self.sort_column, self.sort_descending = column, descending

    def relabel(self) -> None:
        """Redraw the labels (the ▲/▼ moved); widths stay, an arrow fits the label's room."""
        for key, label in self._columns:
            column_key = ColumnKey(key)
            if column_key in self.columns:
                self.columns[column_key].label = self._label(key, label)
        self.refresh()

    def _label(self, key: str, label: str) -> Text:
        arrow = ""
        if key == self.sort_column:
            arrow = " ▼" if self.sort_descending else " ▲"
        return Text(label + arrow, justify="right" if key in self._right else "left")

    def row_position(self) -> tuple[int, int]:
        """(the cursor's row counted from 1, rows) — 0 when the table is empty."""
        count = self.row_count
        return (self.cursor_row + 1 if count else 0), count

    # ------------------------------------------------------------------ measuring

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Widen the columns for new rows, as DataTable does, measuring plain cells here.

        DataTable measures every cell of every new row through Rich (console options, a
        markup parse of each string) before the first frame: for the customers screen's
        first 200 rows of seven columns that was a third of the start-up. A one-line
        ``Text``, or a string with nothing Rich would read as markup or an emoji code, is
        as wide as its characters' cells; any other cell, a row label or an auto-height
        row, and the rows go to DataTable's own measuring. Textual is pinned (this is a
        DataTable hook); ``test_table`` checks the widths against DataTable's.
        """
        rows = list(new_rows)
        widths = self._plain_widths(rows)
        if widths is None:
            super()._update_dimensions(rows)
            return
        for column, width in zip(self.ordered_columns, widths, strict=False):
            column.content_width = max(column.content_width, width)
        super()._update_dimensions(())  # the scrollable size, from the widths now known

    def _plain_widths(self, row_keys: list[RowKey]) -> list[int] | None:
        """The widest cell of each column among these rows; None if one is not plain."""
        widths = [0] * len(self.columns)
        for row_key in row_keys:
            row = self.rows.get(row_key)
            if row is None:  # removed before the table measured it
                continue
            if row.label is not None or row.auto_height:
                return None
            for index, cell in enumerate(self.get_row(row_key)):
                width = _plain_width(cell)
                if width is None:
                    return None
                widths[index] = max(widths[index], width)
        return widths

    # ------------------------------------------------------------------ drawing

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A body cell's line, drawn here when the cell is plain one-line text.

        DataTable draws every cell through Rich's general pipeline (``Styled`` around
        ``Padding`` around the text, each rendered, split into lines, cropped and padded):
        for the customers screen's 43 rows of seven columns that was most of the first
        frame. A plain cell (see ``_plain_cell``) in a one-line row is laid out by Rich's
        own ``Text.wrap`` as DataTable would, then padded and styled here, segment for
        segment as DataTable would (``test_table`` compares them); anything else — the
        header, row labels, fixed rows or columns, other renderables, taller rows — is
        DataTable's. Textual is pinned: the cache key and style lookup are DataTable's own.
        """
        plain = self._plain_cell(row_index, column_index)
        inner = width - 2 * self.cell_padding
        if plain is None or inner < 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key, column_key, text = plain
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style + Style.from_meta({"row": row_index, "column": column_index})
        ) + component_style
        lines = [
            _cell_line(self.app.console, text, inner, self.cell_padding, pre_style, post_style)
        ]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _plain_cell(
        self, row_index: int, column_index: int
    ) -> tuple[RowKey, ColumnKey, Text] | None:
        """A body cell's keys and the one-line ``Text`` DataTable would draw for it, or
        None when it is not that simple (DataTable then draws it)."""
        if row_index < self.fixed_rows or column_index < self.fixed_columns:
            return None  # the header (-1), row labels (-1), fixed rows and columns
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        row = self.rows.get(row_key)
        if row is None or row.height != 1 or row.auto_height:
            return None
        try:
            cell = self.get_cell(row_key, column_key)
        except CellDoesNotExist:
            return None
        if isinstance(cell, Text):
            plain = cell.plain
            if not plain or cell.no_wrap is False or _NOT_ONE_LINE.intersection(plain):
                return None
            return row_key, column_key, cell
        if isinstance(cell, str) and cell and not _NOT_PLAIN.intersection(cell):
            return row_key, column_key, Text(cell, end="", no_wrap=True)  # as DataTable has it
        return None

    def render_line(self, y: int) -> Strip:
        """A line, with no figure cut by the edge of the screen (see ``table_edges``)."""
        strip = super().render_line(y)
        widths = [
            (column.get_render_width(self), str(column.key.value) in self._right)
            for column in self.ordered_columns
        ]
        left, right = edge_cuts(widths, int(self.scroll_offset.x), self.size.width)
        if left is None and right is None:
            return strip
        return mend_line(strip, left, right, header=self.show_header and y == 0)

    def highlighted_key(self) -> str | None:
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)


#: Characters that can make Rich read a string as more than its text: markup, an emoji code.
_NOT_PLAIN = frozenset("[:\n\t\r")
#: What Rich joins laid-out lines with (the line's own style becomes a span of it).
_LINES = Text("\n")
#: Characters that make a Text more than one plain line to lay out.
_NOT_ONE_LINE = frozenset("\n\t\r")


def _cell_line(
    console: Console, text: Text, inner: int, padding: int, pre: Style, post: Style
) -> list[Segment]:
    """One cell's line as DataTable's ``Styled(Padding(text, (0, padding)), pre, post)``
    renders it at one line high: the text laid out to ``inner`` cells by Rich, cropped or
    padded to them, the padding either side, each segment styled pre + own + post."""
    laid_out = text.wrap(
        console,
        inner,
        justify=text.justify or "default",
        overflow=text.overflow or "fold",
        tab_size=8,
        no_wrap=True,
    )
    blank = console.get_style("none")
    segments = Segment.adjust_line_length(
        list(_LINES.join(laid_out).render(console, end="")), inner, style=blank, pad=True
    )
    if padding:
        edge = Segment(" " * padding, blank)
        segments = [edge, *segments, edge]
    return [
        Segment(part, (pre + style) + post if style else pre + post) for part, style, _ in segments
    ]


def _plain_width(cell: object) -> int | None:
    """The cells ``cell`` takes in a one-line table cell, or None when Rich must measure it."""
    if isinstance(cell, Text):
        return None if "\n" in cell.plain else cell.cell_len
    if isinstance(cell, str):
        return None if _NOT_PLAIN.intersection(cell) else cell_len(cell)
    return None
