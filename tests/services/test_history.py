"""Reading the audit trail: newest first, keyset pages, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from balance_tui.domain.errors import InvalidInputError, UnknownCustomerError
from balance_tui.services import HistoryFilter


@pytest.fixture
def trail(services, clock):  # type: ignore[no-untyped-def]
    for code, agent in (("C1", "A1"), ("C2", "A2")):
        services.manager.create_customer(code, agent)
    for i in range(30):
        code = "C1" if i % 3 else "C2"
        kind, amount = ("deposit", "10") if i % 2 else ("wager", "-1")
        if i == 0:
            kind, amount = "deposit", "100"
        services.manager.update_balance(
            code, None, amount, kind, f"r{i}", "ann" if i < 15 else "bob"
        )
        clock.advance(minutes=30)
    return services


def test_history_is_newest_first_with_offset(trail) -> None:
    events = trail.audit.get_balance_history("C1", limit=5)
    assert [e.sequence for e in events] == [20, 19, 18, 17, 16]
    assert [e.sequence for e in trail.audit.get_balance_history("C1", 3, offset=5)] == [15, 14, 13]
    with pytest.raises(UnknownCustomerError):
        trail.audit.get_balance_history("NOPE")


def test_keyset_pages_cover_everything_once(trail) -> None:
    seen, before = [], None
    while page := trail.audit.history_page(before_id=before, limit=7):
        seen += [e.id for e in page]
        before = page[-1].id
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 30


def test_filters_narrow_the_trail(trail, clock) -> None:
    only = trail.audit.history_page(HistoryFilter(customer_id="C2"), limit=100)
    assert {e.customer_id for e in only} == {"C2"} and len(only) == 10
    assert {e.agent_id for e in trail.audit.history_page(HistoryFilter(agent_id="A1"))} == {"A1"}
    wagers = trail.audit.history_page(HistoryFilter(change_type="wager"), limit=100)
    assert wagers and {e.change_type for e in wagers} == {"wager"}
    assert {
        e.performed_by for e in trail.audit.history_page(HistoryFilter(performed_by="bob"))
    } == {"bob"}
    since = clock.now - timedelta(hours=2)
    recent = trail.audit.history_page(HistoryFilter(since=since), limit=100)
    assert len(recent) == 4 and all(e.created_at >= since for e in recent)
    with pytest.raises(InvalidInputError):
        trail.audit.history_page(HistoryFilter(change_type="bonus"))


def test_recent_changes_across_customers(trail) -> None:
    assert len(trail.audit.get_recent_balance_changes(hours=3)) == 5  # 3 h old is out
    assert {e.agent_id for e in trail.audit.get_recent_balance_changes(24, "A2")} == {"A2"}
    with pytest.raises(InvalidInputError):
        trail.audit.get_recent_balance_changes(hours=0)


def test_report_bundles_balance_rules_usage_history_and_alerts(trail) -> None:
    report = trail.manager.get_customer_balance_report("C1", True, True)
    assert report.current_balance == report.history[0].new_balance
    assert report.customer.id == "C1" and report.rules.daily_change_limit == 50000
    assert report.alerts == [a for a in trail.notifications.get_active_alerts("C1")]
    bare = trail.manager.get_customer_balance_report("C1")
    assert bare.history is None and bare.alerts is None
