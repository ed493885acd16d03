"""Real time: changes committed by another process reach the screen; palette; keys; errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from textual.widgets import DataTable

from balance_tui.tui.app import create_app
from tests.tui.conftest import SIZE, settle, until

OTHER_OPERATOR = textwrap.dedent("""
    import sys
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="bob")
    customer = sys.argv[2]
    balance = services.manager.get_customer(customer).balance
    result = services.manager.update_balance(customer, None, -(balance - 50), "adjustment",
                                             "other terminal", "bob")
    assert result.success, result.validation.errors
    print(",".join(a.alert_type for a in result.alerts))
""")


async def test_an_alert_written_by_another_process_appears_as_a_banner(
    app, services, db_file
) -> None:
    customer = services.manager.list_customers()[0].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        before = app.active_alerts
        done = subprocess.run(
            [sys.executable, "-c", OTHER_OPERATOR, db_file, customer],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        raised = done.stdout.strip().split(",")
        await until(pilot, lambda: app.banner_alert is not None)
        assert app.banner_alert.customer_id == customer
        assert app.banner_alert.alert_type in raised
        banner = str(app.screen.query_one("AlertBanner").visual)
        assert customer in banner and "50.00" in banner
        await until(pilot, lambda: app.active_alerts == before + len(raised))
        await until(
            pilot,
            lambda: str(
                app.screen.query_one("#customers", DataTable).get_row(customer)[4]
            ).startswith("50.00"),
        )
        shown = app.banner_alert
        await pilot.press("b")  # acknowledge the banner's alert (written after its undo window)
        await until(
            pilot,
            lambda: services.notifications.get_alert(shown.id).acknowledged_by == "tester",
        )


async def test_own_alerts_show_a_banner_that_x_dismisses(app, services) -> None:
    customer = services.manager.list_customers()[1].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        services.manager.update_balance(
            customer.id, None, -(customer.balance - 10), "adjustment", "drain", "tester"
        )
        await until(pilot, lambda: app.banner_alert is not None)
        alert = app.banner_alert
        while app.banner_alert is not None:
            await pilot.press("x")
        assert services.notifications.get_alert(alert.id).acknowledged_at is None


async def test_palette_jumps_to_a_customer(app, services) -> None:
    customer = services.manager.list_customers()[4].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.press(*f"history {customer.id}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.current_mode == "history")
        await settle(pilot, app)
        events = app.screen.events.values()
        assert events and {e.customer_id for e in events} == {customer.id}


async def test_keys_can_be_rebound_from_the_config(services) -> None:
    import dataclasses

    settings = dataclasses.replace(services.settings, keymap={"app.alerts": "f3"})
    app = create_app(dataclasses.replace(services, settings=settings), poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await until(pilot, lambda: app.current_mode == "alerts")


async def test_a_database_error_is_a_message_not_a_crash(app, services, db_file) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        services.db.execute_sql("DROP TRIGGER alert_acknowledge_only")
        services.db.execute_sql("ALTER TABLE alert RENAME TO alert_gone")
        await pilot.press("3")
        await settle(pilot, app)
        assert any("Database error" in n.message for n in app.message_log)
        await pilot.press("1")
        assert app.current_mode == "customers" and app.is_running


@pytest.mark.postgres
async def test_on_postgres_a_notify_brings_another_terminals_alert(postgres_url) -> None:
    from tests.tui.conftest import seeded_services

    services = seeded_services(postgres_url, customers=8, events=60)
    app = create_app(services, poll_seconds=30)  # the tick is far away: NOTIFY must do it
    customer = services.manager.list_customers()[0].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await until(pilot, lambda: app._listening_key is not None)
        done = subprocess.run(
            [sys.executable, "-c", OTHER_OPERATOR, postgres_url, customer],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: app.banner_alert is not None)
        assert app.banner_alert.customer_id == customer
    services.db.close()


@pytest.mark.postgres
async def test_on_postgres_a_dropped_listener_reconnects_and_catches_up(postgres_url) -> None:
    from tests.tui.conftest import seeded_services

    services = seeded_services(postgres_url, customers=8, events=60)
    app = create_app(services, poll_seconds=0.1)
    customer = services.manager.list_customers()[0].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await until(pilot, lambda: app._listening_key is not None)
        listeners = _listener_pids(services)
        assert listeners
        for pid in listeners:
            services.db.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
        done = subprocess.run(
            [sys.executable, "-c", OTHER_OPERATOR, postgres_url, customer],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: app.banner_alert is not None, tries=500)
        assert app.banner_alert.customer_id == customer
        await until(pilot, lambda: app._listening_key is not None and app._listening_key[0] == 2)
        assert set(_listener_pids(services)).isdisjoint(listeners)
        # ...and the new socket is watched: a later change arrives through it too.
        while app.banner_alert is not None:
            app._next_banner()
        second = services.manager.list_customers()[1].customer.id
        done = subprocess.run(
            [sys.executable, "-c", OTHER_OPERATOR, postgres_url, second],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await until(
            pilot,
            lambda: app.banner_alert is not None and app.banner_alert.customer_id == second,
            tries=500,
        )
    services.db.close()


def _listener_pids(services) -> list[int]:  # type: ignore[no-untyped-def]
    """Backends of this database's listening connections (pg_stat_activity)."""
    rows = services.db.execute_sql(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'balance-tui listener' "
        "AND datname = current_database()"
    ).fetchall()
    return [int(r[0]) for r in rows]


async def test_repeats_are_one_banner_and_X_dismisses_every_banner(app, services) -> None:  # type: ignore[no-untyped-def]
    """Several alerts of one customer and type are one banner ("× N"); x dismisses them
    together; X dismisses every banner waiting; none is acknowledged."""
    first, second = (s.customer for s in services.manager.list_customers()[2:4])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for _ in range(3):  # three refused withdrawals: three limit alerts of one customer
            services.manager.update_balance(first.id, None, "-9000000", "withdrawal", "x", "t")
        services.manager.update_balance(second.id, None, "-9000000", "withdrawal", "x", "t")
        await until(pilot, lambda: len(app.banner_group()) == 3)
        banner = str(app.screen.query_one("AlertBanner").visual)
        assert f"{first.id} × 3" in banner and "(+1 more)" in banner
        await pilot.press("x")
        await until(
            pilot,
            lambda: app.banner_alert is not None and app.banner_alert.customer_id == second.id,
        )
        services.manager.update_balance(first.id, None, "-9000000", "withdrawal", "x", "t")
        await until(pilot, lambda: len(app.banner_queue) >= 1)
        await pilot.press("X")
        await until(pilot, lambda: app.banner_alert is None and not app.banner_queue)
    assert len(services.notifications.get_active_alerts()) >= 5


async def test_b_has_the_alerts_screens_undo_window(services) -> None:  # type: ignore[no-untyped-def]
    """b counts down on the banner; u takes it back (nothing written); b again, left
    alone, is written when the window closes."""
    app = create_app(services, poll_seconds=0.05, undo_seconds=3)
    customer = services.manager.list_customers()[1].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        services.manager.update_balance(customer.id, None, "-9000000", "withdrawal", "x", "t")
        await until(pilot, lambda: app.banner_alert is not None)
        alert = app.banner_alert
        banner = lambda: str(app.screen.query_one("AlertBanner").visual)  # noqa: E731
        await pilot.press("b")
        await until(pilot, lambda: "acknowledging in 3 s · [u] undo" in banner())
        await until(pilot, lambda: "acknowledging in 2 s" in banner(), tries=100)
        await pilot.press("u")
        await until(pilot, lambda: "[b] acknowledge" in banner())
        assert services.notifications.get_alert(alert.id).acknowledged_at is None
        await pilot.press("b")
        await until(
            pilot,
            lambda: services.notifications.get_alert(alert.id).acknowledged_by == "tester",
            tries=300,
        )
        await until(pilot, lambda: app.banner_alert is None or app.banner_alert.id != alert.id)


async def test_the_highlighted_row_stays_in_view_when_a_banner_opens(app, services) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#customers", DataTable)
        bottom = table.scrollable_content_region.height - 2  # the last row in view
        await pilot.press(*["down"] * bottom)
        await settle(pilot, app)
        row = table.cursor_row
        other = services.manager.list_customers()[5].customer
        services.manager.update_balance(other.id, None, "-9000000", "withdrawal", "x", "t")
        await until(pilot, lambda: app.banner_alert is not None)
        await settle(pilot, app)
        in_view = lambda: (  # noqa: E731
            table.scroll_y <= row < table.scroll_y + table.scrollable_content_region.height - 1
        )
        await until(pilot, in_view)
        assert table.cursor_row == row
