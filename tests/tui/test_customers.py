"""Customers screen: the table, filter as you type, open history, new customer."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from balance_tui.domain.inputs import following_code
from tests.tui.conftest import SIZE, settle, shown, until


def _ids(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#customers", DataTable)
    return [str(row.value) for row in table.rows]


async def test_table_lists_every_customer_with_balance_and_usage(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        expected = [s.customer.id for s in services.manager.list_customers()]
        assert _ids(app) == expected
        table = app.screen.query_one("#customers", DataTable)
        first = services.manager.list_customers()[0]
        row = [str(cell) for cell in table.get_row(first.customer.id)]
        assert row[0] == first.customer.id and row[1] == first.customer.name
        assert row[4].replace(",", "") == f"{first.customer.balance} {first.customer.currency}"
        assert "/" in row[5]
        # The alert count first: a narrow terminal cuts the end of the header.
        assert "active alert" in app.sub_title.split(" · ")[0]
        assert app.sub_title.endswith("tester (admin) · demo.db")  # who, in what role


async def test_filter_as_you_type_then_enter_moves_to_the_table(app, services) -> None:
    target = services.manager.list_customers()[7].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        word = target.name.split()[1].lower()
        everyone = services.manager.list_customers()
        matching = {
            s.customer.id
            for s in everyone
            if word in (s.customer.name + s.customer.id + s.customer.agent_id).lower()
        }
        assert len(matching) < len(everyone)
        await pilot.press(*word)
        # Each key filters as it comes: wait for the whole word's answer, not a prefix's.
        await until(pilot, lambda: set(_ids(app)) == matching)
        assert target.id in matching
        await pilot.press("enter")
        assert isinstance(app.focused, DataTable)


async def test_a_filter_that_matches_nothing_says_so(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"zzz")
        said = "No customer's id, name or agent contains 'zzz'."
        await until(pilot, lambda: said in shown(app, "StatusLine"))
        await pilot.press("escape")
        await until(pilot, lambda: said not in shown(app, "StatusLine"))


async def test_h_on_a_row_opens_that_customers_history(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down", "h")
        await until(pilot, lambda: app.current_mode == "history")
        await settle(pilot, app)
        customer = _ids_at(services, 2)
        events = app.screen.events
        assert events and {e.customer_id for e in events.values()} == {customer}


def _ids_at(services, index: int) -> str:  # type: ignore[no-untyped-def]
    return services.manager.list_customers()[index].customer.id


async def test_new_customer_form_creates_one(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await pilot.press(*"NEW_1")
        await pilot.press("tab", *"AGENT_009", "tab", *"Grace Hopper")
        await pilot.press("enter")
        await settle(pilot, app)
        assert services.manager.get_customer("NEW_1").name == "Grace Hopper"
        await until(pilot, lambda: "NEW_1" in _ids(app))


async def test_new_customer_form_shows_errors_inline(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n", *"bad id", "tab", *"A1", "enter")
        await settle(pilot, app)
        errors = str(app.screen.query_one("#errors").visual)
        assert "is not valid" in errors
        assert services.manager.count_customers() == 40


async def test_hostile_names_are_shown_literally(app, services) -> None:
    services.manager.create_customer("AAA_1", "A1", name="[b]x\x1b[m")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        cell = app.screen.query_one("#customers", DataTable).get_row("AAA_1")[1]
        assert str(cell) == "[b]x\\x1b[m"


async def test_a_new_customer_is_proposed_the_next_id_and_shown_once_made(app, services) -> None:  # type: ignore[no-untyped-def]
    """``n``: the id box holds the next free id in the book's numbering, selected (enter
    takes it); once made, the customer is the one row shown and highlighted."""
    newest = services.manager.list_customers(order_by="id", descending=True)[0].customer.id
    expected = following_code(newest)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await until(pilot, lambda: app.screen.query_one("#customer-id", Input).value == expected)
        await pilot.press("tab", *"AGENT_009", "tab", *"Ada Lovelace", "enter")
        await until(pilot, lambda: _ids(app) == [expected])
        assert app.screen.query_one("#customers", DataTable).highlighted_key() == expected
    assert services.manager.get_customer(expected).name == "Ada Lovelace"


async def _names_shown(app, size: tuple[int, int]) -> list[str]:  # type: ignore[no-untyped-def]
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"customer:ZZ_", "enter")
        table = app.screen.query_one("#customers", DataTable)
        await until(pilot, lambda: table.row_count == 3)
        return [str(table.get_row_at(i)[1]) for i in range(3)]


async def test_names_get_the_room_other_columns_leave(app, services) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns two customers whose names differ after ten letters are told apart (the
    tier gives its room; the card shows it); at 160 a long name is shown whole."""
    services.manager.create_customer("ZZ_1", "A1", name="Elena Abbott-Whitfield")
    services.manager.create_customer("ZZ_2", "A1", name="Elena Abbondanza")
    services.manager.create_customer("ZZ_3", "A1", name="Maximilian-Alexander Papadopoulos")
    narrow = await _names_shown(app, (80, 24))
    assert any(name.startswith("Elena Abbott-Whit") for name in narrow), narrow
    wide = await _names_shown(type(app)(services, poll_seconds=0.05), (160, 45))
    assert "Maximilian-Alexander Papadopoulos" in wide
