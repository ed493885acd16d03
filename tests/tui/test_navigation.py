"""Moving around: top and bottom keys on every table, go to an event or a day on History,
the banner keys from inside a text box, the filter language on every screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from balance_tui.tui.screens.dialogs import GoToDialog, NoteDialog
from tests.tui.conftest import FROZEN, SIZE, settle, shown, until


def _table(app, selector: str) -> DataTable:  # type: ignore[no-untyped-def, type-arg]
    return app.screen.query_one(selector, DataTable)


async def test_home_end_g_and_gg_go_to_the_first_and_last_rows(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = _table(app, "#customers")
        last = table.row_count - 1
        assert last > 5
        await pilot.press("end")
        assert table.cursor_row == last
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == last
        await pilot.press("g", "down")  # a g not followed by g does nothing
        assert table.cursor_row == last
        await pilot.press("up", "up", "g", "g")
        assert table.cursor_row == 0
        assert table.scroll_x == 0  # never sideways


async def test_history_home_end_and_g_g_through_the_go_to_box(app, services) -> None:
    oldest = services.audit.history_page(limit=1000)[-1]
    newest = services.audit.history_page(limit=1)[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        table = _table(app, "#events")
        await pilot.press("end")  # the oldest event of the book, not of the rows loaded
        await until(pilot, lambda: table.get_row_at(table.cursor_row)[0].plain == f"#{oldest.id}")
        await pilot.press("g", "g")
        await settle(pilot, app)
        assert table.cursor_row == 0
        assert table.get_row_at(0)[0].plain == f"#{newest.id}"
        await pilot.press("G")
        assert table.cursor_row > 0
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_help_names_home_and_end_for_what_they_do(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        keys = app.screen.active_bindings
        assert keys["home"].binding.description == "Top"
        assert keys["end"].binding.description == "Bottom"


async def test_history_goes_to_an_event_number(app, services) -> None:
    target = services.audit.history_page(limit=250)[-1]  # deep: not on the first page
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("g")
        assert isinstance(app.screen, GoToDialog)
        await pilot.press(*f"#{target.id}", "enter")
        await settle(pilot, app)
        table = _table(app, "#events")
        assert table.get_row_at(0)[0].plain == f"#{target.id}"
        assert table.cursor_row == 0
        # g g goes back to the newest
        await pilot.press("g", "g")
        await settle(pilot, app)
        newest = services.audit.history_page(limit=1)[0]
        assert table.get_row_at(0)[0].plain == f"#{newest.id}"


async def test_history_goes_to_a_day_and_says_when_there_is_nothing(app, services) -> None:
    day = (FROZEN - timedelta(days=10)).date()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("g", *day.isoformat(), "enter")
        await settle(pilot, app)
        first = app.screen.events[int(_table(app, "#events").get_row_at(0)[0].plain[1:])]  # type: ignore[attr-defined]
        assert first.created_at.date() == day  # the newest event of that day
        await pilot.press("g", *"1999-01-01", "enter")
        await settle(pilot, app)
        assert any("No events on or before 1999-01-01" in m.message for m in app.message_log)
        await pilot.press("g", *"someday", "enter")
        assert isinstance(app.screen, GoToDialog)
        assert "neither an event number" in shown(app, "#errors")


async def test_banner_keys_work_from_a_text_box_and_letters_still_type(app, services) -> None:
    customer = services.manager.list_customers()[0].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"bx")  # b and x are letters here
        box = app.screen.query_one("#customer-filter", Input)
        assert box.value == "bx"
        services.manager.update_balance(customer, None, "-9000000", "withdrawal", "big", "ann")
        await until(pilot, lambda: app.banner_alert is not None)
        alert = app.banner_alert
        assert alert is not None
        await pilot.press("ctrl+b")
        await until(pilot, lambda: services.notifications.get_alert(alert.id).acknowledged_at)
        assert box.value == "bx" and app.focused is box


@pytest.mark.parametrize("screen", ["1", "2", "3"])
async def test_escape_in_a_filter_clears_it_and_returns_to_the_table(app, screen) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(screen)
        await settle(pilot, app)
        await pilot.press("slash", *"00001", "enter")
        await settle(pilot, app)
        assert isinstance(app.focused, DataTable)  # Enter went back to the table
        await pilot.press("slash", "escape")
        await settle(pilot, app)
        assert isinstance(app.focused, DataTable)
        assert app.screen.query_one(".filter-bar", Input).value == ""


async def test_recent_filters_come_back_with_up_and_down(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        for text in ("type:wager", "type:deposit"):
            await pilot.press("slash", *text, "enter")
            await settle(pilot, app)
        box = app.screen.query_one("#history-filter", Input)
        await pilot.press("slash", "ctrl+u", "up")
        assert box.value == "type:deposit"
        await pilot.press("up")
        assert box.value == "type:wager"
        await pilot.press("down")
        assert box.value == "type:deposit"
        await pilot.press("down")
        assert box.value == ""


async def test_history_finds_customers_by_part_of_id_or_name(app, services) -> None:
    customers = [s.customer for s in services.manager.list_customers()]
    surname = customers[7].name.split()[1]
    wanted = {c.id for c in customers if surname.lower() in c.name.lower()}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *surname.lower(), "enter")
        await settle(pilot, app)
        shown_ids = {e.customer_id for e in app.screen.events.values()}  # type: ignore[attr-defined]
        assert shown_ids and shown_ids <= wanted
        await pilot.press("slash", "ctrl+u", *"0001", "enter")  # part of an id
        await settle(pilot, app)
        shown_ids = {e.customer_id for e in app.screen.events.values()}  # type: ignore[attr-defined]
        assert shown_ids and all("0001" in c for c in shown_ids) and len(shown_ids) > 1
        await pilot.press("slash", "ctrl+u", *"nobody-at-all", "enter")
        await settle(pilot, app)
        assert any("No customer's id or name contains" in m.message for m in app.message_log)


async def test_history_to_is_inclusive(app, services) -> None:
    day = (FROZEN - timedelta(days=3)).date()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *f"from:{day} to:{day}", "enter")
        await settle(pilot, app)
        days = {e.created_at.date() for e in app.screen.events.values()}  # type: ignore[attr-defined]
        assert days == {day}


async def test_alerts_filter_by_part_of_a_name_and_the_type_name_shown(app, services) -> None:
    alerts = services.notifications.list_alerts(include_acknowledged=True)
    drop = next(a for a in alerts if a.alert_type == "significant_drop")
    name = services.manager.get_customer(drop.customer_id).name
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("t")  # every alert, acknowledged too
        await settle(pilot, app)
        await pilot.press("slash", *f"{name.lower()} type:significant drop", "enter")
        await settle(pilot, app)
        rows = [int(str(r.value)) for r in _table(app, "#alerts").rows]
        expected = [
            a.id
            for a in alerts
            if a.alert_type == "significant_drop"
            and name.lower() in services.manager.get_customer(a.customer_id).name.lower()
        ]
        assert rows == expected and drop.id in rows


async def test_analytics_scope_enter_returns_to_the_figures(app, services) -> None:
    customer = services.manager.list_customers()[5].customer
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        await pilot.press("slash", "ctrl+u", *customer.name.lower(), "enter")
        await settle(pilot, app)
        assert not isinstance(app.focused, Input)  # back on the figures: 1-4 work
        assert customer.id in shown(app, "#title")
        await pilot.press("1")
        assert app.current_mode == "customers"


async def test_customers_take_the_same_language(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"agent:AGENT_002", "enter")
        await settle(pilot, app)
        await until(pilot, lambda: _table(app, "#customers").row_count < 40)
        shown_ids = [str(r.value) for r in _table(app, "#customers").rows]
        agents = {services.manager.get_customer(c).agent_id for c in shown_ids}
        assert shown_ids and agents == {"AGENT_002"}
        await pilot.press("slash", "ctrl+u", *"colour:red", "enter")
        assert any("Unknown filter 'colour:'" in m.message for m in app.message_log)


async def test_going_to_an_event_the_filter_hides_offers_to_clear_it(app, services) -> None:
    """Never the event before it in the filter (one key from reversing the wrong one)."""
    customers = [s.customer.id for s in services.manager.list_customers()]
    events = services.audit.history_page(limit=600)
    target = next(e for e in events if e.customer_id == customers[5])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *f"customer:{customers[1]}", "enter")
        await settle(pilot, app)
        await pilot.press("g", *f"#{target.id}", "enter")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        assert f"Event #{target.id} is not in this filter" in str(
            app.screen.query_one(Static).visual
        )
        await pilot.press("enter")
        await settle(pilot, app)
        table = _table(app, "#events")
        await until(pilot, lambda: table.row_count > 0)
        assert table.get_row_at(table.cursor_row)[0].plain == f"#{target.id}"
        assert app.screen.query_one("#history-filter", Input).value == ""
