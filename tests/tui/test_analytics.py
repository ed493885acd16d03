"""Analytics: scope and period change the figures, which match the service's."""

from __future__ import annotations

from textual.widgets import Input

from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.tui.screens.pick_customer import PickCustomer
from tests.tui.conftest import SIZE, settle, until


def _metrics(app) -> str:  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(app.screen.query_one("#metrics").content)
    return console.export_text()


async def test_period_and_scope_change_the_figures(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        monthly = services.analytics.generate_system_analytics(None, "monthly")
        assert format_cents(decimal_to_cents(monthly.closing_balance)) in _metrics(app)
        await pilot.press("p")  # monthly -> yearly
        await settle(pilot, app)
        yearly = services.analytics.generate_system_analytics(None, "yearly")
        await until(
            pilot,
            lambda: (
                f"Events         {yearly.event_count}" in _metrics(app)
                or str(yearly.event_count) in _metrics(app)
            ),
        )
        customer = services.manager.list_customers()[0].customer.id
        scope = app.screen.query_one("#scope", Input)
        scope.value = customer
        await pilot.press("slash", "enter")
        await settle(pilot, app)
        one = services.analytics.generate_customer_analytics(customer, "yearly")
        assert customer in str(app.screen.query_one("#title").visual)
        assert format_cents(decimal_to_cents(one.closing_balance)) in _metrics(app)


async def test_custom_range_is_validated(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        app.screen.query_one("#range", Input).value = "yesterday"
        app.screen.query_one("#period").value = "custom"
        await settle(pilot, app)
        assert any("2026-11-01..2026-11-30" in n.message for n in app.message_log)


def _title(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#title").visual)


async def test_calendar_periods_have_keys_and_step_back_and_forth(app) -> None:  # type: ignore[no-untyped-def]
    """m: this calendar month; [ the one before, ] back; Q the quarter; the period says
    what it is ("month 2026-03", not "monthly")."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        assert "last 30 days" in _title(app)  # the trailing window says what it is
        await pilot.press("m")
        await until(
            pilot, lambda: "month 2026-03 · 2026-03-01 00:00 → 2026-04-01 00:00" in _title(app)
        )
        await pilot.press("left_square_bracket")
        await until(
            pilot, lambda: "month 2026-02 · 2026-02-01 00:00 → 2026-03-01 00:00" in _title(app)
        )
        await pilot.press("right_square_bracket", "Q")
        await until(
            pilot, lambda: "quarter 2026 Q1 · 2026-01-01 00:00 → 2026-04-01 00:00" in _title(app)
        )
        assert app.current_mode == "analytics"


async def test_a_custom_range_typed_into_the_period_includes_its_last_day(app) -> None:  # type: ignore[no-untyped-def]
    """Digits typed on the period control go to the range beside it (never to the screen
    keys 1-5), and the range takes all of its last day, as to: does."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        app.screen.query_one("#period").focus()
        await pilot.press(*"2026-02-01..2026-02-28", "enter")
        await until(
            pilot,
            lambda: "2026-02-01 to 2026-02-28 · 2026-02-01 00:00 → 2026-03-01 00:00" in _title(app),
        )
        assert app.current_mode == "analytics"
        assert not any(n.severity == "error" for n in app.message_log)


async def test_a_scope_that_matches_several_customers_offers_them(app, services) -> None:  # type: ignore[no-untyped-def]
    customers = [s.customer for s in services.manager.list_customers()]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        await pilot.press("slash", *"CUSTOMER_0000", "enter")  # CUSTOMER_00001 … 00009
        await until(pilot, lambda: isinstance(app.screen, PickCustomer))
        await pilot.press("down", "enter")
        await until(pilot, lambda: f"customer {customers[1].id}" in _title(app))
        assert not any(n.severity == "error" for n in app.message_log)
