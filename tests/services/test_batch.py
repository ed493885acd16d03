"""update_balances: many changes in one transaction, all or nothing."""

from __future__ import annotations

from decimal import Decimal

from balance_tui.domain.records import BalanceChange


def _book(services):  # type: ignore[no-untyped-def]
    for code in ("C1", "C2"):
        services.manager.create_customer(code, "A1")
    return services


def _change(code: str, amount: str, kind: str = "deposit", **kw) -> BalanceChange:  # type: ignore[no-untyped-def]
    return BalanceChange(code, Decimal(amount), kind, "batch", "op", **kw)


def test_a_batch_applies_every_change_in_order(services) -> None:
    _book(services)
    result = services.manager.update_balances(
        [_change("C1", "100"), _change("C2", "50"), _change("C1", "-30", "wager")]
    )
    assert result.success and result.failed_index is None
    assert [r.new_balance for r in result.results] == [
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("70.00"),
    ]
    assert services.manager.get_customer("C1").balance == Decimal("70.00")
    assert [e.sequence for e in services.audit.get_balance_history("C1")] == [2, 1]
    assert services.verifier.verify().ok


def test_one_refused_change_rejects_the_whole_batch_and_says_which(services) -> None:
    _book(services)
    services.manager.update_balance("C2", None, "5", "deposit", "seed", "op")
    result = services.manager.update_balances(
        [_change("C1", "100"), _change("C2", "-20000", "withdrawal"), _change("C1", "1")]
    )
    assert not result.success and result.failed_index == 1
    assert result.errors == [
        "Change 2 (C2): Balance would fall to -19,995.00, below the bronze minimum of -10,000.00."
    ]
    assert services.manager.get_customer("C1").balance == Decimal("0.00")
    assert len(services.audit.history_page()) == 1  # only the seed
    limit = services.notifications.get_active_alerts("C2", "limit_exceeded")
    assert len(limit) == 1 and limit[0].attempted_amount == Decimal("-20000.00")


def test_limits_count_the_earlier_changes_of_the_same_batch(services) -> None:
    _book(services)  # bronze: 50,000 a day
    result = services.manager.update_balances(
        [_change("C1", "30000"), _change("C1", "20000"), _change("C1", "0.01")]
    )
    assert not result.success and result.failed_index == 2
    assert "daily limit" in result.errors[0]
    assert services.manager.get_customer("C1").balance == Decimal("0.00")


def test_a_malformed_change_is_named_before_anything_runs(services) -> None:
    _book(services)
    result = services.manager.update_balances([_change("C1", "1"), _change("C1", "1", "bonus")])
    assert not result.success and result.failed_index == 1
    assert "Change 2: Unknown change type 'bonus'" in result.errors[0]
