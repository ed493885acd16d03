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
