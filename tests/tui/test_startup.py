"""Start-up: the first frame already shows the first rows, with the table focused; and a
change another terminal commits while the app reads its first rows is shown, not lost."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.store import connect
from balance_tui.tui.app import create_app
from tests.tui.conftest import SIZE, until


def _balance_cell(app, customer_id: str) -> str:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#customers", DataTable)
    return str(table.get_cell(customer_id, "balance"))


async def test_the_first_frame_has_the_first_rows_and_the_table_has_the_keys(services) -> None:  # type: ignore[no-untyped-def]
    app = create_app(services, poll_seconds=60)
    async with app.run_test(size=SIZE):
        # No pause, no waiting for workers: what the app shows as it comes up.
        table = app.screen.query_one("#customers", DataTable)
        assert table.row_count == 40
        assert app.focused is table


async def test_a_change_committed_during_the_first_read_is_shown(
    services, db_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The first rows are read, then (before the app watches) another terminal commits: the
    app must still show it. Where to watch from is taken before the first read."""
    other = build_services(connect(db_file), Settings(), operator="bob")
    customer = services.manager.list_customers(limit=1)[0].customer
    listing = services.manager.list_customers
    wrote: list[Decimal] = []

    def read_then_another_terminal_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows = listing(*args, **kwargs)
        if not wrote:
            result = other.manager.update_balance(
                customer.id, None, Decimal("1234.56"), "deposit", "other terminal", "bob"
            )
            assert result.success
            wrote.append(result.event.new_balance)
        return rows

    monkeypatch.setattr(services.manager, "list_customers", read_then_another_terminal_writes)
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        assert wrote, "the first read happened"
        shown = f"{wrote[0]:,.2f}"
        await until(pilot, lambda: shown in _balance_cell(app, customer.id))
