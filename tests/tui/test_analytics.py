"""Analytics: scope and period change the figures, which match the service's."""

from __future__ import annotations

from textual.widgets import Input

from balance_tui.domain.money import decimal_to_cents, format_cents
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
        assert any("2026-01-01..2026-02-01" in n.message for n in app.message_log)
