"""The customer card: the figures an operator checks, and the ways on from it (adjust,
history, analytics), with a breadcrumb and Escape back along it."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable, Input

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.store import connect
from balance_tui.tui.numbers import money
from balance_tui.tui.screens.adjust import AdjustForm
from balance_tui.tui.screens.card import CustomerCard
from balance_tui.tui.screens.customers import CustomersScreen
from balance_tui.tui.screens.dialogs import NoteDialog
from balance_tui.tui.widgets.status import StatusLine
from tests.tui.conftest import SIZE, settle, shown, until


def _text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return shown(app, selector)


def _status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(StatusLine).visual)


async def _open_card(pilot, app, row: int) -> CustomerCard:  # type: ignore[no-untyped-def]
    await settle(pilot, app)
    await pilot.press(*["down"] * row, "enter")
    await until(pilot, lambda: isinstance(app.screen, CustomerCard))
    await settle(pilot, app)
    return app.screen  # type: ignore[return-value]


async def test_enter_opens_a_card_with_everything_about_the_customer(app, services) -> None:
    # A customer with open alerts, so the card has them to list.
    summary = next(s for s in services.manager.list_customers() if s.active_alerts)
    row = [s.customer.id for s in services.manager.list_customers()].index(summary.customer.id)
    report = services.manager.get_customer_balance_report(
        summary.customer.id, include_history=True, include_alerts=True
    )
    async with app.run_test(size=SIZE) as pilot:
        card = await _open_card(pilot, app, row)
        assert card.customer_id == summary.customer.id
        title = _text(app, "#card-title")
        assert summary.customer.name in title and summary.customer.agent_id in title
        figures = _text(app, "#card-figures")
        rules, cur = report.rules, summary.customer.currency
        for amount in (
            money(report.current_balance, cur),
            money(rules.min_balance),
            money(rules.max_balance),
            money(rules.warning_threshold),
            money(rules.critical_threshold),
            money(report.usage_24h, cur),
            money(rules.daily_change_limit, cur),
            money(report.usage_7d, cur),
            money(rules.weekly_change_limit, cur),
        ):
            assert amount in figures
        alerts = _text(app, "#card-alerts")
        assert f"Open alerts ({len(report.alerts or []):,})" in alerts
        assert f"#{(report.alerts or [])[0].id}" in alerts
        events = _text(app, "#card-events")
        assert f"#{(report.history or [])[0].id}" in events
        chart = str(app.screen.query_one("#card-chart").render())
        assert "│" in chart and "└" in chart  # a value axis and a time axis
        assert _status(app).startswith(f"Customers › {summary.customer.id} {summary.customer.name}")


async def test_from_the_card_h_opens_history_and_escape_comes_back(app, services) -> None:
    customer = services.manager.list_customers()[3].customer
    async with app.run_test(size=SIZE) as pilot:
        await _open_card(pilot, app, 3)
        await pilot.press("h")
        await until(pilot, lambda: app.current_mode == "history")
        await settle(pilot, app)
        events = app.screen.events.values()  # type: ignore[attr-defined]
        assert events and {e.customer_id for e in events} == {customer.id}
        assert _status(app).startswith(f"Customers › {customer.id} {customer.name} › History")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CustomerCard))
        assert app.current_mode == "customers"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CustomersScreen))
        table = app.screen.query_one("#customers", DataTable)
        assert table.cursor_row == 3  # where the operator left it


async def test_from_the_card_a_adjusts_and_y_shows_analytics(app, services) -> None:
    customer = services.manager.list_customers()[2].customer
    async with app.run_test(size=SIZE) as pilot:
        await _open_card(pilot, app, 2)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        assert app.screen.summary.customer.id == customer.id  # type: ignore[attr-defined]
        await pilot.press(*"25", "tab", "tab", *"Card top-up", "enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerCard))
        after = services.manager.get_customer(customer.id).balance
        assert after == customer.balance + 25
        await until(pilot, lambda: money(after, customer.currency) in _text(app, "#card-figures"))
        await pilot.press("y")
        await until(pilot, lambda: app.current_mode == "analytics")
        await until(pilot, lambda: customer.id in _text(app, "#title"))
        assert app.screen.query_one("#scope", Input).value == customer.id


async def test_the_palette_adjusts_or_analyses_a_customer_by_name(app, services) -> None:
    customer = services.manager.list_customers()[6].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p", *f"adjust {customer.name}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        assert app.screen.summary.customer.id == customer.id  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("ctrl+p", *f"analytics {customer.id}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.current_mode == "analytics")
        await until(pilot, lambda: customer.id in _text(app, "#title"))


def _type_ahead(app, text: str, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Keys arriving faster than the app handles them, as from a fast typist: all queued
    at once (Pilot's press waits for each key to be handled, so it cannot show this)."""
    from textual import events

    for key in keys or ():
        app.post_message(events.Key(key, "\t" if key == "tab" else None))
    for character in text:
        app.post_message(events.Key("space" if character == " " else character, character))


async def test_keys_typed_ahead_of_the_adjust_form_land_in_it(app, services) -> None:
    """'a250<tab><tab>reason<enter>' typed fast: nothing is lost to the screen below."""
    from textual import events

    customer = services.manager.list_customers()[0].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        _type_ahead(app, "a250")
        _type_ahead(app, "", "tab", "tab")
        _type_ahead(app, "Fast typist")
        app.post_message(events.Key("enter", "\r"))
        await until(
            pilot, lambda: services.manager.get_customer(customer.id).balance != customer.balance
        )
        assert services.manager.get_customer(customer.id).balance == customer.balance + 250
        assert app.current_mode == "customers"  # the "2" of "250" did not switch screens


async def test_keys_typed_after_an_adjust_that_opens_nothing_are_ordinary_keys(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"no-such-customer", "enter")
        await until(pilot, lambda: app.screen.query_one("#customers", DataTable).row_count == 0)
        _type_ahead(app, "a2")  # nothing to adjust: the 2 is the History key again
        await until(pilot, lambda: app.current_mode == "history")
        assert any("No customer is highlighted" in m.message for m in app.message_log)


async def test_the_card_shows_pending_requests_and_acknowledges_its_alerts(
    app, services, db_file
) -> None:  # type: ignore[no-untyped-def]
    """Its requests waiting for a checker (with the balance if all were approved), and
    ``k`` acknowledges its open alerts, named in the question, with a note."""
    summaries = services.manager.list_customers()
    summary = next(s for s in summaries if s.active_alerts)
    row = [s.customer.id for s in summaries].index(summary.customer.id)
    services.authority.set_authority("ann", "100", "tester")
    ann = build_services(
        connect(db_file), Settings(operator="ann", role="operator"), operator="ann"
    )
    request = ann.manager.update_balance(
        summary.customer.id, None, Decimal("250"), "deposit", "needs a second look", "ann"
    ).request
    assert request is not None
    open_ids = [
        a.id
        for a in services.notifications.get_active_alerts()
        if a.customer_id == summary.customer.id
    ]
    async with app.run_test(size=SIZE) as pilot:
        await _open_card(pilot, app, row)
        await until(pilot, lambda: f"#{request.id} deposit +250.00" in _text(app, "#card-pending"))
        expected = money(summary.customer.balance + Decimal("250"), summary.customer.currency)
        assert f"Balance if all were approved: {expected}" in _text(app, "#card-pending")
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        assert all(f"#{i}" in app.screen.question for i in open_ids[:6])
        await pilot.press(*"called the agent", "enter")
        await until(pilot, lambda: "Open alerts (0)" in _text(app, "#card-alerts"))
    for alert_id in open_ids:
        alert = services.notifications.get_alert(alert_id)
        assert alert.acknowledgement_note == "called the agent"


def test_the_last_events_line_up_in_columns(services) -> None:  # type: ignore[no-untyped-def]
    """Whatever the widths of the event numbers and balances, every reason starts in the
    same column."""
    from balance_tui.tui.screens.card import event_lines

    customer = max((s.customer for s in services.manager.list_customers()), key=lambda c: c.balance)
    assert customer.balance >= 1000  # balances of different widths below
    for amount in (-(customer.balance - 5), Decimal("1"), Decimal("2000")):
        services.manager.update_balance(customer.id, None, amount, "adjustment", "why", "t")
    report = services.manager.get_customer_balance_report(
        customer.id, include_history=True, history_limit=8
    )
    lines = event_lines(report, 160).plain.splitlines()[1:]
    starts = {line.index(" → ") for line in lines} | {
        len(line) - len(line.lstrip()) for line in lines[:0]
    }
    reasons = {line.rindex("  ") for line in lines}
    assert len({line.index(" → ") for line in lines}) == 1 and len(reasons) == 1, lines
    assert starts


async def test_e_on_the_card_changes_the_customer_audited(app, services) -> None:  # type: ignore[no-untyped-def]
    """``e`` opens the change form filled with the customer as it is; a new name and the
    next tier, with a reason, are one audited change the card then shows. Without a reason
    the form says so inline and nothing changes."""
    from balance_tui.domain.tiers import VIP_TIERS
    from balance_tui.tui.screens.edit_customer import EditCustomerForm

    customer = services.manager.list_customers()[2].customer
    next_tier = VIP_TIERS[(VIP_TIERS.index(customer.vip_level) + 1) % len(VIP_TIERS)]
    async with app.run_test(size=SIZE) as pilot:
        await _open_card(pilot, app, 2)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCustomerForm))
        assert app.screen.query_one("#name", Input).value == customer.name
        await pilot.press("ctrl+u", *"Renamed Person", "tab", "tab", "enter", "down", "enter")
        await pilot.press("tab", "tab", "enter")  # from the currency box, with no reason
        await until(pilot, lambda: "reason" in _text(app, "#errors").lower())
        assert services.manager.get_customer(customer.id).name == customer.name
        app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"agreed with the agent", "enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerCard))
        await until(pilot, lambda: "Renamed Person" in _text(app, "#card-title"))
        assert next_tier in _text(app, "#card-title")
    changed = services.manager.get_customer(customer.id)
    assert (changed.name, changed.vip_level) == ("Renamed Person", next_tier)
    (change,) = services.customer_changes.history(customer.id)
    assert change.reason == "agreed with the agent" and change.changed_by == "tester"
    assert change.changes["tier"] == (customer.vip_level, next_tier)
    assert services.verifier.verify().ok


async def test_an_operator_pressing_e_is_told_who_changes_customers(db_file, services) -> None:  # type: ignore[no-untyped-def]
    from balance_tui.tui.app import create_app

    operator = build_services(connect(db_file), Settings(operator="ann", role="operator"))
    app = create_app(operator, poll_seconds=0.05, undo_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        card = await _open_card(pilot, app, 2)
        await pilot.press("e")
        await until(pilot, lambda: any("supervisor" in m.message for m in app.message_log))
        assert app.screen is card


async def test_a_customers_history_visited_from_the_card_ends_on_leaving(app, services) -> None:  # type: ignore[no-untyped-def]
    """h from the card shows one customer's history; once the operator leaves History, 2
    shows the filter they had themselves (here: none), not that customer for the rest of
    the shift. A filter the operator typed is kept across screens."""
    from balance_tui.tui.screens.history import HistoryScreen

    def history_filter() -> str:  # History is the current screen
        return app.screen.query_one("#history-filter", Input).value

    async with app.run_test(size=SIZE) as pilot:
        await _open_card(pilot, app, 3)
        await pilot.press("h")
        await until(pilot, lambda: app.current_mode == "history")
        assert history_filter().startswith("customer:")
        await pilot.press("escape", "escape", "2")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await settle(pilot, app)
        assert history_filter() == ""
        customers = {e.customer_id for e in app.screen.events.values()}  # type: ignore[attr-defined]
        assert len(customers) > 1
        await pilot.press("slash", *"type:deposit", "enter")
        await until(pilot, lambda: app.screen.focused is app.screen.query_one("#events"))
        await pilot.press("3", "2")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert history_filter() == "type:deposit"


async def test_the_cards_scrollbar_draws_no_block_glyphs_a_chart_could_be_read_into(
    app, services
) -> None:  # type: ignore[no-untyped-def]
    """The scrollbar beside the chart draws whole cells: its thumb ends are never the
    ▁▂▃▄▅▆▇ blocks that, in a plain capture or under NO_COLOR, read as more chart bars."""
    from rich.console import Console

    async with app.run_test(size=(80, 24)) as pilot:
        card = await _open_card(pilot, app, 3)
        scroll = card.query_one("#card")
        assert scroll.max_scroll_y > 0  # the card overflows at 80x24: a scrollbar shows
        for offset in range(scroll.max_scroll_y + 1):
            scroll.scroll_to(y=offset, animate=False)
            await pilot.pause()
            bar = scroll.vertical_scrollbar
            console = Console(width=2, height=bar.size.height, color_system=None)
            drawn = "".join(s.text for s in console.render(bar.render(), console.options))
            assert not set(drawn) & set("▁▂▃▄▅▆▇"), (offset, drawn)
