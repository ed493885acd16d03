"""History: pages on demand, filters, detail, reverse, export."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import DataTable, Input

from balance_tui.tui.screens.dialogs import ReverseDialog
from balance_tui.tui.screens.jobs import ExportPathDialog
from tests.tui.conftest import SIZE, settle, shown, until


def _shown_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#events", DataTable)
    return [int(str(row.value)) for row in table.rows]


async def test_pages_load_on_demand_newest_first_without_duplicates(app, services) -> None:
    total = len(services.audit.history_page(limit=1000))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        assert len(_shown_ids(app)) == 100 < total
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        await until(pilot, lambda: len(_shown_ids(app)) > 100)
        ids = _shown_ids(app)
        assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
        assert ids[0] == services.audit.latest_event_id()


async def test_filter_and_detail_pane(app, services) -> None:
    customer = services.manager.list_customers()[3].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *f"customer:{customer} type:wager", "enter")
        await settle(pilot, app)
        events = [services.audit.get_event(i) for i in _shown_ids(app)]
        assert events and {(e.customer_id, e.change_type) for e in events} == {(customer, "wager")}
        detail = str(app.screen.query_one("#event-detail").visual)
        assert f"Event #{events[0].id}" in detail and events[0].hash in detail
        assert f"risk {events[0].risk_score}/100" in detail
        app.screen.query_one("#history-filter", Input).value = "type:bonus"
        await pilot.press("slash", "enter")
        assert any("Unknown type" in n.message for n in app.message_log)


async def test_reverse_asks_a_reason_and_writes_a_reversal(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        target = next(
            services.audit.get_event(i)
            for i in _shown_ids(app)
            if services.audit.get_event(i).change_type == "deposit"
        )
        table = app.screen.query_one("#events", DataTable)
        table.move_cursor(row=table.get_row_index(str(target.id)))
        await pilot.press("r")
        assert isinstance(app.screen, ReverseDialog)
        await pilot.press("enter")  # no reason: refused inline
        assert isinstance(app.screen, ReverseDialog)
        await pilot.press(*"Duplicate entry", "enter")
        await settle(pilot, app)
        reversed_ = services.audit.get_event(target.id)
        assert reversed_.reversed_by_event_id is not None
        reversal = services.audit.get_event(reversed_.reversed_by_event_id)
        assert reversal.amount == -target.amount and reversal.reason == "Duplicate entry"
        assert reversal.performed_by == "tester"
        await until(pilot, lambda: "↺" in str(table.get_row(str(target.id))[3]))
        await pilot.press("r")
        assert not isinstance(app.screen, ReverseDialog)
        assert any("already reversed" in n.message for n in app.message_log)


async def test_export_writes_what_is_shown(app, services, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # the dialog proposes a file in the home folder
    customer = services.manager.list_customers()[1].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *f"customer:{customer}", "enter")
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, ExportPathDialog)  # it asks where, proposing a name
        await pilot.press("enter")
        await until(pilot, lambda: list(Path(tmp_path).glob("balance-history-*.csv")) != [])
        [path] = list(Path(tmp_path).glob("balance-history-*.csv"))
        rows = list(csv.DictReader(path.open()))
        assert {r["customer_id"] for r in rows} == {customer}
        assert len(rows) == len(services.audit.get_balance_history(customer, limit=1000))


async def test_show_customer_from_elsewhere_fills_the_filter(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.open_customer_history("CUSTOMER_00005")
        await until(pilot, lambda: app.current_mode == "history")
        await settle(pilot, app)
        assert app.screen.query_one("#history-filter", Input).value == "customer:CUSTOMER_00005"


async def test_end_and_G_reach_the_oldest_event_of_the_filter(app, services) -> None:
    """Not the last row loaded: the oldest event the filter admits, on every page count."""
    every = services.audit.history_page(limit=1000)
    customer = services.manager.list_customers()[2].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        assert len(_shown_ids(app)) < len(every)
        await pilot.press("G")
        await until(pilot, lambda: _shown_ids(app) and _shown_ids(app)[-1] == every[-1].id)
        table = app.screen.query_one("#events", DataTable)
        await until(pilot, lambda: table.cursor_row == table.row_count - 1)
        await pilot.press("slash", *f"customer:{customer}", "enter")
        await until(pilot, lambda: app.screen.focused is table)  # the filter was checked
        await settle(pilot, app)
        await pilot.press("end")
        mine = [e.id for e in every if e.customer_id == customer]
        await until(pilot, lambda: _shown_ids(app) and _shown_ids(app)[-1] == mine[-1])


async def test_an_event_number_or_an_amount_finds_it_and_the_status_sums_what_is_shown(
    app, services
) -> None:  # type: ignore[no-untyped-def]
    event = services.audit.history_page(limit=5)[3]
    size = f"{abs(event.amount):.2f}"
    same_size = [
        e.id for e in services.audit.history_page(limit=1000) if abs(e.amount) == abs(event.amount)
    ]
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *f"#{event.id}", "enter")
        await until(pilot, lambda: _shown_ids(app) == [event.id])
        status = lambda: shown(app, "StatusLine")  # noqa: E731
        await until(pilot, lambda: f"Σ {event.change_type} " in status())
        assert "(1)" in status()
        await pilot.press("slash", "ctrl+u", *f"amount:{size}", "enter")
        await until(pilot, lambda: _shown_ids(app) == same_size)


async def test_r_on_a_reversal_says_what_to_do_instead(app, services) -> None:  # type: ignore[no-untyped-def]
    newest = services.audit.history_page(limit=1)[0]
    undo = services.manager.reverse_event(newest.id, "tester", "typo")
    assert undo.success and undo.event is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await until(pilot, lambda: _shown_ids(app)[:1] == [undo.event.id])
        await pilot.press("r")
        said = f"Event #{undo.event.id} is a reversal itself and is not reversed in turn"
        await until(pilot, lambda: any(m.message.startswith(said) for m in app.message_log))
        assert "post it again" in app.message_log[-1].message


async def test_the_filter_follows_the_typing_and_names_mistakes_only_on_enter(
    app, services
) -> None:  # type: ignore[no-untyped-def]
    customer = services.manager.list_customers()[3].customer.id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *customer)  # no enter
        await until(
            pilot,
            lambda: (
                bool(app.screen.events)
                and {e.customer_id for e in app.screen.events.values()} == {customer}
            ),
        )
        await pilot.press("ctrl+u", *"zzz")
        await settle(pilot, app)
        assert not any("zzz" in m.message for m in app.message_log)  # nothing said yet
        await pilot.press("enter")
        await until(pilot, lambda: any("'zzz'" in m.message for m in app.message_log))
