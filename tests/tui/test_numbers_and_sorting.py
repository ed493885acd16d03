"""Numbers an operator can read (currency, one-decimal percentages, nothing cut on resize)
and sorting by any column (▲/▼, tiers by rank, back at the top)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import DataTable

from balance_tui.domain.tiers import VIP_TIERS
from balance_tui.tui.screens.customers import share
from balance_tui.tui.screens.new_customer import NewCustomerForm
from tests.tui.conftest import SIZE, settle, shown


def _table(app) -> DataTable:  # type: ignore[no-untyped-def, type-arg]
    return app.screen.query_one("#customers", DataTable)


def _column(app, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    table = _table(app)
    index = table.get_column_index(key)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def test_a_share_keeps_one_decimal() -> None:
    assert share(Decimal("1250"), Decimal("50000")) == Decimal("2.5")
    assert share(Decimal("1"), Decimal("0")) == 0


def _fits(app, width: int) -> bool:  # type: ignore[no-untyped-def]
    table = _table(app)
    used = sum(c.get_render_width(table) for c in table.columns.values())
    return used <= width - 2  # the scrollbar


async def test_columns_are_laid_out_again_on_resize(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert _fits(app, 80)
        keys = [str(k.value) for k in _table(app).columns]
        assert "alerts" in keys and "balance" in keys
        await pilot.resize_terminal(120, 30)
        await settle(pilot, app)
        assert "agent" in [str(k.value) for k in _table(app).columns]
        await pilot.resize_terminal(80, 24)
        await settle(pilot, app)
        assert _fits(app, 80)  # the wide Name column did not stay wide
        assert [str(k.value) for k in _table(app).columns] == keys


async def test_a_resize_keeps_the_highlighted_customer(app) -> None:
    """Laying the columns out again for a new width used to put the cursor back on row 1,
    so the next "a" adjusted another customer."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down", "down", "down")
        table = _table(app)
        chosen = table.get_row_at(table.cursor_row)[0]
        await pilot.resize_terminal(120, 30)
        await settle(pilot, app)
        assert table.get_row_at(table.cursor_row)[0] == chosen


async def test_every_balance_carries_its_currency(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        currencies = {s.customer.currency for s in services.manager.list_customers()}
        assert all(cell.endswith(tuple(currencies)) for cell in _column(app, "balance"))


@pytest.mark.parametrize(
    ("key", "column", "value"),
    [
        ("B", "balance", lambda s: s.customer.balance),
        ("L", "alerts", lambda s: s.active_alerts),
        ("N", "name", lambda s: s.customer.name.lower()),
    ],
)
async def test_shift_letter_sorts_by_that_column_and_again_reverses(
    app, services, key, column, value
) -> None:
    summaries = {s.customer.id: s for s in services.manager.list_customers()}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down", "down", key)
        table = _table(app)
        ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        values = [value(summaries[i]) for i in ids]
        largest_first = column in ("balance", "alerts")
        assert values == sorted(values, reverse=largest_first)
        assert table.cursor_row == 0 and table.scroll_y == 0
        label = str(table.ordered_columns[table.get_column_index(column)].label)
        assert label.endswith("▼" if largest_first else "▲")
        await pilot.press(key)
        ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        values = [value(summaries[i]) for i in ids]
        assert values == sorted(values, reverse=not largest_first)
        assert f"sort {column}" in shown(app, "StatusLine")


async def test_tiers_sort_by_rank_not_alphabet(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("T")
        ranks = [VIP_TIERS.index(t) for t in _column(app, "tier")]
        assert ranks == sorted(ranks) and len(set(ranks)) > 2


async def test_no_screen_keys_are_offered_while_a_dialog_is_open(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "1" in app.screen.active_bindings
        await pilot.press("n")
        assert isinstance(app.screen, NewCustomerForm)
        for key in ("1", "2", "3", "4", "question_mark", "q"):
            assert key not in app.screen.active_bindings
        await pilot.press("1")  # typed into the box, no screen switch
        assert app.current_mode == "customers" and isinstance(app.screen, NewCustomerForm)
