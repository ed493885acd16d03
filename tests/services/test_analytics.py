"""Analytics on known data: edges of the period, figures, breakdown, series, operations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from balance_tui.domain.errors import InvalidInputError, UnknownCustomerError


@pytest.fixture
def book(services, clock):  # type: ignore[no-untyped-def]
    """C1: +1,000 forty days ago; in the last 30 days +500, -200, -100 and one refusal."""
    services.manager.create_customer("C1", "A1")
    services.manager.create_customer("C2", "A2")
    services.manager.update_balance("C1", None, "1000", "deposit", "old", "op")
    services.manager.update_balance("C2", None, "50", "deposit", "other agent", "op")
    clock.advance(days=15)
    services.manager.update_balance("C1", None, "500", "deposit", "in", "op")
    clock.advance(days=10)
    services.manager.update_balance("C1", None, "-200", "wager", "bet", "op")
    clock.advance(days=5)
    services.manager.update_balance("C1", None, "-100", "withdrawal", "out", "op")
    services.manager.update_balance("C1", None, "-99999", "withdrawal", "refused", "op")
    clock.advance(days=10)
    return services


def test_monthly_customer_figures(book, clock) -> None:
    a = book.analytics.generate_customer_analytics("C1", "monthly")
    assert (a.start, a.end) == (clock.now - timedelta(days=30), clock.now)
    assert (a.opening_balance, a.closing_balance, a.net_change) == (
        Decimal("1000.00"),
        Decimal("1200.00"),
        Decimal("200.00"),
    )
    assert a.percent_change == Decimal("20.00")
    assert a.event_count == 3 and a.largest_change == Decimal("500.00")
    assert a.breakdown["wager"].count == 1 and a.breakdown["wager"].total == Decimal("-200.00")
    assert a.breakdown["withdrawal"].total == Decimal("-100.00")
    assert a.breakdown["deposit"].count == 1 and a.breakdown["settlement"].count == 0
    assert a.volatility == Decimal("309.12")  # population std-dev of 500, -200, -100
    assert a.trend_direction == "up"
    assert a.series[0] == (a.start, Decimal("1000.00"))
    assert a.series[-1] == (a.end, Decimal("1200.00"))
    assert Decimal("1500.00") in [b for _, b in a.series]
    ops = a.operations
    assert (ops.updates, ops.rejections, ops.alerts) == (3, 1, 1)
    assert ops.rejection_rate == Decimal("25.0")


def test_yearly_opening_is_zero_so_percent_is_none(book) -> None:
    a = book.analytics.generate_customer_analytics("C1", "yearly")
    assert a.opening_balance == Decimal("0.00") and a.percent_change is None
    assert a.event_count == 4 and a.largest_change == Decimal("1000.00")


def test_custom_period_and_its_validation(book, clock) -> None:
    end = clock.now - timedelta(days=20)
    a = book.analytics.generate_customer_analytics(
        "C1", "custom", start=end - timedelta(days=10), end=end
    )
    assert (a.opening_balance, a.closing_balance, a.event_count) == (
        Decimal("1000.00"),
        Decimal("1500.00"),
        1,
    )
    with pytest.raises(InvalidInputError, match="start and an end"):
        book.analytics.generate_customer_analytics("C1", "custom", start=end)
    with pytest.raises(InvalidInputError, match="before its end"):
        book.analytics.generate_customer_analytics("C1", "custom", start=end, end=end)
    with pytest.raises(InvalidInputError, match="Unknown period"):
        book.analytics.generate_customer_analytics("C1", "fortnightly")
    with pytest.raises(UnknownCustomerError):
        book.analytics.generate_customer_analytics("NOPE", "daily")


def test_system_and_agent_scopes(book) -> None:
    system = book.analytics.generate_system_analytics(period="yearly")
    assert system.closing_balance == Decimal("1250.00") and system.event_count == 5
    agent = book.analytics.generate_system_analytics("A2", "yearly")
    assert agent.closing_balance == Decimal("50.00") and agent.event_count == 1
    assert agent.scope == "agent A2"
    with pytest.raises(InvalidInputError, match="No agent"):
        book.analytics.generate_system_analytics("A9", "daily")
    with pytest.raises(InvalidInputError, match=r"No customer holds EUR; .*: USD\."):
        book.analytics.generate_system_analytics(period="yearly", currency="EUR")


def test_refusals_and_alerts_are_counted_for_whom_they_concern(book, clock) -> None:  # type: ignore[no-untyped-def]
    """Each scope counts the refused attempts and alerts of its own customers, in the period."""
    book.manager.update_balance("C2", None, "-99999", "withdrawal", "refused too", "op")
    clock.advance(days=1)
    raised = {code: len(book.notifications.get_active_alerts(code)) for code in ("C1", "C2")}
    scopes = {
        "all": book.analytics.generate_system_analytics(period="yearly"),
        "A1": book.analytics.generate_system_analytics("A1", "yearly"),
        "A2": book.analytics.generate_system_analytics("A2", "yearly"),
        "C1": book.analytics.generate_customer_analytics("C1", "yearly"),
        "C2": book.analytics.generate_customer_analytics("C2", "yearly"),
    }
    counts = {name: (a.operations.rejections, a.operations.alerts) for name, a in scopes.items()}
    assert counts == {
        "all": (2, raised["C1"] + raised["C2"]),
        "A1": (1, raised["C1"]),
        "A2": (1, raised["C2"]),
        "C1": (1, raised["C1"]),
        "C2": (1, raised["C2"]),
    }
    assert raised["C1"] >= 1  # (the book has alerts to count)
    # a period that ends before the new refusal does not count it
    earlier = book.analytics.generate_system_analytics(
        "A2", "custom", start=clock.now - timedelta(days=400), end=clock.now - timedelta(days=2)
    )
    assert earlier.operations.rejections == 0
