"""Alerts: acknowledge one, all shown after confirming, show acknowledged with who/when."""

from __future__ import annotations

from textual.widgets import DataTable

from balance_tui.tui.screens.dialogs import ConfirmDialog
from tests.tui.conftest import SIZE, settle, until


def _rows(app) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(str(r.value)) for r in app.screen.query_one("#alerts", DataTable).rows]


async def test_active_alerts_newest_first_and_acknowledge_one(app, services) -> None:
    active = services.notifications.get_active_alerts()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        assert _rows(app) == [a.id for a in active]
        await pilot.press("space")
        await settle(pilot, app)
        acked = services.notifications.get_alert(active[0].id)
        assert acked.acknowledged_by == "tester" and acked.acknowledged_at is not None
        assert active[0].id not in _rows(app)
        await pilot.press("t")
        await settle(pilot, app)
        assert active[0].id in _rows(app)
        state = str(app.screen.query_one("#alerts", DataTable).get_row(str(active[0].id))[5])
        assert state.startswith("ack tester")


async def test_acknowledge_all_asks_first(app, services) -> None:
    count = len(services.notifications.get_active_alerts())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot, app)
        assert len(services.notifications.get_active_alerts()) == count > 0
        await pilot.press("A", "y")
        await settle(pilot, app)
        assert services.notifications.get_active_alerts() == []
        assert _rows(app) == []
        await until(pilot, lambda: app.active_alerts == 0)
        assert "· 0 active alerts" in app.sub_title


async def test_filter_by_type(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("slash", *"type:significant_drop", "enter")
        await settle(pilot, app)
        shown = [services.notifications.get_alert(i) for i in _rows(app)]
        assert shown and {a.alert_type for a in shown} == {"significant_drop"}
