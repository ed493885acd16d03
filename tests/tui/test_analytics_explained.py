"""Analytics that explain themselves: a chart with axes, the previous period beside this one,
words for volatility and its score, a sane percent near zero, and stale figures marked."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from balance_tui.domain.records import BalanceAnalytics
from balance_tui.tui.numbers import money, percent
from balance_tui.tui.screens.analytics_text import percent_change
from balance_tui.tui.widgets.chart import chart_lines
from tests.tui.conftest import SIZE, settle, shown, until


def test_the_chart_has_a_value_axis_and_a_time_axis() -> None:
    series = [
        (datetime(2026, 1, d, tzinfo=UTC), Decimal(v))
        for d, v in ((1, "50"), (15, "3457.27"), (31, "4096.92"))
    ]
    text = chart_lines(series, 60, 6).plain
    lines = text.splitlines()
    assert lines[0].lstrip().startswith("4,096.92│")  # highest point drawn
    assert lines[-2].lstrip().startswith("50.00│")  # lowest point drawn
    assert lines[-1].lstrip().startswith("└2026-01-01") and lines[-1].endswith("2026-01-31")
    assert all(len(line) <= 60 for line in lines)


def _figures(**changes: object) -> BalanceAnalytics:
    base = BalanceAnalytics(
        scope="C1", period="monthly", start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 2, 1, tzinfo=UTC), currency="USD", opening_balance=Decimal("50"),
        closing_balance=Decimal("48145.43"), net_change=Decimal("48095.43"),
        percent_change=Decimal("96190.86"), volatility=Decimal(0), volatility_score=0,
        trend_direction="up", risk_level="low", event_count=3, largest_change=None,
        breakdown={}, series=[],
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_percent_change_against_an_opening_near_zero_is_not_shown() -> None:
    assert percent_change(_figures()) == "n/a (opening near zero)"
    sane = _figures(opening_balance=Decimal(4000), percent_change=Decimal("2.54"))
    assert percent_change(sane) == "2.5%"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("-0.04", "0.0%"), ("0.04", "0.0%"), ("-0.05", "0.0%"), ("-2.46", "-2.5%")],
)
def test_a_percentage_that_rounds_to_zero_has_no_sign(value: str, shown: str) -> None:
    assert percent(Decimal(value)) == shown


async def test_the_status_line_says_the_scope_and_period_not_a_sort(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        await until(pilot, lambda: "system" in shown(app, "StatusLine"))
        line = shown(app, "StatusLine")
        assert "sort " not in line and "filter system" not in line


async def test_figures_come_with_the_previous_period_and_explanations(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        await until(pilot, lambda: "compared with" in shown(app, "#title"))
        now = services.analytics.generate_system_analytics(None, "monthly")
        before = services.analytics.generate_system_analytics(
            None, "custom", start=now.start - (now.end - now.start), end=now.start
        )
        metrics = shown(app, "#metrics")
        closing = next(line for line in metrics.splitlines() if "Closing" in line)
        assert money(now.closing_balance, "USD") in closing
        assert money(before.closing_balance, "USD") in closing
        assert "Volatility score" in metrics and "Risk" not in metrics.split("Volatility")[0]
        explain = shown(app, "#explain")
        assert "standard deviation" in explain and "not fraud risk" in explain
        chart = str(app.screen.query_one("#chart").render())
        assert "│" in chart and "└" in chart


async def test_old_figures_are_marked_stale_while_new_ones_compute(app, services) -> None:
    gate = threading.Event()
    real = services.analytics.generate_system_analytics

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(10)  # held until the test has looked at the screen
        return real(*args, **kwargs)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        services.analytics.generate_system_analytics = slow  # type: ignore[method-assign]
        try:
            await pilot.press("p")
            await until(pilot, lambda: "Computing" in shown(app, "#state"))
            assert "previous choice" in shown(app, "#state")
            assert app.screen.query_one("#results").has_class("-stale")
        finally:
            gate.set()
        await settle(pilot, app)
        await until(pilot, lambda: "last 365 days" in shown(app, "#title"))
        assert shown(app, "#state").strip() == ""
        assert not app.screen.query_one("#results").has_class("-stale")
