"""Many customers: the screen holds the pages the operator has reached, not the book. The
database filters and orders; the next page comes as the cursor nears the last row; End
shows the last page and the pages above it come as the cursor climbs; a filter typed
meanwhile wins; a key pressed right behind a sort acts on the new order's row."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from textual import events
from textual.widgets import DataTable

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.app import create_app
from balance_tui.tui.screens import customers as customers_screen
from balance_tui.tui.screens.card import CustomerCard
from tests.tui.conftest import FROZEN, SIZE, settle, shown, until

CUSTOMERS = 7_000
FIRST = customers_screen.FIRST_ROWS


@pytest.fixture
def many(tmp_path) -> Services:  # type: ignore[no-untyped-def]
    db = connect(str(tmp_path / "many.db"))
    initialize_balance_tables(db)
    services = build_services(db, Settings(), lambda: FROZEN, operator="tester")
    generate_demo(services, customers=CUSTOMERS, days=30, events=3_000, seed=5)
    return dataclasses.replace(services, database_label="many.db")


def _ids(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#customers", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]  # as displayed


def _held(many: Services, monkeypatch, which) -> threading.Event:  # type: ignore[no-untyped-def]
    """Page reads that ``which`` picks (by their keyword arguments) wait until the returned
    event is set: a slow database answer, at a moment the test chooses."""
    answered = threading.Event()
    read_page = many.manager.customer_page

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        if which(kwargs):
            answered.wait(timeout=10)
        return read_page(*args, **kwargs)

    monkeypatch.setattr(many.manager, "customer_page", held)
    return answered


def _cursor(app) -> int:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#customers", DataTable).cursor_row


async def test_the_screen_holds_the_first_page_not_the_book(many) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        ids = _ids(app)
        assert ids == [f"CUSTOMER_{i:05d}" for i in range(1, FIRST + 1)]
        assert f"row 1 of {CUSTOMERS:,}" in shown(app, "StatusLine")


async def test_moving_down_reads_the_next_pages_in_order(many) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for _ in range(12):  # about 30 rows a page down: past the first page
            await pilot.press("pagedown")
        await settle(pilot, app)
        ids = _ids(app)
        assert FIRST < len(ids) < CUSTOMERS
        assert ids == [f"CUSTOMER_{i:05d}" for i in range(1, len(ids) + 1)]
        assert f"row {_cursor(app) + 1:,} of {CUSTOMERS:,}" in shown(app, "StatusLine")


async def test_the_mouse_wheel_near_the_last_row_reads_the_next_page(many) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#customers", DataTable)
        for _ in range(80):  # the wheel, over the table: the view moves, the cursor stays
            table.post_message(events.MouseScrollDown(table, 5, 5, 0, 1, 0, False, False, False))
        await settle(pilot, app)
        ids = _ids(app)
        assert len(ids) > FIRST and _cursor(app) == 0
        assert ids == [f"CUSTOMER_{i:05d}" for i in range(1, len(ids) + 1)]


async def test_end_shows_the_last_page_and_the_pages_above_come_as_the_cursor_climbs(many) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("end")
        await settle(pilot, app)
        last = [f"CUSTOMER_{i:05d}" for i in range(CUSTOMERS - FIRST + 1, CUSTOMERS + 1)]
        assert _ids(app) == last  # the last page, not every row up to it
        assert _cursor(app) == FIRST - 1
        assert f"row {CUSTOMERS:,} of {CUSTOMERS:,}" in shown(app, "StatusLine")

        for _ in range(8):  # up, past the first rows shown
            await pilot.press("pageup")
        await settle(pilot, app)
        ids = _ids(app)
        assert len(ids) > FIRST  # the page above arrived on top ...
        assert ids == [f"CUSTOMER_{i:05d}" for i in range(CUSTOMERS - len(ids) + 1, CUSTOMERS + 1)]
        table = app.screen.query_one("#customers", DataTable)
        highlighted = str(table.get_row_at(_cursor(app))[0])
        number = int(highlighted.removeprefix("CUSTOMER_"))  # ... and the cursor kept its row
        assert f"row {number:,} of {CUSTOMERS:,}" in shown(app, "StatusLine")
        assert table.scroll_y > 0  # the rows on screen stayed, the new page is above them

        await pilot.press("home")
        await settle(pilot, app)
        assert _ids(app) == [f"CUSTOMER_{i:05d}" for i in range(1, FIRST + 1)]
        assert _cursor(app) == 0


async def test_a_filter_typed_right_behind_end_wins(many, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answered = _held(many, monkeypatch, lambda asked: asked.get("descending"))  # End's read
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("end", "slash", *"CUSTOMER_01", "enter")
        answered.set()
        await settle(pilot, app)
        ids = _ids(app)
        assert ids == [f"CUSTOMER_{i:05d}" for i in range(1_000, 1_000 + FIRST)]
        assert "of 1,000" in shown(app, "StatusLine")  # CUSTOMER_01000..01999


@pytest.mark.parametrize(
    ("key", "column", "descending"),
    [("B", "balance", True), ("U", "usage", True), ("N", "name", False)],
)
async def test_a_sort_shows_the_top_of_the_whole_book_at_once(
    many, key, column, descending
) -> None:  # type: ignore[no-untyped-def]
    in_order = [
        s.customer.id for s in many.manager.list_customers(order_by=column, descending=descending)
    ]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down", key)
        await settle(pilot, app)
        assert _ids(app) == in_order[:FIRST]  # not the top of the rows that were shown
        assert _cursor(app) == 0
        await pilot.press("G")
        await settle(pilot, app)
        assert _ids(app) == in_order[-FIRST:]


async def test_a_key_pressed_right_behind_a_sort_acts_on_the_new_top_row(many, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ "B" then "i" before the richest customers have come back from the database: the
    card is the richest customer's, not the one highlighted in the old order."""
    richest = many.manager.list_customers(order_by="balance", descending=True, limit=1)[0]
    answered = _held(many, monkeypatch, lambda asked: asked.get("order_by") == "balance")
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down", "B", "i")
        assert not isinstance(app.screen, CustomerCard)  # nothing acted on the old order
        answered.set()
        await until(pilot, lambda: isinstance(app.screen, CustomerCard))
        await settle(pilot, app)
        assert app.screen.customer_id == richest.customer.id


async def test_a_customer_another_terminal_moves_down_is_shown_once(many, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Richest first, the first page shown; then another terminal's withdrawal moves a
    customer of that page down into the next one. Paging down reads it again: the table keeps
    it once, where it was (a second row with the same key would stop the app), and skips
    none of the others."""
    in_order = [
        s.customer
        for s in many.manager.list_customers(order_by="balance", descending=True, limit=400)
    ]
    moved, below = in_order[FIRST - 5], in_order[FIRST + 30]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("B")
        await settle(pilot, app)
        assert _ids(app) == [c.id for c in in_order[:FIRST]]

        other = build_services(connect(str(tmp_path / "many.db")), Settings(), operator="other")
        try:
            amount = moved.balance - below.balance + 1
            result = other.manager.update_balance(
                moved.id, None, str(-amount), "withdrawal", "moves it down", "other"
            )
            assert result.success, result
        finally:
            other.db.close()

        for _ in range(12):  # down, past the first page
            await pilot.press("pagedown")
        await settle(pilot, app)
        ids = _ids(app)
        assert len(ids) == len(set(ids)) > FIRST
        assert ids.count(moved.id) == 1 and ids.index(moved.id) == FIRST - 5
        assert {c.id for c in in_order[: len(ids)]} <= set(ids) | {moved.id}
