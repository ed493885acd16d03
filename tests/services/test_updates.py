"""update_balance: applied changes, rejections that write nothing, windows, idempotency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from balance_tui.domain.errors import IdempotencyConflictError


def _customer(services, code="C1", tier="bronze", agent="A1"):  # type: ignore[no-untyped-def]
    return services.manager.create_customer(code, agent, name="Ada", vip_level=tier)


def _deposit(services, amount, code="C1", **kw):  # type: ignore[no-untyped-def]
    return services.manager.update_balance(
        code, None, Decimal(amount), "deposit", "funding", "op", **kw
    )


def _events(services, code="C1"):  # type: ignore[no-untyped-def]
    return services.audit.get_balance_history(code, limit=1000)


def test_deposit_moves_balance_and_writes_one_chained_event(services) -> None:
    _customer(services, tier="gold")
    result = services.manager.update_balance(
        "C1",
        "A1",
        Decimal("1000"),
        "deposit",
        "Initial funding",
        "admin_user",
        "gold",
        {"source": "bank_transfer"},
    )
    assert result.success and result.validation.is_valid
    assert result.new_balance == Decimal("1000.00")
    event = result.event
    assert (event.previous_balance, event.new_balance, event.amount) == (
        Decimal("0.00"),
        Decimal("1000.00"),
        Decimal("1000.00"),
    )
    assert event.metadata == {"source": "bank_transfer"}
    assert event.performed_by == "admin_user" and event.vip_level == "gold"
    assert event.prev_hash == "0" * 64 and len(event.hash) == 64
    assert services.manager.get_customer("C1").balance == Decimal("1000.00")
    assert _events(services) == [event]


def test_amounts_are_exact_to_the_cent(services) -> None:
    _customer(services)
    for amount in ("0.10", "0.20", "0.30"):
        _deposit(services, amount)
    assert services.manager.get_customer("C1").balance == Decimal("0.60")
    result = services.manager.update_balance("C1", None, 0.1, "deposit", "float", "op")
    assert result.new_balance == Decimal("0.70")
    bad = services.manager.update_balance("C1", None, 0.125, "deposit", "float", "op")
    assert not bad.success and "2 decimal places" in bad.validation.errors[0]


@pytest.mark.parametrize(
    ("amount", "change_type", "message"),
    [
        ("0", "deposit", "zero"),
        ("-5", "deposit", "A deposit must be positive"),
        ("5", "withdrawal", "A withdrawal must be negative"),
        ("5", "wager", "A wager must be negative"),
        ("-5", "settlement", "A settlement must be zero or positive"),
        ("NaN", "deposit", "not a finite amount"),
        ("1.001", "deposit", "more than 2 decimal places"),
        ("10000000000000", "deposit", "beyond the largest accepted amount"),
        ("5", "reversal", "reversing an event"),
        ("5", "bonus", "Unknown change type"),
    ],
)
def test_bad_requests_are_rejected_and_change_nothing(
    services, amount, change_type, message
) -> None:
    _customer(services)
    _deposit(services, "100")
    result = services.manager.update_balance("C1", None, amount, change_type, "r", "op")
    assert not result.success and result.event is None
    assert any(message in e for e in result.validation.errors), result.validation.errors
    assert services.manager.get_customer("C1").balance == Decimal("100.00")
    assert len(_events(services)) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customer_id": "NOPE"}, "No customer 'NOPE'"),
        ({"agent_id": "A2"}, "belongs to agent A1, not A2"),
        ({"vip_level": "diamond"}, "is bronze, not diamond"),
        ({"vip_level": "unobtainium"}, "Unknown VIP tier"),
        ({"reason": "   "}, "Give a reason"),
        ({"performed_by": ""}, "Give an operator"),
        ({"metadata": ["not", "a", "mapping"]}, "Metadata must be a JSON object"),
        ({"metadata": {"when": object()}}, "cannot be stored as JSON"),
        ({"reason": "nul\x00byte"}, "NUL"),
    ],
)
def test_refused_requests_name_the_reason(services, kwargs, message) -> None:
    _customer(services)
    call = {
        "customer_id": "C1",
        "agent_id": "A1",
        "change_amount": "10",
        "change_type": "deposit",
        "reason": "r",
        "performed_by": "op",
    } | kwargs
    result = services.manager.update_balance(**call)
    assert not result.success
    assert any(message in e for e in result.validation.errors), result.validation.errors
    assert _events(services) == []


def test_closed_customer_takes_no_changes(services) -> None:
    _customer(services)
    services.manager.set_customer_status("C1", "closed")
    result = _deposit(services, "10")
    assert not result.success and "closed" in result.validation.errors[0]


def test_below_minimum_is_rejected_with_a_limit_alert_and_no_write(services) -> None:
    _customer(services)  # bronze: min -10,000
    _deposit(services, "500")
    result = services.manager.update_balance(
        "C1", None, "-10500.01", "withdrawal", "cash out", "eve"
    )
    assert not result.success
    assert result.validation.errors == [
        "Balance would fall to -10,000.01, below the bronze minimum of -10,000.00."
    ]
    assert result.new_balance == Decimal("500.00")
    assert [a.alert_type for a in result.alerts] == ["limit_exceeded"]
    alert = result.alerts[0]
    assert alert.attempted_amount == Decimal("-10500.01") and alert.attempted_by == "eve"
    stored = services.notifications.get_active_alerts("C1", "limit_exceeded")
    assert [a.id for a in stored] == [alert.id]
    assert len(_events(services)) == 1
    landing = services.manager.update_balance("C1", None, "-10500", "withdrawal", "edge", "op")
    assert landing.success and landing.new_balance == Decimal("-10000.00")


def test_above_maximum_is_rejected(services) -> None:
    _customer(services, tier="bronze")
    services.manager.update_balance("C1", None, "40000", "adjustment", "seed", "op")
    rules = services.manager.get_customer_balance_report("C1").rules
    custom = rules.with_overrides(max_balance=Decimal("50000"))
    result = services.manager.update_balance(
        "C1", None, "10000.01", "deposit", "r", "op", rules=custom
    )
    assert not result.success and "above the maximum of 50,000.00" in result.validation.errors[0]


def test_daily_limit_counts_the_trailing_24_hours_to_the_microsecond(services, clock) -> None:
    _customer(services)  # bronze: 50,000 a day, 200,000 a week
    assert _deposit(services, "30000").success
    clock.advance(hours=23, minutes=59, seconds=59)
    over = _deposit(services, "20000.01")
    assert not over.success
    assert "over the bronze daily limit of 50,000.00" in over.validation.errors[0]
    assert "(30,000.00 already used)" in over.validation.errors[0]
    assert _deposit(services, "20000").success  # exactly at the limit is allowed
    clock.advance(seconds=1)  # the first deposit is now exactly 24 h old: out of the window
    assert services.manager.get_customer_balance_report("C1").usage_24h == Decimal("20000.00")
    assert _deposit(services, "30000").success


def test_weekly_limit_counts_the_trailing_7_days(services, clock) -> None:
    _customer(services)
    for _ in range(4):
        assert _deposit(services, "50000").success
        clock.advance(days=1)
    blocked = services.manager.update_balance("C1", None, "-1", "adjustment", "r", "op")
    assert not blocked.success and "weekly limit of 200,000.00" in blocked.validation.errors[0]
    clock.advance(days=2, hours=23, minutes=59)
    assert not services.manager.update_balance("C1", None, "-1", "adjustment", "r", "op").success
    clock.advance(minutes=1)
    assert services.manager.update_balance("C1", None, "-1", "adjustment", "r", "op").success


def test_usage_warnings_and_large_change_warning(services) -> None:
    _customer(services)
    result = _deposit(services, "40000.01")
    assert result.success
    assert any(
        "Daily usage with this change: 40,000.01 of 50,000.00 (80%)" in w
        for w in result.validation.warnings
    )
    assert any("over half the daily limit" in w for w in result.validation.warnings)
    assert result.event.warnings == result.validation.warnings


def test_idempotent_replay_returns_the_first_result(services) -> None:
    _customer(services)
    _deposit(services, "5000")
    first = services.manager.update_balance(
        "C1", None, "-4500", "wager", "bet", "op", idempotency_key="form-1"
    )
    again = services.manager.update_balance(
        "C1", None, "-4500", "wager", "bet", "op", idempotency_key="form-1"
    )
    assert again.replayed and not first.replayed
    assert again.event == first.event and again.new_balance == first.new_balance
    assert [a.id for a in again.alerts] == [a.id for a in first.alerts]
    assert services.manager.get_customer("C1").balance == Decimal("500.00")
    assert len(_events(services)) == 2


def test_idempotency_key_with_other_parameters_is_an_error(services) -> None:
    _customer(services)
    _deposit(services, "10", idempotency_key="k1")
    with pytest.raises(IdempotencyConflictError, match="k1"):
        _deposit(services, "11", idempotency_key="k1")
    assert services.manager.get_customer("C1").balance == Decimal("10.00")


@pytest.mark.parametrize(
    "text",
    ["[bold red]boom[/]", "\x1b[31mred\x1b[0m", 'O\'Brien "quoted"', "émoji 💸 ∑", "<script>"],
)
def test_hostile_text_is_stored_verbatim(services, text) -> None:
    services.manager.create_customer("C1", "A1", name=text)
    result = services.manager.update_balance(
        "C1", None, "10", "deposit", text, text, metadata={"note": text}
    )
    stored = services.audit.get_event(result.event.id)
    assert (stored.reason, stored.performed_by, stored.metadata) == (text, text, {"note": text})
    assert services.manager.get_customer("C1").name == text
    assert services.verifier.verify().ok


def test_preview_matches_what_the_update_then_does(services) -> None:
    _customer(services)
    _deposit(services, "1200")
    preview = services.manager.preview_balance_change("C1", "300", "wager")
    assert preview.new_balance == Decimal("900.00") and preview.validation.is_valid
    assert any("below the warning threshold" in w for w in preview.validation.warnings)
    result = services.manager.update_balance("C1", None, "-300", "wager", "bet", "op")
    assert result.validation.warnings == preview.validation.warnings
    assert services.manager.preview_balance_change("C1", "1", "deposit").sequence == 2


def test_customers_list_search_and_usage(services) -> None:
    _customer(services, "C1")
    services.manager.create_customer("C2", "A2", name="Grace Hopper", vip_level="silver")
    _deposit(services, "250", code="C2")
    assert [s.customer.id for s in services.manager.list_customers()] == ["C1", "C2"]
    found = services.manager.list_customers("hopp")
    assert [s.customer.id for s in found] == ["C2"]
    assert found[0].usage_24h == Decimal("250.00")
    assert found[0].daily_limit == Decimal("100000")
    assert [s.customer.id for s in services.manager.list_customers(agent_id="A1")] == ["C1"]
