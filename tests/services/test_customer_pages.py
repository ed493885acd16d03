"""The customers list a page at a time, ordered and filtered by the database: every order
the screen offers gives, page after page, the order an operator expects, and paging
while another connection moves rows about never skips a customer that did not move."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.domain.records import CustomerSummary
from balance_tui.domain.tiers import VIP_TIERS
from balance_tui.services import Services, build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect
from balance_tui.store.customers import CUSTOMER_ORDERS


def _share(used: Decimal, limit: Decimal) -> Decimal:
    return (used * 100 / limit).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _expected_value(summary: CustomerSummary, column: str) -> object:
    """What each order means to an operator, written out independently of the SQL."""
    c = summary.customer
    return {
        "id": c.id,
        "name": c.name.lower(),
        "agent": c.agent_id,
        "tier": VIP_TIERS.index(c.vip_level),
        "balance": c.balance,
        "usage": max(
            _share(summary.usage_24h, summary.daily_limit),
            _share(summary.usage_7d, summary.weekly_limit),
        ),
        "alerts": summary.active_alerts,
    }[column]


def _paged(services: Services, page_size: int, **asked: object) -> list[str]:
    ids: list[str] = []
    after = None
    for _ in range(1_000):  # bounded: 1,000 pages is far more than any book here
        page = services.manager.customer_page(after=after, limit=page_size, **asked)  # type: ignore[arg-type]
        ids += [s.customer.id for s in page.summaries]
        after = page.next_after
        if not page.more:
            return ids
    raise AssertionError("paging never reached the end")


@pytest.mark.parametrize("column", CUSTOMER_ORDERS)
def test_every_order_pages_through_the_book_as_an_operator_expects(services, column) -> None:
    generate_demo(services, customers=90, days=20, events=1_200, seed=11)
    every = services.manager.list_customers()
    assert len({_expected_value(s, column) for s in every}) > 1  # the order means something
    for descending in (False, True):
        expected = [
            s.customer.id
            for s in sorted(
                every,
                key=lambda s: (_expected_value(s, column), s.customer.id),
                reverse=descending,
            )
        ]
        asked = {"order_by": column, "descending": descending}
        assert _paged(services, 7, **asked) == expected
        listed = services.manager.list_customers(**asked)  # type: ignore[arg-type]
        assert [s.customer.id for s in listed] == expected


def test_a_page_says_how_many_the_filter_matches(services) -> None:
    generate_demo(services, customers=60, days=10, events=300, seed=3)
    first = services.manager.customer_page("CUSTOMER_00", limit=5, count=True)
    matching = services.manager.list_customers("CUSTOMER_00")
    assert first.total == len(matching) and first.more
    assert [s.customer.id for s in first.summaries] == [s.customer.id for s in matching[:5]]
    whole = services.manager.customer_page("CUSTOMER_00", limit=1_000, count=True)
    assert whole.total == len(matching) and not whole.more  # one page holds them all
    assert services.manager.customer_page(limit=5).total is None  # only when asked
    nobody = services.manager.customer_page("no such customer", count=True)
    assert (nobody.summaries, nobody.more, nobody.total) == ([], False, 0)


def test_paging_while_another_connection_moves_rows_skips_no_customer(
    db_url, services, clock
) -> None:
    """Poorest first, ten a page. After the first page, another operator's deposit moves its
    poorest customer to the very end: every row behind it moves up one. Paging by position
    would then skip the customer that was eleventh; paging after the last row shown does not."""
    for i in range(30):
        code = f"C{i:02}"
        services.manager.create_customer(code, "A1")
        services.manager.update_balance(code, None, f"{i + 1}.00", "deposit", "seed", "tester")
    first = services.manager.customer_page(order_by="balance", limit=10)
    assert [s.customer.id for s in first.summaries] == [f"C{i:02}" for i in range(10)]

    other = build_services(connect(db_url), Settings(), clock, operator="other")
    try:
        result = other.manager.update_balance("C00", None, "500.00", "deposit", "move", "other")
        assert result.success
    finally:
        other.db.close()

    seen = [s.customer.id for s in first.summaries]
    after = first.next_after
    for _ in range(10):  # bounded
        page = services.manager.customer_page(order_by="balance", after=after, limit=10)
        seen += [s.customer.id for s in page.summaries]
        after = page.next_after
        if not page.more:
            break
    counts = Counter(seen)
    assert set(counts) == {f"C{i:02}" for i in range(30)}  # nobody skipped
    assert [c for c, n in counts.items() if n > 1] == ["C00"]  # only the one that moved
    assert seen[-1] == "C00"  # and it is found again where it went


def test_a_page_shows_each_customers_usage_and_open_alerts_as_the_events_say(
    services, clock
) -> None:  # type: ignore[no-untyped-def]
    """The 24 h and 7 d usage and the open alerts of every customer of a page, against what
    the customer's own history and alert list say (written out here, not from the SQL)."""
    manager = services.manager
    for code in ("P1", "P2", "P3", "P4"):
        manager.create_customer(code, "AG1", name=code, vip_level="gold")
    moves = [  # (customer, amount, hours ago when it happened)
        ("P1", "500.00", 200),  # older than a week: in neither figure
        ("P1", "300.00", 100),  # in the week only
        ("P1", "-120.00", 30),
        ("P1", "40.00", 2),  # in both
        ("P2", "9000.00", 1),
        ("P2", "-8800.00", 0.5),  # a drop large enough to raise an alert
        ("P3", "75.00", 170),
    ]
    start = clock.now
    for code, amount, hours_ago in sorted(moves, key=lambda m: -m[2]):
        clock.now = start - timedelta(hours=hours_ago)
        assert manager.update_balance(code, None, Decimal(amount), "adjustment", "t", "ann").success
    clock.now = start
    alerts = services.notifications.get_active_alerts()
    assert alerts, "the test needs an open alert"
    services.notifications.acknowledge_alert(alerts[-1].id, "ann")  # one fewer open

    page = manager.customer_page("", limit=10)
    assert [s.customer.id for s in page.summaries] == ["P1", "P2", "P3", "P4"]
    for summary in page.summaries:
        code = summary.customer.id
        events = services.audit.get_balance_history(code, limit=100)

        def used(hours: float, events=events) -> Decimal:  # type: ignore[no-untyped-def]
            since = start - timedelta(hours=hours)
            return sum((abs(e.amount) for e in events if e.created_at > since), Decimal(0))

        assert (summary.usage_24h, summary.usage_7d) == (used(24), used(24 * 7)), code
        open_alerts = services.notifications.get_active_alerts(customer_id=code)
        assert summary.active_alerts == len(open_alerts), code
