"""The tables' columns: BookTable measures plain cells itself (start-up), and must lay the
columns out exactly as DataTable's own measuring does, whatever the cells hold."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from balance_tui.tui.widgets.table import BookTable

COLUMNS = ("id", "name", "balance", "note")

#: Rows of every kind of cell the screens show, and some they never should.
ROWS: list[tuple[Any, ...]] = [
    ("CUSTOMER_00001", Text("Ann"), Text("1,234.56 EUR", justify="right"), "plain"),
    ("C2", Text("名前はとても長い"), Text("-7.00 EUR", style="red", justify="right"), "·"),
    ("C3", Text("two\nlines"), Text("0.00 EUR"), "plain"),
    ("C4", Text(""), Text("12.00 EUR"), ":thumbs_up: an emoji code"),
    ("C5", Text(""), Text("12.00 EUR"), "[b]markup[/b] reads shorter"),
    ("C6", "tab\tinside", Text("99,999,999.99 EUR", justify="right"), "x" * 40),
    ("C7", 12345, None, 3.14159),
]


class TwoTables(App[None]):
    def compose(self) -> ComposeResult:
        yield BookTable(id="ours")
        yield DataTable(id="theirs")


def _layout(table: DataTable[Any]) -> tuple[list[int], tuple[int, int]]:
    widths = [column.get_render_width(table) for column in table.ordered_columns]
    return widths, (table.virtual_size.width, table.virtual_size.height)


async def _both(batches: list[list[tuple[Any, ...]]]) -> tuple[Any, Any]:
    app = TwoTables()
    async with app.run_test() as pilot:
        ours, theirs = app.query_one("#ours", BookTable), app.query_one("#theirs", DataTable)
        for table in (ours, theirs):
            table.add_columns(*COLUMNS)
        for number, batch in enumerate(batches):
            for table in (ours, theirs):
                for index, row in enumerate(batch):
                    table.add_row(*row, key=f"{number}-{index}")
            await pilot.pause()
        return _layout(ours), _layout(theirs)


async def test_plain_rows_are_laid_out_as_datatable_lays_them_out() -> None:
    plain = [row for row in ROWS if row[0] in ("CUSTOMER_00001", "C2")]
    ours, theirs = await _both([plain])
    assert ours == theirs
    assert ours[0][1] == len("名前はとても長い") * 2 + 2  # wide characters take two cells


@pytest.mark.parametrize("row", ROWS, ids=[str(row[0]) for row in ROWS])
async def test_every_kind_of_cell_is_laid_out_as_datatable_lays_it_out(row) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = await _both([[row]])
    assert ours == theirs


async def test_rows_added_one_by_one_are_laid_out_as_datatable_lays_them_out() -> None:
    ours, theirs = await _both([[row] for row in ROWS])
    assert ours == theirs


async def test_later_rows_widen_the_columns_as_in_datatable() -> None:
    ours, theirs = await _both([ROWS[:2], [("C9", Text("a much longer name than before"))]])
    assert ours == theirs


#: Cells BookTable draws itself (plain one-line text) and cells it leaves to DataTable.
DRAWN: list[Any] = [
    "CUSTOMER_00001",
    Text("Ann"),
    Text("1,234.56 EUR", justify="right"),
    Text("-7.00 EUR", style="red", justify="right"),
    Text("·", style="dim", justify="right"),
    Text("dim, left", style="dim", justify="left"),
    Text("centred", justify="center"),
    Text("full justify of words", justify="full"),
    Text("   spaced   "),
    Text.assemble(("two", "green"), " ", ("styles", "italic")),
    Text("名前はとても長いです本当に長い"),
    Text("far too long for the narrow column, cut with an ellipsis", overflow="ellipsis"),
    "far too long for the narrow column, cropped",
    "an emoji 🎉 takes two cells",
    Text("wraps when asked", no_wrap=False),
    # DataTable's own: markup, emoji codes, more than one line, tabs, empty, other types
    "[b]markup[/b]",
    "an :thumbs_up: code",
    Text("two\nlines"),
    Text("tab\tinside"),
    Text(""),
    "",
    12345,
    3.14159,
    None,
]


class OneTable(App[None]):
    def __init__(self, table: DataTable[Any]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


async def _drawn(table: DataTable[Any], cursor_row: int) -> list[list[Any]]:
    """Every line the table draws, as segments (text, style and its mouse metadata)."""
    app = OneTable(table)
    async with app.run_test(size=(100, len(DRAWN) + 4)) as pilot:
        table.add_column("narrow", width=8)
        table.add_column("wide", width=22)
        table.add_column("auto")
        for index, cell in enumerate(DRAWN):
            table.add_row(cell, cell, cell, key=str(index))
        table.move_cursor(row=cursor_row)
        await pilot.pause()
        return [list(table.render_line(y)) for y in range(table.size.height)]


@pytest.mark.parametrize("cursor_row", [0, 3, 9])  # 3 and 9: coloured text under the cursor
@pytest.mark.parametrize("priority", ["css", "renderable"])
async def test_cells_are_drawn_as_datatable_draws_them(cursor_row: int, priority: str) -> None:
    """BookTable draws plain cells itself (the first frame waited for Rich to render each
    cell through its general pipeline): every line, segment for segment, is DataTable's,
    the cursor's row and the zebra stripes included, whichever style wins in the cursor."""
    kinds: dict[str, Any] = {
        "cursor_foreground_priority": priority,
        "cursor_background_priority": priority,
    }
    ours = await _drawn(BookTable(**kinds), cursor_row)
    theirs = await _drawn(DataTable(cursor_type="row", zebra_stripes=True, **kinds), cursor_row)
    assert len(ours) == len(DRAWN) + 1  # the header and every row were drawn
    for y, (line, expected) in enumerate(zip(ours, theirs, strict=True)):
        assert line == expected, f"line {y}"
