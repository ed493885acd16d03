"""Many customers: the rest of the table arrives in chunks after the first rows; a filter
typed meanwhile wins over the load it interrupts; a big table sorts by laying itself out
again in chunks (top rows first), with the same order as an in-place sort."""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets import DataTable

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.app import create_app
from balance_tui.tui.screens import customers as customers_screen
from tests.tui.conftest import FROZEN, SIZE, settle, until

CUSTOMERS = 7_000


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


async def test_every_customer_arrives_in_order(many) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(_ids(app)) == CUSTOMERS, tries=500)
        ids = _ids(app)
        assert ids == sorted(ids) and len(set(ids)) == CUSTOMERS


async def test_a_filter_typed_while_loading_is_not_overwritten(many, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(customers_screen, "CHUNK_ROWS", 500)  # many chunks to interrupt
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(_ids(app)) >= customers_screen.FIRST_ROWS)
        await pilot.press("slash", *"CUSTOMER_01", "enter")
        await until(pilot, lambda: len(_ids(app)) == 1000, tries=500)  # CUSTOMER_01000..01999
        await settle(pilot, app)
        ids = _ids(app)
        assert len(ids) == 1000 and all(i.startswith("CUSTOMER_01") for i in ids)


async def test_a_big_table_sorts_in_chunks_like_a_small_one(many, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(_ids(app)) == CUSTOMERS, tries=500)
        await pilot.press("B")  # balance, largest first: in place (under the limit)
        await settle(pilot, app)
        in_place = _ids(app)
        await pilot.press("I")
        await settle(pilot, app)
        monkeypatch.setattr(customers_screen, "SORT_IN_PLACE_ROWS", 1_000)
        await pilot.press("B")  # the same sort, laid out again in chunks
        await until(pilot, lambda: len(_ids(app)) == CUSTOMERS, tries=500)
        assert _ids(app) == in_place
        balances = [many.manager.customers_by_ids([i])[0].customer.balance for i in in_place[:50]]
        assert balances == sorted(balances, reverse=True)


async def test_a_sort_the_database_cannot_answer_lays_a_big_table_out_in_chunks(
    many, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(many, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(_ids(app)) == CUSTOMERS, tries=500)
        await pilot.press("N")  # by name: in place
        await settle(pilot, app)
        in_place = _ids(app)
        await pilot.press("I")
        await settle(pilot, app)
        monkeypatch.setattr(customers_screen, "SORT_IN_PLACE_ROWS", 1_000)
        monkeypatch.setattr(customers_screen, "CHUNK_ROWS", 1_500)
        await pilot.press("N")  # the same order, laid out again a chunk at a time
        await until(pilot, lambda: len(_ids(app)) == CUSTOMERS, tries=500)
        assert _ids(app) == in_place
