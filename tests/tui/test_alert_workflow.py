"""Alert triage: the whole message in a detail pane, several marked and acknowledged at
once with a note, a short undo window, "N of M shown", and columns that say what they are."""

from __future__ import annotations

from textual.widgets import DataTable

from balance_tui.tui.app import create_app
from balance_tui.tui.screens import alerts as alerts_screen
from balance_tui.tui.screens.dialogs import NoteDialog
from tests.tui.conftest import SIZE, settle, shown, until


def _table(app) -> DataTable:  # type: ignore[no-untyped-def, type-arg]
    return app.screen.query_one("#alerts", DataTable)


def _rows(app) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(str(r.value)) for r in _table(app).rows]


def _more_alerts(services, count: int) -> None:  # type: ignore[no-untyped-def]
    """Refused withdrawals: each raises a limit_exceeded alert with a long message."""
    customer = services.manager.list_customers()[0].customer.id
    for _ in range(count):
        services.manager.update_balance(customer, None, "-9000000", "withdrawal", "x", "ann")


async def test_the_detail_pane_shows_the_whole_message(app, services) -> None:
    _more_alerts(services, 1)
    newest = services.notifications.get_active_alerts()[0]
    assert len(newest.message) > 60
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        detail = " ".join(shown(app, "#alert-detail", width=400).split())
        assert " ".join(newest.message.split()) in detail
        labels = [str(c.label) for c in _table(app).columns.values()]
        assert any(label.startswith("Balance") for label in labels)
        assert any(label.startswith("Attempted") for label in labels)
        row = _table(app).get_row(str(newest.id))
        attempted = _table(app).get_column_index("attempted")
        assert row[attempted].plain == "-9,000,000.00"


async def test_marked_alerts_are_acknowledged_together_with_a_note(app, services) -> None:
    _more_alerts(services, 4)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        before = _rows(app)
        await pilot.press("space", "down", "space")  # mark 1st and 3rd
        marked = [before[0], before[2]]
        assert "2 marked" in shown(app, "StatusLine")
        await pilot.press("enter")
        assert isinstance(app.screen, NoteDialog)
        assert f"alerts #{marked[0]} and #{marked[1]}" in app.screen.question
        await pilot.press(*"Agent called back", "enter")
        await until(pilot, lambda: all(i not in _rows(app) for i in marked))
        for alert_id in marked:
            alert = services.notifications.get_alert(alert_id)
            assert alert.acknowledged_by == "tester"
            assert alert.acknowledgement_note == "Agent called back"
        for alert_id in (before[1], before[3]):
            assert services.notifications.get_alert(alert_id).acknowledged_at is None


async def test_an_acknowledgement_can_be_undone_within_its_window(services) -> None:
    app = create_app(services, poll_seconds=0.05)  # the real window: seconds, not a blink
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        first = _rows(app)[0]
        await pilot.press("enter", "enter")
        state = _table(app).get_column_index("state")
        assert "u undo" in _table(app).get_row(str(first))[state].plain
        await pilot.press("u")
        assert _table(app).get_row(str(first))[state].plain == "open"
        assert any("Not acknowledged" in m.message for m in app.message_log)
        await pilot.press("q")  # leaving writes what still waits: nothing does
    assert services.notifications.get_alert(first).acknowledged_at is None


async def test_the_undo_window_counts_down_on_the_status_line_and_goes_with_u(services) -> None:
    app = create_app(services, poll_seconds=0.05, undo_seconds=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        first = _rows(app)[0]
        await pilot.press("enter", "enter")
        waiting = f"acknowledging alert #{first} in"
        await until(pilot, lambda: f"{waiting} 3 s" in shown(app, "StatusLine"))
        await until(pilot, lambda: f"{waiting} 2 s" in shown(app, "StatusLine"), tries=100)
        await pilot.press("u")
        await until(pilot, lambda: waiting not in shown(app, "StatusLine"))
        assert not any("Acknowledging" in m.message for m in app.message_log)
        await pilot.press("q")
    assert services.notifications.get_alert(first).acknowledged_at is None


async def test_an_acknowledgement_still_waiting_is_written_when_the_app_quits(services) -> None:
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        first = _rows(app)[0]
        await pilot.press("enter", *"at the bell", "enter", "q")
    alert = services.notifications.get_alert(first)
    assert alert.acknowledged_by == "tester" and alert.acknowledgement_note == "at the bell"


async def test_a_capped_list_says_how_many_are_not_shown(app, services, monkeypatch) -> None:
    monkeypatch.setattr(alerts_screen, "LIMIT", 3)
    total = len(services.notifications.get_active_alerts())
    _more_alerts(services, 3)
    total += 3
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        assert len(_rows(app)) == 3
        assert f"3 of {total:,} shown" in shown(app, "StatusLine")
