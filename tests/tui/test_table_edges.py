"""No figure is cut by the edge of the screen: a table wider than the terminal blanks a
number column the edge falls in and points at the hidden side from the header; a text
column cut by the edge ends (or starts) with an ellipsis."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from balance_tui.tui.widgets.table import BookTable

ROW = ("#25371", Text("CUSTOMER_00045", no_wrap=True), "-70,000.00", "ben.ops tried -70,000.00")


class Narrow(App[None]):
    def compose(self) -> ComposeResult:
        yield BookTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(BookTable)
        table.define_columns(
            [("id", "Event"), ("customer", "Customer"), ("amount", "Amount"), ("note", "Note")],
            right=("id", "amount"),
        )
        table.add_row(*ROW, key="1")


async def _lines(width: int, scroll_x: int = 0) -> list[str]:
    app = Narrow()
    async with app.run_test(size=(width, 6)) as pilot:
        table = app.query_one(BookTable)
        await pilot.pause()
        table.scroll_to(x=scroll_x, animate=False)
        await pilot.pause()
        return [table.render_line(y).text for y in range(2)]


@pytest.mark.parametrize("width", range(30, 50))
async def test_a_figure_at_the_right_edge_is_whole_or_not_shown(width: int) -> None:
    header, row = await _lines(width)
    assert "-70,000.00" in row or "70" not in row.replace("#25371", "")
    if "-70,000.00" not in row and "Amount" not in header:
        assert "→" in header  # there is more to the right, and the header says so


@pytest.mark.parametrize("scroll_x", range(1, 9))
async def test_an_event_number_at_the_left_edge_is_whole_or_not_shown(scroll_x: int) -> None:
    header, row = await _lines(40, scroll_x)
    assert "#25371" in row or "71" not in row.split("CUSTOMER")[0]
    if "#25371" not in row:
        assert header.lstrip().startswith("←")


async def test_text_cut_by_the_edge_says_it_is_cut() -> None:
    _header, row = await _lines(60)
    assert "ben.ops tried" in row and row.rstrip().endswith("…")
