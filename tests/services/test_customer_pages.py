"""The customers list a page at a time, ordered and filtered by the database: every order
the screen offers gives, page after page, the order an operator expects, and paging
while another connection moves rows about never skips a customer that did not move."""

from __future__ import annotations

from collections import Counter
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
