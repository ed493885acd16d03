"""The adjust form: preview while typing, inline errors that block submit, one post per form."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from textual.widgets import DataTable, Input

from balance_tui.tui.screens.adjust import AdjustForm
from balance_tui.tui.widgets.type_picker import TypePicker
from tests.tui.conftest import SIZE, settle, until


def _first(services):  # type: ignore[no-untyped-def]
    return services.manager.list_customers()[0].customer


def _event_count(services, customer_id: str) -> int:  # type: ignore[no-untyped-def]
    return len(services.audit.get_balance_history(customer_id, limit=1000))


def _text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector).visual)


async def test_preview_shows_new_balance_and_usage_then_submit_updates_row(app, services) -> None:
    customer = _first(services)
    before = _event_count(services, customer.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a")
        assert isinstance(app.screen, AdjustForm)
        await pilot.press(*"1,250.50")
        expected = f"{customer.balance + Decimal('1250.50'):,.2f}"
        await until(pilot, lambda: expected in _text(app, "#preview"))
        assert "Used after: 24h" in _text(app, "#preview")
        await pilot.press("tab", "tab", *"Bank transfer", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, AdjustForm)
        assert services.manager.get_customer(customer.id).balance == Decimal(
            expected.replace(",", "")
        )
        assert _event_count(services, customer.id) == before + 1
        await until(
            pilot,
            lambda: str(
                app.screen.query_one("#customers", DataTable).get_row(customer.id)[4]
            ).startswith(expected),
        )
        assert any("Balance updated" in (n.title or "") for n in app.message_log)


async def test_a_limit_breach_shows_inline_and_writes_nothing(app, services) -> None:
    """Submitted, a refused change moves no money and is recorded as the CLI records it:
    a refused attempt and its limit alert, named in the form."""
    customer = _first(services)
    before = _event_count(services, customer.id)
    alerts_before = services.notifications.latest_alert_id()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"9,999,999")
        await until(pilot, lambda: "above the bronze maximum" in _text(app, "#errors"))
        await pilot.press("tab", "tab", *"too much", "enter")
        await until(pilot, lambda: "nothing was posted" in _text(app, "#errors"))
        assert isinstance(app.screen, AdjustForm)
        raised = services.notifications.latest_alert_id()
        assert raised > alerts_before and f"Alert #{raised} raised" in _text(app, "#errors")
        alert = services.notifications.get_alert(raised)
        assert alert.alert_type == "limit_exceeded" and alert.customer_id == customer.id
        assert _event_count(services, customer.id) == before
        await pilot.press("escape")
        assert not isinstance(app.screen, AdjustForm)


async def test_bad_amount_and_missing_reason_block_submit(app, services) -> None:
    customer = _first(services)
    before = _event_count(services, customer.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"1.234")
        await until(pilot, lambda: "2 decimal places" in _text(app, "#errors"))
        await pilot.press("enter")
        assert isinstance(app.screen, AdjustForm)
        await pilot.press("backspace", "enter")
        await until(pilot, lambda: "Give a reason" in _text(app, "#errors"))
        assert _event_count(services, customer.id) == before


async def test_double_enter_posts_once(app, services) -> None:
    customer = _first(services)
    before = _event_count(services, customer.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"10", "tab", "tab", *"twice", "enter", "enter")
        await settle(pilot, app)
        assert _event_count(services, customer.id) == before + 1


async def test_preview_says_when_another_operator_changed_the_balance(app, services) -> None:
    customer = _first(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"5")
        await until(pilot, lambda: "→" in _text(app, "#preview"))
        services.manager.update_balance(customer.id, None, "1", "deposit", "meanwhile", "bob")
        await pilot.press("0")
        await until(pilot, lambda: "another operator" in _text(app, "#preview"))


async def test_a_post_that_waits_for_the_lock_says_how_long_and_what_keys_do(
    app, services, db_file
) -> None:  # type: ignore[no-untyped-def]
    """Another process holds the write lock: the form counts the seconds it has waited
    and its key line says it is waiting; once the lock is free the change is posted."""
    customer = _first(services)
    holder = sqlite3.connect(db_file, isolation_level=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"25", "tab", "tab", *"held lock")
        await until(pilot, lambda: "25.00" in _text(app, "#preview"))
        holder.execute("BEGIN IMMEDIATE")
        await pilot.press("enter")
        await until(pilot, lambda: "waiting for the database" in _text(app, "#status"), tries=300)
        assert "· 1 s" in _text(app, "#status")
        assert "cannot be called back" in _text(app, "#keys-hint")
        holder.execute("ROLLBACK")
        await until(pilot, lambda: not isinstance(app.screen, AdjustForm), tries=300)
    holder.close()
    assert services.audit.get_balance_history(customer.id, limit=1)[0].reason == "held lock"


async def test_escape_on_a_filled_form_keeps_a_draft_for_the_next_a(app, services) -> None:
    """What was typed comes back on the next ``a`` for the same customer; posted, the
    draft is gone; another customer's form starts empty."""
    customer = _first(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"40", "tab", "w", "tab", *"half typed", "escape")
        await until(pilot, lambda: not isinstance(app.screen, AdjustForm))
        await pilot.press("down", "a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        assert app.screen.query_one("#amount", Input).value == ""
        await pilot.press("escape", "up", "a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        await until(pilot, lambda: app.screen.query_one("#amount", Input).value == "40")
        assert app.screen.query_one("#reason", Input).value == "half typed"
        assert app.screen.query_one("#type", TypePicker).value == "withdrawal"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, AdjustForm))
        await settle(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        assert app.screen.query_one("#amount", Input).value == ""
    event = services.audit.get_balance_history(customer.id, limit=1)[0]
    assert (event.change_type, event.reason) == ("withdrawal", "half typed")


async def test_a_post_into_a_book_whose_file_is_gone_says_so_in_words(
    app, services, db_file
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", *"25", "tab", "tab", *"file gone")
        await until(pilot, lambda: "25.00" in _text(app, "#preview"))
        for suffix in ("", "-wal", "-shm"):
            Path(db_file + suffix).unlink(missing_ok=True)
        services.db.close()  # the next write opens the file again: it is not there
        await pilot.press("enter")
        said = "cannot be opened any more (moved or deleted?): nothing was changed"
        await until(pilot, lambda: said in _text(app, "#errors"), tries=300)
        assert "unable to open database file" not in _text(app, "#errors")


async def test_a_long_name_never_pushes_the_tier_out_of_the_title(app, services) -> None:  # type: ignore[no-untyped-def]
    name = "Maximilian-Alexander Konstantinos Papadopoulos-Wittelsbach of the Long Names"
    services.manager.create_customer("AAA_LONG", "AGENT_001", name=name, vip_level="gold")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"AAA_LONG", "enter")
        await until(pilot, lambda: app.screen.query_one("#customers", DataTable).row_count == 1)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        title = app.screen.query_one(".title")
        assert "Adjust AAA_LONG · gold · Maximilian" in str(title.visual)
        assert title.size.height == 1 or "gold" in str(title.visual).splitlines()[0]


async def test_a_paste_too_long_for_its_box_is_said_not_dropped_silently(app, services) -> None:  # type: ignore[no-untyped-def]
    """A 100 KB paste into the reason (500 characters at most) changes nothing and says why;
    so does one into an acknowledgement's note."""
    from textual import events

    from balance_tui.tui.screens.dialogs import NoteDialog

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        reason = app.screen.query_one("#reason", Input)
        reason.focus()
        reason.post_message(events.Paste("x" * 100_000))
        await until(pilot, lambda: any("at most 500" in m.message for m in app.message_log))
        assert reason.value == ""
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AdjustForm))
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        note = app.screen.query_one("#note", Input)
        note.post_message(events.Paste("y" * 100_000))
        await until(pilot, lambda: sum("at most 500" in m.message for m in app.message_log) == 2)
        assert note.value == ""
