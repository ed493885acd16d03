"""The TUI stays right while the book changes under it: another OS process writes while
these tests act, and each asserts both what the screen shows and what the database holds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from textual.widgets import DataTable, Input, Static

from balance_tui.tui.screens.adjust import AdjustForm
from balance_tui.tui.screens.analytics_periods import PERIOD_CHOICES
from tests.locks import write_lock
from tests.tui.conftest import SIZE, settle, until

pytestmark = pytest.mark.timeout(120)

RAISE_ALERT = textwrap.dedent("""
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
    print(" ".join(str(a.id) for a in result.alerts))
""")

ACKNOWLEDGE = textwrap.dedent("""
    import sys
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="carol")
    services.notifications.acknowledge_alerts([int(i) for i in sys.argv[2:]], "carol")
""")


def _other_process(script: str, *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _alert_rows(app) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(str(r.value)) for r in app.screen.query_one("#alerts", DataTable).rows]


def _quiet_customer(services) -> str:  # type: ignore[no-untyped-def]
    """A customer with a balance well above the warning line and no open alerts."""
    for summary in services.manager.list_customers():
        if summary.customer.balance > 5_000 and summary.active_alerts == 0:
            return summary.customer.id
    raise AssertionError("the demo data has no quiet customer")


async def test_the_highlighted_alert_is_the_one_acknowledged_after_a_live_refresh(
    app, services, db_file
) -> None:
    """A new alert inserted at the top leaves the highlight on the alert it was on."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("down", "down")
        table = app.screen.query_one("#alerts", DataTable)
        chosen = _alert_rows(app)[table.cursor_row]
        new_ids = _other_process(RAISE_ALERT, db_file, _quiet_customer(services)).split()
        await until(pilot, lambda: int(new_ids[0]) in _alert_rows(app))
        assert _alert_rows(app)[table.cursor_row] == chosen  # the highlight followed it
        await pilot.press("enter", "enter")  # acknowledge, no note
        await until(pilot, lambda: services.notifications.get_alert(chosen).acknowledged_at)
    assert services.notifications.get_alert(chosen).acknowledged_by == "tester"
    for new in new_ids:
        assert services.notifications.get_alert(int(new)).acknowledged_at is None


async def _open_adjust(pilot, app, services) -> AdjustForm:  # type: ignore[no-untyped-def]
    await settle(pilot, app)
    await pilot.press("a")
    await until(pilot, lambda: isinstance(app.screen, AdjustForm))
    return app.screen  # type: ignore[return-value]


def _static(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).visual)


async def test_a_submitted_change_the_engine_refuses_is_one_recorded_attempt(app, services) -> None:
    """Enter on a change the preview already refuses moves no money; it is recorded once,
    with one limit alert, as the same attempt from the CLI is."""
    limit_alerts = len(services.notifications.get_active_alerts(alert_type="limit_exceeded"))
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_adjust(pilot, app, services)
        customer = form.summary.customer.id
        await pilot.press(*"90000000")
        await until(pilot, lambda: "✖" in _static(app, "#errors"))
        await pilot.press("tab", "tab", *"too much", "enter")
        await until(pilot, lambda: "nothing was posted" in _static(app, "#errors"))
        await settle(pilot, app)
        assert isinstance(app.screen, AdjustForm)
    assert len(services.notifications.get_active_alerts(alert_type="limit_exceeded")) == (
        limit_alerts + 1
    )
    assert services.audit.get_balance_history(customer, limit=1)[0].reason != "too much"


async def test_the_amount_box_keeps_what_was_typed_and_says_what_is_wrong(app, services) -> None:
    """'1OO' is named as not an amount (never read as '1'), and the old preview goes."""
    async with app.run_test(size=SIZE) as pilot:
        await _open_adjust(pilot, app, services)
        await pilot.press(*"25")
        await until(pilot, lambda: "→" in _static(app, "#preview"))
        await pilot.press("backspace", "backspace", *"1OO")
        amount = app.screen.query_one("#amount", Input)
        assert amount.value == "1OO"
        await until(pilot, lambda: "not an amount" in _static(app, "#errors"))
        assert "→" not in _static(app, "#preview")


async def test_a_change_posting_behind_a_lock_says_so_and_its_outcome_is_announced(
    app, services, db_file
) -> None:
    """While the database is held the form says it is waiting, Escape does not pretend to
    cancel, and the outcome is said when it comes."""
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_adjust(pilot, app, services)
        customer = form.summary.customer.id
        before = services.manager.get_customer(customer).balance
        with write_lock(db_file) as release:
            await pilot.press(*"12", "tab", "tab", *"behind a lock", "enter")
            await until(pilot, lambda: "posting" in _static(app, "#status").lower())
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, AdjustForm)  # it does not pretend to cancel
            assert "still posting" in _static(app, "#status").lower()
            release.set()
            await until(pilot, lambda: not isinstance(app.screen, AdjustForm), tries=600)
        await settle(pilot, app)
        assert any("12.00" in n.message for n in app.message_log)  # announced
    assert services.manager.get_customer(customer).balance == before + 12


BATCH = textwrap.dedent("""
    import sys
    from balance_tui.config import Settings
    from balance_tui.domain.records import BalanceChange
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="dave")
    customer, count = sys.argv[2], int(sys.argv[3])
    changes = [BalanceChange(customer, "1.00", "deposit", f"batch {i}", "dave")
               for i in range(count)]
    result = services.manager.update_balances(changes)
    assert result.success, result.errors
    print(" ".join(str(r.event.id) for r in result.results))
""")


async def test_history_shows_every_event_of_a_big_batch_written_elsewhere(
    app, services, db_file
) -> None:
    """After a batch of 150 changes every newer event is fetched, not one page."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        table = app.screen.query_one("#events", DataTable)
        await until(pilot, lambda: table.row_count > 0)
        await pilot.press("down", "down", "down")
        chosen = str(table.get_row_at(table.cursor_row)[0])
        ids = _other_process(BATCH, db_file, _quiet_customer(services), "150").split()
        await until(pilot, lambda: all(_has(table, i) for i in ids), tries=500)
        shown = [str(table.get_row_at(i)[0]).lstrip("#") for i in range(150)]
        assert shown == sorted(ids, key=int, reverse=True)  # on top, newest first
        assert str(table.get_row_at(table.cursor_row)[0]) == chosen  # cursor kept its event


def _has(table: DataTable, key: str) -> bool:  # type: ignore[type-arg]
    return any(str(r.value) == key for r in table.rows)


async def test_a_late_answer_for_an_older_filter_is_dropped(app, services) -> None:
    """Results for "a" arriving after those for "abbott" never replace them."""
    wanted = services.manager.list_customers()[0].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        screen.query_one("#customer-filter", Input).value = wanted
        await settle(pilot, app)
        table = screen.query_one("#customers", DataTable)
        await until(pilot, lambda: [str(r.value) for r in table.rows] == [wanted])
        older = services.manager.customer_page("")  # a slow answer to what the box said before
        screen.fill(older, ("", "id", False))
        await settle(pilot, app)
        assert [str(r.value) for r in table.rows] == [wanted]


async def test_the_figures_shown_are_for_the_period_shown(app, services) -> None:
    """'p' three times shows the figures of the period selected, whatever order they come in."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        await pilot.press("p", "p", "p")
        await settle(pilot, app)
        chosen = str(app.screen.query_one("#period").value)
        label = dict((value, label) for label, value in PERIOD_CHOICES)[chosen]
        kind = chosen.removeprefix("cal:")  # a calendar period is named by its own dates
        title = _static(app, "#title")
        assert f"· {label} ·" in title or f"· {kind} " in title, title


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_a_database_file_deleted_or_replaced_is_noticed_and_never_recreated(
    app, services, db_file, how
) -> None:
    """A book file removed under the app is said, never shown stale or made again empty."""
    import os
    from pathlib import Path

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for suffix in ("", "-wal", "-shm"):
            Path(db_file + suffix).unlink(missing_ok=True)
        if how == "replaced":
            other = sqlite3.connect(db_file)
            other.execute("CREATE TABLE notes (text TEXT)")
            other.commit()
            other.close()
        await until(pilot, lambda: any(how in m.message for m in app.message_log), tries=500)
        assert "GONE" in app.sub_title
        await pilot.press("3")  # a screen that reads the database
        await settle(pilot, app)
    if how == "deleted":
        assert not os.path.exists(db_file)
    else:
        tables = sqlite3.connect(db_file).execute("SELECT name FROM sqlite_master").fetchall()
        assert tables == [("notes",)]


SMALL_DROP = textwrap.dedent("""
    import sys
    from decimal import Decimal
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="erin")
    customer = sys.argv[2]
    balance = services.manager.get_customer(customer).balance
    cut = -(balance * 3 / 10).quantize(Decimal("0.01"))  # a drop, still above every line
    result = services.manager.update_balance(customer, None, cut, "adjustment", "less", "erin")
    assert result.success, result.validation.errors
    print(" ".join(f"{a.id}:{a.alert_type}" for a in result.alerts))
""")


def _quiet_customers(services, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    found = [
        s.customer.id
        for s in services.manager.list_customers()
        if s.customer.balance > 5_000 and s.active_alerts == 0
    ]
    assert len(found) >= count, "the demo data has too few quiet customers"
    return found[:count]


async def test_a_critical_alert_takes_the_banner_from_a_lesser_one(app, services, db_file) -> None:
    """A CRITICAL banner comes before an older SIGNIFICANT DROP."""
    first, second = _quiet_customers(services, 2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        raised = _other_process(SMALL_DROP, db_file, first)
        assert raised.endswith("significant_drop"), raised
        await until(pilot, lambda: app.banner_alert is not None)
        assert app.banner_alert.alert_type == "significant_drop"
        _other_process(RAISE_ALERT, db_file, second)
        await until(pilot, lambda: app.banner_alert.alert_type == "critical")
        assert app.banner_alert.customer_id == second
        assert any(a.alert_type == "significant_drop" for a in app.banner_queue)


async def test_a_banner_acknowledged_elsewhere_goes_away(app, services, db_file) -> None:
    """A banner goes when another operator acknowledges its alert."""
    (customer,) = _quiet_customers(services, 1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        ids = _other_process(RAISE_ALERT, db_file, customer).split()
        await until(pilot, lambda: app.banner_alert is not None)
        _other_process(ACKNOWLEDGE, db_file, *ids)
        await until(pilot, lambda: app.banner_alert is None, tries=500)
    for alert_id in ids:
        assert services.notifications.get_alert(int(alert_id)).acknowledged_by == "carol"


async def test_alert_counts_on_customers_follow_acknowledgements_elsewhere(
    app, services, db_file
) -> None:
    """The Alerts column follows another operator's acknowledgements."""
    (customer,) = _quiet_customers(services, 1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#customers", DataTable)
        ids = _other_process(RAISE_ALERT, db_file, customer).split()
        await until(pilot, lambda: str(table.get_row(customer)[6]).strip() == str(len(ids)))
        _other_process(ACKNOWLEDGE, db_file, *ids)
        await until(pilot, lambda: str(table.get_row(customer)[6]).strip() in ("·", "0"))


async def test_b_never_claims_an_acknowledgement_another_operator_made(services, db_file) -> None:
    """'b' on an alert another operator acknowledged says whose acknowledgement stands."""
    from balance_tui.tui.app import create_app

    # This terminal will not notice the ack; its own is written as soon as b's window closes.
    app = create_app(services, poll_seconds=3600, undo_seconds=0.05)
    (customer,) = _quiet_customers(services, 1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        balance = services.manager.get_customer(customer).balance
        result = services.manager.update_balance(
            customer, None, -(balance - 50), "adjustment", "this terminal", "tester"
        )
        await until(pilot, lambda: app.banner_alert is not None)
        shown = app.banner_alert.id
        assert shown in {a.id for a in result.alerts}
        _other_process(ACKNOWLEDGE, db_file, str(shown))
        await pilot.press("b")
        said = f"Alert #{shown} was already acknowledged by carol"
        await until(pilot, lambda: any(m.message == said for m in app.message_log))
        messages = [m.message for m in app.message_log]
        assert f"Alert #{shown} was already acknowledged by carol" in messages
        assert not any(m.startswith("Acknowledged alert") for m in messages)
    assert services.notifications.get_alert(shown).acknowledged_by == "carol"


async def test_a_hidden_screen_does_no_work_and_catches_up_when_shown(
    app, services, db_file
) -> None:
    """Hidden screens recompute when shown again, not on every change."""
    (customer,) = _quiet_customers(services, 1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#customers", DataTable)
        shown_before = str(table.get_row(customer)[4])
        await pilot.press("3")  # Customers is now hidden
        await settle(pilot, app)
        version = app.book_version
        _other_process(BATCH, db_file, customer, "1")
        await until(pilot, lambda: app.book_version > version)
        await settle(pilot, app)
        assert str(table.get_row(customer)[4]) == shown_before  # no work while hidden
        await pilot.press("1")
        await until(pilot, lambda: str(table.get_row(customer)[4]) != shown_before)
