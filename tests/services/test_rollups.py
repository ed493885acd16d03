"""Rollups on both backends: system and agent analytics read per-day and per-hour
aggregates plus the raw edges of the period, and give the same figures as scanning every
event (a property test over random books and periods); reversals and batches are counted,
refused attempts are not; concurrent writers keep them exact; verify names a rollup that
disagrees with the events."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance_tui.domain.records import BalanceAnalytics, BalanceChange
from balance_tui.services import Services, build_services
from balance_tui.services.analytics import BalanceAnalyticsService
from balance_tui.store import connect
from tests.conftest import FROZEN

_currencies = (f"{a}{b}{c}" for a, b, c in itertools.product("QXZ", "ABCDEFGHJK", "LMNPRSTUVW"))

TYPES = ("deposit", "withdrawal", "wager", "settlement", "adjustment")


def _scan(services: Services) -> BalanceAnalyticsService:
    """The same service reading every event (the baseline the rollups must match)."""
    scan = BalanceAnalyticsService(services.db, services.clock, settings=services.settings)
    scan.read_rollups = False
    return scan


def _same(a: BalanceAnalytics, b: BalanceAnalytics) -> None:
    for name in (
        "opening_balance",
        "closing_balance",
        "net_change",
        "percent_change",
        "event_count",
        "largest_change",
        "breakdown",
        "trend_direction",
        "risk_level",
        "volatility_score",
    ):
        assert getattr(a, name) == getattr(b, name), name
    assert abs(a.volatility - b.volatility) <= Decimal("0.01")
    assert a.series[-1][1] == b.series[-1][1] and a.series[0][1] == b.series[0][1]


changes = st.lists(
    st.tuples(
        st.integers(0, 2),  # customer
        st.sampled_from(TYPES),
        st.integers(1, 500_000),  # cents
        st.integers(0, 3 * 24 * 60),  # minutes after the start (three days: day edges)
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(book=changes, start=st.integers(0, 4 * 24 * 60), length=st.integers(1, 4 * 24 * 60))
def test_rollups_give_the_figures_of_the_event_scan(services, clock, book, start, length) -> None:  # type: ignore[no-untyped-def]
    currency = next(_currencies)  # a currency of its own: system figures see this book only
    # in the past: PostgreSQL refuses an event dated ahead of the server's clock
    origin = FROZEN - timedelta(days=400 + 10 * len(currency) + start % 7)
    clock.now = origin
    codes = [f"R{currency}{i}" for i in range(3)]
    for i, code in enumerate(codes):
        services.manager.create_customer(code, f"AG{currency}{i % 2}", currency=currency)
    for customer, kind, cents, minutes in sorted(book, key=lambda c: c[3]):
        clock.now = origin + timedelta(minutes=minutes)
        amount = Decimal(cents) / 100
        if kind in ("withdrawal", "wager"):
            amount = -amount
        services.manager.update_balance(codes[customer], None, amount, kind, "t", "ann")
    clock.now = origin + timedelta(days=5)
    lo = origin + timedelta(minutes=start - 60)
    hi = lo + timedelta(minutes=length)
    scan = _scan(services)
    for agent in (None, f"AG{currency}0"):
        kwargs = {"start": lo, "end": hi, "currency": currency}
        _same(
            services.analytics.generate_system_analytics(agent, "custom", **kwargs),
            scan.generate_system_analytics(agent, "custom", **kwargs),
        )
    assert services.verifier.verify().ok


def test_reversals_and_batches_count_and_refusals_do_not(services, clock) -> None:  # type: ignore[no-untyped-def]
    manager = services.manager
    manager.create_customer("C1", "A1", vip_level="gold")
    first = manager.update_balance("C1", None, Decimal("100"), "deposit", "t", "ann")
    manager.reverse_event(first.event.id, "ann", "typo")
    batch = manager.update_balances(
        [
            BalanceChange("C1", Decimal("30"), "deposit", "b", "ann"),
            BalanceChange("C1", Decimal("-5"), "adjustment", "b", "ann"),
        ]
    )
    assert batch.success
    assert not manager.update_balance(
        "C1", None, Decimal("-999999"), "withdrawal", "x", "ann"
    ).success
    clock.advance(hours=2)
    figures = services.analytics.generate_system_analytics(None, "daily")
    assert figures.event_count == 4
    assert figures.breakdown["reversal"].count == 1
    assert figures.breakdown["reversal"].total == Decimal("-100.00")
    assert figures.net_change == Decimal("25.00")
    assert figures.operations.rejections == 1
    _same(figures, _scan(services).generate_system_analytics(None, "daily"))
    assert services.verifier.verify().ok


def test_concurrent_writers_keep_the_rollups_exact(db_url, services, settings, clock) -> None:  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1", vip_level="diamond")
    services.manager.create_customer("C2", "A2", vip_level="diamond")
    start = threading.Barrier(4, timeout=10)

    def writer(index: int) -> None:
        db = connect(db_url)
        mine = build_services(db, settings, clock, operator=f"w{index}")
        start.wait()
        for n in range(15):
            mine.manager.update_balance(
                ("C1", "C2")[n % 2], None, Decimal(n + index + 1), "deposit", "c", f"w{index}"
            )
        db.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    clock.advance(minutes=1)  # the period ends before "now"
    figures = services.analytics.generate_system_analytics(None, "daily")
    assert figures.event_count == 60
    report = services.verifier.verify()
    assert report.ok, report.problems


def test_verify_names_a_rollup_that_disagrees_with_the_events(services) -> None:  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1")
    services.manager.update_balance("C1", None, Decimal("100"), "deposit", "t", "ann")
    services.db.execute_sql("UPDATE rollup SET net_cents = net_cents + 1 WHERE grain = 'd'")
    problems = [p.problem for p in services.verifier.verify().problems]
    assert any("rollup" in p and "the events say" in p for p in problems), problems
    services.db.execute_sql("DELETE FROM rollup WHERE grain = 'h'")
    problems = [p.problem for p in services.verifier.verify().problems]
    assert any("missing" in p for p in problems), problems


def test_verify_names_a_rollup_weeks_away_from_any_event(services) -> None:  # type: ignore[no-untyped-def]
    """The check goes a week at a time: a forged bucket outside every event's week is still
    read (and one between two events' weeks)."""
    services.manager.create_customer("C1", "A1")
    services.manager.update_balance("C1", None, Decimal("100"), "deposit", "t", "ann")
    first = services.db.execute_sql("SELECT MIN(created_us) FROM balance_event").fetchone()[0]
    day = 86_400_000_000
    for offset in (-40 * day, 90 * day):
        services.db.execute_sql(
            "INSERT INTO rollup (grain, bucket_us, currency, agent_code, change_type, events, "
            "net_cents, gross_cents, squares, min_cents, max_cents, slot) "
            "VALUES ('d', ?, 'USD', '', 'deposit', 1, 5, 5, 25, 5, 5, 0)".replace(
                "?", services.db.param
            ),
            (first - first % day + offset,),
        )
    problems = [p.problem for p in services.verifier.verify().problems]
    assert sum("the events say none" in p for p in problems) == 2, problems


@pytest.mark.parametrize("period", ["monthly", "yearly"])
def test_a_trailing_period_matches_the_scan(services, clock, period) -> None:  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1", vip_level="gold")
    for day in range(40):
        clock.advance(hours=23, minutes=17)
        services.manager.update_balance("C1", None, Decimal(10 + day), "deposit", "t", "ann")
    _same(
        services.analytics.generate_system_analytics("A1", period),
        _scan(services).generate_system_analytics("A1", period),
    )
