"""Alerts: acknowledge one, all shown after confirming, show acknowledged with who/when."""

from __future__ import annotations

from textual.widgets import DataTable

from balance_tui.tui.screens.dialogs import NoteDialog
from tests.tui.conftest import SIZE, settle, until


def _column(table: DataTable, key: str) -> int:  # type: ignore[type-arg]
    return table.get_column_index(key)


def _rows(app) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(str(r.value)) for r in app.screen.query_one("#alerts", DataTable).rows]


async def test_active_alerts_newest_first_and_acknowledge_one(app, services) -> None:
    active = services.notifications.get_active_alerts()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        assert _rows(app) == [a.id for a in active]
        await pilot.press("enter")
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"Called the agent", "enter")
        await until(pilot, lambda: active[0].id not in _rows(app))
        acked = services.notifications.get_alert(active[0].id)
        assert acked.acknowledged_by == "tester" and acked.acknowledged_at is not None
        assert acked.acknowledgement_note == "Called the agent"
        await pilot.press("t")
        await settle(pilot, app)
        assert active[0].id in _rows(app)
        table = app.screen.query_one("#alerts", DataTable)
        state = str(table.get_row(str(active[0].id))[_column(table, "state")])
        assert state.startswith("ack tester")
        table.move_cursor(row=table.get_row_index(str(active[0].id)))
        await settle(pilot, app)
        assert "Called the agent" in str(app.screen.query_one("#alert-detail").visual)


async def test_acknowledge_all_asks_first(app, services) -> None:
    count = len(services.notifications.get_active_alerts())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("A")
        assert isinstance(app.screen, NoteDialog)
        assert f"all {count:,} active alerts" in str(app.screen.question)
        await pilot.press("escape")
        await settle(pilot, app)
        assert len(services.notifications.get_active_alerts()) == count > 0
        await pilot.press("A", "enter")
        await until(pilot, lambda: services.notifications.get_active_alerts() == [])
        await until(pilot, lambda: _rows(app) == [])
        await until(pilot, lambda: app.active_alerts == 0)
        assert app.sub_title.startswith("0 active alerts")


async def test_filter_by_type(app, services) -> None:
    every = services.notifications.list_alerts(include_acknowledged=True)
    assert "significant_drop" in {a.alert_type for a in every}
    assert {a.alert_type for a in every} != {"significant_drop"}  # something to leave out
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("t")  # every alert, acknowledged too
        await settle(pilot, app)
        await pilot.press("slash", *"type:significant_drop", "enter")
        await settle(pilot, app)
        shown = set(_rows(app))
        assert shown == {a.id for a in every if a.alert_type == "significant_drop"}


async def test_the_filter_follows_the_typing_and_names_mistakes_only_on_enter(
    app, services
) -> None:  # type: ignore[no-untyped-def]
    """As on Customers and History: the rows follow the typing after a pause, the typing
    stays in the box, and a mistake is said only on enter."""
    from textual.widgets import Input

    every = services.notifications.list_alerts(include_acknowledged=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("t")
        await settle(pilot, app)
        await pilot.press("slash", *"type:sig")  # no enter
        wanted = {a.id for a in every if a.alert_type == "significant_drop"}
        await until(pilot, lambda: set(_rows(app)) == wanted)
        assert isinstance(app.screen.focused, Input)  # still typing
        await pilot.press("ctrl+u", *"type:zzz")
        await settle(pilot, app)
        assert not any("zzz" in m.message for m in app.message_log)
        await pilot.press("enter")
        await until(pilot, lambda: any("'zzz'" in m.message for m in app.message_log))
